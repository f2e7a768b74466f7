"""GET /api/progress/stream: achievements, notifications and the unread count pushed as
server-sent events, over real HTTP."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from questpath.config import Settings
from tests.helpers import PASSWORD
from tests.web.browsing import api_headers
from tests.web.conftest import SERVER_START_TIMEOUT, _ServerThread

READ_TIMEOUT = 10.0


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.stream_poll_seconds = 0.05
    return settings


def _register(base: str, email: str = "ada@example.com") -> dict[str, str]:
    response = httpx.post(
        f"{base}/api/auth/register", json={"email": email, "password": PASSWORD}, timeout=10
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _exercise(base: str, headers: dict[str, str], event_id: str, **fields: Any) -> list[str]:
    body = {"id": event_id, "kind": "exercise_completed", "topic": "recursion", **fields}
    response = httpx.post(f"{base}/api/events", json=body, headers=headers, timeout=10)
    assert response.status_code == 201, response.text
    return [a["id"] for a in response.json()["achievements_unlocked"]]


def _events(response: httpx.Response, kind: str = "achievement") -> Iterator[dict[str, str]]:
    """Server-sent events of one `kind` as dicts of their fields; comment lines (pings) and the
    stream's other events are skipped."""
    event: dict[str, str] = {}
    for line in response.iter_lines():
        if not line:
            if event.get("event") == kind:
                yield event
            event = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            event[name] = value.removeprefix(" ")


def _stream(base: str, **kwargs: Any) -> Any:
    timeout = httpx.Timeout(10, read=READ_TIMEOUT)
    return httpx.stream("GET", f"{base}/api/progress/stream", timeout=timeout, **kwargs)


def test_an_unlock_is_pushed_to_an_open_stream(live_server: str) -> None:
    headers = _register(live_server)
    with _stream(live_server, headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        unlocked = _exercise(live_server, headers, "e1", grade=100)
        assert unlocked
        events = _events(response)
        received = [next(events) for _ in unlocked]
    assert {e["event"] for e in received} == {"achievement"}
    data = [json.loads(e["data"]) for e in received]
    assert sorted(d["id"] for d in data) == sorted(unlocked)
    first = data[0]
    assert set(first) == {"id", "name", "description", "icon", "points", "unlocked_at"}
    assert received[0]["id"] == first["unlocked_at"]


def test_a_stream_starts_from_now_unless_asked_for_earlier(live_server: str) -> None:
    headers = _register(live_server)
    earlier = _exercise(live_server, headers, "e1")  # unlocks First Steps before connecting
    with _stream(live_server, headers=headers) as response:
        later = _exercise(live_server, headers, "e2", grade=100)  # a perfect score: Flawless
        first = json.loads(next(_events(response))["data"])
    assert first["id"] in later
    assert first["id"] not in earlier

    with _stream(live_server, headers=headers, params={"since": "2000-01-01T00:00:00Z"}) as replay:
        events = _events(replay)
        replayed = [json.loads(next(events)["data"])["id"] for _ in earlier + later]
    assert sorted(replayed) == sorted(earlier + later)


def test_a_reconnecting_client_resumes_after_the_last_event_it_saw(live_server: str) -> None:
    headers = _register(live_server)
    with _stream(live_server, headers=headers, params={"since": "2000-01-01T00:00:00Z"}) as first:
        _exercise(live_server, headers, "e1")
        seen = next(_events(first))
    later = _exercise(live_server, headers, "e2", grade=100)
    resume = {**headers, "Last-Event-ID": seen["id"]}
    with _stream(live_server, headers=resume, params={"since": "2000-01-01T00:00:00Z"}) as again:
        resumed = json.loads(next(_events(again))["data"])
    assert resumed["id"] in later


def test_an_unlock_through_another_server_process_reaches_the_stream(
    live_server: str, settings: Settings
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        other = _ServerThread(settings, sock)
        other.start()
        try:
            other.wait_started(SERVER_START_TIMEOUT)
            other_base = "http://{}:{}".format(*sock.getsockname())
            headers = _register(live_server)
            with _stream(live_server, headers=headers) as response:
                unlocked = _exercise(other_base, headers, "e1")
                received = json.loads(next(_events(response))["data"])
        finally:
            other.stop()
    assert received["id"] in unlocked


def test_a_browser_session_may_open_the_stream(live_server: str) -> None:
    with httpx.Client(base_url=live_server, timeout=10) as browser:
        page = browser.get("/sign-up")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        response = browser.post(
            "/sign-up",
            data={"csrf_token": token, "email": "ada@example.com", "password": PASSWORD},
        )
        assert response.status_code == 303
        session = browser.cookies["qp_session"]
    headers = api_headers(live_server)
    with _stream(live_server, cookies={"qp_session": session}) as response:
        assert response.status_code == 200
        unlocked = _exercise(live_server, headers, "e1")
        assert json.loads(next(_events(response))["data"])["id"] in unlocked


def test_the_stream_needs_a_reader(live_server: str) -> None:
    anonymous = httpx.get(f"{live_server}/api/progress/stream", timeout=10)
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == "application/problem+json"

    headers = _register(live_server)
    key = httpx.post(
        f"{live_server}/api/api-keys",
        json={"name": "writer", "scopes": ["events:write"]},
        headers=headers,
        timeout=10,
    ).json()["secret"]
    writer = httpx.get(
        f"{live_server}/api/progress/stream",
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )
    assert writer.status_code == 403
    assert "progress:read" in writer.json()["detail"]


@pytest.mark.parametrize(
    "start",
    [
        {"params": {"since": "0001-01-01T00:00:00Z"}},
        {"params": {"since": "0001-01-01T00:00:00+01:00"}},
        {"headers": {"Last-Event-ID": "0001-01-01T00:00:00+00:00"}},
    ],
)
def test_a_start_at_the_dawn_of_the_calendar_replays_everything(
    live_server: str, start: dict[str, dict[str, str]]
) -> None:
    headers = _register(live_server)
    unlocked = _exercise(live_server, headers, "e1")
    with _stream(
        live_server, headers={**headers, **start.get("headers", {})}, params=start.get("params")
    ) as response:
        assert response.status_code == 200
        events = _events(response)
        replayed = [json.loads(next(events)["data"])["id"] for _ in unlocked]
    assert sorted(replayed) == sorted(unlocked)


def test_notifications_and_the_unread_count_are_pushed_as_they_change(live_server: str) -> None:
    headers = _register(live_server)
    with _stream(live_server, headers=headers) as response:
        unread = _events(response, "unread")
        assert json.loads(next(unread)["data"]) == {"unread": 0}
        _exercise(live_server, headers, "e1", grade=100)
        grown = json.loads(next(unread)["data"])["unread"]
    assert grown > 0
    listed = httpx.get(f"{live_server}/api/notifications", headers=headers, timeout=10).json()
    assert listed["unread"] >= grown

    with _stream(live_server, headers=headers) as response:
        unread = _events(response, "unread")
        assert json.loads(next(unread)["data"]) == {"unread": listed["unread"]}
        marked = httpx.post(
            f"{live_server}/api/notifications/read", json={}, headers=headers, timeout=10
        )
        assert marked.status_code == 200
        assert json.loads(next(unread)["data"]) == {"unread": 0}


def test_a_notification_event_carries_what_the_list_shows(live_server: str) -> None:
    headers = _register(live_server)
    with _stream(live_server, headers=headers) as response:
        _exercise(live_server, headers, "e1")
        pushed = json.loads(next(_events(response, "notification"))["data"])
    listed = httpx.get(f"{live_server}/api/notifications", headers=headers, timeout=10).json()
    shown = next(item for item in listed["items"] if item["id"] == pushed["id"])
    assert {k: shown[k] for k in ("kind", "title", "link", "data")} == {
        k: pushed[k] for k in ("kind", "title", "link", "data")
    }
    assert datetime.fromisoformat(shown["created_at"]) == datetime.fromisoformat(
        pushed["created_at"]
    )
