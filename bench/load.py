"""Load generation: concurrent clients, each timing its own requests, and what a run measured."""

from __future__ import annotations

import asyncio
import secrets
import statistics
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from bench.workload import TIMEZONE

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

    before = {name: meter() for name, meter in meters.items()}
    started = time.perf_counter()
    moved = await asyncio.gather(*(client(jobs) for jobs in clients))
    seconds = time.perf_counter() - started
    cpu = {name: meter() - before[name] for name, meter in meters.items()}
    return Phase(sum(moved), len(latencies), seconds, latencies, cpu)


class BenchError(RuntimeError):
    pass


def http_client(base_url: str, token: str | None = None) -> httpx.AsyncClient:
    """One client with one connection, kept alive across its requests."""
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return httpx.AsyncClient(
        base_url=base_url,
        headers=headers,
        timeout=httpx.Timeout(300),
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
    )


def post_job(client: httpx.AsyncClient, body: bytes, events: int) -> Job:
    async def job() -> int:
        response = await client.post("/api/events", content=body)
        if response.status_code != 201:
            raise BenchError(f"POST /api/events: {response.status_code} {response.text[:500]}")
        return events

    return job


def get_job(client: httpx.AsyncClient, path: str) -> Job:
    async def job() -> int:
        response = await client.get(path)
        if response.status_code != 200:
            raise BenchError(f"GET {path}: {response.status_code} {response.text[:500]}")
        return 0

    return job


@dataclass(frozen=True)
class Learner:
    id: str
    token: str


async def register(base_url: str, count: int, label: str) -> list[Learner]:
    """`count` new learner accounts (a few at a time: the server hashes passwords in threads)."""
    learners: list[Learner] = []
    limit = asyncio.Semaphore(4)

    async def one(n: int) -> None:
        body = {
            "email": f"{label}-{n}-{secrets.token_hex(4)}@bench.example.com",
            "password": "bench-" + secrets.token_urlsafe(18),
            "timezone": TIMEZONE,
        }
        async with limit, httpx.AsyncClient(base_url=base_url, timeout=60) as client:
            response = await client.post("/api/auth/register", json=body)
        if response.status_code != 201:
            raise BenchError(f"register: {response.status_code} {response.text[:500]}")
        data = response.json()
        learners.append(Learner(data["user"]["id"], data["access_token"]))

    await asyncio.gather(*(one(n) for n in range(count)))
    return learners
