"""What a run measures and at which sizes: the command line, full and `--quick`."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from bench.servers import ROOT

BACKENDS = ("sqlite", "postgresql")
EXPORT_FORMATS = ("json", "csv")


@dataclass
class Config:
    backends: list[str]
    clients: int
    singles: int
    singles_warmup: int
    noop_requests: int
    batch_size: int
    batch_clients: int
    batches: int
    batches_warmup: int
    integration_learners: int
    small_events: int
    big_events: int
    short_days: int
    history_days: int
    reads: int
    busy_batches: int
    postgres_workers: int
    load_via: str
    export_formats: list[str]
    profile: bool
    doc: Path | None
    quick: bool


def parse(argv: list[str] | None = None) -> Config:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="QuestPath's benchmark: ingest, progress reads and export memory on SQLite "
        "and PostgreSQL, each beside a ceiling measured in the same run.",
    )
    add = parser.add_argument
    add("--quick", action="store_true", help="small sizes for a smoke run (about 2 minutes)")
    add("--backends", default=",".join(BACKENDS), help="sqlite,postgresql")
    add("--clients", type=int, default=16, help="concurrent single-event and read clients")
    add("--singles", type=int, help="measured single-event requests per client")
    add("--noop-requests", type=int, help="requests per client against the no-op app")
    add("--batch-size", type=int, default=1000, help="events per batch request")
    add("--batch-clients", type=int, help="concurrent batch clients")
    add("--batches", type=int, help="measured batches per batch client")
    add("--integration-learners", type=int, help="learners the API key records for")
    add("--small-events", type=int, help="short history's events")
    add("--big-events", type=int, help="long history's events")
    add("--short-days", type=int, default=10, help="days the short history spans")
    add("--history-days", type=int, default=1000, help="days the long history spans")
    add("--reads", type=int, help="GET /api/progress calls per client and per learner")
    add("--busy-batches", type=int, help="batches written while a learner's progress is read")
    add("--postgres-workers", type=int, default=2, help="server processes on PostgreSQL")
    add(
        "--load-via",
        choices=("http", "service"),
        default="http",
        help="load the histories through HTTP batches, or in-process through the service layer",
    )
    add("--export-formats", help="json,csv (default: both; json only with --quick)")
    add(
        "--profile",
        action="store_true",
        help="sample the server with py-spy during the SQLite single-event phase",
    )
    add(
        "--doc",
        type=Path,
        help="write the results page here (default: docs/benchmarks.md; none with --quick)",
    )
    add("--no-doc", action="store_true", help="only print the results")
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
        noop_requests=pick(args.noop_requests, 1000, 200),
        batch_size=args.batch_size,
        batch_clients=pick(args.batch_clients, 4, 2),
        batches=pick(args.batches, 10, 1),
        batches_warmup=1,
        integration_learners=pick(args.integration_learners, 1000, 200),
        small_events=pick(args.small_events, 1000, 200),
        big_events=pick(args.big_events, 1_000_000, 3_000),
        short_days=args.short_days,
        history_days=args.history_days,
        reads=pick(args.reads, 300, 10),
        busy_batches=pick(args.busy_batches, 20, 3),
        postgres_workers=args.postgres_workers,
        load_via=args.load_via,
        export_formats=formats,
        profile=args.profile,
        doc=doc,
        quick=quick,
    )
