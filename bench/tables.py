"""The results tables, as Markdown. Each puts QuestPath beside its ceiling, with the ratio."""

from __future__ import annotations

import statistics
from collections.abc import Callable

from bench.config import Config
from bench.export import Export
from bench.history import Alternated
from bench.load import Phase
from bench.profile import Profile
from bench.results import BackendResult, NoopResult

MIB = 1024 * 1024
BACKEND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# The load generator must leave the server this much headroom for its figures to mean anything.
HEADROOM = 5.0


def num(value: float | None) -> str:
    """Three significant figures, thousands separated; a dash for nothing."""
    if value is None:
        return "–"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def ratio(value: float | None, ceiling: float | None) -> str:
    if value is None or not ceiling:
        return "–"
    return num(value / ceiling) + "×"


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def backend(r: BackendResult) -> str:
    name = BACKEND_NAMES[r.name]
    return name if r.workers == 1 else f"{name} ({r.workers} server processes)"


def cpu_ms_per_event(phase: Phase, meter: str = "server") -> float | None:
    seconds = phase.cpu.get(meter)
    return None if seconds is None or not phase.events else 1000 * seconds / phase.events


# Ingest ---------------------------------------------------------------------------------------


def _ingest_rows(
    name: str, work: str, questpath: Phase, direct: Phase, noop: Phase, single: bool
) -> list[list[str]]:
    picks: list[tuple[str, Callable[[Phase], float | None]]] = [
        ("events/s", lambda p: p.events_per_second),
        ("p50 latency, ms", lambda p: p.p50_ms),
        ("p99 latency, ms", lambda p: p.p99_ms),
    ]
    rows = []
    for label, pick in picks:
        q, a, b = pick(questpath), pick(direct), pick(noop)
        rows.append([name, work, label, num(q), num(a), ratio(q, a), num(b), ratio(q, b)])
    if single:
        q, b = cpu_ms_per_event(questpath), cpu_ms_per_event(noop)
        rows.append([name, work, "server CPU per event, ms", num(q), "", "", num(b), ratio(q, b)])
        if "database" in questpath.cpu:
            db = num(cpu_ms_per_event(questpath, "database"))
            rows.append([name, work, "PostgreSQL CPU per event, ms", db, "", "", "", ""])
    return rows


def ingest(config: Config, noop: NoopResult, results: list[BackendResult]) -> str:
    header = [
        "Backend", "Workload", "Measured", "QuestPath", "(a) direct insert", "QuestPath ÷ (a)",
        "(b) no-op HTTP", "QuestPath ÷ (b)",
    ]  # fmt: skip
    rows = []
    for r in results:
        name = backend(r)
        n = config.clients
        rows += _ingest_rows(
            name, f"(a) {n} learners × 1 event, own tokens", r.singles, r.direct_singles,
            noop.singles, single=True,
        )  # fmt: skip
        rows += _ingest_rows(
            name, f"(b) {n} clients × 1 event, one API key for {config.integration_learners:,} "
            "learners", r.integration, r.direct_singles, noop.singles, single=True,
        )  # fmt: skip
        batches = f"{config.batch_clients} clients × {config.batch_size}-event batches"
        rows += _ingest_rows(name, batches, r.batches, r.direct_batches, noop.batches, False)
    return table(header, rows)


# Reads ----------------------------------------------------------------------------------------


def reads(config: Config, noop: NoopResult, results: list[BackendResult]) -> str:
    header = [
        "Backend", "Clients", "Reads/s", "p50, ms", "p99, ms", "(b) no-op reads/s",
        "(b) p50, ms", "(b) p99, ms", "p50 ÷ (b) p50", "p99 ÷ (b) p99",
    ]  # fmt: skip
    rows = []
    for r in results:
        for label, phase, ceiling in (
            (f"{config.clients}, own tokens", r.reads_own, noop.reads),
            (f"{config.clients}, API key, `?user_id=` at random", r.reads_key, noop.reads),
            ("1, own token", r.read_alone, noop.read_alone),
        ):
            rows.append(
                [
                    backend(r), label, num(phase.requests_per_second), num(phase.p50_ms),
                    num(phase.p99_ms), num(ceiling.requests_per_second), num(ceiling.p50_ms),
                    num(ceiling.p99_ms), ratio(phase.p50_ms, ceiling.p50_ms),
                    ratio(phase.p99_ms, ceiling.p99_ms),
                ]
            )  # fmt: skip
    return table(header, rows)


def independence(config: Config, results: list[BackendResult]) -> str:
    short = f"{config.small_events:,} events, {config.short_days} days"
    long = f"{config.big_events:,} events, {config.history_days:,} days"
    header = ["Backend", "Request", "Measured", short, long, "long ÷ short"]
    rows = []
    for r in results:
        pairs: list[tuple[str, Alternated]] = [
            ("one event, `POST /api/events`", r.history.singles),
            ("progress, `GET /api/progress`", r.history.reads),
        ]
        for request, alternated in pairs:
            for label, pick in (("p50, ms", "p50_ms"), ("p99, ms", "p99_ms")):
                s, g = getattr(alternated.short, pick), getattr(alternated.long, pick)
                rows.append([backend(r), request, label, num(s), num(g), ratio(g, s)])
    return table(header, rows)


def under_writes(config: Config, results: list[BackendResult]) -> str:
    header = [
        "Backend", "Measured", "Idle", f"While {config.batch_size}-event batches land",
        "while ÷ idle",
    ]  # fmt: skip
    rows = []
    for r in results:
        idle, busy, writes = r.under_writes.idle, r.under_writes.busy, r.under_writes.writes
        for label, pick in (("read p50, ms", "p50_ms"), ("read p99, ms", "p99_ms")):
            i, b = getattr(idle, pick), getattr(busy, pick)
            rows.append([backend(r), label, num(i), num(b), ratio(b, i)])
        rows.append([backend(r), "reads", f"{idle.requests:,}", f"{busy.requests:,}", ""])
        rate = num(writes.events_per_second)
        batches = f"{writes.requests} (p50 {num(writes.p50_ms)} ms, {rate} events/s)"
        rows.append([backend(r), "batches written", "", batches, ""])
    return table(header, rows)


# Loading and export ---------------------------------------------------------------------------


def _tenth(seconds: list[float], last: bool) -> float:
    n = max(1, len(seconds) // 10)
    return statistics.median(seconds[-n:] if last else seconds[:n]) * 1000


def loading(results: list[BackendResult]) -> str:
    header = [
        "Backend", "Loaded via", "Events", "Minutes", "Events/s", "÷ (a) direct batch insert",
        "÷ QuestPath batch ingest", "Batch p50, first 10%, ms", "last 10%, ms", "last ÷ first",
    ]  # fmt: skip
    rows = []
    for r in results:
        load = r.history.long.phase
        rate = load.events_per_second
        first, last = _tenth(load.latencies, False), _tenth(load.latencies, True)
        via = "HTTP batches" if r.history.long.via == "http" else "service layer, in-process"
        rows.append(
            [
                backend(r), via, f"{load.events:,}", num(load.seconds / 60), num(rate),
                ratio(rate, r.direct_batches.events_per_second),
                ratio(rate, r.batches.events_per_second), num(first), num(last),
                ratio(last, first),
            ]
        )  # fmt: skip
    return table(header, rows)


def _export_row(r: BackendResult, e: Export) -> list[str]:
    name = BACKEND_NAMES[r.name]
    if e.status != 200:
        return [name, e.fmt, f"{e.events:,}", f"not measured: the endpoint answered {e.status}"]
    rate = e.events / e.seconds
    raw_rows, raw_seconds = r.raw_read
    growth = (e.hwm_after_kib - e.hwm_before_kib) * 1024
    return [
        name, e.fmt, f"{e.events:,}", num(e.body_bytes / MIB), num(e.seconds), num(rate),
        ratio(rate, raw_rows / raw_seconds), num(e.hwm_before_kib / 1024),
        num(e.hwm_after_kib / 1024), ratio(e.hwm_after_kib, e.hwm_before_kib),
        num(growth / MIB), ratio(growth, e.body_bytes),
    ]  # fmt: skip


def exports(results: list[BackendResult]) -> str:
    header = [
        "Backend", "Format", "Events", "Body, MiB", "Seconds", "Events/s",
        "÷ raw read (ceiling)", "Peak RSS before, MiB", "Peak RSS after, MiB", "after ÷ before",
        "Growth, MiB", "Growth ÷ body",
    ]  # fmt: skip
    return table(header, [_export_row(r, e) for r in results for e in r.exports])


# CPU, the load generator's headroom, verify and the profile ----------------------------------


CPU_METERS = ("server", "database", "bench", "other")


def cpu(noop: NoopResult, results: list[BackendResult]) -> str:
    header = [
        "Backend", "Phase", "Seconds", "Server", "PostgreSQL", "Load generator (bench process)",
        "Other processes",
    ]  # fmt: skip
    labelled = [
        ("(b) no-op app", "single events", noop.singles),
        ("(b) no-op app", "batches", noop.batches),
        ("(b) no-op app", "GETs, concurrent", noop.reads),
        ("(b) no-op app", "GETs, one client", noop.read_alone),
    ]
    labelled += [(backend(r), label, phase) for r in results for label, phase in r.phases()]
    rows = [
        [who, label, num(p.seconds), *(num(p.cpu_percent(m)) for m in CPU_METERS)]
        for who, label, p in labelled
    ]
    return table(header, rows)


def headroom(noop: NoopResult, results: list[BackendResult]) -> str:
    """The check that the load generator is not what limits QuestPath's figures."""
    if not results:
        return ""
    best_write = max(
        max(r.singles.events_per_second, r.integration.events_per_second) for r in results
    )
    best_read = max(
        max(r.reads_own.requests_per_second, r.reads_key.requests_per_second) for r in results
    )
    checks = [
        ("single events/s", noop.singles.events_per_second, best_write),
        ("progress reads/s", noop.reads.requests_per_second, best_read),
    ]
    parts, short = [], []
    for label, ceiling, best in checks:
        factor = ceiling / best
        parts.append(f"{label}: {num(ceiling)} ÷ {num(best)} = {num(factor)}×")
        if factor < HEADROOM:
            short.append(label)
    line = (
        "**Load generator check** (no-op ceiling ÷ best QuestPath figure, must be ≥ "
        f"{HEADROOM:.0f}×): " + "; ".join(parts) + "."
    )
    if short:
        line += (
            f"\n\n> **Warning:** the no-op ceiling for {' and '.join(short)} is less than "
            f"{HEADROOM:.0f}× QuestPath's best figure: the load generator (or the machine) may "
            "be what limits QuestPath here, so those figures are a lower bound."
        )
    return line


def verified(results: list[BackendResult]) -> str:
    return "\n".join(f"- {backend(r)}: `questpath verify`: {r.verified.summary()}" for r in results)


def profile(p: Profile) -> str:
    header = [
        "#",
        "Own time",
        "Share",
        "Total time",
        "Share",
        "Total time, QuestPath's code",
        "Share",
    ]
    columns = (p.own, p.total, p.ours)
    rows = []
    for n in range(max(len(column) for column in columns)):
        row = [str(n + 1)]
        for column in columns:
            name, share = column[n] if n < len(column) else ("", 0.0)
            row += [f"`{name}`" if name else "", f"{100 * share:.1f}%" if name else ""]
        rows.append(row)
    return table(header, rows)
