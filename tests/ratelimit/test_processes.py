"""Several server processes share one count, and a reverse proxy's forwarded address counts
only when uvicorn trusts the proxy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from questpath.app import create_app
from questpath.config import Settings
from questpath.ratelimit.storage import storage_kind
from tests.conftest import TEST_SECRET
from tests.helpers import PASSWORD, assert_problem, empty_tables
from tests.servers import Server


def sign_up(client: httpx.Client, n: int, forwarded_for: str) -> httpx.Response:
    return client.post(
        "/api/auth/register",
        json={"email": f"learner{n}@example.com", "password": PASSWORD},
        headers={"X-Forwarded-For": forwarded_for},
    )


def test_two_workers_share_the_registration_count_per_forwarded_address(
    serve: Callable[..., Server], migrated_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`questpath serve --workers 2` counts in the database unless told otherwise; each
    request on a new connection may reach either worker."""
    monkeypatch.setenv("QUESTPATH_RATE_LIMIT_REGISTRATION", "3/hour")
    monkeypatch.delenv("QUESTPATH_RATE_LIMIT_STORAGE")
    server = serve(migrated_url, workers=2)
    statuses = []
    for n in range(4):
        with httpx.Client(base_url=server.base_url, timeout=30) as client:
            statuses.append(sign_up(client, n, "203.0.113.1").status_code)
    assert statuses == [201, 201, 201, 429]
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        refused = sign_up(client, 9, "203.0.113.1")
        assert_problem(refused, 429)
        assert refused.headers["RateLimit-Policy"] == '"registration";q=3;w=3600'
        assert sign_up(client, 9, "203.0.113.2").status_code == 201  # its own count


@pytest.mark.parametrize(("trusted", "separate"), [("127.0.0.1", True), ("192.0.2.99", False)])
async def test_a_forwarded_address_counts_only_from_a_trusted_proxy(
    database_url: str, tmp_path: Any, trusted: str, separate: bool
) -> None:
    settings = Settings(
        database_url=database_url,
        data_dir=tmp_path,
        secret_key=TEST_SECRET,
        rate_limit_registration="1/hour",
    )
    app = create_app(settings)
    proxied = ProxyHeadersMiddleware(app, trusted_hosts=trusted)  # what proxy_headers=True adds
    transport = httpx.ASGITransport(app=proxied, client=("127.0.0.1", 40000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            statuses = [
                (
                    await client.post(
                        "/api/auth/register",
                        json={"email": f"learner{n}@example.com", "password": PASSWORD},
                        headers={"X-Forwarded-For": f"203.0.113.{n}"},
                    )
                ).status_code
                for n in range(1, 3)
            ]
    finally:
        async with app.state.engine.begin() as conn:
            await empty_tables(conn)
        await app.state.engine.dispose()
    assert statuses == ([201, 201] if separate else [201, 429])


@pytest.mark.parametrize(
    ("url", "chosen", "kind"),
    [
        ("sqlite+aiosqlite:///q.db", "", "memory"),
        ("postgresql+asyncpg://db/q", "", "database"),
        ("sqlite+aiosqlite:///q.db", "database", "database"),
        ("postgresql+asyncpg://db/q", "memory", "memory"),
    ],
)
def test_the_storage_is_memory_for_one_sqlite_process_and_the_database_otherwise(
    url: str, chosen: str, kind: str
) -> None:
    settings = Settings(database_url=url, rate_limit_storage=chosen)
    assert storage_kind(settings) == kind


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rate_limit_writes", "lots"),
        ("rate_limit_registration", "10 per fortnight"),
        ("rate_limit_storage", "memcached://cache:11211"),
        ("rate_limit_storage", "redis://cache:6379/0"),
    ],
)
def test_a_setting_that_is_not_a_limit_or_a_storage_is_refused_by_name(
    field: str, value: str
) -> None:
    with pytest.raises(ValueError, match=field):
        Settings(**{field: value})
