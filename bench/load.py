"""Load generation: concurrent clients, each timing its own requests, and what a phase measured.

The requests go through `bench.http`, encoded before the clock starts.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bench.http import Connection

T = TypeVar("T")
Job = Callable[[], Awaitable[int]]  # one request (or transaction); returns the events it carried
CpuMeter = Callable[[], float]  # cumulative CPU seconds of something


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run on uvloop, as the servers do, so the load generator spends less CPU per request."""
    try:
        import uvloop  # optional: a dependency of uvicorn[standard]
    except ImportError:
        return asyncio.run(coroutine)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coroutine)


def percentile(values: Sequence[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]


@dataclass
class Phase:
    """One measured workload: events moved, wall time, each request's latency, CPU used."""

    events: int
    requests: int
    seconds: float
    latencies: list[float]
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def p50_ms(self) -> float:
        return percentile(self.latencies, 50) * 1000

    @property
    def p99_ms(self) -> float:
        return percentile(self.latencies, 99) * 1000

    def cpu_percent(self, name: str) -> float | None:
        """CPU `name` used during the phase, in percent of one core. "other" is what the rest
        of the machine used: every core's busy time less the measured processes'."""
        if name == "other":
            if "machine" not in self.cpu:
                return None
            ours = sum(seconds for meter, seconds in self.cpu.items() if meter != "machine")
            return max(0.0, 100 * (self.cpu["machine"] - ours) / self.seconds)
        seconds = self.cpu.get(name)
        return None if seconds is None else 100 * seconds / self.seconds


class Metered:
    """The wall clock and CPU meters read at the start of a phase; `phase()` reads them again."""

    def __init__(self, meters: dict[str, CpuMeter]) -> None:
        self.meters = meters
        self.before = {name: meter() for name, meter in meters.items()}
        self.started = time.perf_counter()

    def phase(self, events: int, latencies: list[float]) -> Phase:
        seconds = time.perf_counter() - self.started
        cpu = {name: meter() - self.before[name] for name, meter in self.meters.items()}
        return Phase(events, len(latencies), seconds, latencies, cpu)


async def drive(clients: Sequence[Sequence[Job]], meters: dict[str, CpuMeter]) -> Phase:
    """Run each client's jobs one after another, all clients at once; time every job."""
    latencies: list[float] = []

    async def client(jobs: Sequence[Job]) -> int:
        moved = 0
        for job in jobs:
            started = time.perf_counter()
            moved += await job()
            latencies.append(time.perf_counter() - started)
        return moved

    metered = Metered(meters)
    moved = await asyncio.gather(*(client(jobs) for jobs in clients))
    return metered.phase(sum(moved), latencies)


class BenchError(RuntimeError):
    pass


def post_job(connection: Connection, request: bytes, events: int) -> Job:
    """An encoded `POST /api/events` that must answer 201; it carries `events` events."""

    async def job() -> int:
        response = await connection.send(request)
        if response.status != 201:
            raise BenchError(f"POST /api/events: {response.status} {response.text()}")
        return events

    return job


def get_job(connection: Connection, request: bytes) -> Job:
    """An encoded GET that must answer 200."""

    async def job() -> int:
        response = await connection.send(request)
        if response.status != 200:
            line = request.split(b"\r\n", 1)[0].decode()
            raise BenchError(f"{line}: {response.status} {response.text()}")
        return 0

    return job
