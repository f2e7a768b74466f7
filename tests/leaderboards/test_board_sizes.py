"""Each board's stored size, its count of learners at each score and its listed rows follow
every way a learner comes on or goes off it or changes their XP on it: joining, leaving, a new
week's first event, a recording that raises XP, a late event, a void, a deletion asked for and
cancelled, an admin disabling the account, erasure. `questpath verify` checks all three."""

from __future__ import annotations

import asyncio
import random
import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select, update

from questpath.db import transaction
from questpath.erasure import erase
from questpath.leaderboards import repository
from questpath.leaderboards.models import LeaderboardScore
from questpath.leaderboards.rules import standing
from questpath.progress.models import ProgressPeriod
from questpath.verify import board_size_differences, repair_board_sizes
from tests.helpers import (
    PASSWORD,
    Account,
    create_admin_account,
    days_ago,
    post_events,
    projection_differences,
    record_events,
    register_account,
)
from tests.leaderboards.test_routes import board, join, project


async def learners_on_board(client: httpx.AsyncClient, viewer: Account) -> dict[str, int]:
    return {
        period: (await board(client, viewer, period=period))["learners"]
        for period in ("week", "month", "all")
    }


async def assert_consistent(app: FastAPI, *accounts: Account) -> None:
    assert await board_size_differences(app.state.engine) == []
    for account in accounts:
        assert await projection_differences(app, account) == []


async def test_sizes_follow_joins_leaves_new_weeks_voids_hidden_accounts_and_erasure(
    app: FastAPI, client: httpx.AsyncClient, learner: Account
) -> None:
    admin = await create_admin_account(client, app)
    ada, bo = [await register_account(client, f"{n}@example.org") for n in ("ada", "bo")]
    await record_events(client, learner.headers, [project("l1")])
    await join(client, learner)
    await join(client, ada)  # joins before any activity: no rows yet
    await record_events(
        client,
        ada.headers,
        [
            project(
                "a-old",
            )
            | {"occurred_at": days_ago(40)}
        ],
    )
    await record_events(client, ada.headers, [project("a1")])
    await record_events(client, bo.headers, [project("b1")])
    await join(client, bo)
    await assert_consistent(app, learner, ada, bo)
    assert await learners_on_board(client, learner) == {"week": 3, "month": 3, "all": 3}

    voided = await client.post("/api/events/a1/void", headers=ada.headers)
    assert voided.status_code == 201, voided.text
    await assert_consistent(app, ada)
    assert (await learners_on_board(client, learner))["all"] == 3

    asked = await client.post(
        "/api/users/me/deletion", json={"password": PASSWORD}, headers=bo.headers
    )
    assert asked.is_success, asked.text
    assert (await learners_on_board(client, learner))["all"] == 2
    assert (await client.delete("/api/users/me/deletion", headers=bo.headers)).status_code == 204
    assert (await learners_on_board(client, learner))["all"] == 3

    disabled = await client.patch(
        f"/api/admin/users/{ada.id}", json={"disabled": True}, headers=admin.headers
    )
    assert disabled.status_code == 200, disabled.text
    week = await board(client, learner)
    assert week["learners"] == 2
    assert all(entry["name"] for entry in week["top"])
    assert len(week["top"]) == 2

    left = await client.put(
        "/api/leaderboard/settings", json={"listed": False}, headers=learner.headers
    )
    assert left.status_code == 200
    await assert_consistent(app, learner, ada, bo)
    async with transaction(app.state.sessionmaker) as session:
        assert await erase(session, uuid.UUID(bo.id))
    await assert_consistent(app, learner, ada)
    assert (await board(client, admin, period="all"))["learners"] == 0  # ada is disabled


async def stored_scores(app: FastAPI) -> dict[tuple[str, int], int]:
    """The all-time board's stored learners at each score."""
    async with app.state.sessionmaker() as session:
        return {
            (period, xp): n
            for period, xp, n in await session.execute(
                select(LeaderboardScore.period, LeaderboardScore.xp, LeaderboardScore.learners)
            )
            if period == "all"
        }


async def test_scores_follow_recordings_that_raise_xp_late_events_and_leaving(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    ada, bo, cy = [await register_account(client, f"{n}@example.org") for n in ("ada", "bo", "cy")]
    for account in (ada, bo, cy):
        await join(client, account)
        await record_events(client, account.headers, [project(f"{account.email}-1")])
    await assert_consistent(app, ada, bo, cy)
    one = (await board(client, ada, period="all"))["you"]["xp"]
    assert await stored_scores(app) == {("all", one): 3}

    await record_events(client, ada.headers, [project("ada-2")])  # same day: XP rises
    await record_events(
        client, bo.headers, [project("bo-late") | {"occurred_at": days_ago(1)}, project("bo-2")]
    )
    await assert_consistent(app, ada, bo, cy)
    scores = await stored_scores(app)
    assert sum(scores.values()) == 3
    assert scores[("all", one)] == 1  # only cy is left at one project's XP
    assert all(n > 0 for n in scores.values())  # a score nobody holds has no row

    left = await client.put("/api/leaderboard/settings", json={"listed": False}, headers=cy.headers)
    assert left.status_code == 200
    await record_events(client, cy.headers, [project("cy-2")])  # off the boards: not counted
    await assert_consistent(app, ada, bo, cy)
    assert ("all", one) not in await stored_scores(app)


async def test_verify_names_a_wrong_size_score_or_listing_and_repair_mends_the_counts(
    app: FastAPI, client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, [project("l1")])
    await join(client, learner)
    xp = (await board(client, learner, period="all"))["you"]["xp"]
    async with transaction(app.state.sessionmaker) as session:
        await session.execute(
            update(ProgressPeriod)
            .where(ProgressPeriod.user_id == uuid.UUID(learner.id), ProgressPeriod.period == "all")
            .values(listed=False)
        )

    found: list[Any] = await board_size_differences(app.state.engine)
    listed = await projection_differences(app, learner)

    assert [(d.table, d.key.split("|")[0], d.field, d.stored, d.expected) for d in found] == [
        ("leaderboard_sizes", "all", "learners", 1, 0),
        ("leaderboard_scores", "all", "learners", 1, None),
    ]
    assert found[1].key.endswith(f"|{xp}")
    assert [(d.table, d.field, d.stored, d.expected) for d in listed] == [
        ("progress_periods", "listed", False, True)
    ]
    async with transaction(app.state.sessionmaker) as session:
        await repair_board_sizes(session)
    assert await board_size_differences(app.state.engine) == []
    assert ("all", xp) not in await stored_scores(app)


async def test_ranks_and_percentiles_agree_with_the_rules_on_either_side_of_the_middle(
    client: httpx.AsyncClient,
) -> None:
    projects = [3, 1, 4, 1, 5, 2, 6, 2, 7]  # a board with ties on both sides of its middle
    accounts = [await register_account(client, f"l{n}@example.org") for n in range(len(projects))]
    for n, (account, count) in enumerate(zip(accounts, projects, strict=True)):
        await record_events(client, account.headers, [project(f"p{n}-{i}") for i in range(count)])
        await join(client, account)
    hidden = accounts[-1]
    asked = await client.post(
        "/api/users/me/deletion", json={"password": PASSWORD}, headers=hidden.headers
    )
    assert asked.is_success, asked.text

    repository._middles.clear()  # so the middle is this board's, and both sides are counted
    found = {account.id: (await board(client, account))["you"] for account in accounts[:-1]}

    xp = {account_id: you["xp"] for account_id, you in found.items()}
    for account in accounts[:-1]:
        mine = xp[account.id]
        higher = sum(1 for other in xp.values() if other > mine)
        lower = sum(1 for other in xp.values() if other < mine)
        expected = standing(higher, lower, len(xp))
        assert found[account.id] == {
            "rank": expected.rank,
            "xp": mine,
            "percentile": expected.percentile,
        }


async def test_concurrent_recordings_joins_and_leaves_keep_every_count(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    accounts = [await register_account(client, f"c{n}@example.org") for n in range(6)]
    for account in accounts[:4]:
        await join(client, account)

    async def record(account: Account, batch: int) -> httpx.Response:
        # Equal events on the same days: every learner passes through the same scores.
        events = [
            project(f"{account.email}-{batch}-{i}") | {"occurred_at": days_ago(i)}
            for i in range(batch % 3 + 1)
        ]
        return await post_events(client, account.headers, {"events": events})

    async def switch(account: Account, listed: bool) -> httpx.Response:
        return await client.put(
            "/api/leaderboard/settings", json={"listed": listed}, headers=account.headers
        )

    responses = await asyncio.gather(
        *(record(account, batch) for batch in range(4) for account in accounts),
        switch(accounts[4], True),
        switch(accounts[0], False),
        switch(accounts[5], True),
    )

    assert all(r.is_success for r in responses), [r.text for r in responses]
    await assert_consistent(app, *accounts)


async def test_random_batches_late_events_and_voids_keep_every_count(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    rng = random.Random(2026)
    accounts = [await register_account(client, f"r{n}@example.org") for n in range(4)]
    for account in accounts[:3]:
        await join(client, account)
    recorded: dict[str, list[str]] = {account.email: [] for account in accounts}
    for step in range(24):
        account = rng.choice(accounts)
        events = [
            project(f"s{step}-{i}", grade=rng.choice([50, 75, 100]))
            | {"occurred_at": days_ago(rng.randrange(45))}  # weeks and months back: late events
            for i in range(rng.randrange(1, 4))
        ]
        await record_events(client, account.headers, events)
        recorded[account.email] += [event["id"] for event in events]
        if step % 6 == 5:  # void one of the learner's events
            voided = await client.post(
                f"/api/events/{recorded[account.email].pop(0)}/void", headers=account.headers
            )
            assert voided.status_code == 201, voided.text
        if step == 12:
            await join(client, accounts[3])
        await assert_consistent(app, account)
    await assert_consistent(app, *accounts)
