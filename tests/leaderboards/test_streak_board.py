"""GET /api/leaderboard?by=streak and the cohort's: the current streaks of the learners who
joined, which leave the board when a day passes with nothing written; the streak board's rows
and counts follow joins, leaves, recordings, vacations, voids, hidden accounts and erasure, and
`questpath verify` checks and repairs them."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import update

from questpath.auth.models import User
from questpath.clock import request_time
from questpath.db import transaction
from questpath.erasure import erase
from questpath.leaderboards.models import LeaderboardStreak, LeaderboardStreakCount
from questpath.verify import board_size_differences, repair, repair_board_sizes
from tests.cohorts.test_routes import join as join_cohort
from tests.cohorts.test_routes import make as make_cohort
from tests.helpers import (
    PASSWORD,
    Account,
    assert_problem,
    days_ago,
    field_errors,
    projection_differences,
    read_json,
    record_events,
    register_account,
)
from tests.leaderboards.test_routes import join, project


def on(event_id: str, days: int) -> dict[str, Any]:
    return project(event_id) | {"occurred_at": days_ago(days)}


async def streaks(client: httpx.AsyncClient, account: Account, **params: Any) -> dict[str, Any]:
    return await read_json(client, "/api/leaderboard", account.headers, by="streak", **params)


async def assert_consistent(app: FastAPI, *accounts: Account) -> None:
    assert await board_size_differences(app.state.engine) == []
    for account in accounts:
        assert await projection_differences(app, account) == []


async def test_the_streak_board_ranks_the_current_streaks_of_those_who_joined(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    ada, bo, cy, dee, outsider = [
        await register_account(client, f"{n}@example.org") for n in ("ada", "bo", "cy", "dee", "e")
    ]
    await record_events(client, ada.headers, [on("a2", 2), on("a1", 1), on("a0", 0)])
    await record_events(client, bo.headers, [on("b0", 0)])
    await record_events(client, dee.headers, [on("d1", 1)])  # current till tomorrow
    await record_events(client, cy.headers, [on("c5", 5), on("c4", 4)])  # broken since
    await record_events(client, outsider.headers, [on(f"o{n}", n) for n in range(5)])
    for account in (ada, bo, cy, dee):
        await join(client, account)

    board = await streaks(client, bo)

    assert board["by"] == "streak"
    assert board["period"] == "all"
    assert board["learners"] == 3
    assert [(e["rank"], e["streak"], e["you"]) for e in board["top"]] == [
        (1, 3, False),
        (2, 1, False),  # dee reached a streak of 1 a day before bo
        (2, 1, True),
    ]
    assert board["you"] == {"rank": 2, "streak": 1, "percentile": 0}
    assert (await streaks(client, cy))["you"] is None
    assert (await streaks(client, outsider))["you"] is None
    assert (await streaks(client, ada, period="all"))["you"]["rank"] == 1
    xp_board = await read_json(client, "/api/leaderboard", ada.headers)
    assert (xp_board["by"], xp_board["period"]) == ("xp", "week")
    await assert_consistent(app, ada, bo, cy, dee)


async def test_a_streak_leaves_the_board_when_a_day_passes_without_activity(
    app: FastAPI, client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    await record_events(client, learner.headers, [on("l1", 1), on("l0", 0)])
    await record_events(client, other_learner.headers, [on("o0", 0)])
    for account in (learner, other_learner):
        await join(client, account)
    tomorrow = (await streaks(client, learner))["learners"]
    start = datetime.now(UTC)

    app.dependency_overrides[request_time] = lambda: start + timedelta(days=2)
    try:
        later = await streaks(client, learner)
        xp_later = await read_json(client, "/api/leaderboard", learner.headers, period="all")
    finally:
        del app.dependency_overrides[request_time]

    assert tomorrow == 2
    assert (later["learners"], later["top"], later["you"]) == (0, [], None)
    assert xp_later["learners"] == 2  # the XP stays on the all-time board


async def test_a_vacation_keeps_a_streak_on_the_board_through_it(
    app: FastAPI, client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, [on("l0", 0)])
    await join(client, learner)
    today = datetime.now(UTC).date()
    scheduled = await client.post(
        "/api/vacations",
        json={
            "start_date": (today + timedelta(days=1)).isoformat(),
            "end_date": (today + timedelta(days=5)).isoformat(),
        },
        headers=learner.headers,
    )
    assert scheduled.status_code == 201, scheduled.text
    await assert_consistent(app, learner)

    def read_on(day: date) -> Any:
        return datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=12)

    for days_on, on_board in ((5, True), (6, True), (7, False)):
        app.dependency_overrides[request_time] = lambda d=days_on: read_on(today + timedelta(d))
        try:
            found = await streaks(client, learner)
        finally:
            del app.dependency_overrides[request_time]
        assert (found["you"] is not None) == on_board, days_on


async def test_the_streak_board_has_no_week_or_month(
    client: httpx.AsyncClient, learner: Account
) -> None:
    for period in ("week", "month"):
        response = await client.get(
            "/api/leaderboard", params={"by": "streak", "period": period}, headers=learner.headers
        )
        assert_problem(response, 422)
        assert "period" in field_errors(response)
    unknown = await client.get("/api/leaderboard?by=longest", headers=learner.headers)
    assert_problem(unknown, 422)
    assert "by" in field_errors(unknown)


async def test_the_cohort_streak_board_ranks_only_its_members_who_joined(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    outsider = await register_account(client, "outsider@example.org")
    await record_events(client, learner.headers, [on("l0", 0)])
    await record_events(client, other_learner.headers, [on("o1", 1), on("o0", 0)])
    await record_events(client, outsider.headers, [on(f"x{n}", n) for n in range(4)])
    made = await make_cohort(client, learner)
    assert (await join_cohort(client, other_learner, made["invite"]["token"])).is_success
    for account in (learner, other_learner, outsider):
        await join(client, account)
    url = f"/api/cohorts/{made['id']}/leaderboard"

    board = await read_json(client, url, learner.headers, by="streak")
    refused = await client.get(
        url, params={"by": "streak", "period": "week"}, headers=learner.headers
    )

    assert board["learners"] == 2
    assert [(e["streak"], e["you"]) for e in board["top"]] == [(2, False), (1, True)]
    assert board["you"] == {"rank": 2, "streak": 1, "percentile": 0}
    assert (await streaks(client, learner))["learners"] == 3
    assert_problem(refused, 422)
    assert "period" in field_errors(refused)


async def test_streak_rows_and_counts_follow_leaves_voids_hidden_accounts_and_erasure(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    viewer = await register_account(client, "viewer@example.org")
    ada, bo = [await register_account(client, f"{n}@example.org") for n in ("ada", "bo")]
    await join(client, ada)
    await record_events(client, ada.headers, [on("a1", 1)])
    await record_events(client, ada.headers, [on("a0", 0)])  # the streak grows to 2
    await record_events(client, bo.headers, [on("b0", 0)])
    await join(client, bo)
    await assert_consistent(app, ada, bo)
    assert [e["streak"] for e in (await streaks(client, viewer))["top"]] == [2, 1]

    voided = await client.post("/api/events/a0/void", headers=ada.headers)
    assert voided.status_code == 201, voided.text
    await assert_consistent(app, ada)
    assert [e["streak"] for e in (await streaks(client, viewer))["top"]] == [1, 1]

    asked = await client.post(
        "/api/users/me/deletion", json={"password": PASSWORD}, headers=bo.headers
    )
    assert asked.is_success, asked.text
    assert (await streaks(client, viewer))["learners"] == 1
    assert (await streaks(client, bo))["you"] is None
    assert (await client.delete("/api/users/me/deletion", headers=bo.headers)).status_code == 204
    assert (await streaks(client, viewer))["learners"] == 2

    left = await client.put(
        "/api/leaderboard/settings", json={"listed": False}, headers=ada.headers
    )
    assert left.status_code == 200
    await assert_consistent(app, ada, bo)
    assert (await streaks(client, viewer))["learners"] == 1
    async with transaction(app.state.sessionmaker) as session:
        assert await erase(session, uuid.UUID(bo.id))
    await assert_consistent(app, ada)
    assert (await streaks(client, viewer))["learners"] == 0


async def test_verify_names_a_wrong_streak_row_or_count_and_repair_mends_them(
    app: FastAPI, client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, [on("l1", 1), on("l0", 0)])
    await join(client, learner)
    async with transaction(app.state.sessionmaker) as session:
        await session.execute(
            update(LeaderboardStreak)
            .where(LeaderboardStreak.user_id == uuid.UUID(learner.id))
            .values(run=7)
        )
        await session.execute(update(LeaderboardStreakCount).values(learners=5))

    rows = await projection_differences(app, learner)
    counts = await board_size_differences(app.state.engine)

    assert [(d.table, d.field, d.stored, d.expected) for d in rows] == [
        ("leaderboard_streaks", "run", 7, 2)
    ]
    assert sorted((d.table, d.key.split("|")[1], d.stored, d.expected) for d in counts) == [
        ("leaderboard_streak_counts", "2", 5, None),  # counted from the rows, which say 7
        ("leaderboard_streak_counts", "7", None, 1),
    ]
    async with transaction(app.state.sessionmaker) as session:
        found = await session.get(User, uuid.UUID(learner.id))
        assert found is not None
        await repair(session, found, app.state.ruleset, datetime.now(UTC))
        await repair_board_sizes(session)
    await assert_consistent(app, learner)
    assert (await streaks(client, learner))["you"] == {"rank": 1, "streak": 2, "percentile": None}
