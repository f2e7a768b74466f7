"""Bidirectional controls are refused wherever a client names something: ids, topics, display
names and titles, each with a 422 naming the field."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from questpath.text import BIDI_CONTROLS, has_bidi_controls
from tests.helpers import PASSWORD, Account, assert_problem, field_errors

RLO = "\u202e"
TRACK = "# Git\n\n## Basics\n\n- [ ] Commit\n"


async def _track(client: httpx.AsyncClient, learner: Account) -> dict[str, Any]:
    response = await client.post(
        "/api/tracks/import",
        content=TRACK.encode(),
        headers={**learner.headers, "Content-Type": "text/markdown"},
    )
    assert response.status_code == 201, response.text
    track: dict[str, Any] = (
        await client.get(f"/api/tracks/{response.json()['id']}", headers=learner.headers)
    ).json()
    return track


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", "/api/events", {"id": f"e{RLO}1", "kind": "study_session"}, "id"),
        ("POST", "/api/events", {"kind": "exercise_completed", "topic": f"sql{RLO}"}, "topic"),
        (
            "POST",
            "/api/events",
            {"events": [{"kind": "exercise_completed", "topic": "a\u2066b"}]},
            "events[0].topic",
        ),
        ("PATCH", "/api/users/me", {"display_name": f"Ada{RLO}nimda"}, "display_name"),
        ("POST", "/api/api-keys", {"name": "tutor\u202a", "scopes": ["events:read"]}, "name"),
        (
            "POST",
            "/api/goals",
            {"title": f"Learn{RLO}", "target": {"type": "streak", "days": 3}},
            "title",
        ),
        (
            "POST",
            "/api/goals",
            {"title": "Learn", "target": {"type": "exercises", "count": 3, "topic": f"x{RLO}"}},
            "target.topic",
        ),
    ],
)
async def test_bidi_controls_are_refused_naming_the_field(
    client: httpx.AsyncClient,
    learner: Account,
    method: str,
    path: str,
    body: dict[str, Any],
    field: str,
) -> None:
    response = await client.request(method, path, json=body, headers=learner.headers)
    assert_problem(response, 422)
    assert "bidirectional" in field_errors(response)[field]


async def test_a_display_name_at_sign_up_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/auth/register",
        json={"email": "ada@example.com", "password": PASSWORD, "display_name": f"A{RLO}da"},
    )
    assert_problem(response, 422)
    assert "display_name" in field_errors(response)


async def test_track_and_item_titles_and_topics_are_refused(
    client: httpx.AsyncClient, learner: Account
) -> None:
    track = await _track(client, learner)
    base = f"/api/tracks/{track['id']}"
    renamed = await client.patch(base, json={"title": f"Git{RLO}"}, headers=learner.headers)
    assert "title" in field_errors(renamed)
    for body, field in [({"title": f"x{RLO}"}, "title"), ({"title": "x", "topic": RLO}, "topic")]:
        response = await client.post(f"{base}/items", json=body, headers=learner.headers)
        assert_problem(response, 422)
        assert field in field_errors(response)
    item_id = track["categories"][0]["items"][0]["id"]
    changed = await client.patch(
        f"{base}/items/{item_id}", json={"title": "y\u2069"}, headers=learner.headers
    )
    assert "title" in field_errors(changed)


async def test_a_markdown_document_with_bidi_controls_is_refused(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await client.post(
        "/api/tracks/import",
        content=f"# Git\n\n- [ ] Com{RLO}mit\n".encode(),
        headers={**learner.headers, "Content-Type": "text/markdown"},
    )
    assert_problem(response, 422)
    assert "bidirectional" in field_errors(response)["document"]


async def test_other_unicode_is_kept(client: httpx.AsyncClient, learner: Account) -> None:
    body = {"id": "ünï-١٢", "kind": "exercise_completed", "topic": "עברית sql"}
    response = await client.post("/api/events", json=body, headers=learner.headers)
    assert response.status_code == 201, response.text


@given(st.text())
def test_only_the_nine_controls_count(text: str) -> None:
    assert has_bidi_controls(text) == any(
        0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069 for c in text
    )
    assert len(BIDI_CONTROLS) == 9
