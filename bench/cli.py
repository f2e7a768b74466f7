"""`python -m bench`: run every measurement on each backend and write the results page."""

from __future__ import annotations

import contextlib
import shlex
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import text

from bench import direct, report
from bench.accounts import Integration, api_key, create_admin, register
from bench.config import Config, parse
from bench.export import export_memory
from bench.history import independence
from bench.ingest import (
    DIRECT_PREFIX,
    batch_requests,
    direct_ingest,
    drive_posts,
    events_in,
    integration_requests,
    single_requests,
    workload,
)
from bench.load import BenchError, CpuMeter, run
from bench.postgres import ThrowawayPostgres
from bench.profile import Profile, Profiler
from bench.reads import own_progress, progress_by_key, read_phase, reads_under_writes
from bench.results import BackendResult, NoopResult
from bench.sections import carry_over
from bench.servers import (
    NoopServer,
    QuestPathServer,
    Server,
    machine_busy_seconds,
    new_secret_key,
    tree_cpu_seconds,
)
from bench.verify import verify
from bench.workload import batch_body, chunks, history, recent_end
from questpath.backup import count_events
from questpath.db import create_engine


def say(message: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def meters_for(server: Server, database: CpuMeter | None = None) -> dict[str, CpuMeter]:
    """CPU meters of a phase: the server (with its workers), the database's processes, this
    process (the load generator) and the whole machine."""
    meters: dict[str, CpuMeter] = {"server": server.cpu_time}
    if database is not None:
        meters["database"] = database
    meters["bench"] = time.process_time
    meters["machine"] = machine_busy_seconds
    return meters


async def postgres_version(database_url: str) -> str:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            return str(await conn.scalar(text("SHOW server_version")))
    finally:
        await engine.dispose()


def bench_noop(config: Config, workdir: Path) -> NoopResult:
    with NoopServer(workdir) as server:
        meters = meters_for(server)
        url = server.base_url
        say("ceiling (b): no-op app, single events, batches and GETs")
        # Many more requests than QuestPath gets: the no-op app answers them far faster, and
        # a phase of a few milliseconds would measure nothing.
        work = workload(config, "noop", config.noop_requests, max(config.batches, 10))
        singles = run(drive_posts(url, single_requests(url, work, [None] * config.clients), meters))
        batches = run(
            drive_posts(url, batch_requests(url, work, [None] * len(work.batches)), meters)
        )
        gets = own_progress(url, [None] * config.clients, config.noop_requests)
        reads = run(read_phase(url, gets, meters))
        read_alone = run(read_phase(url, own_progress(url, [None], config.noop_requests), meters))
    return NoopResult(singles, batches, reads, read_alone)


def bench_backend(name: str, config: Config, workdir: Path) -> BackendResult:
    with contextlib.ExitStack() as stack:
        database: CpuMeter | None = None
        if name == "postgresql":
            postgres = ThrowawayPostgres()
            stack.callback(postgres.stop)
            say("starting a throwaway PostgreSQL")
            db_url = postgres.start()
            version = run(postgres_version(db_url))
            database = lambda: tree_cpu_seconds(postgres.postmaster_pid)  # noqa: E731
            workers = config.postgres_workers
        else:
            path = workdir / "sqlite" / "questpath.db"
            path.parent.mkdir(parents=True, exist_ok=True)
            db_url = f"sqlite+aiosqlite:///{path}"
            version = sqlite3.sqlite_version
            workers = 1
        secret = new_secret_key()
        server = QuestPathServer(workdir, db_url, secret, workers=workers).start()
        stack.callback(server.stop)
        meters = meters_for(server, database)
        url = server.base_url

        say(f"{name}: accounts: learners, an admin (questpath create-admin) and its API key")
        learners = run(register(url, config.clients + config.batch_clients + 3, name))
        own = learners[: config.clients]
        batchers = learners[config.clients : config.clients + config.batch_clients]
        short, long, writer = learners[-3:]
        email, password = create_admin(workdir, db_url, secret, name)
        key = api_key(url, email, password, f"{name} integration")
        many = run(direct.add_learners(db_url, config.integration_learners, f"{name}-many"))
        integration = Integration(key, many)

        work = workload(config, name)
        say(f"{name}: {config.clients} clients × 1 event, (a) own tokens")
        requests = single_requests(url, work, [learner.token for learner in own])
        profile: Profile | None = None
        if config.profile and name == "sqlite":
            profiler = Profiler(server.pid, workdir / "profile.txt")
            with profiler:
                singles = run(drive_posts(url, requests, meters))
            profile = profiler.result()
        else:
            singles = run(drive_posts(url, requests, meters))
        say(f"{name}: {config.clients} clients × 1 event, (b) one integration key")
        keyed = workload(config, f"{name}-key")
        integration_phase = run(
            drive_posts(url, integration_requests(url, keyed, integration), meters)
        )
        say(f"{name}: {config.batch_clients} clients × {config.batch_size}-event batches")
        tokens = [learner.token for learner in batchers]
        batches = run(drive_posts(url, batch_requests(url, work, tokens), meters))

        say(f"{name}: ceiling (a): the same rows inserted straight into the events table")
        direct_singles, direct_batches = direct_ingest(db_url, own, batchers, work, meters)
        expected = events_in(config)
        stored = run(count_events(db_url))
        integration_events = config.clients * (config.singles_warmup + config.singles)
        if stored != 2 * expected + integration_events:
            raise BenchError(
                f"{stored} events stored, expected {2 * expected + integration_events}"
            )
        run(direct.remove_events(db_url, DIRECT_PREFIX))

        say(f"{name}: GET /api/progress, {config.clients} clients and one")
        own_gets = own_progress(url, [learner.token for learner in own], config.reads)
        reads_own = run(read_phase(url, own_gets, meters))
        key_gets = progress_by_key(url, key, many, config.clients, config.reads)
        reads_key = run(read_phase(url, key_gets, meters))
        read_alone = run(read_phase(url, own_progress(url, [own[0].token], config.reads), meters))

        say(f"{name}: a short and a long history, via {config.load_via}, and their costs")
        history_result = independence(config, url, db_url, (short, long), name, meters)

        say(f"{name}: progress reads while {config.busy_batches} batches are written")
        bodies = busy_batches(config, f"{name}-busy")
        under_writes = run(
            reads_under_writes(
                url, short.token, writer.token, bodies, config.batch_size, config.reads, meters
            )
        )
        server.stop()

        # The long history, and the single events the history phase added to it.
        long_events = config.big_events + config.singles_warmup + config.singles
        exports = []
        for fmt in config.export_formats:
            say(f"{name}: {fmt} export of {long_events:,} events on a fresh server")
            exports.append(export_memory(workdir, db_url, secret, short, long, fmt, long_events))
        raw_read = run(direct.read_history(db_url, long.id))
        if raw_read[0] != long_events:
            raise BenchError(f"read {raw_read[0]} events of the long history back")

        say(f"{name}: questpath verify")
        verified = verify(workdir, db_url, secret)
        say(f"{name}: verify: {verified.summary()}")

    return BackendResult(
        name, version, workers, singles, integration_phase, batches, direct_singles,
        direct_batches, reads_own, reads_key, read_alone, history_result, under_writes, exports,
        raw_read, verified, profile,
    )  # fmt: skip


def busy_batches(config: Config, label: str) -> list[bytes]:
    """The writer's batches for the reads-under-writes phase, oldest first."""
    n = config.busy_batches
    events = history(label, n * config.batch_size, days=n, end=recent_end())
    return [batch_body(batch) for batch in chunks(events, config.batch_size)]


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
        old = config.doc.read_text() if config.doc.exists() else ""
        config.doc.write_text(carry_over(old, report.page(command, config, markdown)))
        say(f"wrote {config.doc}")
