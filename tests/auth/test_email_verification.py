"""Address verification, where the operator turns it on: a link mailed at sign-up (and again on
request) through a real SMTP server on loopback; an unverified account works meanwhile, and its
pages ask to verify."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI

from questpath.clock import request_time, utc_now
from questpath.config import Settings
from tests.conftest import mail_settings
from tests.helpers import Account, assert_problem, field_errors, register_account
from tests.servers import Mailbox, SmtpServer
from tests.web.browsing import csrf_token, sign_up

EMAIL = "ada@example.com"
BANNER = "Please confirm your e-mail address"


@pytest.fixture
def settings(database_url: str, tmp_path: Path, smtp: SmtpServer) -> Settings:
    return mail_settings(database_url, tmp_path, smtp.port, email_verification=True)


@pytest.fixture
def mailbox(smtp: SmtpServer) -> Mailbox:
    return smtp.mailbox


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


async def me(client: httpx.AsyncClient, ada: Account) -> dict[str, object]:
    response = await client.get("/api/users/me", headers=ada.headers)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


async def verify(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/api/auth/verify-email", json={"token": token})


async def test_sign_up_mails_a_link_that_verifies_the_address(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    ada = await register_account(client, EMAIL)
    assert (await me(client, ada))["email_verified"] is False

    link = mailbox.link(EMAIL, "/verify-email")
    assert link.startswith("http://127.0.0.1:8000/verify-email?token=")
    assert (await verify(client, token_of(link))).status_code == 204

    profile = await me(client, ada)
    assert profile["email_verified"] is True
    assert profile["email_verified_at"] is not None
    again = await verify(client, token_of(link))
    assert "used already" in field_errors(again)["token"]


async def test_an_unverified_account_signs_in_and_uses_the_app(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    ada = await register_account(client, EMAIL)
    login = await client.post(
        "/api/auth/login", json={"email": EMAIL, "password": "a long and unusual passphrase"}
    )
    assert login.status_code == 200
    assert (await client.get("/api/progress", headers=ada.headers)).status_code == 200
    assert len(mailbox.to(EMAIL)) == 1


async def test_a_verification_link_does_not_reset_a_password(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    await register_account(client, EMAIL)
    token = token_of(mailbox.link(EMAIL, "/verify-email"))
    refused = await client.post(
        "/api/auth/password-reset/confirm",
        json={"token": token, "new_password": "a brand new passphrase"},
    )
    assert "not valid" in field_errors(refused)["token"]


async def test_a_verification_link_expires(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, mailbox: Mailbox
) -> None:
    await register_account(client, EMAIL)
    token = token_of(mailbox.link(EMAIL, "/verify-email"))
    later = utc_now() + timedelta(hours=settings.email_verification_hours, seconds=1)
    app.dependency_overrides[request_time] = lambda: later
    assert "expired" in field_errors(await verify(client, token))["token"]


async def test_another_link_on_request_at_most_three_an_hour(
    client: httpx.AsyncClient, app: FastAPI, mailbox: Mailbox
) -> None:
    ada = await register_account(client, EMAIL)  # the first link
    resend = "/api/users/me/verification"

    answers = [(await client.post(resend, headers=ada.headers)).status_code for _ in range(2)]
    throttled = await client.post(resend, headers=ada.headers)

    assert answers == [202, 202]
    assert_problem(throttled, 429)
    assert throttled.headers["retry-after"]
    assert len(mailbox.to(EMAIL)) == 3
    # Any of them verifies, and then there is nothing left to send.
    assert (await verify(client, token_of(mailbox.link(EMAIL, "/verify-email")))).status_code == 204
    assert_problem(await client.post(resend, headers=ada.headers), 409)


async def test_the_pages_ask_to_verify_until_the_link_is_followed(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    await sign_up(client, EMAIL)
    dashboard = await client.get("/")
    assert BANNER in dashboard.text
    assert f"confirm your address with the link we mailed to {EMAIL}" in dashboard.text  # toast

    link = urlsplit(mailbox.link(EMAIL, "/verify-email"))
    page = await client.get(f"{link.path}?{link.query}")
    assert page.status_code == 200
    assert "Confirm my address" in page.text
    confirmed = await client.post(
        "/verify-email",
        data={"csrf_token": csrf_token(page.text), "token": token_of(link.geturl())},
    )
    assert confirmed.status_code == 303

    after = await client.get("/")
    assert BANNER not in after.text
    assert "is verified" in (await client.get("/settings/account")).text


async def test_the_account_page_sends_another_link(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    await sign_up(client, EMAIL)
    page = await client.get("/settings/account")
    assert "is not verified yet" in page.text

    sent = await client.post(
        "/settings/account/verification", data={"csrf_token": csrf_token(page.text)}
    )

    assert sent.status_code == 303
    assert len(mailbox.to(EMAIL)) == 2
    assert "A new link is on its way" in (await client.get("/settings/account")).text
