"""Projection updates that touch many rows at once stay correct."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI

from questpath.auth import repository as users
from questpath.progress.verify import verify
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
    assert await verify(app.state.engine, user, app.state.rules) == []
