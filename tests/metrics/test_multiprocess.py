"""`questpath serve --workers 2`: one scrape, answered by either worker, adds up both."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from prometheus_client.samples import Sample

from tests.conftest import BACKENDS
from tests.helpers import register_account
from tests.metrics.scrape import parse, value
from tests.servers import READY_TIMEOUT, Server, Servers

UNMATCHED_404 = {"route": "<unmatched>", "method": "GET", "status": "404"}
WAIT = READY_TIMEOUT  # a replacement worker imports the app first: a minute on a busy machine


@pytest.fixture(scope="module", params=BACKENDS)
def server(
    request: pytest.FixtureRequest,
    new_database: Callable[..., str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Server]:
    servers = Servers(tmp_path_factory.mktemp("metrics-serve"))
    try:
        yield servers.start(new_database(request.param), workers=2)
    finally:
        servers.stop_all()


def scrape(server: Server) -> list[Sample]:
    """One scrape on a connection of its own, so either worker may answer it."""
    response = httpx.get(f"{server.base_url}/metrics", headers={"Connection": "close"})
    assert response.status_code == 200, response.text
    return parse(response.text)


def wait_for(server: Server, name: str, expected: float) -> None:
    deadline = time.monotonic() + WAIT
    while (seen := value(scrape(server), name)) != expected:
        assert time.monotonic() < deadline, f"{name} stayed {seen}, expected {expected}"
        time.sleep(0.1)


def test_every_scrape_adds_up_the_requests_of_both_workers(server: Server) -> None:
    name = "questpath_http_requests_total"
    before = value(scrape(server), name, **UNMATCHED_404)
    for _ in range(20):
        missing = httpx.get(f"{server.base_url}/not-here", headers={"Connection": "close"})
        assert missing.status_code == 404
    for _ in range(4):
        samples = scrape(server)
        assert value(samples, "questpath_server_processes") == 2
        assert value(samples, name, **UNMATCHED_404) - before == 20


async def test_an_open_event_stream_is_counted_until_it_closes(server: Server) -> None:
    name = "questpath_sse_streams_open"
    async with server.client() as client:
        learner = await register_account(client, "streamer@example.com")
        async with client.stream(
            "GET", "/api/progress/stream", headers=learner.headers
        ) as response:
            assert response.status_code == 200
            await asyncio.to_thread(wait_for, server, name, 1)
    await asyncio.to_thread(wait_for, server, name, 0)


def test_a_worker_that_died_stops_counting_in_live_gauges_but_its_requests_stay(
    server: Server,
) -> None:
    name = "questpath_http_requests_total"
    counted = value(scrape(server), name, **UNMATCHED_404)
    workers = re.findall(r"Started server process \[(\d+)\]", server.logs())
    os.kill(int(workers[-1]), signal.SIGKILL)  # no shutdown code runs in it
    # The supervisor starts a replacement, which forgets the dead worker's live gauges.
    deadline = time.monotonic() + WAIT
    while len(re.findall(r"Started server process", server.logs())) == len(workers):
        assert time.monotonic() < deadline, server.logs()
        time.sleep(0.2)
    wait_for(server, "questpath_server_processes", 2)
    assert value(scrape(server), name, **UNMATCHED_404) >= counted
