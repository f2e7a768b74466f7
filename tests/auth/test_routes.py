"""The auth API through the real app: sign-up, sign-in and its throttling, the caller's profile,
bearer tokens, API keys and their scopes, and the create-admin command."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from questpath.auth.credentials import create_access_token
from questpath.auth.models import LoginFailures
from questpath.auth.rules import SCOPES
from questpath.config import Settings
from questpath.db import transaction
from tests.conftest import TEST_SECRET
from tests.helpers import (
    PASSWORD,
    Account,
    all_events,
    assert_problem,
    create_admin_account,
    field_errors,
    post_events,
)

USER_FIELDS = {
    "id",
    "email",
    "display_name",
    "timezone",
    "day_start_hour",
    "role",
    "created_at",
    "deletion_due_at",
    "email_verified",
    "email_verified_at",
}
WRONG_PASSWORD = "not the right passphrase at all"
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "an admin's own long passphrase"
QUESTPATH_CLI = Path(sys.executable).parent / "questpath"


async def login(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/api/auth/login", json={"email": email, "password": password})


async def me(client: httpx.AsyncClient, headers: dict[str, str]) -> httpx.Response:
    return await client.get("/api/users/me", headers=headers)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def create_key(
    client: httpx.AsyncClient, account: Account, scopes: list[str], name: str = "integration"
) -> dict[str, Any]:
    response = await client.post(
        "/api/api-keys", json={"name": name, "scopes": scopes}, headers=account.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def run_cli(
    settings: Settings, *args: str, password: str = ADMIN_PASSWORD
) -> subprocess.CompletedProcess[str]:
    """Run the installed `questpath` command against the test database, off the event loop."""
    env = {
        **os.environ,
        "QUESTPATH_DATABASE_URL": settings.database_url,
        "QUESTPATH_DATA_DIR": str(settings.data_dir),
        "QUESTPATH_ADMIN_PASSWORD": password,
    }
    return await asyncio.to_thread(
        subprocess.run,
        [str(QUESTPATH_CLI), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
async def admin(client: httpx.AsyncClient, app: FastAPI) -> Account:
    """An admin made the way `questpath create-admin` makes one; the command itself is tested
    at the end of this module."""
    return await create_admin_account(client, app, ADMIN_EMAIL, ADMIN_PASSWORD)


# Registration


async def test_register_returns_a_bearer_token_and_the_new_learner(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    response = await client.post(
        "/api/auth/register",
        json={
            "email": "ada@example.com",
            "password": PASSWORD,
            "display_name": "Ada Lovelace",
            "timezone": "Europe/London",
        },
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body.keys() == {"access_token", "token_type", "expires_in", "user"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == settings.access_token_minutes * 60
    user = body["user"]
    assert user.keys() == USER_FIELDS
    assert uuid.UUID(user["id"])
    assert user["email"] == "ada@example.com"
    assert user["display_name"] == "Ada Lovelace"
    assert user["timezone"] == "Europe/London"
    assert user["role"] == "learner"
    created_at = datetime.fromisoformat(user["created_at"])
    assert abs(datetime.now(UTC) - created_at) < timedelta(minutes=1)
    profile = await me(client, bearer(body["access_token"]))
    assert profile.status_code == 200
    assert profile.json() == user


async def test_register_stores_the_email_lower_cased(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/auth/register", json={"email": "Grace.Hopper@Example.COM", "password": PASSWORD}
    )

    assert response.status_code == 201, response.text
    assert response.json()["user"]["email"] == "grace.hopper@example.com"
    profile = await me(client, bearer(response.json()["access_token"]))
    assert profile.json()["email"] == "grace.hopper@example.com"


async def test_register_defaults_to_utc_and_the_local_part_as_display_name(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/api/auth/register", json={"email": "alan.turing@example.com", "password": PASSWORD}
    )

    assert response.status_code == 201, response.text
    user = response.json()["user"]
    assert user["timezone"] == "UTC"
    assert user["display_name"] == "alan.turing"
    assert user["role"] == "learner"


async def test_duplicate_email_differing_only_in_case_is_a_conflict(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await client.post(
        "/api/auth/register",
        json={"email": learner.email.upper(), "password": "another fine passphrase"},
    )

    body = assert_problem(response, 409)
    assert body["detail"] == "email: an account with this e-mail already exists"
    assert body["errors"] == [
        {"field": "email", "message": "an account with this e-mail already exists"}
    ]
    assert learner.email not in response.text.lower()
    # The first account keeps its password.
    assert (await login(client, learner.email, PASSWORD)).status_code == 200


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        pytest.param("short1!", "at least 10 characters", id="too-short"),
        pytest.param("password123", "common", id="common"),
        pytest.param("QWERTYUIOP", "common", id="common-any-case"),
        pytest.param("x" * 257, "256", id="too-long"),
        pytest.param("zzzzzzzzzzzz", "different characters", id="too-few-characters"),
        pytest.param("newcomer.person", "e-mail", id="the-local-part"),
    ],
)
async def test_weak_password_is_refused_naming_the_password_and_why(
    client: httpx.AsyncClient, password: str, reason: str
) -> None:
    response = await client.post(
        "/api/auth/register", json={"email": "newcomer.person@example.com", "password": password}
    )

    errors = field_errors(response)
    assert list(errors) == ["password"]
    assert reason in errors["password"]
    # No account was created: the address is still free.
    retry = await client.post(
        "/api/auth/register", json={"email": "newcomer.person@example.com", "password": PASSWORD}
    )
    assert retry.status_code == 201, retry.text


@pytest.mark.parametrize(
    "email", ["not-an-email", "missing-domain@", "@example.com", "two@@example.com", ""]
)
async def test_invalid_email_is_refused_naming_the_email(
    client: httpx.AsyncClient, email: str
) -> None:
    response = await client.post("/api/auth/register", json={"email": email, "password": PASSWORD})

    assert list(field_errors(response)) == ["email"]


async def test_unknown_timezone_is_refused_naming_the_timezone(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/auth/register",
        json={"email": "martian@example.com", "password": PASSWORD, "timezone": "Mars/Olympus"},
    )

    errors = field_errors(response)
    assert list(errors) == ["timezone"]
    assert "Mars/Olympus" in errors["timezone"]


async def test_unknown_field_in_registration_is_refused_and_nothing_is_created(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/api/auth/register",
        json={"email": "sneaky@example.com", "password": PASSWORD, "role": "admin"},
    )

    assert list(field_errors(response)) == ["role"]
    retry = await client.post(
        "/api/auth/register", json={"email": "sneaky@example.com", "password": PASSWORD}
    )
    assert retry.status_code == 201, retry.text
    assert retry.json()["user"]["role"] == "learner"


# Problem responses


async def _unauthenticated(client: httpx.AsyncClient, _: Account) -> httpx.Response:
    return await client.get("/api/users/me")


async def _forbidden(client: httpx.AsyncClient, learner: Account) -> httpx.Response:
    key = await create_key(client, learner, ["events:read"])
    return await client.get("/api/api-keys", headers=bearer(key["secret"]))


async def _not_found(client: httpx.AsyncClient, learner: Account) -> httpx.Response:
    return await client.delete(f"/api/api-keys/{uuid.uuid4()}", headers=learner.headers)


async def _conflict(client: httpx.AsyncClient, learner: Account) -> httpx.Response:
    return await client.post(
        "/api/auth/register", json={"email": learner.email, "password": PASSWORD}
    )


async def _schema_invalid(client: httpx.AsyncClient, _: Account) -> httpx.Response:
    return await client.post("/api/auth/register", json={"email": "nope"})


async def _rule_invalid(client: httpx.AsyncClient, _: Account) -> httpx.Response:
    return await client.post(
        "/api/auth/register", json={"email": "weak@example.com", "password": "password123"}
    )


async def _malformed_json(client: httpx.AsyncClient, _: Account) -> httpx.Response:
    return await client.post(
        "/api/auth/login", content=b"{not json", headers={"content-type": "application/json"}
    )


async def _wrong_password(client: httpx.AsyncClient, learner: Account) -> httpx.Response:
    return await login(client, learner.email, WRONG_PASSWORD)


async def _throttled(client: httpx.AsyncClient, learner: Account) -> httpx.Response:
    for _ in range(5):
        await login(client, learner.email, WRONG_PASSWORD)
    return await login(client, learner.email, PASSWORD)


@pytest.mark.parametrize(
    ("make_error", "status"),
    [
        pytest.param(_unauthenticated, 401, id="401-unauthenticated"),
        pytest.param(_wrong_password, 401, id="401-wrong-password"),
        pytest.param(_forbidden, 403, id="403"),
        pytest.param(_not_found, 404, id="404"),
        pytest.param(_conflict, 409, id="409"),
        pytest.param(_schema_invalid, 422, id="422-schema"),
        pytest.param(_rule_invalid, 422, id="422-rule"),
        pytest.param(_malformed_json, 422, id="422-malformed-json"),
        pytest.param(_throttled, 429, id="429"),
    ],
)
async def test_every_error_response_is_problem_json(
    client: httpx.AsyncClient,
    learner: Account,
    make_error: Callable[[httpx.AsyncClient, Account], Awaitable[httpx.Response]],
    status: int,
) -> None:
    response = await make_error(client, learner)

    assert_problem(response, status)


# Signing in


async def test_login_returns_a_token_that_works_on_users_me(
    client: httpx.AsyncClient, learner: Account, settings: Settings
) -> None:
    response = await login(client, learner.email, PASSWORD)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == settings.access_token_minutes * 60
    profile = await me(client, bearer(body["access_token"]))
    assert profile.status_code == 200, profile.text
    assert profile.json()["id"] == learner.id


async def test_wrong_password_and_unknown_email_get_identical_401_bodies(
    client: httpx.AsyncClient, learner: Account
) -> None:
    wrong_password = await login(client, learner.email, WRONG_PASSWORD)
    unknown_email = await login(client, "nobody@example.com", WRONG_PASSWORD)

    assert_problem(wrong_password, 401)
    assert_problem(unknown_email, 401)
    assert wrong_password.content == unknown_email.content
    assert wrong_password.headers["www-authenticate"] == "Bearer"


async def test_login_email_lookup_is_case_insensitive(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await login(client, "LEARNER@Example.Com", PASSWORD)

    assert response.status_code == 200, response.text
    profile = await me(client, bearer(response.json()["access_token"]))
    assert profile.json()["id"] == learner.id


async def test_sixth_sign_in_after_five_failures_is_throttled_even_with_the_right_password(
    client: httpx.AsyncClient, learner: Account, other_learner: Account, settings: Settings
) -> None:
    for _ in range(5):
        assert (await login(client, learner.email, WRONG_PASSWORD)).status_code == 401

    response = await login(client, learner.email, PASSWORD)

    assert_problem(response, 429)
    retry_after = response.headers["retry-after"]
    assert retry_after.isdigit()
    assert 1 <= int(retry_after) <= settings.login_window_seconds == 900
    assert response.headers["ratelimit-policy"] == '"sign-in-account";q=5;w=900'
    assert response.headers["ratelimit"] == f'"sign-in-account";r=0;t={retry_after}'
    # Other addresses signing in from the same client are not locked out.
    assert (await login(client, other_learner.email, PASSWORD)).status_code == 200


async def test_the_lock_applies_to_the_address_in_any_case(
    client: httpx.AsyncClient, learner: Account
) -> None:
    for _ in range(5):
        await login(client, learner.email.upper(), WRONG_PASSWORD)

    assert_problem(await login(client, learner.email, PASSWORD), 429)


async def test_twenty_failures_from_one_client_throttle_any_further_email(
    client: httpx.AsyncClient, app: FastAPI, learner: Account
) -> None:
    for i in range(20):
        response = await login(client, f"guess{i}@example.com", WRONG_PASSWORD)
        assert response.status_code == 401, response.text

    response = await login(client, learner.email, PASSWORD)

    assert_problem(response, 429)
    assert 1 <= int(response.headers["retry-after"]) <= 900
    assert response.headers["ratelimit-policy"] == '"sign-in-address";q=20;w=900'
    assert response.headers["ratelimit"].startswith('"sign-in-address";r=0;t=')
    # Another client address is not affected.
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as elsewhere:
        assert (await login(elsewhere, learner.email, PASSWORD)).status_code == 200


async def test_a_successful_sign_in_resets_the_failure_count_for_the_email(
    client: httpx.AsyncClient, learner: Account
) -> None:
    for _ in range(4):
        assert (await login(client, learner.email, WRONG_PASSWORD)).status_code == 401
    assert (await login(client, learner.email, PASSWORD)).status_code == 200
    for _ in range(4):
        assert (await login(client, learner.email, WRONG_PASSWORD)).status_code == 401

    response = await login(client, learner.email, PASSWORD)

    assert response.status_code == 200, response.text


async def test_an_account_can_sign_in_again_after_the_window_passes(
    client: httpx.AsyncClient, app: FastAPI, learner: Account, settings: Settings
) -> None:
    for _ in range(settings.login_max_failures_per_email):
        assert (await login(client, learner.email, WRONG_PASSWORD)).status_code == 401
    assert_problem(await login(client, learner.email, PASSWORD), 429)

    # The window passes: its start moves further back than its length.
    async with transaction(app.state.sessionmaker) as session:
        await session.execute(
            update(LoginFailures).values(
                window_started_at=datetime.now(UTC)
                - timedelta(seconds=settings.login_window_seconds + 1)
            )
        )

    response = await login(client, learner.email, PASSWORD)
    assert response.status_code == 200, response.text


def _client_at(app: FastAPI, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_parallel_wrong_passwords_check_no_more_guesses_than_the_limit(
    client: httpx.AsyncClient, learner: Account, settings: Settings
) -> None:
    responses = await asyncio.gather(
        *(login(client, learner.email, WRONG_PASSWORD) for _ in range(20))
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(401) == settings.login_max_failures_per_email
    assert statuses.count(429) == 20 - settings.login_max_failures_per_email


async def test_guesses_from_other_addresses_never_lock_the_owner_out(
    client: httpx.AsyncClient, app: FastAPI, learner: Account, settings: Settings
) -> None:
    attackers = [f"203.0.113.{i}" for i in range(1, settings.login_max_failures_per_email + 2)]
    for address in attackers:
        async with _client_at(app, address) as attacker:
            assert (await login(attacker, learner.email, WRONG_PASSWORD)).status_code == 401

    response = await login(client, learner.email, PASSWORD)  # the owner's own address

    assert response.status_code == 200, response.text


async def test_once_an_account_is_under_attack_each_failing_address_gets_no_second_guess(
    app: FastAPI, learner: Account, settings: Settings
) -> None:
    attackers = [f"203.0.113.{i}" for i in range(1, settings.login_max_failures_per_email + 1)]
    for address in attackers:
        async with _client_at(app, address) as attacker:
            assert (await login(attacker, learner.email, WRONG_PASSWORD)).status_code == 401

    async with _client_at(app, attackers[0]) as attacker:
        response = await login(attacker, learner.email, PASSWORD)
    assert_problem(response, 429)
    # One address's failures for one account do not block that address for another account.
    async with _client_at(app, attackers[0]) as attacker:
        assert (await login(attacker, "other@example.com", WRONG_PASSWORD)).status_code == 401


# The caller's profile


async def test_users_me_returns_the_callers_profile(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await me(client, learner.headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body.keys() == USER_FIELDS
    assert body["id"] == learner.id
    assert body["email"] == learner.email
    assert body["display_name"] == "learner"
    assert body["timezone"] == "UTC"
    assert body["role"] == "learner"
    assert datetime.fromisoformat(body["created_at"]).tzinfo is not None


async def test_patch_users_me_changes_display_name_and_timezone(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await client.patch(
        "/api/users/me",
        json={"display_name": "  Lin Learner  ", "timezone": "Asia/Tokyo"},
        headers=learner.headers,
    )

    assert response.status_code == 200, response.text
    assert response.json()["display_name"] == "Lin Learner"
    assert response.json()["timezone"] == "Asia/Tokyo"
    reread = (await me(client, learner.headers)).json()
    assert reread["display_name"] == "Lin Learner"
    assert reread["timezone"] == "Asia/Tokyo"
    assert reread["email"] == learner.email


async def test_patch_users_me_with_only_one_field_keeps_the_other(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await client.patch(
        "/api/users/me", json={"timezone": "America/New_York"}, headers=learner.headers
    )

    assert response.status_code == 200, response.text
    reread = (await me(client, learner.headers)).json()
    assert reread["timezone"] == "America/New_York"
    assert reread["display_name"] == "learner"


async def test_patch_with_unknown_timezone_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, learner: Account
) -> None:
    before = (await me(client, learner.headers)).json()

    response = await client.patch(
        "/api/users/me",
        json={"display_name": "Renamed", "timezone": "Mars/Olympus"},
        headers=learner.headers,
    )

    assert list(field_errors(response)) == ["timezone"]
    assert (await me(client, learner.headers)).json() == before


@pytest.mark.parametrize("display_name", ["", "   "])
async def test_patch_with_empty_display_name_is_refused(
    client: httpx.AsyncClient, learner: Account, display_name: str
) -> None:
    before = (await me(client, learner.headers)).json()

    response = await client.patch(
        "/api/users/me", json={"display_name": display_name}, headers=learner.headers
    )

    assert list(field_errors(response)) == ["display_name"]
    assert (await me(client, learner.headers)).json() == before


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"role": "admin"}, id="role"),
        pytest.param({"email": "someone.else@example.com"}, id="email"),
    ],
)
async def test_patch_cannot_change_role_or_email(
    client: httpx.AsyncClient, learner: Account, change: dict[str, str]
) -> None:
    before = (await me(client, learner.headers)).json()

    response = await client.patch("/api/users/me", json=change, headers=learner.headers)

    assert list(field_errors(response)) == list(change)
    assert (await me(client, learner.headers)).json() == before


# Bearer tokens


async def test_unauthenticated_request_is_401_with_a_bearer_challenge(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/users/me")

    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param("Bearer garbage", id="garbage"),
        pytest.param("Bearer a.b.c", id="three-dots"),
        pytest.param("Bearer qp_not-a-real-key", id="fake-api-key"),
        pytest.param("Basic bGVhcm5lcjpwYXNzd29yZA==", id="basic-scheme"),
    ],
)
async def test_garbage_credentials_are_401(
    client: httpx.AsyncClient, learner: Account, authorization: str
) -> None:
    response = await client.get("/api/users/me", headers={"Authorization": authorization})

    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


async def test_token_signed_with_another_key_is_401(
    client: httpx.AsyncClient, learner: Account
) -> None:
    token = create_access_token(
        uuid.UUID(learner.id),
        0,
        "some-other-signing-key-" + "z" * 40,
        datetime.now(UTC),
        timedelta(hours=1),
    )

    response = await me(client, bearer(token))

    assert_problem(response, 401)
    # The same claims signed with the app's key are accepted.
    genuine = create_access_token(
        uuid.UUID(learner.id), 0, TEST_SECRET, datetime.now(UTC), timedelta(hours=1)
    )
    assert (await me(client, bearer(genuine))).status_code == 200


async def test_expired_token_is_401_and_says_it_expired(
    client: httpx.AsyncClient, learner: Account
) -> None:
    token = create_access_token(
        uuid.UUID(learner.id),
        0,
        TEST_SECRET,
        datetime.now(UTC) - timedelta(days=2),
        timedelta(hours=1),
    )

    response = await me(client, bearer(token))

    body = assert_problem(response, 401)
    assert "expired" in body["detail"]
    assert response.headers["www-authenticate"] == "Bearer"


async def test_token_of_an_unknown_user_is_401(client: httpx.AsyncClient) -> None:
    token = create_access_token(uuid.uuid4(), 0, TEST_SECRET, datetime.now(UTC), timedelta(hours=1))

    response = await me(client, bearer(token))

    assert_problem(response, 401)


# API keys


async def test_create_api_key_returns_its_secret_once(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await client.post(
        "/api/api-keys",
        json={"name": "Grading bot", "scopes": ["events:write"]},
        headers=learner.headers,
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["secret"].startswith("qp_")
    assert body["prefix"] == body["secret"][:11]
    assert body["name"] == "Grading bot"
    assert body["scopes"] == ["events:write"]
    assert body["revoked_at"] is None
    assert uuid.UUID(body["id"])


async def test_listing_api_keys_never_shows_the_secret(
    client: httpx.AsyncClient, learner: Account
) -> None:
    created = await create_key(client, learner, ["events:write"])

    response = await client.get("/api/api-keys", headers=learner.headers)

    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [item["id"] for item in items] == [created["id"]]
    assert "secret" not in items[0]
    assert items[0]["prefix"] == created["prefix"]
    assert items[0]["scopes"] == ["events:write"]
    assert created["secret"] not in response.text


async def test_api_key_authenticates_as_its_owner(
    client: httpx.AsyncClient, learner: Account
) -> None:
    key = await create_key(client, learner, ["profile:read"])

    response = await me(client, bearer(key["secret"]))

    assert response.status_code == 200, response.text
    assert response.json()["id"] == learner.id


async def test_api_key_with_unknown_scope_is_refused_naming_scopes(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await client.post(
        "/api/api-keys",
        json={"name": "bad", "scopes": ["events:write", "users:delete"]},
        headers=learner.headers,
    )

    errors = field_errors(response)
    assert list(errors) == ["scopes"]
    assert "users:delete" in errors["scopes"]
    listed = await client.get("/api/api-keys", headers=learner.headers)
    assert listed.json()["items"] == []


async def test_api_key_with_no_scopes_is_refused(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await client.post(
        "/api/api-keys", json={"name": "empty", "scopes": []}, headers=learner.headers
    )

    assert list(field_errors(response)) == ["scopes"]


async def test_an_api_key_cannot_manage_api_keys_even_with_every_scope(
    client: httpx.AsyncClient, learner: Account
) -> None:
    key = await create_key(client, learner, sorted(SCOPES))
    headers = bearer(key["secret"])

    created = await client.post(
        "/api/api-keys", json={"name": "child", "scopes": ["events:read"]}, headers=headers
    )
    listed = await client.get("/api/api-keys", headers=headers)
    revoked = await client.delete(f"/api/api-keys/{key['id']}", headers=headers)

    assert_problem(created, 403)
    assert_problem(listed, 403)
    assert_problem(revoked, 403)
    items = (await client.get("/api/api-keys", headers=learner.headers)).json()["items"]
    assert [(item["id"], item["revoked_at"]) for item in items] == [(key["id"], None)]


async def test_an_api_key_changes_the_profile_only_with_profile_write(
    client: httpx.AsyncClient, learner: Account
) -> None:
    without = await create_key(client, learner, sorted(set(SCOPES) - {"profile:write"}))
    writer = await create_key(client, learner, ["profile:read", "profile:write"])

    refused = await client.patch(
        "/api/users/me", json={"display_name": "bot"}, headers=bearer(without["secret"])
    )
    assert "profile:write" in assert_problem(refused, 403)["detail"]
    assert (await me(client, learner.headers)).json()["display_name"] == "learner"

    renamed = await client.patch(
        "/api/users/me", json={"display_name": "bot"}, headers=bearer(writer["secret"])
    )
    assert renamed.status_code == 200, renamed.text
    assert (await me(client, learner.headers)).json()["display_name"] == "bot"


async def test_a_revoked_api_key_is_401_and_listed_as_revoked(
    client: httpx.AsyncClient, learner: Account
) -> None:
    key = await create_key(client, learner, ["profile:read"])
    assert (await me(client, bearer(key["secret"]))).status_code == 200

    response = await client.delete(f"/api/api-keys/{key['id']}", headers=learner.headers)

    assert response.status_code == 204
    assert response.content == b""
    assert_problem(await me(client, bearer(key["secret"])), 401)
    items = (await client.get("/api/api-keys", headers=learner.headers)).json()["items"]
    assert [item["id"] for item in items] == [key["id"]]
    assert items[0]["revoked_at"] is not None


async def test_revoking_another_learners_key_is_not_found_and_leaves_it_working(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    key = await create_key(client, other_learner, ["profile:read"])

    response = await client.delete(f"/api/api-keys/{key['id']}", headers=learner.headers)

    assert_problem(response, 404)
    assert (await me(client, bearer(key["secret"]))).json()["id"] == other_learner.id


async def test_revoking_an_unknown_key_is_not_found(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await client.delete(f"/api/api-keys/{uuid.uuid4()}", headers=learner.headers)

    assert_problem(response, 404)


# API-key scopes


async def test_a_read_only_key_cannot_record_events(
    client: httpx.AsyncClient, learner: Account
) -> None:
    key = await create_key(client, learner, ["events:read"])

    response = await post_events(client, bearer(key["secret"]), {"kind": "exercise_completed"})

    body = assert_problem(response, 403)
    assert "events:write" in body["detail"]
    assert await all_events(client, learner.headers) == []
    # Reading is what it may do.
    assert (await client.get("/api/events", headers=bearer(key["secret"]))).status_code == 200


async def test_a_write_only_key_cannot_list_events(
    client: httpx.AsyncClient, learner: Account
) -> None:
    key = await create_key(client, learner, ["events:write"])
    headers = bearer(key["secret"])
    assert (await post_events(client, headers, {"kind": "exercise_completed"})).status_code == 201

    response = await client.get("/api/events", headers=headers)

    body = assert_problem(response, 403)
    assert "events:read" in body["detail"]


# Recording for other learners


async def test_a_learners_key_cannot_record_events_for_another_learner(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    key = await create_key(client, learner, ["events:write"])

    response = await post_events(
        client,
        bearer(key["secret"]),
        {"kind": "exercise_completed", "user_id": other_learner.id},
    )

    assert_problem(response, 403)
    assert await all_events(client, other_learner.headers) == []
    assert await all_events(client, learner.headers) == []


async def test_an_admin_key_can_record_events_for_any_learner(
    client: httpx.AsyncClient, admin: Account, learner: Account, other_learner: Account
) -> None:
    key = await create_key(client, admin, ["events:write"])

    response = await post_events(
        client,
        bearer(key["secret"]),
        {"id": "graded-1", "kind": "exercise_completed", "grade": 90, "user_id": learner.id},
    )

    assert response.status_code == 201, response.text
    assert response.json()["results"][0]["user_id"] == learner.id
    events = await all_events(client, learner.headers)
    assert [(e["id"], e["user_id"], e["grade"]) for e in events] == [("graded-1", learner.id, 90)]
    assert await all_events(client, other_learner.headers) == []
    assert await all_events(client, admin.headers) == []


async def test_an_admin_key_recording_for_an_unknown_user_is_refused_naming_user_id(
    client: httpx.AsyncClient, admin: Account
) -> None:
    key = await create_key(client, admin, ["events:write"])

    response = await post_events(
        client, bearer(key["secret"]), {"kind": "exercise_completed", "user_id": str(uuid.uuid4())}
    )

    assert list(field_errors(response)) == ["user_id"]
    assert await all_events(client, admin.headers) == []


# The create-admin command


async def test_create_admin_creates_an_admin_who_can_sign_in(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    result = await run_cli(settings, "create-admin", ADMIN_EMAIL, "--display-name", "Root")

    assert result.returncode == 0, result.stderr
    assert f"Created admin {ADMIN_EMAIL}" in result.stdout
    response = await login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert response.status_code == 200, response.text
    profile = (await me(client, bearer(response.json()["access_token"]))).json()
    assert profile["role"] == "admin"
    assert profile["display_name"] == "Root"


async def test_create_admin_on_an_existing_learner_promotes_it(
    client: httpx.AsyncClient, settings: Settings, learner: Account
) -> None:
    result = await run_cli(settings, "create-admin", learner.email.upper())

    assert result.returncode == 0, result.stderr
    assert "Promoted" in result.stdout
    assert learner.email in result.stdout
    profile = (await me(client, learner.headers)).json()
    assert profile["role"] == "admin"
    assert profile["id"] == learner.id
    # The learner's password is unchanged; the command's password is not applied.
    assert (await login(client, learner.email, PASSWORD)).status_code == 200


async def test_create_admin_with_a_weak_password_fails_cleanly(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    result = await run_cli(settings, "create-admin", ADMIN_EMAIL, password="password123")

    assert result.returncode == 1
    assert "Error: password" in result.stderr
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout
    assert (await login(client, ADMIN_EMAIL, "password123")).status_code == 401
