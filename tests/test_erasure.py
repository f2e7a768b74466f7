"""Erasing an account whose deletion came due: every row of the learner goes, in every table,
and nobody else's."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from fastapi import FastAPI
from sqlalchemy import func, insert, select

from questpath.auth.account import DELETION_GRACE
from questpath.auth.models import Invite, LoginFailures
from questpath.config import Settings
from questpath.erasure import erase_due, learner_tables
from questpath.mentors.models import Mentorship
from tests.conftest import mail_settings
from tests.helpers import (
    PASSWORD,
    Account,
    assert_problem,
    create_admin_account,
    local_today,
    read_json,
    register_account,
)
from tests.mentors.test_routes import mentor_for
from tests.servers import SmtpServer
from tests.test_topic_migration import _work_the_track
from tests.web.browsing import submit
from tests.xapi.helpers import query


@pytest.fixture
def settings(database_url: str, tmp_path: Path, smtp: SmtpServer) -> Settings:
    """E-mail on, so that the learner has mailed links too."""
    return mail_settings(database_url, tmp_path, smtp.port)


async def _use_everything(client: httpx.AsyncClient, app: FastAPI, learner: Account) -> None:
    """Give the learner rows in every table that holds learners' data."""
    track = await _work_the_track(client, learner)  # events, progress, tracks, quizzes, reviews
    headers = learner.headers
    calls: list[tuple[str, str, dict[str, Any] | None]] = [
        (
            "POST",
            "/api/goals",
            {"title": "Finish", "target": {"type": "finish_track", "track_id": track["id"]}},
        ),
        (
            "POST",
            "/api/vacations",
            {
                "start_date": str(local_today() + timedelta(days=3)),
                "end_date": str(local_today() + timedelta(days=5)),
            },
        ),
        (
            "PUT",
            "/api/sharing",
            {
                "enabled": True,
                "handle": f"h{learner.id[:8]}",
                "sections": ["tracks"],
                "tracks": [track["id"]],
            },
        ),
        ("POST", f"/api/tracks/{track['id']}/share", None),
        ("PUT", "/api/leaderboard/settings", {"listed": True}),
        ("PUT", "/api/notifications/settings", {"review_reminders": False}),
        ("POST", "/api/cohorts", {"name": "Evening SQL"}),
        ("PUT", "/api/badges/settings", {"publish_all": True}),  # publishes what is unlocked
        # Never delivered here (no worker runs); it stays pending in the outbox.
        (
            "POST",
            "/api/webhooks",
            {"url": "https://93.184.216.34/", "event_types": ["event.recorded"]},
        ),
        ("POST", "/api/events", {"events": [{"kind": "exercise_completed", "topic": "sql"}]}),
        ("POST", "/api/api-keys", {"name": "tutor", "scopes": ["events:read"]}),
        ("POST", "/api/mentor-invites", None),
        ("POST", "/api/xapi/identities", {"openid": f"https://example.com/{learner.id}"}),
    ]
    for method, path, body in calls:
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status_code in (200, 201), f"{path}: {response.text}"
    statement = {
        "actor": {"mbox": f"mailto:{learner.email}"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "object": {"id": "http://example.com/activities/joins"},
    }
    lrs = {**headers, "X-Experience-API-Version": "1.0.3"}
    stored = await client.post("/xapi/statements", json=statement, headers=lrs)
    assert stored.status_code == 200, stored.text
    where = query(activityId="http://example.com/a", agent={"mbox": "mailto:a@example.com"})
    kept = await client.put(f"/xapi/activities/state?{where}&stateId=s", json={}, headers=lrs)
    assert kept.status_code == 204, kept.text
    reset = await client.post("/api/auth/password-reset", json={"email": learner.email})
    assert reset.status_code == 202, reset.text
    wrong = await client.post("/api/auth/login", json={"email": learner.email, "password": "nope"})
    assert_problem(wrong, 401)
    transport = httpx.ASGITransport(app=app, client=("198.51.100.9", 40002))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        signed_in = await submit(
            browser, "/sign-in", {"email": learner.email, "password": PASSWORD}
        )
        assert signed_in.status_code == 303, signed_in.text
    # Two-factor sign-in last: the browser above signed in with the password alone.
    secret = (await client.post("/api/users/me/two-factor", headers=headers)).json()["secret"]
    confirmed = await client.post(
        "/api/users/me/two-factor/confirm", json={"code": pyotp.TOTP(secret).now()}, headers=headers
    )
    assert confirmed.status_code == 200, confirmed.text


async def _rows(app: FastAPI, user_id: str) -> dict[str, int]:
    counts = {}
    async with app.state.engine.connect() as conn:
        for table in learner_tables():
            counts[table.name] = await conn.scalar(
                select(func.count()).select_from(table).where(table.c.user_id == uuid.UUID(user_id))
            )
        counts["users"] = await conn.scalar(
            select(func.count())
            .select_from(table.metadata.tables["users"])
            .where(table.metadata.tables["users"].c.id == uuid.UUID(user_id))
        )
    return counts


async def _failed_sign_ins(app: FastAPI, email: str) -> int:
    async with app.state.engine.connect() as conn:
        return await conn.scalar(
            select(func.count()).select_from(LoginFailures).where(LoginFailures.key.contains(email))
        )


async def test_a_due_deletion_erases_every_row_of_the_learner_and_nobody_else_s(
    app: FastAPI, client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    for account in (learner, other_learner):
        await _use_everything(client, app, account)
    before = await _rows(app, learner.id)
    assert all(before.values()), f"the test leaves tables empty: {before}"
    others = await _rows(app, other_learner.id)
    assert await _failed_sign_ins(app, learner.email)
    badges = (await read_json(client, "/api/badges", learner.headers))["badges"]
    hosted = [badge["url"].removeprefix(app.state.settings.public_url) for badge in badges]
    assert [(await client.get(path)).status_code for path in hosted] == [200] * len(badges)

    asked = await client.post(
        "/api/users/me/deletion", json={"password": PASSWORD}, headers=learner.headers
    )
    assert asked.status_code == 202, asked.text
    now = datetime.now(UTC)
    assert await erase_due(app.state.sessionmaker, now + DELETION_GRACE - timedelta(hours=1)) == 0
    assert await _rows(app, learner.id) == before

    assert await erase_due(app.state.sessionmaker, now + DELETION_GRACE + timedelta(hours=1)) == 1

    assert await _rows(app, learner.id) == dict.fromkeys(before, 0)
    assert await _failed_sign_ins(app, learner.email) == 0
    assert await _rows(app, other_learner.id) == others
    for path in hosted:  # the public badges went with the account
        assert_problem(await client.get(path), 404)
    assert_problem(await client.get("/api/users/me", headers=learner.headers), 401)
    login = {"email": learner.email, "password": PASSWORD}
    assert_problem(await client.post("/api/auth/login", json=login), 401)
    # The address is free again.
    again = await client.post("/api/auth/register", json=login)
    assert again.status_code == 201, again.text


async def test_a_deletion_taken_back_erases_nothing(
    app: FastAPI, client: httpx.AsyncClient, learner: Account
) -> None:
    await client.post(
        "/api/users/me/deletion", json={"password": PASSWORD}, headers=learner.headers
    )
    assert (
        await client.delete("/api/users/me/deletion", headers=learner.headers)
    ).status_code == 204

    later = datetime.now(UTC) + DELETION_GRACE * 2
    assert await erase_due(app.state.sessionmaker, later) == 0
    assert (await client.get("/api/users/me", headers=learner.headers)).status_code == 200


async def test_erasure_drops_the_invites_for_the_address_and_unlinks_those_the_admin_made(
    app: FastAPI, client: httpx.AsyncClient, learner: Account
) -> None:
    admin = await create_admin_account(client, app, password=PASSWORD)
    for email in (None, "someone@example.com"):
        response = await client.post(
            "/api/admin/invites", json={"email": email}, headers=admin.headers
        )
        assert response.status_code == 201, response.text
    async with app.state.engine.begin() as conn:  # made before the learner signed up
        await conn.execute(
            insert(Invite).values(
                id=uuid.uuid4(),
                token_hash="0" * 64,
                email=learner.email,
                role="learner",
                created_at=datetime.now(UTC),
                expires_at=datetime.now(UTC) + timedelta(days=1),
            )
        )
    for account in (learner, admin):
        asked = await client.post(
            "/api/users/me/deletion", json={"password": PASSWORD}, headers=account.headers
        )
        assert asked.status_code == 202, asked.text
        assert await erase_due(app.state.sessionmaker, datetime.now(UTC) + DELETION_GRACE * 2)

    async with app.state.engine.connect() as conn:
        rows = (await conn.execute(select(Invite.id, Invite.email, Invite.created_by))).all()
    assert sorted((row.email or "", row.created_by) for row in rows) == [
        ("", None),
        ("someone@example.com", None),
    ]


async def _mentorships(app: FastAPI) -> set[tuple[str, str]]:
    async with app.state.engine.connect() as conn:
        rows = await conn.execute(select(Mentorship.mentee_id, Mentorship.mentor_id))
        return {(str(row.mentee_id), str(row.mentor_id)) for row in rows}


@pytest.mark.parametrize("erased", ["mentee", "mentor"])
async def test_erasing_either_side_erases_the_mentorship_and_no_other(
    app: FastAPI, client: httpx.AsyncClient, learner: Account, other_learner: Account, erased: str
) -> None:
    third = await register_account(client, "third@example.com")
    await mentor_for(client, learner, other_learner)  # the learner is mentored
    await mentor_for(client, other_learner, learner)  # and mentors
    await mentor_for(client, third, other_learner)
    gone = learner if erased == "mentee" else other_learner
    kept = {(third.id, other_learner.id)} if gone is learner else set()

    asked = await client.post(
        "/api/users/me/deletion", json={"password": PASSWORD}, headers=gone.headers
    )
    assert asked.status_code == 202, asked.text
    assert await erase_due(app.state.sessionmaker, datetime.now(UTC) + DELETION_GRACE * 2) == 1

    assert await _mentorships(app) == kept
