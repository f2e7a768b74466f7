"""POST /api/events/{id}/void: a voided event stays in the log, marked, and counts for nothing;
the projections always equal a recomputation from the log without it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import (
    Account,
    all_events,
    assert_problem,
    create_admin_account,
    days_ago,
    projection_differences,
    read_json,
    record_events,
    register_account,
)
from tests.test_verify import _event, random_event


async def void(
    client: httpx.AsyncClient, account: Account, event_id: str, **params: Any
) -> httpx.Response:
    return await client.post(f"/api/events/{event_id}/void", params=params, headers=account.headers)


async def test_a_voided_event_stays_in_the_log_marked_and_counts_for_nothing(
    client: httpx.AsyncClient, app: FastAPI, learner: Account
) -> None:
    await record_events(
        client,
        learner.headers,
        [
            {"id": "keep", "kind": "exercise_completed", "topic": "sql", "grade": 80},
            {"id": "wrong/one", "kind": "project_completed", "topic": "sql", "grade": 90},
        ],
    )
    before = await read_json(client, "/api/progress", learner.headers)

    response = await void(client, learner, "wrong/one")

    assert response.status_code == 201, response.text
    voided = response.json()
    assert voided["id"] == "wrong/one"
    assert voided["voided_by"].startswith("questpath:void:")
    read = await read_json(client, "/api/events/wrong/one", learner.headers)
    assert read["voided_by"] == voided["voided_by"]
    log = {e["id"]: e for e in await all_events(client, learner.headers)}
    assert log["keep"]["voided_by"] is None
    assert log[voided["voided_by"]]["kind"] == "event_voided"
    assert log[voided["voided_by"]]["metadata"]["voids"] == "wrong/one"
    after = await read_json(client, "/api/progress", learner.headers)
    assert after["xp"] < before["xp"]
    assert after["projects_completed"] == before["projects_completed"] - 1
    assert after["exercises_completed"] == before["exercises_completed"]
    assert await projection_differences(app, learner) == []


async def test_voiding_twice_records_once_and_answers_the_same(
    client: httpx.AsyncClient, app: FastAPI, learner: Account
) -> None:
    await record_events(client, learner.headers, [{"id": "e1", "kind": "exercise_completed"}])
    first = await void(client, learner, "e1")
    again = await void(client, learner, "e1")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    kinds = [e["kind"] for e in await all_events(client, learner.headers)]
    assert kinds.count("event_voided") == 1
    assert await projection_differences(app, learner) == []


async def test_unknown_and_other_learners_events_are_not_found(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    await record_events(client, other_learner.headers, [{"id": "theirs", "kind": "check_in"}])

    assert_problem(await void(client, learner, "nope"), 404)
    assert_problem(await void(client, learner, "theirs"), 404)
    forbidden = await void(client, learner, "theirs", user_id=other_learner.id)
    assert_problem(forbidden, 403)
    theirs = await read_json(client, "/api/events/theirs", other_learner.headers)
    assert theirs["voided_by"] is None


async def test_an_admin_voids_a_learners_event_with_user_id(
    client: httpx.AsyncClient, app: FastAPI, learner: Account
) -> None:
    admin = await create_admin_account(client, app)
    await record_events(client, learner.headers, [{"id": "e1", "kind": "check_in"}])

    response = await void(client, admin, "e1", user_id=learner.id)

    assert response.status_code == 201, response.text
    assert response.json()["user_id"] == learner.id


async def test_events_questpath_recorded_itself_cannot_be_voided(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, [{"id": "e1", "kind": "check_in"}])
    void_id = (await void(client, learner, "e1")).json()["voided_by"]

    assert_problem(await void(client, learner, void_id), 409)


async def test_achievements_already_unlocked_stay_after_a_void(
    client: httpx.AsyncClient, app: FastAPI, learner: Account
) -> None:
    body = await record_events(
        client, learner.headers, [{"id": "e1", "kind": "exercise_completed", "grade": 100}]
    )
    unlocked = {a["id"] for a in body["achievements_unlocked"]}
    assert unlocked

    assert (await void(client, learner, "e1")).status_code == 201

    achievements = await read_json(client, "/api/progress/achievements", learner.headers)
    still = {a["id"] for a in achievements["achievements"] if a.get("unlocked_at")}
    assert unlocked <= still
    assert (await read_json(client, "/api/progress", learner.headers))["xp"] == 0
    assert await projection_differences(app, learner) == []
    # Reached again later, it is not unlocked twice.
    await record_events(
        client,
        learner.headers,
        [{"id": "e2", "kind": "exercise_completed", "grade": 100, "occurred_at": days_ago(3)}],
    )
    assert await projection_differences(app, learner) == []


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    specs=st.lists(random_event, min_size=1, max_size=14),
    steps=st.lists(st.tuples(st.booleans(), st.integers(0, 13)), min_size=1, max_size=20),
)
async def test_random_events_and_random_voids_leave_no_projection_differences(
    client: httpx.AsyncClient,
    app: FastAPI,
    specs: list[dict[str, Any]],
    steps: list[tuple[bool, int]],
) -> None:
    account = await register_account(client, f"{uuid.uuid4().hex}@example.com")
    now = datetime.now(UTC) - timedelta(minutes=1)
    events = [_event(i, spec, now) for i, spec in enumerate(specs)]
    posted: set[int] = set()
    voided: set[int] = set()
    for is_void, drawn in steps:
        index = drawn % len(events)
        if is_void and index in posted:
            response = await void(client, account, events[index]["id"])
            assert response.status_code == (200 if index in voided else 201), response.text
            voided.add(index)
        else:
            await record_events(client, account.headers, [events[index]])
            posted.add(index)

    assert await projection_differences(app, account) == []
    progress = await read_json(client, "/api/progress", account.headers)
    counted = posted - voided
    exercises = sum(1 for i in counted if events[i]["kind"] == "exercise_completed")
    assert progress["exercises_completed"] == exercises


async def test_an_export_shows_the_voided_event_earning_nothing(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, [{"id": "e1", "kind": "project_completed"}])
    void_id = (await void(client, learner, "e1")).json()["voided_by"]

    export = await read_json(client, "/api/progress/export", learner.headers)

    rows = {e["id"]: e for e in export["events"]}
    assert rows["e1"]["voided_by"] == void_id
    assert rows["e1"]["xp"] == 0
    assert rows[void_id]["kind"] == "event_voided"
