"""`python -m bench`: run every measurement on each backend and write the results page."""

from __future__ import annotations

import argparse
import contextlib
import shlex
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench import direct, report
from bench.load import (
    BenchError,
    CpuMeter,
    Learner,
    Phase,
    drive,
    get_job,
    http_client,
    post_job,
    register,
    run,
)
from bench.postgres import ThrowawayPostgres
from bench.servers import (
    ROOT,
    NoopServer,
    QuestPathServer,
    cpu_seconds,
    machine_busy_seconds,
    memory_kib,
    new_secret_key,
    tree_cpu_seconds,
)
from bench.workload import batch_body, chunks, history, recent_end, single_body, table_rows
from questpath.db import create_engine

BACKENDS = ("sqlite", "postgresql")
EXPORT_FORMATS = ("json", "csv")


@dataclass
class Config:
    backends: list[str]
    clients: int
    singles: int
    singles_warmup: int
    batch_size: int
    batch_clients: int
    batches: int
    batches_warmup: int
    small_events: int
    big_events: int
    history_days: int
    reads: int
    load_via: str
    export_formats: list[str]
    doc: Path | None
    quick: bool


@dataclass
class Load:
    via: str
    phase: Phase  # its latencies are each batch's seconds, in loading order


@dataclass
class Export:
    fmt: str
    events: int
    status: int
    body_bytes: int = 0
    seconds: float = 0.0
    hwm_before_kib: int = 0
    hwm_after_kib: int = 0
    rss_before_kib: int = 0


@dataclass
class BackendResult:
    name: str
    version: str
    singles: Phase
    batches: Phase
    direct_singles: Phase
    direct_batches: Phase
    load_small: Load
    load_big: Load
    progress_small: Phase
    progress_big: Phase
    exports: list[Export]
    raw_read: tuple[int, float]


@dataclass
class NoopResult:
    singles: Phase
    batches: Phase
    progress: Phase


def parse(argv: list[str] | None = None) -> Config:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="QuestPath's benchmark: ingest, progress reads and export memory on SQLite "
        "and PostgreSQL, each beside a ceiling measured in the same run.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="small sizes for a smoke run (under a minute)"
    )
    parser.add_argument("--backends", default=",".join(BACKENDS), help="sqlite,postgresql")
    parser.add_argument("--clients", type=int, default=16, help="concurrent single-event clients")
    parser.add_argument("--singles", type=int, help="measured requests per single-event client")
    parser.add_argument("--batch-size", type=int, default=1000, help="events per batch request")
    parser.add_argument("--batch-clients", type=int, help="concurrent batch clients")
    parser.add_argument("--batches", type=int, help="measured batches per batch client")
    parser.add_argument("--small-events", type=int, default=1000, help="short history's events")
    parser.add_argument("--big-events", type=int, help="long history's events")
    parser.add_argument("--history-days", type=int, default=1000, help="days each history spans")
    parser.add_argument("--reads", type=int, help="GET /api/progress calls per learner")
    parser.add_argument(
        "--load-via",
        choices=("http", "service"),
        default="http",
        help="load the histories through HTTP batches, or in-process through the service layer",
    )
    parser.add_argument("--export-formats", help="json,csv (default: both; json only with --quick)")
    parser.add_argument(
        "--doc",
        type=Path,
        help="write the results page here (default: docs/benchmarks.md; none with --quick)",
    )
    parser.add_argument("--no-doc", action="store_true", help="only print the results")
    args = parser.parse_args(argv)
    quick = args.quick

    def pick(value: int | None, full: int, smoke: int) -> int:
        return value if value is not None else (smoke if quick else full)

    backends = [b for b in args.backends.split(",") if b]
    formats = [
        f for f in (args.export_formats or ("json" if quick else "json,csv")).split(",") if f
    ]
    for name, given, allowed in (
        ("backend", backends, BACKENDS),
        ("export format", formats, EXPORT_FORMATS),
    ):
        unknown = set(given) - set(allowed)
        if unknown:
            parser.error(f"unknown {name}: {', '.join(sorted(unknown))}")
    doc = args.doc
    if doc is None and not quick:
        doc = ROOT / "docs" / "benchmarks.md"
    if args.no_doc:
        doc = None
    return Config(
        backends=backends,
        clients=args.clients,
        singles=pick(args.singles, 200, 8),
        singles_warmup=2 if quick else 10,
        batch_size=args.batch_size,
        batch_clients=pick(args.batch_clients, 4, 2),
        batches=pick(args.batches, 10, 1),
        batches_warmup=1,
        small_events=args.small_events,
        big_events=pick(args.big_events, 1_000_000, 3_000),
        history_days=args.history_days,
        reads=pick(args.reads, 300, 20),
        load_via=args.load_via,
        export_formats=formats,
        doc=doc,
        quick=quick,
    )


def say(message: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# Workloads ------------------------------------------------------------------------------------


@dataclass
class Ingest:
    """The events of the ingest workloads: per client, warm-up requests then measured ones."""

    singles: list[tuple[list[dict[str, Any]], list[dict[str, Any]]]]
    batches: list[tuple[list[list[dict[str, Any]]], list[list[dict[str, Any]]]]]


def ingest_workload(config: Config, prefix: str) -> Ingest:
    end = recent_end()
    singles = []
    for c in range(config.clients):
        n = config.singles_warmup + config.singles
        events = list(history(f"{prefix}-s{c}", n, days=max(1, n / 200), end=end))
        singles.append((events[: config.singles_warmup], events[config.singles_warmup :]))
    batches = []
    for c in range(config.batch_clients):
        n = config.batches_warmup + config.batches
        events = history(f"{prefix}-b{c}", n * config.batch_size, days=n, end=end)
        all_batches = list(chunks(events, config.batch_size))
        batches.append((all_batches[: config.batches_warmup], all_batches[config.batches_warmup :]))
    return Ingest(singles, batches)


async def http_ingest(
    base_url: str,
    tokens: tuple[list[str | None], list[str | None]],
    workload: Ingest,
    meters: dict[str, CpuMeter],
) -> tuple[Phase, Phase]:
    """Single events from each single-event client, then batches from each batch client."""
    singles_jobs: list[tuple[list[bytes], list[bytes], int]] = [
        ([single_body(e) for e in warm], [single_body(e) for e in measured], 1)
        for warm, measured in workload.singles
    ]
    batch_jobs: list[tuple[list[bytes], list[bytes], int]] = [
        ([batch_body(b) for b in warm], [batch_body(b) for b in measured], len(measured[0]))
        for warm, measured in workload.batches
    ]
    phases = []
    for groups, group_tokens in ((singles_jobs, tokens[0]), (batch_jobs, tokens[1])):
        async with contextlib.AsyncExitStack() as stack:
            clients = [
                await stack.enter_async_context(http_client(base_url, token))
                for token in group_tokens
            ]
            warmup = [
                [post_job(client, body, size) for body in warm]
                for client, (warm, _, size) in zip(clients, groups, strict=True)
            ]
            measured = [
                [post_job(client, body, size) for body in bodies]
                for client, (_, bodies, size) in zip(clients, groups, strict=True)
            ]
            await drive(warmup, {})
            phases.append(await drive(measured, meters))
    return phases[0], phases[1]


def direct_ingest(
    database_url: str,
    singles_learners: list[Learner],
    batch_learners: list[Learner],
    workload: Ingest,
    meters: dict[str, CpuMeter],
) -> tuple[Phase, Phase]:
    """Ceiling (a): the same work as rows, inserted straight into the events table: one row per
    transaction from each single-event client, one batch per transaction from each batch client.
    """
    now = datetime.now(UTC)

    def rows(learner: Learner, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        renamed = [{**event, "id": "direct-" + event["id"]} for event in events]
        return table_rows(renamed, uuid.UUID(learner.id), now)

    def split(
        learners: list[Learner], groups: list[tuple[list[Any], list[Any]]], one: bool
    ) -> tuple[list[list[direct.Rows]], list[list[direct.Rows]]]:
        parts: tuple[list[list[direct.Rows]], list[list[direct.Rows]]] = ([], [])
        for learner, group in zip(learners, groups, strict=True):
            for part, items in zip(parts, group, strict=True):
                part.append([rows(learner, [item] if one else item) for item in items])
        return parts

    singles = split(singles_learners, workload.singles, one=True)
    batches = split(batch_learners, workload.batches, one=False)
    one_each = run(direct.insert_phase(database_url, *singles, meters))
    many_each = run(direct.insert_phase(database_url, *batches, meters))
    return one_each, many_each


def history_batches(config: Config, learner_label: str, events: int) -> Iterator[list[Any]]:
    events_iter = history(learner_label, events, days=config.history_days, end=recent_end())
    return chunks(events_iter, config.batch_size)


async def load_http(base_url: str, learner: Learner, batches: Iterator[list[Any]]) -> list[float]:
    seconds = []
    async with http_client(base_url, learner.token) as client:
        for batch in batches:
            job = post_job(client, batch_body(batch), len(batch))
            started = time.perf_counter()
            await job()
            seconds.append(time.perf_counter() - started)
    return seconds


def load_history(
    config: Config,
    base_url: str,
    database_url: str,
    learner: Learner,
    label: str,
    events: int,
    meters: dict[str, CpuMeter],
) -> Load:
    batches = history_batches(config, label, events)
    before = {name: meter() for name, meter in meters.items()}
    started = time.perf_counter()
    if config.load_via == "http":
        batch_seconds = run(load_http(base_url, learner, batches))
    else:
        batch_seconds = run(direct.record_in_process(database_url, learner.id, batches))
    seconds = time.perf_counter() - started
    cpu = {name: meter() - before[name] for name, meter in meters.items()}
    return Load(config.load_via, Phase(events, len(batch_seconds), seconds, batch_seconds, cpu))


async def progress_reads(
    base_url: str, small: Learner, big: Learner, reads: int
) -> tuple[Phase, Phase]:
    """GET /api/progress from one client, alternating between the two learners."""
    latencies: tuple[list[float], list[float]] = ([], [])
    async with http_client(base_url, small.token) as a, http_client(base_url, big.token) as b:
        jobs = (get_job(a, "/api/progress"), get_job(b, "/api/progress"))
        for _ in range(max(5, reads // 10)):  # warm-up
            for job in jobs:
                await job()
        for _ in range(reads):
            for job, times in zip(jobs, latencies, strict=True):
                started = time.perf_counter()
                await job()
                times.append(time.perf_counter() - started)
    small_phase, big_phase = (Phase(0, len(t), sum(t), t) for t in latencies)
    return small_phase, big_phase


async def download(base_url: str, learner: Learner, fmt: str) -> tuple[int, int, int, float]:
    """Stream the export, keeping nothing: status, bytes, newlines and seconds."""
    size = lines = 0
    async with http_client(base_url, learner.token) as client:
        started = time.perf_counter()
        async with client.stream("GET", "/api/progress/export", params={"format": fmt}) as r:
            if r.status_code != 200:
                await r.aread()
                return r.status_code, 0, 0, 0.0
            async for chunk in r.aiter_raw(65536):
                size += len(chunk)
                lines += chunk.count(b"\n")
        return 200, size, lines, time.perf_counter() - started


async def warm_up(base_url: str, learner: Learner, fmt: str) -> int:
    """Run the export's code paths once: a progress read and the short learner's export."""
    async with http_client(base_url, learner.token) as client:
        await get_job(client, "/api/progress")()
    status, *_ = await download(base_url, learner, fmt)
    return status


def export_memory(
    workdir: Path,
    database_url: str,
    secret: str,
    small: Learner,
    big: Learner,
    fmt: str,
    events: int,
) -> Export:
    """Peak RSS of a freshly started server, before and after it streams the long export."""
    with QuestPathServer(workdir, database_url, secret) as server:
        status = run(warm_up(server.base_url, small, fmt))
        if status != 200:
            return Export(fmt, events, status)
        hwm_before = memory_kib(server.pid, "VmHWM")
        rss_before = memory_kib(server.pid, "VmRSS")
        status, size, lines, seconds = run(download(server.base_url, big, fmt))
        hwm_after = memory_kib(server.pid, "VmHWM")
    if fmt == "csv" and lines != events + 1:
        raise BenchError(f"the CSV export has {lines - 1} rows, expected {events}")
    return Export(fmt, events, status, size, seconds, hwm_before, hwm_after, rss_before)


async def postgres_version(database_url: str) -> str:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            return str(await conn.scalar(text("SHOW server_version")))
    finally:
        await engine.dispose()


# Runs -----------------------------------------------------------------------------------------


def bench_noop(config: Config, workdir: Path) -> NoopResult:
    with NoopServer(workdir) as server:
        meters = {
            "server": lambda: cpu_seconds(server.pid),
            "bench": time.process_time,
            "machine": machine_busy_seconds,
        }
        say("ceiling (b): no-op app, single events and batches")
        workload = ingest_workload(config, "noop")
        tokens: tuple[list[str | None], list[str | None]] = (
            [None] * config.clients,
            [None] * config.batch_clients,
        )
        singles, batches = run(http_ingest(server.base_url, tokens, workload, meters))

        async def reads() -> Phase:
            async with http_client(server.base_url) as client:
                job = get_job(client, "/api/progress")
                await drive([[job] * max(5, config.reads // 10)], {})
                return await drive([[job] * config.reads], {})

        progress = run(reads())
    return NoopResult(singles, batches, progress)


def bench_backend(name: str, config: Config, workdir: Path) -> BackendResult:
    with contextlib.ExitStack() as stack:
        meters: dict[str, CpuMeter] = {}
        if name == "postgresql":
            postgres = ThrowawayPostgres()
            stack.callback(postgres.stop)
            say("starting a throwaway PostgreSQL")
            url = postgres.start()
            version = run(postgres_version(url))
            meters["database"] = lambda: tree_cpu_seconds(postgres.postmaster_pid)
        else:
            path = workdir / "sqlite" / "questpath.db"
            path.parent.mkdir(parents=True, exist_ok=True)
            url = f"sqlite+aiosqlite:///{path}"
            version = sqlite3.sqlite_version
        secret = new_secret_key()
        server = QuestPathServer(workdir, url, secret).start()
        stack.callback(server.stop)
        meters = {
            "server": lambda: cpu_seconds(server.pid),
            **meters,
            "bench": time.process_time,
            "machine": machine_busy_seconds,
        }

        say(f"{name}: registering learners")
        learners = run(register(server.base_url, config.clients + config.batch_clients + 2, name))
        singles_learners = learners[: config.clients]
        batch_learners = learners[config.clients : config.clients + config.batch_clients]
        small, big = learners[-2:]

        workload = ingest_workload(config, name)
        say(f"{name}: QuestPath ingest, {config.clients} single-event clients, then batches")
        tokens: tuple[list[str | None], list[str | None]] = (
            [learner.token for learner in singles_learners],
            [learner.token for learner in batch_learners],
        )
        singles, batches = run(http_ingest(server.base_url, tokens, workload, meters))
        expected = _ingested(config)
        say(f"{name}: ceiling (a): the same rows inserted straight into the events table")
        direct_singles, direct_batches = direct_ingest(
            url, singles_learners, batch_learners, workload, meters
        )
        stored = run(direct.count_events(url))
        if stored != 2 * expected:
            raise BenchError(f"{stored} events stored, expected {2 * expected}")

        say(f"{name}: loading {config.small_events:,} and {config.big_events:,} events via "
            f"{config.load_via}")  # fmt: skip
        loads = [
            load_history(config, server.base_url, url, learner, f"{name}-{label}", count, meters)
            for learner, label, count in (
                (small, "small", config.small_events),
                (big, "big", config.big_events),
            )
        ]
        load_small, load_big = loads
        say(f"{name}: loaded {config.big_events:,} events in {load_big.phase.seconds:,.0f} s")

        say(f"{name}: GET /api/progress, {config.reads} reads per learner")
        progress_small, progress_big = run(
            progress_reads(server.base_url, small, big, config.reads)
        )
        server.stop()

        exports = []
        for fmt in config.export_formats:
            say(f"{name}: {fmt} export of {config.big_events:,} events on a fresh server")
            exports.append(export_memory(workdir, url, secret, small, big, fmt, config.big_events))
        raw_read = run(direct.read_history(url, big.id))
        if raw_read[0] != config.big_events:
            raise BenchError(f"read {raw_read[0]} events back, expected {config.big_events}")

    return BackendResult(
        name, version, singles, batches, direct_singles, direct_batches, load_small, load_big,
        progress_small, progress_big, exports, raw_read,
    )  # fmt: skip


def _ingested(config: Config) -> int:
    singles = config.clients * (config.singles_warmup + config.singles)
    batches = config.batch_clients * (config.batches_warmup + config.batches) * config.batch_size
    return singles + batches


def main(argv: list[str] | None = None) -> None:
    config = parse(argv)
    command = "python -m bench" + "".join(" " + shlex.quote(a) for a in sys.argv[1:])
    workdir = Path(tempfile.mkdtemp(prefix="questpath-bench."))
    started = time.monotonic()
    try:
        noop = bench_noop(config, workdir)
        results = [bench_backend(name, config, workdir) for name in config.backends]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    minutes = (time.monotonic() - started) / 60
    markdown = report.results(config, noop, results, minutes)
    print(markdown)
    if config.doc is not None:
        config.doc.parent.mkdir(parents=True, exist_ok=True)
        config.doc.write_text(report.page(command, config, markdown))
        say(f"wrote {config.doc}")
