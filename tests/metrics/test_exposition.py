"""GET /metrics on the in-process app: who may scrape, and what the numbers count."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from questpath.config import Settings
from questpath.metrics.exposition import may_scrape
from tests.conftest import TEST_SECRET
from tests.helpers import PASSWORD, Account, assert_problem, post_events, register_account
from tests.metrics.scrape import LOOPBACK, scrape, value

TOKEN = "scrape-token-" + "k" * 32


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path,
        secret_key=TEST_SECRET,
        metrics_token=SecretStr(TOKEN),
        login_max_failures_per_email=2,
    )


@pytest.fixture
async def local(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client on this machine's loopback, as a Prometheus on the same host would be."""
    transport = httpx.ASGITransport(app=app, client=LOOPBACK)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


# Access ---------------------------------------------------------------------------------------


async def test_a_loopback_scraper_needs_no_token(local: httpx.AsyncClient) -> None:
    samples = await scrape(local)
    assert value(samples, "questpath_db_pool_connections_in_use") == 0


async def test_a_remote_scraper_with_the_token_is_answered(client: httpx.AsyncClient) -> None:
    await scrape(client, headers={"Authorization": f"Bearer {TOKEN}"})


@pytest.mark.parametrize(
    "authorization",
    [None, f"Bearer {TOKEN}x", f"Basic {TOKEN}", "Bearer ", TOKEN],
    ids=["none", "wrong", "basic", "empty", "no-scheme"],
)
async def test_a_remote_scraper_without_the_token_sees_no_such_page(
    client: httpx.AsyncClient, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    refused = await client.get("/metrics", headers=headers)
    missing = await client.get("/no-such-path", headers=headers)
    assert refused.status_code == missing.status_code == 404
    assert refused.headers["content-type"] == missing.headers["content-type"]
    assert refused.text == missing.text


async def test_a_request_a_local_proxy_forwarded_is_not_a_loopback_one(
    local: httpx.AsyncClient,
) -> None:
    for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP"):
        assert (await local.get("/metrics", headers={header: "127.0.0.1"})).status_code == 404
    forwarded = {"X-Forwarded-For": "203.0.113.9", "Authorization": f"Bearer {TOKEN}"}
    assert (await local.get("/metrics", headers=forwarded)).status_code == 200


@given(given_token=st.text(max_size=40), host=st.ip_addresses())
def test_only_the_exact_token_or_unforwarded_loopback_may_scrape(
    given_token: str, host: object
) -> None:
    local = bool(getattr(getattr(host, "ipv4_mapped", None) or host, "is_loopback", False))
    allowed = may_scrape(f"Bearer {given_token}", str(host), False, TOKEN)
    assert allowed == (given_token == TOKEN or local)
    assert may_scrape(f"Bearer {given_token}", str(host), True, TOKEN) == (given_token == TOKEN)
    # With no token configured, only loopback: an empty bearer token is never a match.
    assert may_scrape(f"Bearer {given_token}", str(host), True, "") is False


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("::ffff:10.0.0.1", False),
        ("10.0.0.1", False),
        ("testclient", False),
        (None, False),
    ],
)
def test_loopback_is_any_loopback_address_however_the_socket_spells_it(
    host: str | None, local: bool
) -> None:
    assert may_scrape(None, host, False, TOKEN) is local


async def test_metrics_is_not_in_the_api_document(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert "/metrics" not in paths


# What is counted ------------------------------------------------------------------------------


async def test_requests_are_counted_by_route_template_never_by_raw_path(
    local: httpx.AsyncClient, learner: Account
) -> None:
    track_id = str(uuid.uuid4())
    before = await scrape(local)
    for _ in range(2):
        assert_problem(await local.get(f"/api/tracks/{track_id}", headers=learner.headers), 404)
    assert (await local.get(f"/definitely/not/{track_id}")).status_code == 404
    assert (await local.get("/static/web/no-such-file.css")).status_code == 404
    assert (await local.get("/static/web/api-docs.js")).status_code == 200
    after = await scrape(local)

    def moved(**labels: str) -> float:
        name = "questpath_http_requests_total"
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved(route="/api/tracks/{track_id}", method="GET", status="404") == 2
    assert moved(route="<unmatched>", method="GET", status="404") == 1
    assert moved(route="/static/web/{path}", method="GET", status="404") == 1
    assert moved(route="/static/web/{path}", method="GET", status="200") == 1
    assert not [s for s in after if track_id in str(s.labels)]
    latency = "questpath_http_request_duration_seconds_count"
    labels = {"route": "/api/tracks/{track_id}", "method": "GET"}
    assert value(after, latency, **labels) - value(before, latency, **labels) == 2


async def test_an_unusual_method_is_one_label(local: httpx.AsyncClient) -> None:
    before = await scrape(local)
    await local.request("PROPFIND", "/health")
    after = await scrape(local)
    name = "questpath_http_requests_total"
    assert value(after, name, method="other") - value(before, name, method="other") == 1


async def test_recorded_events_are_counted_by_kind_once_committed(
    local: httpx.AsyncClient, learner: Account
) -> None:
    name = "questpath_events_recorded_total"
    before = await scrape(local)
    events = [
        {"id": f"e{i}", "kind": "exercise_completed", "topic": "sql", "grade": 80} for i in range(3)
    ]
    events.append({"id": "c1", "kind": "check_in"})
    response = await post_events(local, learner.headers, {"events": events})
    assert response.status_code == 201, response.text
    again = await post_events(local, learner.headers, {"events": events})  # all duplicates
    assert again.status_code in (200, 201), again.text
    after = await scrape(local)

    def moved(kind: str) -> float:
        return value(after, name, kind=kind) - value(before, name, kind=kind)

    assert moved("exercise_completed") == 3
    assert moved("check_in") == 1
    groups = "questpath_group_commit_requests_count"
    assert value(after, groups) - value(before, groups) == 2
    sizes = "questpath_group_commit_events_sum"
    assert value(after, sizes) - value(before, sizes) == 8


async def test_a_rolled_back_write_counts_no_event(
    local: httpx.AsyncClient, learner: Account
) -> None:
    before = await scrape(local)
    bad = {"events": [{"id": "x1", "kind": "exercise_completed", "grade": 500}]}
    assert (await post_events(local, learner.headers, bad)).status_code == 422
    after = await scrape(local)
    name = "questpath_events_recorded_total"
    assert value(after, name) == value(before, name)


async def test_a_throttled_sign_in_is_counted(local: httpx.AsyncClient, learner: Account) -> None:
    name = "questpath_sign_ins_throttled_total"
    before = value(await scrape(local), name)
    wrong = {"email": learner.email, "password": PASSWORD + "?"}
    statuses = [(await local.post("/api/auth/login", json=wrong)).status_code for _ in range(4)]
    assert statuses == [401, 401, 429, 429]
    assert value(await scrape(local), name) - before == 2


async def test_pool_gauge_counts_connections_checked_out(
    app: FastAPI, local: httpx.AsyncClient
) -> None:
    name = "questpath_db_pool_connections_in_use"
    idle = value(await scrape(local), name)
    async with app.state.engine.connect(), app.state.engine.connect():
        assert value(await scrape(local), name) == idle + 2
    assert value(await scrape(local), name) == idle


async def test_a_second_registration_is_counted_under_its_route(local: httpx.AsyncClient) -> None:
    before = await scrape(local)
    await register_account(local, "counted@example.com")
    after = await scrape(local)
    name = "questpath_http_requests_total"
    labels = {"route": "/api/auth/register", "method": "POST", "status": "201"}
    assert value(after, name, **labels) - value(before, name, **labels) == 1
