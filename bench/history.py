"""Does a learner's history cost anything? Two learners over the same 20 topics: a short history
of a few days and a long one of many active days. Both are loaded, then each gets single events
and progress reads, alternately, from one client: the costs should be the same.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bench import direct
from bench.accounts import Learner
from bench.config import Config
from bench.http import Connection, encode, host_header
from bench.load import CpuMeter, Job, Metered, Phase, get_job, post_job, run
from bench.reads import warmup_count
from bench.workload import WIDE_TOPICS, batch_body, chunks, history, recent_end, single_body


@dataclass
class Load:
    via: str
    phase: Phase  # its latencies are each batch's seconds, in loading order
    end: datetime  # when the history's last event happened


@dataclass
class Alternated:
    """One request kind sent to the short and the long history's learner in turn."""

    short: Phase
    long: Phase
    both: Phase  # the whole alternation, with the CPU it used


@dataclass
class HistoryResult:
    short: Load
    long: Load
    singles: Alternated
    reads: Alternated


def _batches(label: str, events: int, days: float, size: int, end: datetime) -> Iterator[Any]:
    return chunks(history(label, events, days=days, end=end, topics=WIDE_TOPICS), size)


async def _load_http(base_url: str, learner: Learner, batches: Iterator[list[Any]]) -> list[float]:
    host = host_header(base_url)
    seconds = []
    async with Connection(base_url) as connection:
        for batch in batches:
            request = encode(
                "POST", host, "/api/events", token=learner.token, body=batch_body(batch)
            )
            job = post_job(connection, request, len(batch))
            started = time.perf_counter()
            await job()
            seconds.append(time.perf_counter() - started)
    return seconds


def load(
    config: Config,
    base_url: str,
    database_url: str,
    learner: Learner,
    label: str,
    shape: tuple[int, int],
    meters: dict[str, CpuMeter],
) -> Load:
    """Record `shape` = (events, days) for `learner` in batches, oldest first, one at a time."""
    events, days = shape
    end = recent_end()
    batches = _batches(label, events, days, config.batch_size, end)
    metered = Metered(meters)
    if config.load_via == "http":
        batch_seconds = run(_load_http(base_url, learner, batches))
    else:
        batch_seconds = run(direct.record_in_process(database_url, learner.id, batches))
    phase = metered.phase(events, batch_seconds)
    return Load(config.load_via, phase, end)


async def _alternate(
    jobs: tuple[list[Job], list[Job]], warmup: int, meters: dict[str, CpuMeter]
) -> Alternated:
    """The short learner's job, then the long one's, over and over; each timed on its own."""
    moved = [0, 0]
    latencies: tuple[list[float], list[float]] = ([], [])
    metered: Metered | None = None
    for n, pair in enumerate(zip(*jobs, strict=True)):
        if n == warmup:
            metered = Metered(meters)
            moved = [0, 0]
        for side, job in enumerate(pair):
            started = time.perf_counter()
            moved[side] += await job()
            if metered is not None:
                latencies[side].append(time.perf_counter() - started)
    assert metered is not None, "no measured jobs after the warm-up"
    both = metered.phase(sum(moved), latencies[0] + latencies[1])
    short, long = (Phase(m, len(t), sum(t), t) for m, t in zip(moved, latencies, strict=True))
    return Alternated(short, long, both)


async def _costs(
    config: Config,
    base_url: str,
    learners: tuple[Learner, Learner],
    loads: tuple[Load, Load],
    meters: dict[str, CpuMeter],
) -> tuple[Alternated, Alternated]:
    host = host_header(base_url)
    count = config.singles_warmup + config.singles
    reads_warmup = warmup_count(config.reads)
    async with Connection(base_url) as a, Connection(base_url) as b:
        sides = list(zip(learners, loads, (a, b), strict=True))
        posts: list[list[Job]] = []
        for learner, loaded, connection in sides:
            # Dated after the loaded history and before now: the log grows at its end, as live.
            now = recent_end()
            gap = max((now - loaded.end) / timedelta(days=1), 1e-6)
            events = history(f"{learner.id}-next", count, gap, now, topics=WIDE_TOPICS)
            requests = (
                encode("POST", host, "/api/events", token=learner.token, body=single_body(e))
                for e in events
            )
            posts.append([post_job(connection, request, 1) for request in requests])
        singles = await _alternate((posts[0], posts[1]), config.singles_warmup, meters)
        gets = [
            [get_job(connection, encode("GET", host, "/api/progress", token=learner.token))]
            * (reads_warmup + config.reads)
            for learner, _, connection in sides
        ]
        reads = await _alternate((gets[0], gets[1]), reads_warmup, meters)
    return singles, reads


def independence(
    config: Config,
    base_url: str,
    database_url: str,
    learners: tuple[Learner, Learner],
    label: str,
    meters: dict[str, CpuMeter],
) -> HistoryResult:
    """Load both histories, then time single events and progress reads for each."""
    short_shape = (config.small_events, config.short_days)
    long_shape = (config.big_events, config.history_days)
    short = load(config, base_url, database_url, learners[0], f"{label}-short", short_shape, meters)
    long = load(config, base_url, database_url, learners[1], f"{label}-long", long_shape, meters)
    singles, reads = run(_costs(config, base_url, learners, (short, long), meters))
    return HistoryResult(short, long, singles, reads)
