"""Mentors over the API: an invite link that works once and expires, who mentors whom, a
mentor's read-only view with notes only when allowed, and either side ending it at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from questpath.auth.credentials import hash_secret
from questpath.clock import request_time
from questpath.mentors.models import MentorInvite
from tests.helpers import (
    Account,
    assert_problem,
    days_ago,
    field_errors,
    read_json,
    record_events,
    register_account,
)
from tests.tracks.test_routes import import_track, item_named

CATEGORY_NOTE = "category-note-7c1a"
ITEM_NOTE = "item-note-41d9"
METADATA = "metadata-note-90be"
TRACK = (
    f"# Mentored roadmap\n\n## Basics\n\n{CATEGORY_NOTE}\n\n- [ ] First step\n- [x] Second step\n"
)
NOTES = (CATEGORY_NOTE, ITEM_NOTE, METADATA)


async def invite(client: httpx.AsyncClient, mentee: Account) -> dict[str, Any]:
    response = await client.post("/api/mentor-invites", headers=mentee.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def accept(client: httpx.AsyncClient, mentor: Account, token: str) -> httpx.Response:
    return await client.post(f"/api/mentor-invites/{token}/accept", headers=mentor.headers)


async def mentor_for(client: httpx.AsyncClient, mentee: Account, mentor: Account) -> None:
    accepted = await accept(client, mentor, (await invite(client, mentee))["token"])
    assert accepted.status_code == 201, accepted.text


async def busy(client: httpx.AsyncClient, learner: Account) -> dict[str, Any]:
    """Give the learner activity and a track with notes of every kind; returns the track."""
    await record_events(
        client,
        learner.headers,
        [
            {
                "kind": "exercise_completed",
                "topic": "recursion",
                "grade": 80,
                "occurred_at": days_ago(1),
                "metadata": {"title": METADATA},
            },
            {"kind": "study_session", "time_spent_seconds": 600, "occurred_at": days_ago(0)},
        ],
    )
    made = await import_track(client, learner, TRACK)
    track = await read_json(client, f"/api/tracks/{made['id']}", learner.headers)
    first = item_named(track, "First step")
    noted = await client.patch(
        f"/api/tracks/{track['id']}/items/{first['id']}",
        json={"notes": ITEM_NOTE, "state": "in_progress"},
        headers=learner.headers,
    )
    assert noted.status_code == 200, noted.text
    return track


def mentee_reads(mentee: Account, track: dict[str, Any]) -> list[str]:
    base = f"/api/mentees/{mentee.id}"
    return [
        f"{base}/progress",
        f"{base}/statistics?period=weekly",
        f"{base}/history?days=7",
        f"{base}/tracks",
        f"{base}/tracks/{track['id']}",
        f"{base}/events",
    ]


# Invites ---------------------------------------------------------------------------------------


async def test_accepting_an_invite_makes_a_mentor_both_sides_see(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    made = await invite(client, learner)
    assert made["url"] == f"/mentor-invites/{made['token']}"

    accepted = await accept(client, other_learner, made["token"])

    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["user_id"] == learner.id
    assert accepted.json()["allow_notes"] is False
    mentors = await read_json(client, "/api/mentors", learner.headers)
    assert [(m["user_id"], m["email"]) for m in mentors["items"]] == [
        (other_learner.id, other_learner.email)
    ]
    mentees = await read_json(client, "/api/mentees", other_learner.headers)
    assert [m["user_id"] for m in mentees["items"]] == [learner.id]
    assert "email" not in mentees["items"][0]
    # The role is no part of it: both stay learners.
    me = await read_json(client, "/api/users/me", other_learner.headers)
    assert me["role"] == "learner"


async def test_an_invite_works_once(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    third = await register_account(client, "third@example.com")
    token = (await invite(client, learner))["token"]
    assert (await accept(client, other_learner, token)).status_code == 201

    again = await accept(client, third, token)

    assert "no open invite" in assert_problem(again, 404)["detail"]
    mentees = await read_json(client, "/api/mentees", third.headers)
    assert mentees["items"] == []


async def test_the_database_keeps_only_the_invite_s_hash(
    app: FastAPI, client: httpx.AsyncClient, learner: Account
) -> None:
    token = (await invite(client, learner))["token"]

    async with app.state.engine.connect() as conn:
        rows = list(await conn.execute(select(MentorInvite.__table__)))

    assert [row.token_hash for row in rows] == [hash_secret(token)]
    assert token not in str(rows)


async def test_a_new_invite_stops_the_old_one_and_a_cancelled_one_works_no_more(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    old = (await invite(client, learner))["token"]
    new = (await invite(client, learner))["token"]

    assert_problem(await accept(client, other_learner, old), 404)
    cancelled = await client.delete("/api/mentor-invites", headers=learner.headers)
    assert cancelled.status_code == 204
    assert_problem(await accept(client, other_learner, new), 404)
    assert_problem(await client.delete("/api/mentor-invites", headers=learner.headers), 404)


async def test_an_invite_expires_after_seven_days(
    app: FastAPI, client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    made = await invite(client, learner)
    expires = datetime.fromisoformat(made["expires_at"])
    assert timedelta(days=6, hours=23) < expires - datetime.now(UTC) <= timedelta(days=7)

    async def later() -> datetime:
        return expires + timedelta(seconds=1)

    app.dependency_overrides[request_time] = later
    try:
        late = await accept(client, other_learner, made["token"])
    finally:
        del app.dependency_overrides[request_time]

    assert_problem(late, 404)
    assert (await accept(client, other_learner, made["token"])).status_code == 201


async def test_nobody_mentors_themselves_or_the_same_learner_twice(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    token = (await invite(client, learner))["token"]
    own = await accept(client, learner, token)
    assert "your own invite" in assert_problem(own, 409)["detail"]
    assert (await accept(client, other_learner, token)).status_code == 201

    twice = await accept(client, other_learner, (await invite(client, learner))["token"])

    assert "already" in assert_problem(twice, 409)["detail"]
    mentors = await read_json(client, "/api/mentors", learner.headers)
    assert len(mentors["items"]) == 1


async def test_an_api_key_cannot_invite_accept_or_read_as_a_mentor(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    await mentor_for(client, learner, other_learner)
    key = await client.post(
        "/api/api-keys",
        json={"name": "all", "scopes": ["progress:read", "tracks:read", "events:read"]},
        headers=other_learner.headers,
    )
    headers = {"Authorization": f"Bearer {key.json()['secret']}"}

    for path in ("/api/mentees", f"/api/mentees/{learner.id}/progress"):
        assert_problem(await client.get(path, headers=headers), 403)
    assert_problem(await client.post("/api/mentor-invites", headers=headers), 403)


# What a mentor reads ---------------------------------------------------------------------------


async def test_a_mentor_reads_the_mentee_s_progress_as_the_mentee_does_but_no_notes(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    track = await busy(client, learner)
    await mentor_for(client, learner, other_learner)
    own = f"/api/tracks/{track['id']}"
    pairs = {
        "progress": "/api/progress",
        "statistics?period=weekly": "/api/progress/statistics?period=weekly",
        "history?days=7": "/api/progress/history?days=7",
        "tracks": "/api/tracks",
    }

    for mentee_path, own_path in pairs.items():
        seen = await read_json(
            client, f"/api/mentees/{learner.id}/{mentee_path}", other_learner.headers
        )
        assert seen == await read_json(client, own_path, learner.headers), mentee_path
    shown = await client.get(
        f"/api/mentees/{learner.id}/tracks/{track['id']}", headers=other_learner.headers
    )
    events = await client.get(f"/api/mentees/{learner.id}/events", headers=other_learner.headers)

    assert shown.status_code == 200, shown.text
    assert shown.json()["title"] == "Mentored roadmap"
    assert item_named(shown.json(), "First step")["state"] == "in_progress"
    assert shown.json()["share"] is None
    assert [e["metadata"] for e in events.json()["items"]] == [None, None]
    assert [e["topic"] for e in events.json()["items"]] == [None, "recursion"]
    for response in (shown, events):
        for note in NOTES:
            assert note not in response.text
    # The mentee's own read still holds every note.
    assert ITEM_NOTE in (await client.get(own, headers=learner.headers)).text


async def test_a_mentor_sees_the_notes_once_the_mentee_allows_and_not_after(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    track = await busy(client, learner)
    await mentor_for(client, learner, other_learner)
    reads = mentee_reads(learner, track)[-2:]

    allowed = await client.patch(
        f"/api/mentors/{other_learner.id}", json={"allow_notes": True}, headers=learner.headers
    )
    assert allowed.status_code == 200, allowed.text
    assert allowed.json()["allow_notes"] is True
    texts = [(await client.get(path, headers=other_learner.headers)).text for path in reads]
    for note in NOTES:
        assert note in "".join(texts)

    await client.patch(
        f"/api/mentors/{other_learner.id}", json={"allow_notes": False}, headers=learner.headers
    )
    texts = [(await client.get(path, headers=other_learner.headers)).text for path in reads]
    for note in NOTES:
        assert note not in "".join(texts)


@pytest.mark.parametrize(
    ("body", "field"), [({"allow_notes": "yes"}, "allow_notes"), ({}, "allow_notes")]
)
async def test_a_bad_notes_choice_is_refused_by_field(
    client: httpx.AsyncClient,
    learner: Account,
    other_learner: Account,
    body: dict[str, Any],
    field: str,
) -> None:
    await mentor_for(client, learner, other_learner)

    path = f"/api/mentors/{other_learner.id}"
    response = await client.patch(path, json=body, headers=learner.headers)

    assert_problem(response, 422)
    assert field in field_errors(response)


# Ending it -------------------------------------------------------------------------------------


@pytest.mark.parametrize("side", ["mentee removes", "mentor leaves"])
async def test_either_side_ends_it_and_every_read_stops_at_once(
    client: httpx.AsyncClient, learner: Account, other_learner: Account, side: str
) -> None:
    track = await busy(client, learner)
    await mentor_for(client, learner, other_learner)
    reads = mentee_reads(learner, track)
    for path in reads:
        assert (await client.get(path, headers=other_learner.headers)).status_code == 200, path

    if side == "mentee removes":
        ended = await client.delete(f"/api/mentors/{other_learner.id}", headers=learner.headers)
    else:
        ended = await client.delete(f"/api/mentees/{learner.id}", headers=other_learner.headers)

    assert ended.status_code == 204, ended.text
    for path in reads:
        response = await client.get(path, headers=other_learner.headers)
        assert "you mentor no learner" in assert_problem(response, 404)["detail"], path
    assert (await read_json(client, "/api/mentors", learner.headers))["items"] == []
    assert (await read_json(client, "/api/mentees", other_learner.headers))["items"] == []
    assert_problem(
        await client.delete(f"/api/mentors/{other_learner.id}", headers=learner.headers), 404
    )


async def test_an_ex_mentor_may_be_invited_again(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    await mentor_for(client, learner, other_learner)
    await client.delete(f"/api/mentees/{learner.id}", headers=other_learner.headers)

    await mentor_for(client, learner, other_learner)

    path = f"/api/mentees/{learner.id}/progress"
    assert (await client.get(path, headers=other_learner.headers)).status_code == 200
