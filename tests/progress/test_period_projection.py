"""progress_periods: each learner's XP by week, month and all time, kept by the recorder in the
transaction that records the events, for the leaderboards."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, insert, select

from questpath.auth.models import User
from questpath.events.rules import MAX_BATCH
from questpath.progress.models import ProgressPeriod
from tests.helpers import (
    Account,
    create_admin_account,
    post_events,
    projection_differences,
    read_json,
    record_events,
)


def project(event_id: str, day: str) -> dict[str, Any]:
    return {
        "id": event_id,
        "kind": "project_completed",
        "topic": "sql",
        "grade": 90,
        "occurred_at": f"{day}T12:00:00Z",
    }


async def periods(app: FastAPI, account: Account) -> dict[tuple[str, date], tuple[int, Any]]:
    columns = (ProgressPeriod.period, ProgressPeriod.start, ProgressPeriod.xp)
    async with app.state.engine.connect() as conn:
        rows = await conn.execute(
            select(*columns, ProgressPeriod.reached_at).where(
                ProgressPeriod.user_id == uuid.UUID(account.id)
            )
        )
        return {(period, start): (xp, at) for period, start, xp, at in rows}


async def test_weeks_run_monday_to_sunday_and_every_period_adds_up_to_the_total(
    client: httpx.AsyncClient, app: FastAPI, learner: Account
) -> None:
    # Sunday 29 November, then Monday 30 November and Tuesday 1 December.
    await record_events(
        client,
        learner.headers,
        [project("sun", "2026-11-29"), project("mon", "2026-11-30"), project("tue", "2026-12-01")],
    )

    found = await periods(app, learner)

    assert set(found) == {
        ("week", date(2026, 11, 23)),
        ("week", date(2026, 11, 30)),
        ("month", date(2026, 11, 1)),
        ("month", date(2026, 12, 1)),
        ("all", date(1970, 1, 1)),
    }
    total = (await read_json(client, "/api/progress", learner.headers))["xp"]
    assert total > 0
    xp = {key: value for key, (value, _) in found.items()}
    assert xp["all", date(1970, 1, 1)] == total
    assert sum(v for (period, _), v in xp.items() if period == "week") == total
    assert sum(v for (period, _), v in xp.items() if period == "month") == total
    assert xp["week", date(2026, 11, 23)] < xp["month", date(2026, 11, 1)]
    assert await projection_differences(app, learner) == []


async def test_a_period_s_time_moves_when_its_xp_rises_and_a_void_takes_the_xp_out(
    client: httpx.AsyncClient, app: FastAPI, learner: Account
) -> None:
    week = ("week", date(2026, 11, 30))
    await record_events(client, learner.headers, [project("mon", "2026-11-30")])
    first_xp, first_at = (await periods(app, learner))[week]

    await record_events(client, learner.headers, [project("tue", "2026-12-01")])
    second_xp, second_at = (await periods(app, learner))[week]
    assert second_xp > first_xp
    assert second_at > first_at

    response = await client.post("/api/events/tue/void", headers=learner.headers)
    assert response.status_code == 201, response.text
    after_void = await periods(app, learner)
    assert after_void[week][0] == first_xp
    assert ("month", date(2026, 12, 1)) not in after_void  # its only day earned nothing now
    assert await projection_differences(app, learner) == []


async def test_a_full_batch_for_as_many_learners_keeps_every_learner_s_periods(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    # An integration records one event for each of a thousand learners in one request: the
    # periods of all of them are added up again in that transaction.
    now = datetime.now(UTC)
    learners = [uuid.uuid4() for _ in range(MAX_BATCH)]
    async with app.state.engine.begin() as conn:
        await conn.execute(
            insert(User),
            [
                {"id": user_id, "email": f"{user_id}@example.com", "password_hash": "x",
                 "display_name": "Ada", "created_at": now, "updated_at": now}
                for user_id in learners
            ],
        )  # fmt: skip
    admin = await create_admin_account(client, app)
    batch = [
        {"id": f"first-{n}", "kind": "exercise_completed", "user_id": str(user_id)}
        for n, user_id in enumerate(learners)
    ]

    response = await post_events(client, admin.headers, {"events": batch})

    assert response.status_code == 201, response.text
    assert response.json()["created"] == MAX_BATCH
    async with app.state.engine.connect() as conn:
        found = await conn.execute(
            select(ProgressPeriod.period, func.count(), func.min(ProgressPeriod.xp))
            .where(ProgressPeriod.user_id.in_(learners))
            .group_by(ProgressPeriod.period)
        )
        counts = {period: (count, least) for period, count, least in found}
    assert set(counts) == {"week", "month", "all"}
    assert all(count == MAX_BATCH and least > 0 for count, least in counts.values()), counts
