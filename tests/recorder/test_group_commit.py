"""Group commit: submissions of concurrent requests are recorded in one transaction, and each
request gets its own part of the result; a bad member fails alone."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import IntegrityError

from questpath.events.drafts import Draft, UnknownLearner
from questpath.progress.recording import Recorded
from questpath.recorder.group import GroupCommit
from tests.helpers import (
    Account,
    create_admin_account,
    field_errors,
    projection_differences,
    read_json,
    register_account,
)

TOPICS = ["sql", "rust", "graphs"]


def exercise(account: Account, event_id: str, days_ago: int = 0, **fields: Any) -> Draft:
    return Draft(
        user_id=uuid.UUID(account.id),
        id=event_id,
        kind="exercise_completed",
        occurred_at=datetime.now(UTC) - timedelta(days=days_ago),
        topic=fields.get("topic", "sql"),
        grade=fields.get("grade", 80.0),
    )


def group_of(app: FastAPI) -> GroupCommit:
    group: GroupCommit = app.state.group_commit
    return group


async def learners(client: httpx.AsyncClient, count: int) -> list[Account]:
    return [await register_account(client, f"{uuid.uuid4().hex}@example.com") for _ in range(count)]


def keys(account: Account, *ids: str) -> set[tuple[uuid.UUID, str]]:
    return {(uuid.UUID(account.id), event_id) for event_id in ids}


async def test_concurrent_submissions_are_each_answered_with_their_own_part(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    ada, bob = await learners(client, 2)
    group = group_of(app)

    first, second, third = await asyncio.gather(
        group.record([exercise(ada, "a-1")]),
        group.record([exercise(bob, "b-1")]),
        group.record([exercise(ada, "a-1"), exercise(ada, "a-2")]),
    )

    assert first.created == keys(ada, "a-1")
    assert second.created == keys(bob, "b-1")
    assert third.created == keys(ada, "a-2")  # a-1 belongs to the submission that came first
    assert set(second.changes) == {uuid.UUID(bob.id)}
    assert set(third.changes) == {uuid.UUID(ada.id)}  # the last to add to ada's progress
    assert first.changes == {}
    progress = await read_json(client, "/api/progress", ada.headers)
    assert progress["exercises_completed"] == 2
    assert await projection_differences(app, ada) == []
    assert await projection_differences(app, bob) == []


async def test_a_submission_for_an_unknown_learner_fails_alone(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    ada, bob = await learners(client, 2)
    stranger = Account(id=str(uuid.uuid4()), email="nobody@example.com", token="")
    group = group_of(app)

    outcomes = await asyncio.gather(
        group.record([exercise(ada, "a-1")]),
        group.record([exercise(bob, "b-1"), exercise(stranger, "s-1")]),
        group.record([exercise(bob, "b-2")]),
        return_exceptions=True,
    )

    assert isinstance(outcomes[1], UnknownLearner)
    assert outcomes[1].user_ids == {uuid.UUID(stranger.id)}
    assert isinstance(outcomes[0], Recorded)
    assert outcomes[0].created == keys(ada, "a-1")
    assert isinstance(outcomes[2], Recorded)
    assert outcomes[2].created == keys(bob, "b-2")
    stored = await client.get("/api/events/b-1", headers=bob.headers)
    assert stored.status_code == 404  # all or nothing: the failed submission left nothing
    assert (await client.get("/api/events/b-2", headers=bob.headers)).status_code == 200


async def test_a_member_the_database_refuses_fails_alone_and_the_others_commit(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    ada, bob = await learners(client, 2)
    refused = Draft(user_id=uuid.UUID(bob.id), id="bad", kind=None)  # type: ignore[arg-type]
    group = group_of(app)

    outcomes = await asyncio.gather(
        group.record([exercise(ada, "a-1")]),
        group.record([exercise(bob, "b-1"), refused]),
        group.record([exercise(bob, "b-2")]),
        return_exceptions=True,
    )

    assert isinstance(outcomes[1], IntegrityError)
    assert isinstance(outcomes[0], Recorded)
    assert outcomes[0].created == keys(ada, "a-1")
    assert isinstance(outcomes[2], Recorded)
    assert outcomes[2].created == keys(bob, "b-2")
    assert (await client.get("/api/events/b-1", headers=bob.headers)).status_code == 404
    progress = await read_json(client, "/api/progress", bob.headers)
    assert progress["exercises_completed"] == 1
    assert await projection_differences(app, bob) == []


async def test_twenty_concurrent_posts_of_one_event_store_it_once(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    [ada] = await learners(client, 1)
    body = {"id": "same", "kind": "exercise_completed", "topic": "sql", "grade": 90}

    responses = await asyncio.gather(
        *(client.post("/api/events", json=body, headers=ada.headers) for _ in range(20))
    )

    assert [r.status_code for r in responses] == [201] * 20
    statuses = sorted(r.json()["results"][0]["status"] for r in responses)
    assert statuses == ["created"] + ["duplicate"] * 19
    progress = await read_json(client, "/api/progress", ada.headers)
    assert progress["exercises_completed"] == 1
    assert await projection_differences(app, ada) == []


async def test_an_event_for_an_unknown_learner_is_refused_naming_the_field(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin = await create_admin_account(client, app)
    [ada] = await learners(client, 1)
    stranger = str(uuid.uuid4())
    events = [
        {"id": "x-1", "kind": "check_in", "user_id": ada.id},
        {"id": "x-2", "kind": "check_in", "user_id": stranger},
    ]

    response = await client.post("/api/events", json={"events": events}, headers=admin.headers)

    assert response.status_code == 422
    assert field_errors(response) == {"events[1].user_id": f"no learner has the id {stranger}"}
    assert (
        await client.get(f"/api/events/x-1?user_id={ada.id}", headers=admin.headers)
    ).status_code == 404


submissions = st.lists(
    st.lists(
        st.tuples(
            st.integers(0, 2),  # learner
            st.integers(0, 11),  # event id: repeats are duplicates
            st.integers(0, 20),  # days ago: out of order and late
            st.sampled_from(TOPICS),
            st.integers(0, 100),
        ),
        min_size=1,
        max_size=6,
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=submissions)
async def test_concurrent_random_submissions_equal_a_recomputation_from_the_log(
    client: httpx.AsyncClient, app: FastAPI, plan: list[list[tuple[int, int, int, str, int]]]
) -> None:
    accounts = await learners(client, 3)
    group = group_of(app)

    def draft(learner: int, number: int, days_ago: int, topic: str, grade: int) -> Draft:
        return exercise(accounts[learner], f"e-{number}", days_ago, topic=topic, grade=float(grade))

    results = await asyncio.gather(*(group.record([draft(*e) for e in s]) for s in plan))

    created = [key for result in results for key in result.created]
    distinct = {(uuid.UUID(accounts[e[0]].id), f"e-{e[1]}") for s in plan for e in s}
    assert sorted(created) == sorted(distinct)  # each event created once, by one submission
    for account in accounts:
        assert await projection_differences(app, account) == []
        progress = await read_json(client, "/api/progress", account.headers)
        assert progress["exercises_completed"] == sum(
            1 for u, _ in distinct if str(u) == account.id
        )
