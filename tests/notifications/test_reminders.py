"""Reminders on the learner's clock: a streak at risk in the evening, reviews due in the morning,
and the optional e-mail digest, made by the sweep every server process runs."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI

from questpath.config import Settings
from questpath.dependencies import writing
from questpath.notifications.reminders import ReminderSweeper
from tests.conftest import mail_settings
from tests.helpers import (
    Account,
    days_ago,
    local_today,
    read_json,
    record_events,
    register_account,
    set_timezone,
)
from tests.servers import SmtpServer

ZONE = "America/New_York"


def sweeper(app: FastAPI, at: datetime) -> ReminderSweeper:
    return ReminderSweeper(
        partial(writing, app), app.state.settings, app.state.ruleset, clock=lambda: at
    )


def on_clock(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), ZoneInfo(ZONE))


async def kinds(client: httpx.AsyncClient, account: Account) -> list[dict[str, Any]]:
    body = await read_json(client, "/api/notifications", account.headers)
    return [i for i in body["items"] if i["kind"] in ("streak.at_risk", "reviews.due")]


async def active_yesterday(client: httpx.AsyncClient, email: str = "ny@example.com") -> Account:
    account = await register_account(client, email)
    await set_timezone(client, account, ZONE)
    event = {"id": "e1", "kind": "exercise_completed", "occurred_at": days_ago(1, ZONE)}
    await record_events(client, account.headers, [event])
    return account


async def test_a_streak_at_risk_is_told_once_in_the_learners_evening(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    ada = await active_yesterday(client)
    today = local_today(ZONE)

    assert await sweeper(app, on_clock(today, 18, 59)).sweep() == 0
    assert await kinds(client, ada) == []
    assert await sweeper(app, on_clock(today, 19, 1)).sweep() == 1
    assert await sweeper(app, on_clock(today, 21)).sweep() == 0  # once a day

    [told] = await kinds(client, ada)
    assert told["kind"] == "streak.at_risk"
    assert told["data"] == {"streak": 1, "day": today.isoformat()}
    assert told["link"] == "/log"


async def test_processes_sweeping_at_once_tell_a_learner_once(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    ada = await active_yesterday(client)
    evening = on_clock(local_today(ZONE), 20)
    made = await asyncio.gather(*(sweeper(app, evening).sweep() for _ in range(3)))
    assert sum(made) == 1
    assert len(await kinds(client, ada)) == 1


async def test_no_streak_reminder_once_active_today_or_when_turned_off(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    ada = await active_yesterday(client)
    bo = await active_yesterday(client, "bo@example.com")
    today_event = {"id": "e2", "kind": "exercise_completed", "occurred_at": days_ago(0, ZONE)}
    await record_events(client, ada.headers, [today_event])
    off = await client.put(
        "/api/notifications/settings", json={"streak_reminders": False}, headers=bo.headers
    )
    assert off.status_code == 200

    assert await sweeper(app, on_clock(local_today(ZONE), 22)).sweep() == 0
    assert await kinds(client, ada) == await kinds(client, bo) == []


async def test_due_review_cards_are_told_in_the_morning(
    app: FastAPI, client: httpx.AsyncClient, learner: Account
) -> None:
    await set_timezone(client, learner, ZONE)
    question = await client.post(
        "/api/questions",
        json={
            "type": "short_answer",
            "prompt": "What does SQL stand for?",
            "answer": {"accepted": ["Structured Query Language"]},
            "topic": "sql",
        },
        headers=learner.headers,
    )
    assert question.status_code == 201, question.text
    reviewed = await client.post(
        f"/api/reviews/{question.json()['id']}", json={"rating": "good"}, headers=learner.headers
    )
    assert reviewed.status_code == 200, reviewed.text
    later = local_today(ZONE) + timedelta(days=90)

    assert await sweeper(app, on_clock(later, 8, 59)).sweep() == 0
    assert await sweeper(app, on_clock(later, 9)).sweep() == 1

    [told] = await kinds(client, learner)
    assert told["data"] == {"count": 1, "day": later.isoformat()}
    assert told["title"] == "1 review card is due"


class TestDigest:
    @pytest.fixture
    def settings(self, database_url: str, tmp_path: Path, smtp: SmtpServer) -> Settings:
        return mail_settings(database_url, tmp_path, smtp.port)

    async def test_the_digest_mails_the_unread_ones_each_morning_once(
        self, app: FastAPI, client: httpx.AsyncClient, smtp: SmtpServer
    ) -> None:
        ada = await active_yesterday(client)
        on = await client.put(
            "/api/notifications/settings", json={"email_digest": True}, headers=ada.headers
        )
        assert on.json()["email_digest"] is True
        unread = (await read_json(client, "/api/notifications", ada.headers))["items"]
        assert unread
        morning = on_clock(local_today(ZONE), 9, 30)

        await sweeper(app, morning).sweep()
        await sweeper(app, morning + timedelta(hours=2)).sweep()

        [mail] = smtp.mailbox.to("ny@example.com")
        body = mail.get_content()
        assert mail["Subject"] == f"QuestPath: your day, {local_today(ZONE).isoformat()}"
        for item in unread:
            assert item["title"] in body
        assert "/settings/notifications" in body

    async def test_nothing_unread_sends_no_digest(
        self, app: FastAPI, client: httpx.AsyncClient, smtp: SmtpServer
    ) -> None:
        ada = await active_yesterday(client)
        await client.put(
            "/api/notifications/settings", json={"email_digest": True}, headers=ada.headers
        )
        await client.post("/api/notifications/read", json={}, headers=ada.headers)
        await sweeper(app, on_clock(local_today(ZONE), 10)).sweep()
        assert smtp.mailbox.to("ny@example.com") == []
