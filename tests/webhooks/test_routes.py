"""Subscribing, reading, changing and deleting webhooks over HTTP, and what is refused."""

from __future__ import annotations

import ipaddress

import httpx
import pytest
from fastapi import FastAPI

from questpath.webhooks.rules import IPAddress
from tests.auth.test_routes import bearer, create_key
from tests.helpers import Account, assert_problem, create_admin_account, field_errors

HOOK = {"url": "https://93.184.216.34/hooks", "event_types": ["event.recorded"]}


async def subscribe(
    client: httpx.AsyncClient, account: Account, body: dict[str, object] | None = None
) -> dict[str, object]:
    response = await client.post("/api/webhooks", json=body or HOOK, headers=account.headers)
    assert response.status_code == 201, response.text
    created: dict[str, object] = response.json()
    return created


async def test_a_subscription_answers_its_secret_once_and_is_listed_without_it(
    client: httpx.AsyncClient, learner: Account
) -> None:
    body = {"url": HOOK["url"], "event_types": ["level.changed", "achievement.unlocked"]}
    created = await subscribe(client, learner, body)
    assert str(created["secret"]).startswith("whsec_")
    assert created["event_types"] == ["achievement.unlocked", "level.changed"]
    assert created["enabled"] is True
    assert created["all_learners"] is False

    listed = (await client.get("/api/webhooks", headers=learner.headers)).json()
    assert [w["id"] for w in listed] == [created["id"]]
    assert "secret" not in listed[0]
    one = await client.get(f"/api/webhooks/{created['id']}", headers=learner.headers)
    assert one.json() == listed[0]


async def test_an_update_changes_what_it_names_and_a_deletion_removes_the_webhook(
    client: httpx.AsyncClient, learner: Account
) -> None:
    created = await subscribe(client, learner)
    path = f"/api/webhooks/{created['id']}"
    changed = await client.patch(
        path,
        json={"event_types": ["streak.broken"], "enabled": False},
        headers=learner.headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["event_types"] == ["streak.broken"]
    assert changed.json()["url"] == HOOK["url"]
    assert changed.json()["enabled"] is False
    assert changed.json()["disabled_reason"] == "disabled by its owner"
    enabled = await client.patch(path, json={"enabled": True}, headers=learner.headers)
    assert enabled.json()["enabled"] is True
    assert enabled.json()["disabled_at"] is None

    rotated = await client.post(f"{path}/rotate-secret", headers=learner.headers)
    assert rotated.json()["secret"] not in (created["secret"], None)

    assert (await client.delete(path, headers=learner.headers)).status_code == 204
    assert_problem(await client.get(path, headers=learner.headers), 404)
    assert (await client.get("/api/webhooks", headers=learner.headers)).json() == []


async def test_another_learner_cannot_see_change_or_delete_a_webhook(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    created = await subscribe(client, learner)
    path = f"/api/webhooks/{created['id']}"
    other = other_learner.headers
    assert_problem(await client.get(path, headers=other), 404)
    assert_problem(await client.patch(path, json={"enabled": False}, headers=other), 404)
    assert_problem(await client.delete(path, headers=other), 404)
    assert_problem(await client.get(f"{path}/deliveries", headers=other), 404)
    assert (await client.get("/api/webhooks", headers=other)).json() == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hooks",
        "http://127.1.2.3:8080/hooks",
        "http://10.0.0.5/hooks",
        "http://192.168.1.1/hooks",
        "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0/hooks",
        "http://[::1]/hooks",
        "http://[::ffff:127.0.0.1]/hooks",
        "http://[fe80::1]/hooks",
        "http://[fd00::1]/hooks",
        "http://localhost/hooks",
        "ftp://93.184.216.34/hooks",
        "https://user:pw@93.184.216.34/hooks",
        "not a url",
        "https:///hooks",
    ],
)
async def test_a_url_that_may_not_be_called_is_refused_naming_the_url(
    client: httpx.AsyncClient, learner: Account, url: str
) -> None:
    response = await client.post(
        "/api/webhooks", json={**HOOK, "url": url}, headers=learner.headers
    )
    assert "url" in field_errors(response)


async def test_a_name_that_resolves_to_a_private_address_is_refused(
    app: FastAPI, client: httpx.AsyncClient, learner: Account
) -> None:
    async def resolver(host: str, port: int) -> list[IPAddress]:
        return [ipaddress.ip_address("93.184.216.34"), ipaddress.ip_address("10.1.2.3")]

    app.state.webhook_resolver = resolver
    # A name with any public address is accepted: deliveries go to that one.
    await subscribe(client, learner, {**HOOK, "url": "https://hooks.example.org/in"})

    async def private(host: str, port: int) -> list[IPAddress]:
        return [ipaddress.ip_address("10.1.2.3")]

    app.state.webhook_resolver = private
    response = await client.post(
        "/api/webhooks",
        json={**HOOK, "url": "https://hooks.example.org/in"},
        headers=learner.headers,
    )
    assert "10.1.2.3 is a private address" in field_errors(response)["url"]


@pytest.mark.parametrize(
    "body",
    [
        {"url": HOOK["url"], "event_types": []},
        {"url": HOOK["url"], "event_types": ["progress.exploded"]},
        {"url": HOOK["url"]},
        {"event_types": ["event.recorded"]},
        {**HOOK, "extra": 1},
    ],
)
async def test_a_bad_body_is_refused_with_a_problem(
    client: httpx.AsyncClient, learner: Account, body: dict[str, object]
) -> None:
    assert_problem(await client.post("/api/webhooks", json=body, headers=learner.headers), 422)


async def test_an_update_to_a_private_url_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, learner: Account
) -> None:
    created = await subscribe(client, learner)
    path = f"/api/webhooks/{created['id']}"
    response = await client.patch(
        path, json={"url": "http://[::ffff:10.0.0.1]/x"}, headers=learner.headers
    )
    assert "url" in field_errors(response)
    assert (await client.get(path, headers=learner.headers)).json()["url"] == HOOK["url"]


async def test_an_unknown_webhook_or_delivery_is_not_found(
    client: httpx.AsyncClient, learner: Account
) -> None:
    created = await subscribe(client, learner)
    missing = "00000000-0000-0000-0000-000000000001"
    assert_problem(await client.get(f"/api/webhooks/{missing}", headers=learner.headers), 404)
    redeliver = f"/api/webhooks/{created['id']}/deliveries/{missing}/redeliver"
    assert_problem(await client.post(redeliver, headers=learner.headers), 404)


async def test_an_admin_s_integration_key_subscribes_to_every_learner_and_a_learner_s_not(
    app: FastAPI, client: httpx.AsyncClient, learner: Account
) -> None:
    admin = await create_admin_account(client, app)
    scopes = ["webhooks:write", "webhooks:read"]
    for account, hears_all in ((admin, True), (learner, False)):
        key = await create_key(client, account, scopes)
        response = await client.post("/api/webhooks", json=HOOK, headers=bearer(key["secret"]))
        assert response.status_code == 201, response.text
        assert response.json()["all_learners"] is hears_all
