"""Export memory: the peak RSS of a freshly started server before and after it streams the long
history. The server runs one process, whatever the backend, so that its VmHWM is the peak of the
process that served the export.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from bench.accounts import Learner
from bench.http import Connection
from bench.load import BenchError, get_job, run
from bench.servers import QuestPathServer, memory_kib


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


class _Counter:
    """Counts a streamed body's bytes and lines, keeping none of it."""

    def __init__(self) -> None:
        self.size = 0
        self.lines = 0

    def __call__(self, piece: bytes) -> None:
        self.size += len(piece)
        self.lines += piece.count(b"\n")


async def download(base_url: str, learner: Learner, fmt: str) -> tuple[int, int, int, float]:
    """Stream the export, keeping nothing: status, bytes, newlines and seconds."""
    counter = _Counter()
    async with Connection(base_url) as connection:
        request = connection.encode("GET", f"/api/progress/export?format={fmt}", learner.token)
        started = time.perf_counter()
        response = await connection.send(request, sink=counter)
        seconds = time.perf_counter() - started
    if response.status != 200:
        return response.status, 0, 0, 0.0
    return 200, counter.size, counter.lines, seconds


async def warm_up(base_url: str, learner: Learner, fmt: str) -> int:
    """Run the export's code paths once: a progress read and the short learner's export."""
    async with Connection(base_url) as connection:
        await get_job(connection, connection.encode("GET", "/api/progress", learner.token))()
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
    with QuestPathServer(workdir, database_url, secret, workers=1) as server:
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
