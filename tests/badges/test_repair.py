"""An achievement a repair unlocks (its row was missing) is published like any other unlock."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
from fastapi import FastAPI
from sqlalchemy import delete

from questpath.auth.models import User
from questpath.db import transaction
from questpath.progress.models import UnlockedAchievement
from questpath.verify import repair
from tests.badges.test_routes import exercise
from tests.helpers import Account, projection_differences, read_json, record_events


async def test_an_achievement_unlocked_by_a_repair_is_published_for_publish_all(
    client: httpx.AsyncClient, app: FastAPI, learner: Account
) -> None:
    await record_events(client, learner.headers, [exercise()])
    async with transaction(app.state.sessionmaker) as session:
        # By hand: the row that says the learner unlocked it is lost.
        await session.execute(delete(UnlockedAchievement))
    turned_on = await client.put(
        "/api/badges/settings", json={"publish_all": True}, headers=learner.headers
    )
    assert turned_on.status_code == 200, turned_on.text
    assert await read_json(client, "/api/badges", learner.headers) == {"badges": []}

    async with transaction(app.state.sessionmaker) as session:
        user = await session.get(User, uuid.UUID(learner.id))
        assert user is not None
        await repair(session, user, app.state.ruleset, datetime.now(UTC))
    listing = await read_json(client, "/api/badges", learner.headers)

    assert [b["achievement"] for b in listing["badges"]] == ["first-exercise"]
    assert await projection_differences(app, learner) == []
