"""Unhandled errors reach a real Sentry ingestion server on loopback, once, without secrets."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest
import sentry_sdk
from fastapi import FastAPI, Request
from pydantic import SecretStr, ValidationError

from questpath import __version__
from questpath.app import create_app
from questpath.config import Settings
from questpath.dependencies import get_sessionmaker
from questpath.error_tracking import scrub_text
from tests.helpers import empty_tables
from tests.servers import STOP_TIMEOUT, SentryEnvelopes, Server

EMAIL = "ada.lovelace@example.org"
PASSWORD = "correct-horse-battery-staple"
API_KEY = "qp_" + "k3yS3cr3t" * 5
RESET_TOKEN = "r3s3tT0k3n" * 4
SESSION = "s3ss10nT0k3n" * 4
CODE = "918273"
CLIENT_ADDRESS = "198.51.100.7"
SECRETS = [EMAIL, EMAIL.replace("@", "%40"), PASSWORD, API_KEY, RESET_TOKEN, SESSION, CODE]


@pytest.fixture
def no_error_tracking_after() -> Iterator[None]:
    yield
    sentry_sdk.get_client().close()
    # No client at all, as before: its integrations (patched into Starlette and FastAPI) stand
    # aside again for the tests after this one. A DSN-less init would leave them at work.
    sentry_sdk.get_global_scope().set_client(None)


@pytest.fixture
async def tracked_app(
    settings: Settings, sentry: SentryEnvelopes, no_error_tracking_after: None
) -> AsyncIterator[FastAPI]:
    app = create_app(settings.model_copy(update={"sentry_dsn": SecretStr(sentry.dsn)}))
    yield app
    async with app.state.engine.begin() as conn:
        await empty_tables(conn)
    await app.state.engine.dispose()


async def _lost_database(request: Request) -> None:
    # The way a driver error can echo what the request carried.
    email = (await request.json())["email"]
    raise ConnectionError(f"the database went away while signing in {email} with {API_KEY}")


async def test_an_unhandled_error_reaches_sentry_once_and_without_secrets(
    tracked_app: FastAPI, sentry: SentryEnvelopes
) -> None:
    transport = httpx.ASGITransport(
        app=tracked_app, raise_app_exceptions=False, client=(CLIENT_ADDRESS, 40000)
    )
    async with (
        tracked_app.router.lifespan_context(tracked_app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        refused = await client.post("/api/auth/login", json={"email": EMAIL, "password": 1})
        assert refused.status_code == 422  # a handled problem: not reported

        tracked_app.dependency_overrides[get_sessionmaker] = _lost_database
        failed = await client.post(
            "/api/auth/login",
            params={"token": RESET_TOKEN, "email": EMAIL},
            json={"email": EMAIL, "password": PASSWORD, "code": CODE},
            headers={
                "Authorization": f"Bearer {API_KEY}",
                "X-CSRF-Token": SESSION,
                "Cookie": f"qp_session=42.{SESSION}",
            },
        )
        assert failed.status_code == 500
        assert failed.headers["content-type"] == "application/problem+json"
    # Leaving the lifespan flushed the queue: whatever was reported has arrived.

    assert sentry_sdk.get_client().options["trace_propagation_targets"] == []
    assert not sentry_sdk.get_client().should_send_default_pii()
    [event] = sentry.events()
    assert event["tags"]["request_id"] == failed.headers["X-Request-ID"]
    assert event["release"] == __version__
    assert event["environment"] == "development"
    [error] = event["exception"]["values"]
    assert error["type"] == "ConnectionError"
    assert error["mechanism"] == {"type": "questpath", "handled": False}
    assert event["request"]["method"] == "POST"
    raw = b"\n".join(sentry.raw).decode()
    assert [secret for secret in SECRETS if secret in raw] == []
    assert CLIENT_ADDRESS not in raw  # personal data is not collected


def test_a_real_server_reports_a_lost_table_without_the_address_the_query_carried(
    serve: Callable[..., Server],
    sentry: SentryEnvelopes,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("QUESTPATH_SENTRY_DSN", sentry.dsn)
    database = tmp_path / "questpath.db"
    server = serve(f"sqlite+aiosqlite:///{database}")
    with closing(sqlite3.connect(database)) as db:  # the accounts table goes: sign-ins fail
        db.execute("ALTER TABLE users RENAME TO users_elsewhere")
        db.commit()

    failed = httpx.post(
        f"{server.base_url}/api/auth/login", json={"email": EMAIL, "password": PASSWORD}
    )
    server.process.terminate()  # what is still queued goes out as the app shuts down
    server.process.wait(timeout=STOP_TIMEOUT)

    assert failed.status_code == 500
    [event] = sentry.events()
    assert event["tags"]["request_id"] == failed.headers["X-Request-ID"]
    assert event["exception"]["values"][-1]["type"] == "OperationalError"
    # SQLAlchemy's message quotes the statement's parameters: there was an address to scrub.
    assert EMAIL in server.logs()
    raw = b"\n".join(sentry.raw).decode()
    assert [secret for secret in SECRETS if secret in raw] == []


def test_a_malformed_dsn_is_refused_at_start_naming_the_setting() -> None:
    with pytest.raises(ValidationError, match="QUESTPATH_SENTRY_DSN"):
        Settings(sentry_dsn=SecretStr("sentry.example.org/1"))


def test_free_text_loses_addresses_keys_and_tokens() -> None:
    text = (
        f"mail to {EMAIL} failed; key {API_KEY}; Authorization: Bearer eyJhbGciOi.eyJzdWIi.c2ln "
        f"/reset?token={RESET_TOKEN}&next=/ at /shared/{RESET_TOKEN} and /p/{SESSION}/badge.svg"
    )
    scrubbed = scrub_text(text)
    assert [secret for secret in [*SECRETS, "eyJ"] if secret in scrubbed] == []
    assert "&next=/ at /shared/[Filtered] and /p/[Filtered]/badge.svg" in scrubbed
    assert scrub_text("GET /api/tracks/{track_id} took 12 ms") == (
        "GET /api/tracks/{track_id} took 12 ms"
    )
