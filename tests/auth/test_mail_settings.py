"""E-mail is off until SMTP is configured, and a mail server that is down costs a client nothing
but the mail."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from questpath.app import create_app
from questpath.config import Settings
from tests.conftest import mail_settings
from tests.helpers import Account, assert_problem, empty_tables, register_account


async def test_without_smtp_the_e_mail_operations_answer_404(
    client: httpx.AsyncClient, learner: Account
) -> None:
    calls = [
        ("/api/auth/password-reset", {"email": learner.email}, {}),
        ("/api/auth/password-reset/confirm", {"token": "x", "new_password": "a long phrase"}, {}),
        ("/api/auth/verify-email", {"token": "x"}, {}),
        ("/api/users/me/verification", None, learner.headers),
    ]
    for path, body, headers in calls:
        response = await client.post(path, json=body, headers=headers)
        detail = assert_problem(response, 404)["detail"]
        assert "e-mail" in detail or "verification is off" in detail, path


async def test_without_smtp_the_pages_offer_no_reset(client: httpx.AsyncClient) -> None:
    sign_in = await client.get("/sign-in")
    assert sign_in.status_code == 200
    assert "/forgot-password" not in sign_in.text
    for path in ("/forgot-password", "/reset-password?token=x", "/verify-email?token=x"):
        assert (await client.get(path)).status_code == 404, path


async def test_without_verification_an_account_is_unverified_and_not_asked_to_verify(
    client: httpx.AsyncClient, learner: Account
) -> None:
    me = await client.get("/api/users/me", headers=learner.headers)
    assert me.json()["email_verified"] is False
    assert me.json()["email_verified_at"] is None


def test_verification_needs_smtp(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="QUESTPATH_SMTP_HOST"):
        Settings(data_dir=tmp_path, email_verification=True)


def test_the_public_url_must_be_a_web_address_and_loses_its_trailing_slash(
    tmp_path: Path,
) -> None:
    with pytest.raises(ValidationError, match="QUESTPATH_PUBLIC_URL"):
        Settings(data_dir=tmp_path, public_url="questpath.example.org")
    settings = Settings(data_dir=tmp_path, public_url="https://questpath.example.org/")
    assert settings.public_url == "https://questpath.example.org"


def test_an_smtp_host_needs_a_sender(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="QUESTPATH_SMTP_FROM"):
        Settings(data_dir=tmp_path, smtp_host="mail.example.org")


def test_tls_from_the_start_needs_no_starttls_and_defaults_to_port_465(tmp_path: Path) -> None:
    sender = "QuestPath <questpath@example.org>"
    tls = Settings(data_dir=tmp_path, smtp_host="mail.example.org", smtp_from=sender, smtp_tls=True)
    plain = Settings(data_dir=tmp_path, smtp_host="mail.example.org", smtp_from=sender)
    assert (tls.smtp_starttls, tls.smtp_port_or_default) == (False, 465)
    assert (plain.smtp_starttls, plain.smtp_port_or_default) == (True, 587)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # closed again: nothing listens there


@pytest.fixture
async def down_client(database_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The app with e-mail and verification on, sending to an SMTP port nobody listens on."""
    settings = mail_settings(
        database_url, tmp_path, _closed_port(), email_verification=True, smtp_timeout_seconds=2
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, client=("198.51.100.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    async with app.state.engine.begin() as conn:
        await empty_tables(conn)
    await app.state.engine.dispose()


async def test_a_mail_server_that_is_down_fails_no_request(
    down_client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    ada = await register_account(down_client, "ada@example.com")
    reset = await down_client.post("/api/auth/password-reset", json={"email": "ada@example.com"})
    resend = await down_client.post("/api/users/me/verification", headers=ada.headers)

    assert reset.status_code == 202
    assert resend.status_code == 202
    logs = [r.msg for r in caplog.records if r.name == "questpath.mail" and isinstance(r.msg, dict)]
    failures = [entry for entry in logs if entry["event"] == "mail_not_sent"]
    assert [entry["kind"] for entry in failures] == [
        "verify_email",
        "password_reset",
        "verify_email",
    ]
    assert all("ada@example.com" not in str(entry) for entry in failures)
