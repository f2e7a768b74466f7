"""Slow requests get a warning naming the route template, with the SQL they ran."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from questpath.app import create_app
from questpath.config import Settings
from questpath.finished_requests import RequestFinishedMiddleware
from questpath.observability import configure_logging
from questpath.slow_requests import SlowRequestWarning
from tests.helpers import empty_tables, register_account

pytestmark = pytest.mark.usefixtures("restore_logging")


@asynccontextmanager
async def serving(settings: Settings, **changes: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The app with `changes` to its settings, logging JSON lines to stderr as in production.
    Made in the test itself, so that its log handler writes to the stderr capsys reads."""
    app = create_app(settings.model_copy(update={"log_format": "json", **changes}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    async with app.state.engine.begin() as conn:
        await empty_tables(conn)
    await app.state.engine.dispose()


def slow_lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line[:1] == "{"]
    return [line for line in lines if line["event"] == "slow request"]


async def test_a_slow_request_is_logged_with_its_route_template_and_sql(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    async with serving(settings, slow_request_ms=0.0) as client:
        ada = await register_account(client, "ada@example.org")
        capsys.readouterr()
        track_id = uuid.uuid4()

        response = await client.get(f"/api/tracks/{track_id}", headers=ada.headers)

    assert response.status_code == 404
    [line] = slow_lines(capsys)
    assert line["level"] == "warning"
    assert line["logger"] == "questpath.slow"
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert (line["method"], line["route"], line["status"]) == (
        "GET",
        "/api/tracks/{track_id}",
        404,
    )
    assert str(track_id) not in json.dumps(line)
    assert line["duration_ms"] > 0
    assert line["sql_statements"] >= 1  # at least the track lookup
    assert 0 < line["sql_ms"] <= line["duration_ms"]


async def test_each_request_in_a_group_commit_counts_the_group_sql_it_waited_for(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    async with serving(settings, slow_request_ms=0.0) as client:
        learners = [await register_account(client, f"learner{n}@example.org") for n in range(8)]
        for learner in learners:  # sign-ins checked and cached: what follows is the recording
            assert (await client.get("/api/progress", headers=learner.headers)).is_success
        capsys.readouterr()

        responses = await asyncio.gather(
            *(
                client.post(
                    "/api/events", json={"id": "e-1", "kind": "check_in"}, headers=learner.headers
                )
                for learner in learners
            )
        )

    assert [r.status_code for r in responses] == [201] * len(learners)
    lines = slow_lines(capsys)
    assert [line["route"] for line in lines] == ["/api/events"] * len(learners)
    # One transaction records a group: at least a lock, an insert and a projection update.
    assert min(line["sql_statements"] for line in lines) >= 3


async def test_a_request_under_the_threshold_is_not_logged_as_slow(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    async with serving(settings, slow_request_ms=60_000.0) as client:
        assert (await client.get("/health")).status_code == 200
    assert slow_lines(capsys) == []


async def test_an_event_stream_is_not_a_slow_request(capsys: pytest.CaptureFixture[str]) -> None:
    # A stand-in for GET /api/progress/stream, which stays open until the client leaves.
    async def stream(_scope: Scope, _receive: Receive, send: Send) -> None:
        headers = [(b"content-type", b"text/event-stream; charset=utf-8")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b": ping\n\n"})

    configure_logging("INFO", "json")
    app = RequestFinishedMiddleware(stream, listeners=[SlowRequestWarning(threshold_ms=0.0)])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        assert (await client.get("/api/progress/stream")).status_code == 200
    assert slow_lines(capsys) == []
