"""Administration: only admins, signed in as people, list and change accounts; at least one
active admin always stays; a disabled account loses every way in at once and gets it back when
enabled; and the /admin page does the same with plain forms."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from questpath.auth import service
from questpath.db import transaction
from tests.auth.test_routes import bearer, create_key
from tests.helpers import (
    ADMIN_PASSWORD,
    PASSWORD,
    Account,
    assert_problem,
    create_admin_account,
    field_errors,
    register_account,
)
from tests.web.browsing import csrf_token, submit

UNKNOWN = "00000000-0000-0000-0000-000000000001"


@pytest.fixture
async def admin(client: httpx.AsyncClient, app: FastAPI) -> Account:
    return await create_admin_account(client, app)


async def patch_user(
    client: httpx.AsyncClient, by: Account, user_id: str, **change: Any
) -> httpx.Response:
    return await client.patch(f"/api/admin/users/{user_id}", json=change, headers=by.headers)


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return await client.post("/api/auth/login", json={"email": email, "password": password})


async def promote(client: httpx.AsyncClient, admin: Account, account: Account) -> Account:
    """Make `account` an admin, and sign it in again (its old token would still work too)."""
    response = await patch_user(client, admin, account.id, role="admin")
    assert response.status_code == 200, response.text
    return account


# Who may administer -----------------------------------------------------------------------------

OPERATIONS = [
    ("GET", "/api/admin/users", None),
    ("PATCH", f"/api/admin/users/{UNKNOWN}", {"role": "mentor"}),
    ("GET", "/api/admin/invites", None),
    ("POST", "/api/admin/invites", {}),
    ("DELETE", f"/api/admin/invites/{UNKNOWN}", None),
]


async def test_learners_mentors_and_api_keys_may_not_administer(
    client: httpx.AsyncClient, admin: Account, learner: Account, other_learner: Account
) -> None:
    assert (await patch_user(client, admin, other_learner.id, role="mentor")).status_code == 200
    admin_key = await create_key(client, admin, ["events:read", "profile:read"])

    for method, path, body in OPERATIONS:
        for headers in (learner.headers, other_learner.headers):
            refused = assert_problem(
                await client.request(method, path, json=body, headers=headers), 403
            )
            assert refused["detail"] == "only admins may do this"
        by_key = await client.request(method, path, json=body, headers=bearer(admin_key["secret"]))
        assert "API keys" in assert_problem(by_key, 403)["detail"]
        assert_problem(await client.request(method, path, json=body), 401)


async def test_an_unknown_account_is_not_found(client: httpx.AsyncClient, admin: Account) -> None:
    assert_problem(await patch_user(client, admin, UNKNOWN, disabled=True), 404)
    assert "role" in field_errors(await patch_user(client, admin, admin.id, role="owner"))
    assert "name" in field_errors(await patch_user(client, admin, admin.id, name="x"))


# Listing accounts -------------------------------------------------------------------------------


async def test_the_account_list_pages_newest_first_and_filters_by_address_and_role(
    client: httpx.AsyncClient, admin: Account
) -> None:
    made = [await register_account(client, f"user{n}@example.com") for n in range(5)]
    assert (await patch_user(client, admin, made[1].id, role="mentor")).status_code == 200
    assert (await login(client, made[0].email)).status_code == 200

    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = await client.get("/api/admin/users", params=params, headers=admin.headers)
        assert page.status_code == 200, page.text
        assert len(page.json()["items"]) <= 2
        seen.extend(page.json()["items"])
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert [row["email"] for row in seen] == [a.email for a in reversed(made)] + [admin.email]
    first = next(row for row in seen if row["email"] == made[0].email)
    assert first["last_sign_in_at"] is not None
    assert first["disabled"] is False
    assert first["disabled_at"] is None
    assert first["display_name"] == "user0"
    assert first["role"] == "learner"
    assert {"id", "created_at", "deletion_due_at"} <= first.keys()
    assert next(row for row in seen if row["email"] == made[4].email)["last_sign_in_at"] is None

    by_prefix = await client.get(
        "/api/admin/users", params={"email": "USER3"}, headers=admin.headers
    )
    assert [row["email"] for row in by_prefix.json()["items"]] == [made[3].email]
    mentors = await client.get("/api/admin/users", params={"role": "mentor"}, headers=admin.headers)
    assert [row["email"] for row in mentors.json()["items"]] == [made[1].email]
    bad = await client.get("/api/admin/users", params={"cursor": "nope"}, headers=admin.headers)
    assert "cursor" in field_errors(bad)


# Roles and the last admin -----------------------------------------------------------------------


async def test_a_new_role_shows_at_once(
    client: httpx.AsyncClient, admin: Account, learner: Account
) -> None:
    response = await patch_user(client, admin, learner.id, role="mentor")
    assert response.status_code == 200, response.text
    assert response.json()["role"] == "mentor"
    me = await client.get("/api/users/me", headers=learner.headers)
    assert me.json()["role"] == "mentor"


async def test_the_last_active_admin_can_neither_step_down_nor_be_disabled(
    client: httpx.AsyncClient, admin: Account, learner: Account
) -> None:
    for change in ({"role": "learner"}, {"disabled": True}, {"role": "mentor", "disabled": True}):
        refused = assert_problem(await patch_user(client, admin, admin.id, **change), 409)
        assert "no active admin" in refused["detail"]
    assert (await patch_user(client, admin, admin.id, role="admin")).status_code == 200

    second = await promote(client, admin, learner)
    # A disabled admin does not count: the other is then the last one.
    assert (await patch_user(client, second, admin.id, disabled=True)).status_code == 200
    assert_problem(await patch_user(client, second, second.id, role="learner"), 409)
    assert (await patch_user(client, second, admin.id, disabled=False)).status_code == 200
    assert_problem(await patch_user(client, admin, admin.id, role="learner"), 401)  # revoked
    signed_in = await login(client, admin.email, ADMIN_PASSWORD)
    admin = Account(admin.id, admin.email, signed_in.json()["access_token"])
    stepped_down = await patch_user(client, admin, admin.id, role="learner")
    assert stepped_down.status_code == 200, stepped_down.text
    assert_problem(await patch_user(client, second, second.id, disabled=True), 409)


async def test_two_admins_demoting_each_other_at_once_leave_one_admin(
    client: httpx.AsyncClient, admin: Account, learner: Account
) -> None:
    second = await promote(client, admin, learner)

    results = await asyncio.gather(
        patch_user(client, admin, second.id, role="learner"),
        patch_user(client, second, admin.id, role="learner"),
    )

    assert sorted(r.status_code for r in results) in ([200, 403], [200, 409]), [
        r.text for r in results
    ]
    users = await client.get("/api/admin/users", params={"role": "admin"}, headers=admin.headers)
    other = await client.get("/api/admin/users", params={"role": "admin"}, headers=second.headers)
    admins = (users if users.status_code == 200 else other).json()["items"]
    assert len(admins) == 1


# Disabling --------------------------------------------------------------------------------------


@pytest.fixture
async def browser(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("198.51.100.20", 40020))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        yield browser


async def test_disabling_ends_tokens_sessions_and_keys_at_once_and_enabling_restores_sign_in(
    client: httpx.AsyncClient, admin: Account, learner: Account, browser: httpx.AsyncClient
) -> None:
    key = bearer((await create_key(client, learner, ["events:read"]))["secret"])
    signed_in = await submit(browser, "/sign-in", {"email": learner.email, "password": PASSWORD})
    assert signed_in.status_code == 303
    assert (await client.get("/api/events", headers=key)).status_code == 200  # cached now
    assert (await browser.get("/settings")).status_code == 200

    disabled = await patch_user(client, admin, learner.id, disabled=True)
    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["disabled"] is True

    assert (
        "revoked"
        in assert_problem(await client.get("/api/events", headers=learner.headers), 401)["detail"]
    )
    assert "disabled" in assert_problem(await client.get("/api/events", headers=key), 403)["detail"]
    assert (await browser.get("/settings")).status_code == 303
    wrong = assert_problem(await login(client, learner.email, "not the password"), 401)
    assert "disabled" not in wrong["detail"]
    assert "disabled" in assert_problem(await login(client, learner.email), 403)["detail"]
    again = await submit(browser, "/sign-in", {"email": learner.email, "password": PASSWORD})
    assert again.status_code == 403
    assert "disabled" in again.text

    enabled = await patch_user(client, admin, learner.id, disabled=False)
    assert enabled.json()["disabled"] is False
    fresh = await login(client, learner.email)
    assert fresh.status_code == 200, fresh.text
    assert (
        await client.get("/api/events", headers=bearer(fresh.json()["access_token"]))
    ).status_code == 200
    assert (await client.get("/api/events", headers=key)).status_code == 200
    assert_problem(await client.get("/api/events", headers=learner.headers), 401)


async def test_create_admin_enables_a_disabled_account_it_promotes(
    app: FastAPI, client: httpx.AsyncClient, admin: Account, learner: Account
) -> None:
    assert (await patch_user(client, admin, learner.id, disabled=True)).status_code == 200

    async with transaction(app.state.sessionmaker) as session:
        _user, created = await service.create_admin(
            session, learner.email, ADMIN_PASSWORD, None, datetime.now(UTC)
        )
        assert not created

    assert (await login(client, learner.email)).status_code == 200


# The admin page ---------------------------------------------------------------------------------


async def _signed_in(browser: httpx.AsyncClient, email: str, password: str) -> None:
    response = await submit(browser, "/sign-in", {"email": email, "password": password})
    assert response.status_code == 303, response.text


async def _post(
    browser: httpx.AsyncClient, url: str, data: dict[str, str] | None = None
) -> httpx.Response:
    page = await browser.get("/admin")
    assert page.status_code == 200, page.text
    return await browser.post(url, data={"csrf_token": csrf_token(page.text), **(data or {})})


async def test_only_admins_see_the_admin_page_and_its_link(
    client: httpx.AsyncClient, admin: Account, learner: Account, browser: httpx.AsyncClient
) -> None:
    anonymous = await browser.get("/admin")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/sign-in")
    await _signed_in(browser, learner.email, PASSWORD)
    assert 'href="/admin"' not in (await browser.get("/settings")).text
    refused = await browser.get("/admin")
    assert refused.status_code == 403
    assert "Only admins may do this" in refused.text
    posted = await browser.post(
        f"/admin/users/{learner.id}/disable", data={"csrf_token": csrf_token(refused.text)}
    )
    assert posted.status_code == 403
    assert (await client.get("/api/users/me", headers=learner.headers)).status_code == 200


async def test_the_admin_page_changes_roles_and_disables_and_enables_accounts(
    client: httpx.AsyncClient, admin: Account, learner: Account, browser: httpx.AsyncClient
) -> None:
    await _signed_in(browser, admin.email, ADMIN_PASSWORD)
    page = await browser.get("/admin")
    assert page.status_code == 200
    assert 'href="/admin" aria-current="page"' in page.text
    assert learner.email in page.text
    assert f'action="/admin/users/{learner.id}/disable"' in page.text

    assert (
        await _post(browser, f"/admin/users/{learner.id}/role", {"role": "mentor"})
    ).status_code == 303
    assert (await client.get("/api/users/me", headers=learner.headers)).json()["role"] == "mentor"
    assert (await _post(browser, f"/admin/users/{learner.id}/disable")).status_code == 303
    assert_problem(await client.get("/api/users/me", headers=learner.headers), 401)
    page = await browser.get("/admin")
    assert f'action="/admin/users/{learner.id}/enable"' in page.text
    assert (await _post(browser, f"/admin/users/{learner.id}/enable")).status_code == 303
    assert (await login(client, learner.email)).status_code == 200

    refused = await _post(browser, f"/admin/users/{admin.id}/disable")
    assert refused.status_code == 303
    shown = await browser.get("/admin")
    assert "no active admin" in shown.text
    assert (await client.get("/api/users/me", headers=admin.headers)).status_code == 200

    filtered = await browser.get("/admin", params={"email": "learner"})
    assert learner.email in filtered.text
    assert admin.email not in filtered.text


async def test_the_admin_page_makes_shows_once_and_revokes_invites(
    app: FastAPI, client: httpx.AsyncClient, admin: Account, browser: httpx.AsyncClient
) -> None:
    app.state.settings.registration = "invite"
    try:
        await _signed_in(browser, admin.email, ADMIN_PASSWORD)
        made = await _post(
            browser, "/admin/invites", {"email": "", "role": "mentor", "expires_in_days": "3"}
        )
        assert made.status_code == 200, made.text
        assert "/sign-up?invite=" in made.text
        listed = await client.get("/api/admin/invites", headers=admin.headers)
        [invite] = listed.json()["items"]
        assert invite["role"] == "mentor"
        assert invite["email"] is None
        later = await browser.get("/admin")
        assert "/sign-up?invite=" not in later.text
        assert f'action="/admin/invites/{invite["id"]}/revoke"' in later.text

        bad = await _post(browser, "/admin/invites", {"email": "nope", "expires_in_days": "500"})
        assert bad.status_code == 422
        assert 'id="f-invite-email-error"' in bad.text
        assert 'id="f-invite-expires_in_days-error"' in bad.text

        assert (await _post(browser, f"/admin/invites/{invite['id']}/revoke")).status_code == 303
        assert (await client.get("/api/admin/invites", headers=admin.headers)).json()["items"] == []
    finally:
        app.state.settings.registration = "open"

    app.state.settings.registration = "closed"
    try:
        assert "Invites" not in (await browser.get("/admin")).text
    finally:
        app.state.settings.registration = "open"
