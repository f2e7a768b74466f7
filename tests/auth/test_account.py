"""An account's security: a new password, browser sessions, signing out everywhere, and
deleting the account after its grace period, in the API and on the account page."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI

from questpath.auth.account import DELETION_GRACE
from tests.helpers import PASSWORD, Account, assert_problem, field_errors, register_account
from tests.web.browsing import csrf_token, page_token, sign_up, submit

NEW_PASSWORD = "a brand new passphrase"
EMAIL = "ada@example.com"

Browser = Callable[[str], AsyncIterator[httpx.AsyncClient]]


@pytest.fixture
def browser(app: FastAPI) -> Callable[..., object]:
    """`async with browser("Firefox") as b`: another browser, signed in as Ada."""

    @asynccontextmanager
    async def open_browser(user_agent: str) -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=app, client=("198.51.100.8", 40001))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", headers={"User-Agent": user_agent}
        ) as client:
            response = await submit(client, "/sign-in", {"email": EMAIL, "password": PASSWORD})
            assert response.status_code == 303, response.text
            yield client

    return open_browser


async def _signed_in(client: httpx.AsyncClient) -> bool:
    response = await client.get("/settings")
    assert response.status_code in (200, 303)
    return response.status_code == 200


async def _login(client: httpx.AsyncClient, password: str) -> httpx.Response:
    return await client.post("/api/auth/login", json={"email": EMAIL, "password": password})


async def _token(client: httpx.AsyncClient) -> Account:
    response = await _login(client, PASSWORD)
    assert response.status_code == 200, response.text
    me = await client.get(
        "/api/users/me", headers={"Authorization": f"Bearer {response.json()['access_token']}"}
    )
    return Account(me.json()["id"], EMAIL, response.json()["access_token"])


async def _api_key(client: httpx.AsyncClient, ada: Account) -> dict[str, str]:
    response = await client.post(
        "/api/api-keys", json={"name": "tutor", "scopes": ["events:read"]}, headers=ada.headers
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['secret']}"}


def assert_problem_422(response: httpx.Response) -> httpx.Response:
    assert_problem(response, 422)
    return response


async def _works(client: httpx.AsyncClient, headers: dict[str, str]) -> bool:
    response = await client.get("/api/events", headers=headers)
    assert response.status_code in (200, 401), response.text
    return response.status_code == 200


# A new password ---------------------------------------------------------------------------------


async def test_a_new_password_revokes_every_access_token_and_browser_but_not_api_keys(
    client: httpx.AsyncClient, browser: Browser
) -> None:
    ada = await register_account(client, EMAIL)
    second = await _token(client)
    key = await _api_key(client, ada)
    async with browser("Firefox") as firefox, browser("Safari") as safari:
        response = await client.post(
            "/api/users/me/password",
            json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
            headers=ada.headers,
        )
        assert response.status_code == 200, response.text
        fresh = {"Authorization": f"Bearer {response.json()['access_token']}"}

        for old in (ada, second):
            refused = assert_problem(await client.get("/api/events", headers=old.headers), 401)
            assert "revoked" in refused["detail"]
        assert await _works(client, fresh)
        assert await _works(client, key)
        assert not await _signed_in(firefox)
        assert not await _signed_in(safari)
    assert_problem(await _login(client, PASSWORD), 401)
    assert (await _login(client, NEW_PASSWORD)).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"current_password": "not my password", "new_password": NEW_PASSWORD}, "current_password"),
        ({"current_password": PASSWORD, "new_password": "short"}, "new_password"),
        ({"current_password": PASSWORD, "new_password": "password1234"}, "new_password"),
        ({"current_password": PASSWORD, "new_password": PASSWORD}, "new_password"),
        ({"current_password": PASSWORD}, "new_password"),
    ],
)
async def test_a_refused_password_change_names_the_field_and_changes_nothing(
    client: httpx.AsyncClient, body: dict[str, str], field: str
) -> None:
    ada = await register_account(client, EMAIL)

    response = await client.post("/api/users/me/password", json=body, headers=ada.headers)

    assert_problem(response, 422)
    assert field in field_errors(response)
    assert await _works(client, ada.headers)
    assert (await _login(client, PASSWORD)).status_code == 200


async def test_changing_the_password_on_the_page_keeps_only_this_browser_signed_in(
    client: httpx.AsyncClient, browser: Browser
) -> None:
    await sign_up(client, EMAIL)
    async with browser("Firefox") as firefox:
        wrong = await submit(
            client,
            "/settings/account/password",
            {"current_password": "not it at all", "new_password": NEW_PASSWORD},
            form_page="/settings/account",
        )
        assert wrong.status_code == 422
        assert "is not this account&#39;s password" in wrong.text.lower()
        assert await _signed_in(firefox)

        changed = await submit(
            client,
            "/settings/account/password",
            {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
            form_page="/settings/account",
        )
        assert changed.status_code == 303
        assert await _signed_in(client)
        assert not await _signed_in(firefox)


# Sessions and signing out everywhere ------------------------------------------------------------


async def test_the_sessions_list_names_each_browser_and_ends_one(
    client: httpx.AsyncClient, browser: Browser
) -> None:
    ada = await register_account(client, EMAIL)
    async with browser("Firefox/128.0") as firefox, browser("Safari/17.4") as safari:
        listed = await client.get("/api/users/me/sessions", headers=ada.headers)
        assert listed.status_code == 200, listed.text
        sessions = {s["user_agent"]: s for s in listed.json()["items"]}
        assert sessions.keys() == {"Firefox/128.0", "Safari/17.4"}
        assert not any(s["current"] for s in sessions.values())

        page = await firefox.get("/settings/account")
        assert "Firefox/128.0</span> <strong>(this browser)</strong>" in page.text
        assert "Safari/17.4" in page.text

        ended = await client.delete(
            f"/api/users/me/sessions/{sessions['Safari/17.4']['id']}", headers=ada.headers
        )
        assert ended.status_code == 204
        assert not await _signed_in(safari)
        assert await _signed_in(firefox)
        again = await client.get("/api/users/me/sessions", headers=ada.headers)
        assert [s["user_agent"] for s in again.json()["items"]] == ["Firefox/128.0"]

        unknown = await client.delete(
            "/api/users/me/sessions/0123456789abcdef", headers=ada.headers
        )
        assert_problem(unknown, 404)
        malformed = await client.delete("/api/users/me/sessions/not-an-id", headers=ada.headers)
        assert "session_id" in field_errors(assert_problem_422(malformed))


async def test_signing_out_everywhere_ends_every_token_and_browser_but_not_api_keys(
    client: httpx.AsyncClient, browser: Browser
) -> None:
    ada = await register_account(client, EMAIL)
    key = await _api_key(client, ada)
    async with browser("Firefox") as firefox:
        response = await client.post("/api/users/me/sign-out-everywhere", headers=ada.headers)
        assert response.status_code == 204
        assert not await _works(client, ada.headers)
        assert not await _signed_in(firefox)
        assert await _works(client, key)
    again = await _token(client)
    assert await _works(client, again.headers)


async def test_signing_out_everywhere_on_the_page_signs_this_browser_out_too(
    client: httpx.AsyncClient, browser: Browser
) -> None:
    await sign_up(client, EMAIL)
    async with browser("Firefox") as firefox:
        response = await submit(
            client, "/settings/account/sign-out-everywhere", form_page="/settings/account"
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/sign-in"
        assert not await _signed_in(client)
        assert not await _signed_in(firefox)


async def test_api_keys_cannot_change_the_account(client: httpx.AsyncClient) -> None:
    ada = await register_account(client, EMAIL)
    key = await _api_key(client, ada)
    for method, path, body in [
        (
            "POST",
            "/api/users/me/password",
            {"current_password": PASSWORD, "new_password": "x" * 12},
        ),
        ("POST", "/api/users/me/sign-out-everywhere", None),
        ("GET", "/api/users/me/sessions", None),
        ("POST", "/api/users/me/deletion", {"password": PASSWORD}),
        ("DELETE", "/api/users/me/deletion", None),
    ]:
        response = await client.request(method, path, json=body, headers=key)
        assert_problem(response, 403)
    assert (await _login(client, PASSWORD)).status_code == 200


# Deleting the account ---------------------------------------------------------------------------


async def test_a_deletion_waits_out_its_grace_period_and_can_be_taken_back(
    client: httpx.AsyncClient,
) -> None:
    ada = await register_account(client, EMAIL)
    wrong = await client.post(
        "/api/users/me/deletion", json={"password": "not my password"}, headers=ada.headers
    )
    assert "password" in field_errors(assert_problem_422(wrong))
    assert (await client.get("/api/users/me", headers=ada.headers)).json()[
        "deletion_due_at"
    ] is None

    before = datetime.now(UTC)
    asked = await client.post(
        "/api/users/me/deletion", json={"password": PASSWORD}, headers=ada.headers
    )
    assert asked.status_code == 202, asked.text
    due = datetime.fromisoformat(asked.json()["deletion_due_at"])
    assert before + DELETION_GRACE <= due <= datetime.now(UTC) + DELETION_GRACE
    me = await client.get("/api/users/me", headers=ada.headers)
    assert datetime.fromisoformat(me.json()["deletion_due_at"]) == due

    again = await client.post(
        "/api/users/me/deletion", json={"password": PASSWORD}, headers=ada.headers
    )
    assert datetime.fromisoformat(again.json()["deletion_due_at"]) == due  # the first date stays

    assert (await client.delete("/api/users/me/deletion", headers=ada.headers)).status_code == 204
    assert (await client.get("/api/users/me", headers=ada.headers)).json()[
        "deletion_due_at"
    ] is None
    assert_problem(await client.delete("/api/users/me/deletion", headers=ada.headers), 409)


async def test_the_page_offers_the_export_first_and_warns_on_every_page_until_kept(
    client: httpx.AsyncClient,
) -> None:
    await sign_up(client, EMAIL)
    page = await client.get("/settings/account")
    assert 'href="/history/export?format=json"' in page.text

    wrong = await submit(
        client, "/settings/account/deletion", {"password": "nope"}, form_page="/settings/account"
    )
    assert wrong.status_code == 422
    assert "will be deleted on" not in (await client.get("/")).text

    asked = await submit(
        client, "/settings/account/deletion", {"password": PASSWORD}, form_page="/settings/account"
    )
    assert asked.status_code == 303
    for path in ("/", "/tracks", "/settings/account"):
        assert "will be deleted on" in (await client.get(path)).text

    token = csrf_token((await client.get("/settings/account")).text)
    kept = await client.post("/settings/account/deletion/cancel", data={"csrf_token": token})
    assert kept.status_code == 303
    assert "will be deleted on" not in (await client.get("/")).text
    assert await page_token(client, "/settings/account")
