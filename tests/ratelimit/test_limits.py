"""Each limit trips at its configured value, answers 429 with the RateLimit fields, and the
refused request changes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.helpers import PASSWORD, Account, assert_problem, register_account
from tests.ratelimit.conftest import Clock
from tests.web.browsing import submit
from tests.xapi.helpers import statement, xapi_headers

MARKDOWN = {"Content-Type": "text/markdown"}
TRACK = "# Git\n\n- [ ] Commit\n"


def event(n: int) -> dict[str, Any]:
    return {"id": f"e{n}", "kind": "exercise_completed", "topic": "recursion"}


def usage(response: httpx.Response) -> tuple[str, str]:
    return response.headers["RateLimit-Policy"], response.headers["RateLimit"]


def assert_refused(response: httpx.Response, policy: str) -> int:
    """A 429 problem with the fields of `policy`; returns its Retry-After."""
    assert_problem(response, 429)
    assert response.headers["RateLimit-Policy"] == policy
    name = policy.split(";")[0]
    assert response.headers["RateLimit"].startswith(f"{name};r=0;t=")
    wait = int(response.headers["Retry-After"])
    assert wait >= 1
    assert response.headers["RateLimit"] == f"{name};r=0;t={wait}"
    return wait


async def event_ids(client: httpx.AsyncClient, account: Account) -> list[str]:
    response = await client.get("/api/events", headers=account.headers)
    assert response.status_code == 200, response.text
    return sorted(e["id"] for e in response.json()["items"])


async def test_writes_stop_at_the_limit_per_learner_and_the_refused_one_records_nothing(
    limited: Any,
) -> None:
    client = await limited(rate_limit_writes="3/minute")
    ada = await register_account(client, "ada@example.com")
    grace = await register_account(client, "grace@example.com")
    for n in range(3):
        response = await client.post("/api/events", json=event(n), headers=ada.headers)
        assert response.status_code == 201, response.text
        policy, left = usage(response)
        assert policy == '"writes";q=3;w=60'
        assert left.startswith(f'"writes";r={2 - n};t=')
    refused = await client.post("/api/events", json=event(3), headers=ada.headers)
    assert_refused(refused, '"writes";q=3;w=60')
    assert await event_ids(client, ada) == ["e0", "e1", "e2"]
    # Reads are not counted, and another learner has a quota of their own.
    assert "RateLimit" not in (await client.get("/api/events", headers=ada.headers)).headers
    other = await client.post("/api/events", json=event(0), headers=grace.headers)
    assert other.status_code == 201, other.text


async def test_an_api_key_has_a_write_quota_of_its_own(limited: Any) -> None:
    client = await limited(rate_limit_writes="1/minute")
    ada = await register_account(client, "ada@example.com")
    created = await client.post(
        "/api/api-keys",
        json={"name": "sync", "scopes": ["events:write", "events:read"]},
        headers=ada.headers,
    )
    assert created.status_code == 201, created.text
    key = {"Authorization": f"Bearer {created.json()['secret']}"}
    assert (await client.post("/api/events", json=event(0), headers=ada.headers)).status_code == 201
    assert (await client.post("/api/events", json=event(1), headers=key)).status_code == 201
    for headers in (key, ada.headers):
        refused = await client.post("/api/events", json=event(2), headers=headers)
        assert_refused(refused, '"writes";q=1;w=60')


@pytest.mark.parametrize("storage", ["memory", "database"])
async def test_the_write_window_resets_and_counts_again_from_one(
    limited: Any, clock: Clock, storage: str
) -> None:
    client = await limited(rate_limit_writes="2/minute", rate_limit_storage=storage)
    ada = await register_account(client, "ada@example.com")
    for n in range(2):
        assert (
            await client.post("/api/events", json=event(n), headers=ada.headers)
        ).status_code == 201
    clock.advance(20)
    refused = await client.post("/api/events", json=event(2), headers=ada.headers)
    assert assert_refused(refused, '"writes";q=2;w=60') == 40
    clock.advance(40)
    again = await client.post("/api/events", json=event(2), headers=ada.headers)
    assert again.status_code == 201, again.text
    assert again.headers["RateLimit"] == '"writes";r=1;t=60'
    assert await event_ids(client, ada) == ["e0", "e1", "e2"]


async def test_imports_stop_at_the_limit_across_the_api_and_the_pages(limited: Any) -> None:
    client = await limited(rate_limit_imports="2/hour")
    ada = await register_account(client, "ada@example.com")
    first = await client.post(
        "/api/tracks/import", content=TRACK.encode(), headers=ada.headers | MARKDOWN
    )
    assert first.status_code == 201, first.text
    # Two policies count this request: both show, in the order they were counted.
    assert first.headers["RateLimit-Policy"] == '"writes";q=6000;w=60, "imports";q=2;w=3600'
    csv = await client.post(
        "/api/questions/import",
        content=b"prompt,answer\nWhat is 2+2?,4\n",
        headers=ada.headers | {"Content-Type": "text/csv"},
    )
    assert csv.status_code == 201, csv.text
    refused = await client.post(
        "/api/tracks/import", content=TRACK.encode(), headers=ada.headers | MARKDOWN
    )
    assert_refused(refused, '"imports";q=2;w=3600')
    tracks = await client.get("/api/tracks", headers=ada.headers)
    assert len(tracks.json()["items"]) == 1


async def test_quiz_generation_stops_at_the_limit(limited: Any) -> None:
    client = await limited(rate_limit_quiz_generation="1/hour")
    ada = await register_account(client, "ada@example.com")
    bank = await client.post(
        "/api/questions/import",
        content=b"prompt,answer,topic\nWhat is 2+2?,4,arithmetic\n",
        headers=ada.headers | {"Content-Type": "text/csv"},
    )
    assert bank.status_code == 201, bank.text
    body = {"topic": "arithmetic", "count": 1, "generator": "offline"}
    made = await client.post("/api/quizzes", json=body, headers=ada.headers)
    assert made.status_code == 201, made.text
    refused = await client.post("/api/quizzes", json=body, headers=ada.headers)
    assert_refused(refused, '"quiz-generation";q=1;w=3600')
    quizzes = await client.get("/api/quizzes", headers=ada.headers)
    assert [q["id"] for q in quizzes.json()["items"]] == [made.json()["id"]]


async def test_sign_ups_stop_at_the_limit_per_address_on_the_api_and_the_page(
    limited: Any,
) -> None:
    client = await limited(rate_limit_registration="2/hour")
    weak = await client.post(
        "/api/auth/register", json={"email": "weak@example.com", "password": "short"}
    )
    assert weak.status_code == 422  # refused before hashing: not counted
    await register_account(client, "ada@example.com")
    page = await submit(
        client,
        "/sign-up",
        {"email": "grace@example.com", "password": PASSWORD, "timezone": "UTC"},
        form_page="/sign-up",
    )
    assert page.status_code == 303, page.text
    client.cookies.clear()
    refused = await client.post(
        "/api/auth/register", json={"email": "alan@example.com", "password": PASSWORD}
    )
    assert_refused(refused, '"registration";q=2;w=3600')
    login = await client.post(
        "/api/auth/login", json={"email": "alan@example.com", "password": PASSWORD}
    )
    assert login.status_code == 401  # no account was made
    on_page = await submit(
        client,
        "/sign-up",
        {"email": "alan@example.com", "password": PASSWORD, "timezone": "UTC"},
        form_page="/sign-up",
    )
    assert on_page.status_code == 429
    assert int(on_page.headers["Retry-After"]) >= 1
    other_address = await limited(address="203.0.113.9", rate_limit_registration="2/hour")
    await register_account(other_address, "alan@example.com")


@pytest.mark.parametrize("storage", ["database", "memory"])
async def test_two_apps_on_one_database_share_counts_only_in_the_database(
    limited: Any, storage: str
) -> None:
    first = await limited(rate_limit_writes="2/minute", rate_limit_storage=storage)
    second = await limited(rate_limit_writes="2/minute", rate_limit_storage=storage)
    ada = await register_account(first, "ada@example.com")
    for n, client in enumerate((first, second)):
        response = await client.post("/api/events", json=event(n), headers=ada.headers)
        assert response.status_code == 201, response.text
    third = await first.post("/api/events", json=event(2), headers=ada.headers)
    if storage == "database":
        assert_refused(third, '"writes";q=2;w=60')
        assert await event_ids(first, ada) == ["e0", "e1"]
    else:  # each process counts alone: why several processes need the database
        assert third.status_code == 201, third.text


async def test_the_api_document_declares_the_429_and_its_fields_where_a_limit_applies(
    client: httpx.AsyncClient,
) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    limited = [
        paths["/api/events"]["post"],
        paths["/api/tracks/import"]["post"],
        paths["/api/quizzes"]["post"],
        paths["/api/goals/{goal_id}"]["delete"],
        paths["/api/auth/register"]["post"],
        paths["/api/progress/stream"]["get"],
    ]
    for operation in limited:
        refused = operation["responses"]["429"]
        assert set(refused["headers"]) == {"Retry-After", "RateLimit", "RateLimit-Policy"}
        assert refused["content"]["application/problem+json"]
    for operation in (paths["/api/events"]["get"], paths["/api/goals/{goal_id}"]["get"]):
        assert "429" not in operation["responses"]


async def test_xapi_statements_count_against_the_keys_write_quota(limited: Any) -> None:
    client = await limited(rate_limit_writes="2/minute")
    ada = await register_account(client, "ada@example.com")
    lrs = await xapi_headers(client, ada)
    for _ in range(2):
        stored = await client.post("/xapi/statements", json=statement(), headers=lrs)
        assert stored.status_code == 200, stored.text
    refused = await client.post("/xapi/statements", json=statement(), headers=lrs)
    assert_refused(refused, '"writes";q=2;w=60')
    assert (await client.get("/xapi/statements", headers=lrs)).status_code == 200
