"""The results as Markdown: tables for stdout, and the whole page for docs/benchmarks.md."""

from __future__ import annotations

import importlib.metadata
import os
import platform
from datetime import UTC, datetime

from bench import tables
from bench.config import Config
from bench.results import BackendResult, NoopResult
from bench.tables import MIB

PACKAGES = ("uvicorn", "fastapi", "sqlalchemy", "aiosqlite", "asyncpg", "uvloop")


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


def interference(noop: NoopResult, backends: list[BackendResult]) -> str:
    """How much CPU the rest of the machine took while the measured phases ran."""
    phases = [noop.singles, noop.batches, noop.reads, noop.read_alone]
    phases += [phase for r in backends for _, phase in r.phases()]
    seconds = sum(p.seconds for p in phases)
    other = sum((p.cpu_percent("other") or 0) * p.seconds for p in phases) / seconds
    return (
        f"While the measured phases ran, other processes on the machine used {other:.0f}% of a "
        f"core on average ({os.cpu_count()} cores in all; per phase in the CPU table). The "
        "measured processes shared the rest."
    )


def results(config: Config, noop: NoopResult, backends: list[BackendResult], minutes: float) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    via = {r.history.long.via for r in backends}
    loaded = "HTTP batches" if via == {"http"} else "the service layer, in-process"
    sections = [
        "## Results",
        f"Run on {when}; the whole run took {minutes:.1f} minutes"
        + (" (quick mode: small sizes, not representative)." if config.quick else "."),
        machine(backends),
        interference(noop, backends),
        tables.headroom(noop, backends),
        tables.verified(backends),
        "### Ingest",
        tables.ingest(config, noop, backends),
        f"### GET /api/progress ({config.reads} reads per client)",
        tables.reads(config, noop, backends),
        "### Does the history cost anything? (one client, the two learners in turn)",
        tables.independence(config, backends),
        "### Progress reads while another learner's batches are written",
        tables.under_writes(config, backends),
        f"### Loading the long history ({config.big_events:,} events over "
        f"{config.history_days:,} days, through {loaded})",
        tables.loading(backends),
        f"### Streamed export of {config.big_events:,} events (one server process)",
        tables.exports(backends),
        "### CPU by phase, % of one core",
        tables.cpu(noop, backends),
    ]
    for r in backends:
        if r.profile is not None:
            sections += [
                f"### Where the server's time goes: {tables.backend(r)}, "
                f"{config.clients} clients × 1 event",
                f"py-spy, {r.profile.samples:,} samples of the server's threads while the "
                "phase ran (its figures above include the profiler's overhead). *Own*: the "
                "function itself was running; *total*: it was on the stack, less the frames "
                "every sample of a thread shares; the last column lists QuestPath's own "
                "functions only. `Runner.run`'s own time is the event loop's C code (uvloop, "
                "httptools), which py-spy does not see into.",
                tables.profile(r.profile),
            ]
    return "\n\n".join(section for section in sections if section)


HEADER = """\
# Benchmarks

How fast QuestPath records events and answers progress reads, on SQLite and on PostgreSQL, and
how much memory a full export takes. Every number sits beside a ceiling measured in the same run
on the same machine: the ratios, more than the absolute numbers, are what carries over to other
hardware.

## What is measured

- **The load generator** is the benchmark process itself: `bench/http.py`, a minimal HTTP/1.1
  client on asyncio (uvloop) with one keep-alive connection per simulated client. Every request
  is encoded to bytes before the clock starts; the client reads the status line, the framing
  headers and the body (Content-Length or chunked) and parses a body only when it needs to.
  Each client sends its next request when the previous one has answered. Its CPU share is
  reported for every phase (*load generator* in the CPU table), and the **load generator
  check** divides the no-op ceiling by QuestPath's best figure: below {headroom:.0f}× the
  report warns that the client, not QuestPath, may set the pace.
- **Ingest.** `POST /api/events` from {clients} concurrent clients sending one event per request
  in two patterns: **(a)** {clients} learners, each with its own access token; **(b)** one
  integration: an admin's API key (scopes `events:read`, `events:write`, `progress:read`; the
  admin made with `questpath create-admin`) recording for {learners:,} learners, a learner
  picked at random for each event and named by `user_id` in the body. Then {batch_clients}
  learners send {batch_size}-event batches (`{{"events": [...]}}`). *events/s* is events stored
  ÷ wall time of the measured requests (after a warm-up); *p50/p99 latency* is the client-side
  time of one request; *server CPU per event* is the server's CPU seconds (all its processes) ÷
  events. Each request stores its events and updates the learner's projections (totals, days,
  topics, topic-days, achievements) in one transaction. The events are realistic (mostly graded
  exercises, some study sessions, projects and check-ins) and arrive in chronological order.
- **Ceiling (a), direct insert:** the same rows, for the same learners, inserted straight into
  the `events` table of the same database with SQLAlchemy Core `executemany`: one row per
  transaction from {clients} concurrent tasks, and one {batch_size}-row transaction at a time
  from each of {batch_clients} tasks. It uses QuestPath's engine settings (same driver,
  connection pool, SQLite pragmas, `BEGIN IMMEDIATE`) and table definition, in the benchmark
  process, with no HTTP, validation, authentication, duplicate detection or projections. Its
  latency is one transaction's time. Its rows are deleted afterwards, so that `questpath
  verify` checks only what QuestPath recorded.
- **Ceiling (b), no-op HTTP:** `bench/noop_app.py`, a FastAPI app under the same uvicorn (one
  worker, uvloop, httptools) whose `POST /api/events` reads the whole body and answers with a
  constant and whose `GET /api/progress` answers a constant, driven by the same client with the
  same bodies. QuestPath's `GET /health` was not used because it queries the database.
- **GET /api/progress** from {clients} clients at once, each reading its own progress or, with
  the integration key, the progress of a learner picked at random (`?user_id=`); and from one
  client alone. Reads/s, p50 and p99 sit beside the no-op `GET` at the same concurrency.
- **Does the history cost anything?** Two learners over the same 20 topics: a short history
  ({small_events:,} events over {short_days} days) and a long one ({big_events:,} events over
  {history_days:,} active days), both loaded in {batch_size}-event batches. Then one client
  sends single events (dated after the loaded history) and progress reads to the two learners
  in turn. The answer comes from projection rows, so *long ÷ short* should stay near 1.
- **Reads while batches are written:** one learner's progress read back to back by one client,
  first alone (*idle*), then while another learner's {busy_batches} batches of {batch_size}
  events are posted one after another on a second connection. On SQLite one writer holds the
  database at a time; a read should not wait for it.
- **Loading the long history**: the time to record it, one batch at a time (one learner's
  batches are serialised anyway). Its events/s is compared with ceiling (a) for batches and with
  the batch ingest above. *last ÷ first* compares the batch latency at the end of the load with
  the start, which shows whether ingest slows down as the history grows.
- **Export memory**: `GET /api/progress/export?format=json|csv` of the long history from a
  freshly started one-process server (so that its peak is the serving process's), warmed up by
  one progress read and the short learner's export, with the client counting the streamed
  body's bytes and keeping none. *Peak RSS* is the server's `VmHWM` from `/proc/<pid>/status`
  before and after the download. A *growth ÷ body* near 0 means the export streams. The speed
  ceiling is the export's own query read straight through a server-side cursor in the benchmark
  process, with no serialisation.
- **CPU** is CPU time ÷ wall time of each phase, in percent of one core, for the server
  (with its worker processes), PostgreSQL's processes, the benchmark process (the load
  generator; for ceiling (a) also the database work on SQLite, which runs in-process) and
  every other process on the machine (busy time of all cores from `/proc/stat` less the
  measured processes).
- **`questpath verify`** runs at the end on each database the run used and recomputes every
  learner's projections from the event log; the report gives its result.
- **`--profile`** samples the server with py-spy during the SQLite single-event phase (a) and
  lists the 15 functions with the most samples of their own, the 15 most often on the stack,
  and the 15 of QuestPath's own code most often on the stack.

PostgreSQL is a throwaway server that the benchmark starts itself (initdb in a temp dir,
127.0.0.1) with its default settings, durability included: `fsync`, `synchronous_commit` and
`full_page_writes` stay on; QuestPath runs on it as `questpath serve --workers
{postgres_workers}`. SQLite is a file in a temp dir, in QuestPath's own mode (WAL,
`synchronous=NORMAL`), served by one process. The server runs with
`QUESTPATH_LOG_LEVEL=WARNING`, so its access log is off.
"""


def page(command: str, config: Config, markdown: str) -> str:
    header = HEADER.format(
        headroom=tables.HEADROOM,
        clients=config.clients,
        learners=config.integration_learners,
        batch_clients=config.batch_clients,
        batch_size=config.batch_size,
        small_events=config.small_events,
        short_days=config.short_days,
        big_events=config.big_events,
        history_days=config.history_days,
        busy_batches=config.busy_batches,
        postgres_workers=config.postgres_workers,
    )
    reproduce = f"""\
## Reproduce

From the repository root, with the locked environment installed (`uv sync`, which includes
py-spy for `--profile`) and PostgreSQL's server binaries under `/usr/lib/postgresql/*/bin`
(Debian's `postgresql` package):

```sh
.venv/bin/{command}
```

`--quick` runs small sizes in about two minutes and prints the tables without writing this
page; `--help` lists the sizes (`--singles`, `--reads`, `--big-events`, `--busy-batches`, ...),
`--load-via service` loads the histories in-process instead of over HTTP, and `--profile` adds
the server profile (py-spy needs ptrace: run as root or with `CAP_SYS_PTRACE`).
"""
    return f"{header}\n{reproduce}\n{markdown}\n"
