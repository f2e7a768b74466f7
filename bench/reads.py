"""Progress reads: many clients at once, one client alone, and one client while batches land.

A read is `GET /api/progress`, for the caller's own progress or, with an admin's API key, for a
learner named by `?user_id=`. Each client reads over one keep-alive connection, one request at
a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

from bench.http import Connection, encode, host_header
from bench.load import BenchError, CpuMeter, Metered, Phase, drive, get_job, post_job


def warmup_count(reads: int) -> int:
    return max(5, reads // 10)


def own_progress(base_url: str, tokens: Sequence[str | None], reads: int) -> list[list[bytes]]:
    """Each client reads its own learner's progress, `reads` times."""
    host = host_header(base_url)
    return [[encode("GET", host, "/api/progress", token=token)] * reads for token in tokens]


def progress_by_key(
    base_url: str, key: str, learner_ids: list[str], clients: int, reads: int
) -> list[list[bytes]]:
    """Each client reads, with the integration key, the progress of learners picked at random."""
    host = host_header(base_url)
    rng = random.Random(1)
    return [
        [
            encode("GET", host, f"/api/progress?user_id={rng.choice(learner_ids)}", token=key)
            for _ in range(reads)
        ]
        for _ in range(clients)
    ]


async def read_phase(
    base_url: str, clients: list[list[bytes]], meters: dict[str, CpuMeter]
) -> Phase:
    """A warm-up of each client's first requests, then all of them, all clients at once."""
    async with contextlib.AsyncExitStack() as stack:
        connections = [
            await stack.enter_async_context(Connection(base_url)) for _ in range(len(clients))
        ]
        pairs = list(zip(connections, clients, strict=True))
        n = warmup_count(max(len(c) for c in clients))
        await drive([[get_job(conn, r) for r in reqs[:n]] for conn, reqs in pairs], {})
        return await drive([[get_job(conn, r) for r in reqs] for conn, reqs in pairs], meters)


@dataclass
class ReadsUnderWrites:
    idle: Phase  # the reader alone
    busy: Phase  # the reader while the writer's batches land, back to back
    writes: Phase  # the writer's batches, each latency one batch


async def reads_under_writes(
    base_url: str,
    reader_token: str,
    writer_token: str,
    batches: list[bytes],
    batch_size: int,
    reads: int,
    meters: dict[str, CpuMeter],
) -> ReadsUnderWrites:
    """One learner's progress read `reads` times alone; then read again and again for as long
    as another learner's batches (request bodies) are posted one after another."""
    host = host_header(base_url)
    read = encode("GET", host, "/api/progress", token=reader_token)
    posts = [encode("POST", host, "/api/events", token=writer_token, body=b) for b in batches]
    async with Connection(base_url) as reader, Connection(base_url) as writer:
        job = get_job(reader, read)
        await drive([[job] * warmup_count(reads)], {})
        idle = await drive([[job] * reads], meters)

        writing = True
        write_seconds: list[float] = []
        read_seconds: list[float] = []

        async def write() -> None:
            nonlocal writing
            try:
                for request in posts:
                    started = time.perf_counter()
                    await post_job(writer, request, batch_size)()
                    write_seconds.append(time.perf_counter() - started)
            finally:
                writing = False

        async def read_while_writing() -> None:
            await asyncio.sleep(0)  # let the first batch go out first
            while writing:
                started = time.perf_counter()
                await job()
                read_seconds.append(time.perf_counter() - started)

        metered = Metered(meters)
        await asyncio.gather(write(), read_while_writing())
        busy = metered.phase(0, read_seconds)
    if not read_seconds:
        raise BenchError("no read overlapped the batches: write more of them (--busy-batches)")
    events = len(write_seconds) * batch_size
    writes = Phase(events, len(write_seconds), busy.seconds, write_seconds, {})
    return ReadsUnderWrites(idle, busy, writes)
