"""Who may sign up: anyone (open), people with an admin's invite (invite), or nobody (closed),
in the API and on the sign-up and sign-in pages; and an invite's life: single use, also under
concurrent sign-ups, expiry, and an address it may be bound to."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI

from questpath.clock import request_time
from questpath.config import Settings
from tests.auth.test_routes import bearer, run_cli
from tests.helpers import (
    PASSWORD,
    Account,
    assert_problem,
    create_admin_account,
    field_errors,
    table_values,
)
from tests.web.browsing import submit


@pytest.fixture
def invite_only(settings: Settings) -> Iterator[None]:
    settings.registration = "invite"
    yield
    settings.registration = "open"


@pytest.fixture
def closed(settings: Settings) -> Iterator[None]:
    settings.registration = "closed"
    yield
    settings.registration = "open"


@pytest.fixture
async def admin(client: httpx.AsyncClient, app: FastAPI) -> Account:
    return await create_admin_account(client, app)


async def make_invite(client: httpx.AsyncClient, admin: Account, **body: Any) -> dict[str, Any]:
    response = await client.post("/api/admin/invites", json=body, headers=admin.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def register(
    client: httpx.AsyncClient, email: str, invite: str | None = None
) -> httpx.Response:
    body = {"email": email, "password": PASSWORD}
    if invite is not None:
        body["invite"] = invite
    return await client.post("/api/auth/register", json=body)


# Open -------------------------------------------------------------------------------------------


async def test_open_registration_needs_no_invite_and_the_sign_in_page_offers_sign_up(
    client: httpx.AsyncClient,
) -> None:
    assert (await register(client, "ada@example.com")).status_code == 201
    page = await client.get("/sign-in")
    assert 'href="/sign-up"' in page.text


async def test_an_invite_used_while_registration_is_open_gives_its_role(
    client: httpx.AsyncClient, admin: Account
) -> None:
    invite = await make_invite(client, admin, role="mentor")

    response = await register(client, "mentor@example.com", invite["token"])

    assert response.status_code == 201, response.text
    assert response.json()["user"]["role"] == "mentor"


# Closed -----------------------------------------------------------------------------------------


async def test_closed_registration_refuses_the_api_and_the_sign_up_page(
    app: FastAPI, client: httpx.AsyncClient, admin: Account, closed: None
) -> None:
    invite = await make_invite(client, admin)

    for token in (None, invite["token"]):
        refused = assert_problem(await register(client, "ada@example.com", token), 403)
        assert "closed" in refused["detail"]
    page = await client.get("/sign-up")
    assert page.status_code == 403
    assert "Sign-up is closed" in page.text
    assert '<form method="post" action="/sign-up"' not in page.text
    posted = await submit(client, "/sign-up", {"email": "ada@example.com", "password": PASSWORD})
    assert posted.status_code == 403
    sign_in = await client.get("/sign-in")
    assert sign_in.status_code == 200
    assert "/sign-up" not in sign_in.text
    assert "ada@example.com" not in await table_values(app, "users")


# By invitation ----------------------------------------------------------------------------------


async def test_invite_registration_refuses_a_missing_or_unknown_invite_naming_the_field(
    client: httpx.AsyncClient, invite_only: None
) -> None:
    missing = field_errors(await register(client, "ada@example.com"))
    assert "invitation" in missing["invite"]
    unknown = field_errors(await register(client, "ada@example.com", "not-a-real-token"))
    assert "not valid" in unknown["invite"]
    page = await client.get("/sign-in")
    assert 'href="/sign-up"' not in page.text
    assert "by invitation" in page.text


async def test_an_invite_signs_up_once_and_its_token_is_stored_only_as_a_hash(
    app: FastAPI, client: httpx.AsyncClient, admin: Account, invite_only: None
) -> None:
    invite = await make_invite(client, admin)
    assert invite["status"] == "pending"
    assert invite["token"] not in await table_values(app, "invites")
    assert urlsplit(invite["url"]).path == "/sign-up"
    assert parse_qs(urlsplit(invite["url"]).query) == {"invite": [invite["token"]]}

    first = await register(client, "ada@example.com", invite["token"])
    assert first.status_code == 201, first.text
    assert first.json()["user"]["role"] == "learner"
    again = field_errors(await register(client, "bob@example.com", invite["token"]))
    assert "used already" in again["invite"]

    listed = await client.get("/api/admin/invites", headers=admin.headers)
    [row] = listed.json()["items"]
    assert row["status"] == "used"
    assert row["used_at"] is not None
    assert "token" not in row


async def test_a_refused_sign_up_leaves_the_invite_unused(
    client: httpx.AsyncClient, admin: Account, invite_only: None
) -> None:
    invite = await make_invite(client, admin)

    weak = await client.post(
        "/api/auth/register",
        json={"email": "ada@example.com", "password": "password1", "invite": invite["token"]},
    )
    assert "password" in field_errors(weak)
    taken = await register(client, admin.email, invite["token"])
    assert_problem(taken, 409)

    assert (await register(client, "ada@example.com", invite["token"])).status_code == 201


async def test_parallel_sign_ups_with_one_invite_create_exactly_one_account(
    app: FastAPI, client: httpx.AsyncClient, admin: Account, invite_only: None
) -> None:
    invite = await make_invite(client, admin)

    responses = await asyncio.gather(
        *(register(client, f"racer{n}@example.com", invite["token"]) for n in range(6))
    )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [422] * 5, [r.text for r in responses]
    for response in responses:
        if response.status_code == 422:
            assert "used already" in field_errors(response)["invite"]
    users = await client.get("/api/admin/users", params={"email": "racer"}, headers=admin.headers)
    assert len(users.json()["items"]) == 1


async def test_an_invite_expires_after_its_days(
    app: FastAPI, client: httpx.AsyncClient, admin: Account, invite_only: None
) -> None:
    default = await make_invite(client, admin)
    short = await make_invite(client, admin, expires_in_days=1)
    for invite, days in ((default, 7), (short, 1)):
        made = datetime.fromisoformat(invite["created_at"])
        assert datetime.fromisoformat(invite["expires_at"]) - made == timedelta(days=days)

    async def two_days_on() -> datetime:
        return datetime.now(UTC) + timedelta(days=2)

    app.dependency_overrides[request_time] = two_days_on
    try:
        expired = field_errors(await register(client, "ada@example.com", short["token"]))
        assert "expired" in expired["invite"]
        listed = await client.get("/api/admin/invites", headers=admin.headers)
        statuses = {row["id"]: row["status"] for row in listed.json()["items"]}
        assert statuses == {short["id"]: "expired", default["id"]: "pending"}
        assert (await register(client, "ada@example.com", default["token"])).status_code == 201
    finally:
        app.dependency_overrides.pop(request_time, None)


async def test_an_invite_for_an_address_signs_up_only_that_address(
    client: httpx.AsyncClient, admin: Account, invite_only: None
) -> None:
    invite = await make_invite(client, admin, email="Ada@Example.com", role="mentor")
    assert invite["email"] == "ada@example.com"

    other = field_errors(await register(client, "eve@example.com", invite["token"]))
    assert "another e-mail address" in other["invite"]
    response = await register(client, "ADA@example.com", invite["token"])
    assert response.status_code == 201, response.text
    assert response.json()["user"]["role"] == "mentor"


async def test_an_invite_for_an_address_that_has_an_account_is_a_conflict(
    client: httpx.AsyncClient, admin: Account
) -> None:
    response = await client.post(
        "/api/admin/invites", json={"email": admin.email.upper()}, headers=admin.headers
    )
    assert "email" in {e["field"] for e in assert_problem(response, 409)["errors"]}


async def test_a_revoked_invite_no_longer_signs_up(
    client: httpx.AsyncClient, admin: Account, invite_only: None
) -> None:
    invite = await make_invite(client, admin)

    gone = await client.delete(f"/api/admin/invites/{invite['id']}", headers=admin.headers)
    assert gone.status_code == 204
    assert (
        "not valid"
        in field_errors(await register(client, "a@example.com", invite["token"]))["invite"]
    )
    again = await client.delete(f"/api/admin/invites/{invite['id']}", headers=admin.headers)
    assert_problem(again, 404)


async def test_invite_fields_are_checked_by_name(client: httpx.AsyncClient, admin: Account) -> None:
    for body, field in (
        ({"expires_in_days": 0}, "expires_in_days"),
        ({"expires_in_days": 91}, "expires_in_days"),
        ({"role": "owner"}, "role"),
        ({"email": "not an address"}, "email"),
        ({"uses": 3}, "uses"),
    ):
        response = await client.post("/api/admin/invites", json=body, headers=admin.headers)
        assert field in field_errors(response), (body, response.text)


# The sign-up page with an invite ----------------------------------------------------------------


async def test_the_sign_up_page_carries_the_invite_through_its_form(
    client: httpx.AsyncClient, admin: Account, invite_only: None
) -> None:
    without = await client.get("/sign-up")
    assert without.status_code == 403
    assert "by invitation" in without.text
    invite = await make_invite(client, admin)
    page = await client.get(invite["url"])
    assert page.status_code == 200
    assert f'name="invite" value="{invite["token"]}"' in page.text

    data = {"email": "ada@example.com", "password": PASSWORD, "invite": invite["token"]}
    signed_up = await submit(client, "/sign-up", data)
    assert signed_up.status_code == 303, signed_up.text
    assert (await client.get("/settings")).status_code == 200

    async with httpx.AsyncClient(
        transport=client._transport, base_url="http://testserver"
    ) as stranger:
        reused = await submit(stranger, "/sign-up", {**data, "email": "bob@example.com"})
    assert reused.status_code == 422
    assert "used already" in reused.text


async def test_the_command_line_creates_accounts_while_sign_up_is_closed(
    client: httpx.AsyncClient, settings: Settings, closed: None
) -> None:
    made = await run_cli(
        settings, "user", "create", "Bob@Example.com", "--role", "mentor", "--password", PASSWORD
    )
    assert made.returncode == 0, made.stderr
    assert "Created mentor bob@example.com" in made.stdout
    signed_in = await client.post(
        "/api/auth/login", json={"email": "bob@example.com", "password": PASSWORD}
    )
    assert signed_in.status_code == 200, signed_in.text
    me = await client.get("/api/users/me", headers=bearer(signed_in.json()["access_token"]))
    assert me.json()["role"] == "mentor"

    for args, message in (
        (("bob@example.com",), "Error: email: an account with this e-mail already exists"),
        (("eve@example.com", "--role", "owner"), "Error: role: must be one of"),
        (("not an address",), "Error: email"),
    ):
        refused = await run_cli(settings, "user", "create", *args, "--password", PASSWORD)
        assert refused.returncode == 1, refused.stdout
        assert message in refused.stderr
        assert "Traceback" not in refused.stderr
