"""The results as Markdown: tables for stdout, and the whole page for docs/benchmarks.md."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import statistics
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bench.load import Phase

if TYPE_CHECKING:
    from bench.cli import BackendResult, Config, Export, NoopResult

MIB = 1024 * 1024
BACKEND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
PACKAGES = ("uvicorn", "fastapi", "sqlalchemy", "aiosqlite", "asyncpg", "httpx", "uvloop")


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


CPU_METERS = ("server", "database", "bench", "other")
CPU_LABEL = "CPU, % of a core: server / PostgreSQL / bench / other processes"


def cpu(phase: Phase) -> str:
    return " / ".join(num(phase.cpu_percent(name)) for name in CPU_METERS)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        with open("/proc/meminfo") as f:
            kib = int(f.readline().split()[1])
        return f"{kib / MIB:.0f} GiB"
    except (OSError, ValueError, IndexError):
        return "unknown"


def machine(results: list[BackendResult]) -> str:
    versions = {r.name: r.version for r in results}
    packages = ", ".join(f"{p} {importlib.metadata.version(p)}" for p in PACKAGES if _has(p))
    lines = [
        f"- CPU: {os.cpu_count()} × {_cpu_model()}; memory {_memory()}",
        f"- OS: {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}; {packages}",
        f"- SQLite {versions.get('sqlite', '(not run)')}; "
        f"PostgreSQL {versions.get('postgresql', '(not run)')}",
    ]
    return "\n".join(lines)


def _has(package: str) -> bool:
    try:
        importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def _ingest_rows(
    backend: str, workload: str, questpath: Phase, direct: Phase, noop: Phase
) -> list[list[str]]:
    rows = []
    for label, pick in (
        ("events/s", lambda p: p.events_per_second),
        ("p50 latency, ms", lambda p: p.p50_ms),
        ("p99 latency, ms", lambda p: p.p99_ms),
    ):
        q, a, b = pick(questpath), pick(direct), pick(noop)
        rows.append([backend, workload, label, num(q), num(a), ratio(q, a), num(b), ratio(q, b)])
    rows.append([backend, workload, CPU_LABEL, cpu(questpath), cpu(direct), "", cpu(noop), ""])
    return rows


def ingest(config: Config, noop: NoopResult, results: list[BackendResult]) -> str:
    header = [
        "Backend", "Workload", "Measured", "QuestPath", "(a) direct insert", "QuestPath ÷ (a)",
        "(b) no-op HTTP", "QuestPath ÷ (b)",
    ]  # fmt: skip
    rows = []
    for r in results:
        name = BACKEND_NAMES[r.name]
        singles = f"{config.clients} clients × 1 event"
        batches = f"{config.batch_clients} clients × {config.batch_size}-event batches"
        rows += _ingest_rows(name, singles, r.singles, r.direct_singles, noop.singles)
        rows += _ingest_rows(name, batches, r.batches, r.direct_batches, noop.batches)
    return table(header, rows)


def progress(config: Config, noop: NoopResult, results: list[BackendResult]) -> str:
    short, long = f"{config.small_events:,} events", f"{config.big_events:,} events"
    header = [
        "Backend", "Measured", short, long, "long ÷ short", "(b) no-op GET", "short ÷ (b)",
        "long ÷ (b)",
    ]  # fmt: skip
    rows = []
    for r in results:
        for label, pick in (("p50, ms", "p50_ms"), ("p99, ms", "p99_ms")):
            s, g, b = (getattr(p, pick) for p in (r.progress_small, r.progress_big, noop.progress))
            cells = [num(s), num(g), ratio(g, s), num(b), ratio(s, b), ratio(g, b)]
            rows.append([BACKEND_NAMES[r.name], label, *cells])
    return table(header, rows)


def _tenth(seconds: list[float], last: bool) -> float:
    n = max(1, len(seconds) // 10)
    return statistics.median(seconds[-n:] if last else seconds[:n]) * 1000


def loading(results: list[BackendResult]) -> str:
    header = [
        "Backend", "Loaded via", "Events", "Minutes", "Events/s", "÷ (a) direct batch insert",
        "÷ QuestPath batch ingest", "Batch p50, first 10%, ms", "last 10%, ms", "last ÷ first",
        CPU_LABEL.removeprefix("CPU, "),
    ]  # fmt: skip
    rows = []
    for r in results:
        load = r.load_big.phase
        rate = load.events_per_second
        first, last = _tenth(load.latencies, False), _tenth(load.latencies, True)
        rows.append(
            [
                BACKEND_NAMES[r.name],
                "HTTP batches" if r.load_big.via == "http" else "service layer, in-process",
                f"{load.events:,}",
                num(load.seconds / 60),
                num(rate),
                ratio(rate, r.direct_batches.events_per_second),
                ratio(rate, r.batches.events_per_second),
                num(first),
                num(last),
                ratio(last, first),
                cpu(load),
            ]
        )
    return table(header, rows)


def _export_row(r: BackendResult, e: Export) -> list[str]:
    name = BACKEND_NAMES[r.name]
    if e.status != 200:
        return [name, e.fmt, f"{e.events:,}", f"not measured: the endpoint answered {e.status}"]
    rate = e.events / e.seconds
    raw_rows, raw_seconds = r.raw_read
    growth = (e.hwm_after_kib - e.hwm_before_kib) * 1024
    return [
        name,
        e.fmt,
        f"{e.events:,}",
        num(e.body_bytes / MIB),
        num(e.seconds),
        num(rate),
        ratio(rate, raw_rows / raw_seconds),
        num(e.hwm_before_kib / 1024),
        num(e.hwm_after_kib / 1024),
        ratio(e.hwm_after_kib, e.hwm_before_kib),
        num(growth / MIB),
        ratio(growth, e.body_bytes),
    ]


def exports(results: list[BackendResult]) -> str:
    header = [
        "Backend", "Format", "Events", "Body, MiB", "Seconds", "Events/s",
        "÷ raw read (ceiling)", "Peak RSS before, MiB", "Peak RSS after, MiB", "after ÷ before",
        "Growth, MiB", "Growth ÷ body",
    ]  # fmt: skip
    return table(header, [_export_row(r, e) for r in results for e in r.exports])


def interference(noop: NoopResult, backends: list[BackendResult]) -> str:
    """How much CPU the rest of the machine took while the measured phases ran."""
    phases = [noop.singles, noop.batches]
    for r in backends:
        phases += [r.singles, r.batches, r.direct_singles, r.direct_batches, r.load_big.phase]
    seconds = sum(p.seconds for p in phases)
    other = sum((p.cpu_percent("other") or 0) * p.seconds for p in phases) / seconds
    return (
        f"While the ingest, ceiling and loading phases ran, other processes on the machine used "
        f"{other:.0f}% of a core on average (the last figure of each CPU cell; "
        f"{os.cpu_count()} cores in all). The measured processes shared the rest."
    )


def results(config: Config, noop: NoopResult, backends: list[BackendResult], minutes: float) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    via = {r.load_big.via for r in backends}
    loaded = "HTTP batches" if via == {"http"} else "the service layer, in-process"
    return "\n\n".join(
        [
            "## Results",
            f"Run on {when}; the whole run took {minutes:.1f} minutes"
            + (" (quick mode: small sizes, not representative)." if config.quick else "."),
            machine(backends),
            interference(noop, backends),
            "### Ingest",
            ingest(config, noop, backends),
            f"### GET /api/progress ({config.reads} sequential reads per learner)",
            progress(config, noop, backends),
            f"### Loading the long history ({config.big_events:,} events over "
            f"{config.history_days:,} days, through {loaded})",
            loading(backends),
            f"### Streamed export of {config.big_events:,} events",
            exports(backends),
        ]
    )


HEADER = """\
# Benchmarks

How fast QuestPath records events and answers progress reads, on SQLite and on PostgreSQL, and
how much memory a full export takes. Every number sits beside a ceiling measured in the same run
on the same machine: the ratios, more than the absolute numbers, are what carries over to other
hardware.

## What is measured

- **Ingest.** `POST /api/events` from {clients} concurrent clients sending one event per
  request, then from {batch_clients} clients sending {batch_size}-event batches
  (`{{"events": [...]}}`). Each client has its own learner and its own keep-alive connection,
  and sends its next request when the previous one has answered. *events/s* is events stored ÷
  wall time of the measured requests (after a warm-up); *p50/p99 latency* is the client-side
  time of one request. Each request stores its events and updates the learner's projections
  (totals, days, topics, topic-days, achievements) in one transaction. The events are realistic
  (mostly graded exercises over 8 topics, some study sessions, projects and check-ins) and
  arrive in chronological order.
- **Ceiling (a), direct insert:** the same rows, for the same learners, inserted straight into
  the `events` table of the same database with SQLAlchemy Core `executemany`: one row per
  transaction from {clients} concurrent tasks, and one {batch_size}-row transaction at a time
  from each of {batch_clients} tasks. It uses QuestPath's engine settings (same driver,
  connection pool, SQLite pragmas, `BEGIN IMMEDIATE`) and table definition, in the benchmark
  process, with no HTTP, validation, authentication, duplicate detection or projections. Its
  latency is one transaction's time.
- **Ceiling (b), no-op HTTP:** `bench/noop_app.py`, a FastAPI app under the same uvicorn (one
  worker, uvloop, httptools) whose `POST /api/events` reads the whole body and answers with a
  constant, driven by the same clients with the same bodies. It measures the HTTP stack plus
  the load generator, which shares the machine's cores with the server: when the benchmark
  process's CPU share is near 100%, the load generator is what limits it. QuestPath's
  `GET /health` was not used because it queries the database.
- **CPU** is CPU time ÷ wall time of the phase, in percent of one core, for the server process,
  PostgreSQL's processes, the benchmark process (load generator; for ceiling (a) also the
  database work on SQLite, which runs in-process) and every other process on the machine (busy
  time of all cores from `/proc/stat` less the measured processes).
- **GET /api/progress** for a learner with a short history and one with a long history, both
  spread over the same days and topics, read alternately by one client. The answer comes from
  projection rows, so *long ÷ short* should stay near 1. Its ceiling (b) is a constant `GET` of
  the no-op app.
- **Loading the long history**: the time to record it in {batch_size}-event batches in
  chronological order, one batch at a time (one learner's batches are serialised anyway). Its
  events/s is compared with ceiling (a) for batches and with the batch ingest above. *last ÷
  first* compares the batch latency at the end of the load with the start, which shows whether
  ingest slows down as the history grows.
- **Export memory**: `GET /api/progress/export?format=json|csv` of the long history from a
  freshly started server, warmed up by one progress read and the short learner's export, with
  the client reading the body in 64 KiB chunks and keeping nothing. *Peak RSS* is the server
  process's `VmHWM` from `/proc/<pid>/status` before and after the download. A *growth ÷ body*
  near 0 means the export streams. The speed ceiling is the export's own query read straight
  through a server-side cursor in the benchmark process, with no serialisation.

PostgreSQL is a throwaway server that the benchmark starts itself (initdb in a temp dir,
127.0.0.1) with its default settings, durability included: `fsync`, `synchronous_commit` and
`full_page_writes` stay on. SQLite is a file in a temp dir, in QuestPath's own mode (WAL,
`synchronous=NORMAL`). The server runs with `QUESTPATH_LOG_LEVEL=WARNING`, so its access log is
off.
"""


def page(command: str, config: Config, markdown: str) -> str:
    header = HEADER.format(
        clients=config.clients, batch_clients=config.batch_clients, batch_size=config.batch_size
    )
    reproduce = f"""\
## Reproduce

From the repository root, with the locked environment installed (`uv sync`) and PostgreSQL's
server binaries under `/usr/lib/postgresql/*/bin` (Debian's `postgresql` package):

```sh
.venv/bin/{command}
```

`--quick` runs small sizes in under a minute and prints the tables without writing this page;
`--help` lists the sizes (`--singles`, `--batches`, `--big-events`, `--reads`, ...), and
`--load-via service` loads the histories in-process instead of over HTTP.
"""
    return f"{header}\n{reproduce}\n{markdown}\n"
