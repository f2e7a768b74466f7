"""Open event streams per learner: a concurrency limit, with slots freed when streams close."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI

from questpath.config import Settings
from questpath.notifications import stream
from tests.helpers import assert_problem
from tests.web.test_stream import _register, _stream


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.stream_poll_seconds = 0.05
    settings.rate_limit_streams = 2
    return settings


def test_a_learner_opens_as_many_streams_as_allowed_and_one_more_once_one_closes(
    live_server: str,
) -> None:
    headers = _register(live_server)
    with _stream(live_server, headers=headers) as first, _stream(live_server, headers=headers):
        assert first.status_code == 200
        refused = httpx.get(f"{live_server}/api/progress/stream", headers=headers, timeout=10)
        assert_problem(refused, 429)
        assert refused.headers["RateLimit-Policy"] == '"streams";q=2;w=1800'
        assert int(refused.headers["Retry-After"]) >= 1
        other = _register(live_server, "grace@example.com")
        with _stream(live_server, headers=other) as theirs:
            assert theirs.status_code == 200  # slots are per learner
    # Both closed: their slots are freed as the server notices, within a poll or so.
    deadline = time.monotonic() + 5
    while True:
        with _stream(live_server, headers=headers) as again:
            if again.status_code == 200:
                break
        assert time.monotonic() < deadline, "a closed stream kept its slot"
        time.sleep(0.05)


async def test_a_stream_ends_after_its_time_so_that_its_slot_is_renewed(app: FastAPI) -> None:
    events = stream.progress_events(
        app.state.engine, app.state.ruleset, uuid.uuid4(), datetime.now(UTC), lasting=0.05
    )
    started = time.monotonic()
    assert [event async for event in events] == [{"event": "unread", "data": '{"unread": 0}'}]
    assert time.monotonic() - started < 2
