"""API keys with an expiry: refused from that moment, in the API and on the settings page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from questpath.auth.rules import MAX_API_KEY_LIFETIME, api_key_expiry_problem
from tests.auth.conftest import Clock
from tests.auth.test_routes import bearer
from tests.helpers import Account, assert_problem, field_errors
from tests.web.browsing import sign_up, submit

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)


@given(st.timedeltas(min_value=-MAX_API_KEY_LIFETIME * 2, max_value=MAX_API_KEY_LIFETIME * 2))
def test_an_expiry_must_be_ahead_and_at_most_ten_years_away(ahead: timedelta) -> None:
    problem = api_key_expiry_problem(NOW + ahead, NOW)
    assert (problem is None) == (timedelta(0) < ahead <= MAX_API_KEY_LIFETIME)
    assert api_key_expiry_problem(None, NOW) is None


async def _create(
    client: httpx.AsyncClient, learner: Account, expires_at: datetime | None
) -> httpx.Response:
    body = {"name": "tutor", "scopes": ["events:read"]}
    if expires_at is not None:
        body["expires_at"] = expires_at.isoformat()
    return await client.post("/api/api-keys", json=body, headers=learner.headers)


async def test_a_key_works_until_it_expires_and_is_refused_after_saying_so(
    client: httpx.AsyncClient, learner: Account, clock: Clock
) -> None:
    expires_at = clock.now + timedelta(days=30)
    created = await _create(client, learner, expires_at)
    assert created.status_code == 201, created.text
    assert datetime.fromisoformat(created.json()["expires_at"]) == expires_at
    key = bearer(created.json()["secret"])
    listed = (await client.get("/api/api-keys", headers=learner.headers)).json()["items"]
    assert datetime.fromisoformat(listed[0]["expires_at"]) == expires_at

    clock.now = expires_at - timedelta(seconds=1)
    assert (await client.get("/api/events", headers=key)).status_code == 200
    clock.now = expires_at
    refused = assert_problem(await client.get("/api/events", headers=key), 401)
    assert "expired" in refused["detail"]


async def test_a_key_without_an_expiry_never_expires(
    client: httpx.AsyncClient, learner: Account, clock: Clock
) -> None:
    created = await _create(client, learner, None)
    assert created.json()["expires_at"] is None
    clock.now += MAX_API_KEY_LIFETIME * 3
    assert (
        await client.get("/api/events", headers=bearer(created.json()["secret"]))
    ).status_code == 200


@pytest.mark.parametrize(
    "ahead", [timedelta(seconds=-1), timedelta(0), MAX_API_KEY_LIFETIME + timedelta(days=1)]
)
async def test_an_expiry_in_the_past_or_too_far_is_refused_naming_the_field(
    client: httpx.AsyncClient, learner: Account, ahead: timedelta
) -> None:
    response = await _create(client, learner, datetime.now(UTC) + ahead)
    assert_problem(response, 422)
    assert "expires_at" in field_errors(response)
    assert (await client.get("/api/api-keys", headers=learner.headers)).json()["items"] == []


async def test_an_expiry_without_a_timezone_is_refused(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await client.post(
        "/api/api-keys",
        json={"name": "tutor", "scopes": ["events:read"], "expires_at": "2030-01-01T00:00:00"},
        headers=learner.headers,
    )
    assert_problem(response, 422)
    assert "expires_at" in field_errors(response)


async def test_the_settings_page_makes_a_key_that_expires_and_shows_when(
    client: httpx.AsyncClient,
) -> None:
    await sign_up(client)
    page = await client.get("/settings")
    assert '<option value="30">In 30 days</option>' in page.text
    response = await submit(
        client,
        "/settings/api-keys",
        {"name": "tutor", "scopes": ["events:read"], "expires_in_days": "30"},
        form_page="/settings",
    )
    assert response.status_code == 200, response.text
    assert "Copy it now" in response.text
    day = datetime.now(UTC) + timedelta(days=30)
    assert f"expires {day.day} {day:%b %Y}" in response.text

    bad = await submit(
        client,
        "/settings/api-keys",
        {"name": "tutor", "scopes": ["events:read"], "expires_in_days": "12"},
        form_page="/settings",
    )
    assert bad.status_code == 422
