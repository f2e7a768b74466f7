"""Projection updates that touch many rows at once, or a whole log that predates them."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlalchemy import text

from questpath.auth import repository as users
from questpath.config import Settings
from questpath.verify import verify
from tests.helpers import Account, post_events

START = datetime(2015, 1, 1, 12, tzinfo=UTC)
RUN = 1500  # active days on each side of the gap
GAP = [RUN, RUN + 1, RUN + 2]  # more missed days than the two freezes a learner can hold


def check_in(day: int) -> dict[str, str]:
    return {
        "id": f"day-{day}",
        "kind": "check_in",
        "occurred_at": (START + timedelta(days=day)).isoformat(),
    }


async def test_a_late_day_joining_two_long_runs_rewrites_every_later_day(
    client: httpx.AsyncClient, app: FastAPI, learner: Account
) -> None:
    days = [d for d in range(2 * RUN + len(GAP)) if d not in GAP]
    for low in range(0, len(days), 1000):
        batch = {"events": [check_in(d) for d in days[low : low + 1000]]}
        assert (await post_events(client, learner.headers, batch)).status_code == 201
    before = (await client.get("/api/progress", headers=learner.headers)).json()
    assert before["longest_streak"] == RUN

    # Joining the runs changes the streak of all RUN days after the gap, more rows than one
    # statement may carry.
    response = await post_events(client, learner.headers, {"events": [check_in(d) for d in GAP]})

    assert response.status_code == 201, response.text
    after = (await client.get("/api/progress", headers=learner.headers)).json()
    assert after["longest_streak"] == 2 * RUN + len(GAP)
    async with app.state.sessionmaker() as session:
        user = await users.get_user(session, uuid.UUID(learner.id))
    assert user is not None
    assert await verify(app.state.engine, user, app.state.ruleset) == []


async def test_migrating_builds_the_progress_of_events_recorded_before_projections(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, learner: Account
) -> None:
    events = [check_in(d) for d in range(10)] + [
        {"id": "ex", "kind": "exercise_completed", "grade": 90, "occurred_at": START.isoformat()}
    ]
    assert (await post_events(client, learner.headers, {"events": events})).status_code == 201
    expected = (await client.get("/api/progress", headers=learner.headers)).json()
    async with app.state.engine.begin() as conn:  # as a database from before projections
        for table in (
            "progress_totals",
            "progress_days",
            "progress_topics",
            "unlocked_achievements",
        ):
            await conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - fixed names
    assert (await client.get("/api/progress", headers=learner.headers)).json()["xp"] == 0

    migrated = await asyncio.to_thread(
        subprocess.run,
        [str(Path(sys.executable).with_name("questpath")), "migrate"],
        env={**os.environ, "QUESTPATH_DATABASE_URL": settings.database_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert migrated.returncode == 0, migrated.stderr
    assert "Built the progress of 1 learner(s)" in migrated.stdout
    rebuilt = (await client.get("/api/progress", headers=learner.headers)).json()
    assert {k: v for k, v in rebuilt.items() if k != "skill_levels"} == {
        k: v for k, v in expected.items() if k != "skill_levels"
    }
