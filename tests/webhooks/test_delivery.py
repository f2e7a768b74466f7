"""Deliveries reach a real endpoint on loopback: signed, to the right subscribers, retried
with backoff, disabled after a day of failures, redelivered on request, and never sent to an
address that turned private after subscribing."""

from __future__ import annotations

import asyncio
import ipaddress
import uuid
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update
from standardwebhooks import Webhook

from questpath.auth.models import User
from questpath.config import Settings
from questpath.dependencies import writing
from questpath.webhooks.rules import IPAddress
from questpath.webhooks.worker import DeliveryWorker
from tests.conftest import mail_settings
from tests.helpers import Account, assert_problem, create_admin_account, record_events
from tests.servers import SmtpServer
from tests.webhooks.receiver import Receiver


@pytest.fixture
def settings(database_url: str, tmp_path: Path, smtp: SmtpServer) -> Settings:
    """The receiver listens on loopback, so private addresses are allowed here."""
    return mail_settings(database_url, tmp_path, smtp.port, webhooks_allow_private=True)


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def worker(app: FastAPI, clock: Clock | None = None, **settings: Any) -> DeliveryWorker:
    changed = app.state.settings.model_copy(update=settings)
    return DeliveryWorker(
        partial(writing, app), changed, clock=clock or Clock(), spread=lambda: 0.5
    )


async def subscribe(
    client: httpx.AsyncClient, account: Account, url: str, types: list[str]
) -> dict[str, Any]:
    response = await client.post(
        "/api/webhooks", json={"url": url, "event_types": types}, headers=account.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def deliveries(
    client: httpx.AsyncClient, account: Account, hook: dict[str, Any]
) -> list[dict[str, Any]]:
    response = await client.get(f"/api/webhooks/{hook['id']}/deliveries", headers=account.headers)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def exercise(event_id: str) -> dict[str, Any]:
    return {"id": event_id, "kind": "exercise_completed", "topic": "sql", "grade": 90}


async def test_a_learner_receives_their_own_signals_signed_and_nobody_else_s(
    app: FastAPI,
    client: httpx.AsyncClient,
    learner: Account,
    other_learner: Account,
    endpoint: Receiver,
) -> None:
    hook = await subscribe(client, learner, endpoint.url, ["event.recorded", "level.changed"])
    await record_events(client, learner.headers, [exercise(f"mine-{n}") for n in range(12)])
    await record_events(client, other_learner.headers, [exercise("theirs")])

    assert await worker(app).run_once() > 0

    verifier = Webhook(hook["secret"])
    received = list(endpoint.unique().values())
    bodies = [verifier.verify(r.body, r.headers) for r in received]  # raises if unsigned
    assert {b["data"]["user_id"] for b in bodies} == {learner.id}
    recorded = [b["data"]["event"]["id"] for b in bodies if b["type"] == "event.recorded"]
    assert sorted(recorded) == sorted(f"mine-{n}" for n in range(12))
    level = [b["data"] for b in bodies if b["type"] == "level.changed"]
    assert level
    assert level[0]["from"] == 1
    assert all(r.path == "/hooks" for r in received)
    assert all(r.headers["webhook-id"].startswith("msg_") for r in received)
    with pytest.raises(Exception, match="signature"):
        Webhook("whsec_" + "A" * 32).verify(received[0].body, received[0].headers)

    logged = await deliveries(client, learner, hook)
    assert {d["status"] for d in logged} == {"delivered"}
    assert all(len(d["attempts"]) == 1 for d in logged)
    assert logged[0]["attempts"][0]["status_code"] == 204


async def test_an_admin_subscription_receives_every_learner_s_signals(
    app: FastAPI,
    client: httpx.AsyncClient,
    learner: Account,
    other_learner: Account,
    endpoint: Receiver,
) -> None:
    admin = await create_admin_account(client, app)
    hook = await subscribe(client, admin, endpoint.url, ["event.recorded"])
    assert hook["all_learners"] is True
    await record_events(client, learner.headers, [exercise("a")])
    await record_events(client, other_learner.headers, [exercise("b")])

    await worker(app).run_once()

    bodies = [r.json() for r in endpoint.unique().values()]
    assert {(b["data"]["user_id"], b["data"]["event"]["id"]) for b in bodies} == {
        (learner.id, "a"),
        (other_learner.id, "b"),
    }


async def test_workers_running_at_once_send_each_delivery_once(
    app: FastAPI, client: httpx.AsyncClient, learner: Account, endpoint: Receiver
) -> None:
    await subscribe(client, learner, endpoint.url, ["event.recorded"])
    await record_events(client, learner.headers, [exercise(f"e-{n}") for n in range(30)])
    endpoint.delay = 0.05

    clock = Clock()
    workers = [worker(app, clock) for _ in range(3)]
    while sum(await asyncio.gather(*(w.run_once() for w in workers))):
        pass

    ids = [r.headers["webhook-id"] for r in endpoint.received]
    assert len(ids) == 30
    assert len(set(ids)) == 30


async def test_an_admin_demoted_stops_hearing_other_learners(
    app: FastAPI,
    client: httpx.AsyncClient,
    learner: Account,
    endpoint: Receiver,
) -> None:
    admin = await create_admin_account(client, app)
    hook = await subscribe(client, admin, endpoint.url, ["event.recorded"])
    assert hook["all_learners"] is True
    async with app.state.engine.begin() as conn:
        demoted = update(User).where(User.id == uuid.UUID(admin.id)).values(role="learner")
        await conn.execute(demoted)
    app.state.authenticator.cache.forget_user(uuid.UUID(admin.id))  # as a change of role does

    await record_events(client, learner.headers, [exercise("unheard")])
    await worker(app).run_once()

    assert endpoint.received == []
    shown = await client.get(f"/api/webhooks/{hook['id']}", headers=admin.headers)
    assert shown.json()["all_learners"] is False  # what it receives now: the owner's own


async def test_a_failed_delivery_is_retried_with_growing_waits_until_it_succeeds(
    app: FastAPI, client: httpx.AsyncClient, learner: Account, endpoint: Receiver
) -> None:
    hook = await subscribe(client, learner, endpoint.url, ["event.recorded"])
    await record_events(client, learner.headers, [exercise("retry-me")])
    clock = Clock()
    sender = worker(app, clock)
    endpoint.status = 503

    assert await sender.run_once() == 1
    clock.now += timedelta(seconds=29)
    assert await sender.run_once() == 0  # not due yet: the first wait is 30 s
    clock.now += timedelta(seconds=2)
    assert await sender.run_once() == 1
    clock.now += timedelta(seconds=59)
    assert await sender.run_once() == 0  # then 60 s
    endpoint.status = 200
    clock.now += timedelta(seconds=2)
    assert await sender.run_once() == 1

    [delivery] = await deliveries(client, learner, hook)
    assert delivery["status"] == "delivered"
    assert [a["status_code"] for a in delivery["attempts"]] == [503, 503, 200]
    assert len({r.headers["webhook-id"] for r in endpoint.received}) == 1
    assert len(endpoint.received) == 3


async def test_a_webhook_failing_for_a_day_is_disabled_and_its_owner_told(
    app: FastAPI,
    client: httpx.AsyncClient,
    learner: Account,
    endpoint: Receiver,
    smtp: SmtpServer,
) -> None:
    hook = await subscribe(client, learner, endpoint.url, ["event.recorded"])
    await record_events(client, learner.headers, [exercise("doomed")])
    clock = Clock()
    start = clock.now
    sender = worker(app, clock)
    endpoint.status = 500

    attempts = 0
    while attempts < 100 and await sender.run_once():
        attempts += 1
        [delivery] = await deliveries(client, learner, hook)
        if delivery["status"] != "pending":
            break
        clock.now = datetime.fromisoformat(delivery["next_attempt_at"])

    assert delivery["status"] == "failed"
    assert 10 < len(delivery["attempts"]) < 30
    assert clock.now - start <= timedelta(hours=24)
    assert clock.now - start > timedelta(hours=20)
    read = (await client.get(f"/api/webhooks/{hook['id']}", headers=learner.headers)).json()
    assert read["enabled"] is False
    assert "HTTP 500" in read["disabled_reason"]
    [mail] = smtp.mailbox.to(learner.email)
    assert endpoint.url in mail.get_content()

    # Nothing new is queued for a disabled webhook; enabling it again starts afresh.
    await record_events(client, learner.headers, [exercise("while-off")])
    assert len(await deliveries(client, learner, hook)) == 1
    enabled = await client.patch(
        f"/api/webhooks/{hook['id']}", json={"enabled": True}, headers=learner.headers
    )
    assert enabled.json()["enabled"] is True


async def test_a_redelivery_sends_the_same_message_again_once(
    app: FastAPI, client: httpx.AsyncClient, learner: Account, endpoint: Receiver
) -> None:
    hook = await subscribe(client, learner, endpoint.url, ["event.recorded"])
    await record_events(client, learner.headers, [exercise("again")])
    clock = Clock()
    sender = worker(app, clock)
    await sender.run_once()
    [delivery] = await deliveries(client, learner, hook)

    path = f"/api/webhooks/{hook['id']}/deliveries/{delivery['id']}/redeliver"
    endpoint.status = 500
    asked = await client.post(path, headers=learner.headers)
    assert asked.status_code == 202, asked.text
    assert asked.json()["status"] == "pending"
    clock.now = datetime.now(UTC)
    assert await sender.run_once() == 1
    clock.now += timedelta(hours=1)
    assert await sender.run_once() == 0  # a redelivery is one attempt, not a new retry series

    first, second = endpoint.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery["message_id"]
    assert first.body == second.body
    [after] = await deliveries(client, learner, hook)
    assert after["status"] == "failed"
    assert [a["status_code"] for a in after["attempts"]] == [204, 500]
    read = (await client.get(f"/api/webhooks/{hook['id']}", headers=learner.headers)).json()
    assert read["enabled"] is True  # one failed redelivery disables nothing


async def test_an_address_that_turned_private_is_refused_at_delivery_time(
    app: FastAPI, client: httpx.AsyncClient, learner: Account, endpoint: Receiver
) -> None:
    hook = await subscribe(client, learner, endpoint.url, ["event.recorded"])
    await record_events(client, learner.headers, [exercise("rebound")])

    await worker(app, webhooks_allow_private=False).run_once()

    assert endpoint.received == []
    [delivery] = await deliveries(client, learner, hook)
    assert delivery["status"] == "pending"
    assert "127.0.0.1 is a loopback address" in delivery["attempts"][0]["error"]


async def test_a_name_rebound_to_loopback_after_subscribing_is_refused(
    app: FastAPI, client: httpx.AsyncClient, learner: Account, endpoint: Receiver
) -> None:
    answers = {"hooks.example.org": "93.184.216.34"}

    async def dns(host: str, port: int) -> list[IPAddress]:
        return [ipaddress.ip_address(answers[host])]

    app.state.webhook_resolver = dns
    url = f"http://hooks.example.org:{endpoint.port}/hooks"
    hook = await subscribe(client, learner, url, ["event.recorded"])
    await record_events(client, learner.headers, [exercise("rebound")])
    answers["hooks.example.org"] = "127.0.0.1"
    sender = DeliveryWorker(
        partial(writing, app),
        app.state.settings.model_copy(update={"webhooks_allow_private": False}),
        resolver=dns,
    )

    await sender.run_once()

    assert endpoint.received == []
    [delivery] = await deliveries(client, learner, hook)
    assert "refused" in delivery["attempts"][0]["error"]


async def test_a_delivery_connects_to_the_checked_address_and_names_the_host(
    app: FastAPI, client: httpx.AsyncClient, learner: Account, endpoint: Receiver
) -> None:
    async def dns(host: str, port: int) -> list[IPAddress]:
        assert host == "hooks.internal.test"
        return [ipaddress.ip_address("127.0.0.1")]

    app.state.webhook_resolver = dns
    url = f"http://hooks.internal.test:{endpoint.port}/hooks?team=7"
    await subscribe(client, learner, url, ["event.recorded"])
    await record_events(client, learner.headers, [exercise("named")])

    sender = DeliveryWorker(partial(writing, app), app.state.settings, resolver=dns)
    await sender.run_once()

    [request] = endpoint.received
    assert request.headers["host"] == f"hooks.internal.test:{endpoint.port}"
    assert request.path == "/hooks?team=7"


async def test_a_rotated_secret_signs_what_is_sent_after_it(
    app: FastAPI, client: httpx.AsyncClient, learner: Account, endpoint: Receiver
) -> None:
    hook = await subscribe(client, learner, endpoint.url, ["event.recorded"])
    await record_events(client, learner.headers, [exercise("after-rotation")])
    rotate = f"/api/webhooks/{hook['id']}/rotate-secret"
    rotated = await client.post(rotate, headers=learner.headers)

    await worker(app).run_once()

    [message] = endpoint.received
    assert Webhook(rotated.json()["secret"]).verify(message.body, message.headers)
    with pytest.raises(Exception, match="signature"):
        Webhook(hook["secret"]).verify(message.body, message.headers)


async def test_a_disabled_webhook_sends_nothing_and_refuses_a_redelivery(
    app: FastAPI, client: httpx.AsyncClient, learner: Account, endpoint: Receiver
) -> None:
    hook = await subscribe(client, learner, endpoint.url, ["event.recorded"])
    await record_events(client, learner.headers, [exercise("held")])
    path = f"/api/webhooks/{hook['id']}"
    await client.patch(path, json={"enabled": False}, headers=learner.headers)

    assert await worker(app).run_once() == 0
    [delivery] = await deliveries(client, learner, hook)
    redeliver = f"{path}/deliveries/{delivery['id']}/redeliver"
    assert_problem(await client.post(redeliver, headers=learner.headers), 409)

    await client.patch(path, json={"enabled": True}, headers=learner.headers)
    assert await worker(app).run_once() == 1
    assert [r.json()["data"]["event"]["id"] for r in endpoint.received] == ["held"]
