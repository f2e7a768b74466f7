"""Concurrent writers for one learner leave projections equal to a recomputation from the log."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI

from questpath.auth import repository as users
from questpath.verify import verify
from tests.helpers import Account, post_events

START = datetime(2025, 3, 1, 12, tzinfo=UTC)


def exercise(n: int) -> dict[str, object]:
    return {
        "id": f"ex-{n}",
        "kind": "exercise_completed",
        "occurred_at": (START + timedelta(days=n % 23)).isoformat(),
        "topic": ["python", "sql", "rust"][n % 3],
        "grade": (n * 37) % 101,
        "hints_used": n % 3,
        "time_spent_seconds": 60 * (n % 11),
    }


async def test_concurrent_requests_for_one_learner_count_each_event_once(
    client: httpx.AsyncClient, app: FastAPI, learner: Account
) -> None:
    # Singles and overlapping batches race each other; ids repeat across requests.
    singles = [post_events(client, learner.headers, exercise(n)) for n in range(40)]
    batches = [
        post_events(client, learner.headers, {"events": [exercise(n) for n in range(k, k + 15)]})
        for k in range(0, 60, 10)
    ]
    responses = await asyncio.gather(*singles, *batches)

    assert all(r.status_code == 201 for r in responses), [r.text for r in responses]
    assert sum(r.json()["created"] for r in responses) == 65  # ids ex-0 .. ex-64
    progress = (await client.get("/api/progress", headers=learner.headers)).json()
    assert progress["exercises_completed"] == 65
    unlocked = [a["id"] for r in responses for a in r.json()["achievements_unlocked"]]
    assert len(unlocked) == len(set(unlocked)), "an achievement was reported twice"
    async with app.state.sessionmaker() as session:
        user = await users.get_user(session, uuid.UUID(learner.id))
    assert user is not None
    assert await verify(app.state.engine, user, app.state.ruleset) == []
