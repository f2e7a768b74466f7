"""Password reset by a mailed, single-use, expiring link, through the API and the pages, with a
real SMTP server on loopback receiving the mail."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI

from questpath.clock import request_time, utc_now
from questpath.config import Settings
from tests.conftest import mail_settings
from tests.helpers import PASSWORD, assert_problem, field_errors, register_account
from tests.servers import Mailbox, SmtpServer
from tests.web.browsing import page_token, submit

EMAIL = "ada@example.com"
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def settings(database_url: str, tmp_path: Path, smtp: SmtpServer) -> Settings:
    return mail_settings(database_url, tmp_path, smtp.port)


@pytest.fixture
def mailbox(smtp: SmtpServer) -> Mailbox:
    return smtp.mailbox


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


async def ask_for_link(client: httpx.AsyncClient, email: str = EMAIL) -> httpx.Response:
    return await client.post("/api/auth/password-reset", json={"email": email})


async def reset(client: httpx.AsyncClient, token: str, password: str) -> httpx.Response:
    return await client.post(
        "/api/auth/password-reset/confirm", json={"token": token, "new_password": password}
    )


async def login(client: httpx.AsyncClient, password: str) -> httpx.Response:
    return await client.post("/api/auth/login", json={"email": EMAIL, "password": password})


async def test_the_mailed_link_sets_a_new_password(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    await register_account(client, EMAIL)

    asked = await ask_for_link(client, "  Ada@Example.com ")
    assert asked.status_code == 202
    mail = mailbox.to(EMAIL)[-1]
    assert mail["From"] == "QuestPath <questpath@example.org>"
    assert mail["Message-ID"].endswith("@example.org>")
    assert mail["Auto-Submitted"] == "auto-generated"
    assert "password" in mail["Subject"].lower()
    link = mailbox.link(EMAIL, "/reset-password")
    assert link.startswith("http://127.0.0.1:8000/reset-password?token=")

    assert (await reset(client, token_of(link), NEW_PASSWORD)).status_code == 204
    assert_problem(await login(client, PASSWORD), 401)
    assert (await login(client, NEW_PASSWORD)).status_code == 200


async def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    await register_account(client, EMAIL)

    known = await ask_for_link(client, EMAIL)
    unknown = await ask_for_link(client, "nobody@example.com")

    assert (
        (known.status_code, known.content) == (unknown.status_code, unknown.content) == (202, b"")
    )
    assert known.headers.get("content-type") == unknown.headers.get("content-type")
    assert [m["To"] for m in mailbox.messages] == [EMAIL]


async def test_a_link_works_once_and_its_use_ends_the_older_links(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    await register_account(client, EMAIL)
    await ask_for_link(client)
    older = token_of(mailbox.link(EMAIL, "/reset-password"))
    await ask_for_link(client)
    newer = token_of(mailbox.link(EMAIL, "/reset-password"))
    assert older != newer

    assert (await reset(client, newer, NEW_PASSWORD)).status_code == 204
    again = await reset(client, newer, "yet another passphrase")
    assert "used already" in field_errors(again)["token"]
    assert (
        "used already"
        in field_errors(await reset(client, older, "yet another passphrase"))["token"]
    )
    assert (await login(client, NEW_PASSWORD)).status_code == 200


async def test_a_password_change_ends_the_reset_links(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    ada = await register_account(client, EMAIL)
    await ask_for_link(client)
    token = token_of(mailbox.link(EMAIL, "/reset-password"))
    changed = await client.post(
        "/api/users/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=ada.headers,
    )
    assert changed.status_code == 200, changed.text

    refused = await reset(client, token, "yet another passphrase")

    assert "used already" in field_errors(refused)["token"]
    assert (await login(client, NEW_PASSWORD)).status_code == 200


async def test_a_link_expires(client: httpx.AsyncClient, app: FastAPI, mailbox: Mailbox) -> None:
    await register_account(client, EMAIL)
    await ask_for_link(client)
    token = token_of(mailbox.link(EMAIL, "/reset-password"))

    later = utc_now() + timedelta(minutes=60, seconds=1)
    app.dependency_overrides[request_time] = lambda: later
    expired = await reset(client, token, NEW_PASSWORD)

    body = assert_problem(expired, 422)
    assert "expired" in field_errors(expired)["token"]
    assert body["errors"][0]["field"] == "token"
    app.dependency_overrides.clear()
    assert (await login(client, PASSWORD)).status_code == 200


@pytest.mark.parametrize("token", ["", "not-a-token", "x" * 43])
async def test_an_unknown_token_is_refused_by_field(
    client: httpx.AsyncClient, mailbox: Mailbox, token: str
) -> None:
    await register_account(client, EMAIL)
    refused = await reset(client, token, NEW_PASSWORD)
    assert_problem(refused, 422)
    assert "not valid" in field_errors(refused)["token"]


@pytest.mark.parametrize(
    ("password", "reason"),
    [("short", "at least 10"), ("password123", "common"), (EMAIL, "e-mail address")],
)
async def test_the_new_password_follows_the_sign_up_rules_and_keeps_the_link(
    client: httpx.AsyncClient, mailbox: Mailbox, password: str, reason: str
) -> None:
    await register_account(client, EMAIL)
    await ask_for_link(client)
    token = token_of(mailbox.link(EMAIL, "/reset-password"))

    refused = await reset(client, token, password)

    assert_problem(refused, 422)
    assert reason in field_errors(refused)["new_password"]
    assert (await reset(client, token, NEW_PASSWORD)).status_code == 204


async def test_a_reset_revokes_access_tokens_and_browser_sessions(
    client: httpx.AsyncClient, app: FastAPI, mailbox: Mailbox
) -> None:
    ada = await register_account(client, EMAIL)
    transport = httpx.ASGITransport(app=app, client=("198.51.100.9", 40002))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        signed_in = await submit(browser, "/sign-in", {"email": EMAIL, "password": PASSWORD})
        assert signed_in.status_code == 303
        assert (await browser.get("/settings")).status_code == 200

        await ask_for_link(client)
        assert (
            await reset(client, token_of(mailbox.link(EMAIL, "/reset-password")), NEW_PASSWORD)
        ).status_code == 204

        assert_problem(await client.get("/api/users/me", headers=ada.headers), 401)
        page = await browser.get("/settings")
        assert page.status_code == 303
        assert page.headers["location"].startswith("/sign-in")


async def test_a_reset_forgets_the_failed_sign_ins(
    client: httpx.AsyncClient, settings: Settings, mailbox: Mailbox
) -> None:
    await register_account(client, EMAIL)
    for _ in range(settings.login_max_failures_per_email):
        assert_problem(await login(client, "a wrong passphrase"), 401)
    assert_problem(await login(client, PASSWORD), 429)

    await ask_for_link(client)
    assert (
        await reset(client, token_of(mailbox.link(EMAIL, "/reset-password")), NEW_PASSWORD)
    ).status_code == 204

    assert (await login(client, NEW_PASSWORD)).status_code == 200


async def test_at_most_three_links_an_hour_go_to_one_address(
    client: httpx.AsyncClient, app: FastAPI, mailbox: Mailbox
) -> None:
    await register_account(client, EMAIL)
    start = utc_now()
    app.dependency_overrides[request_time] = lambda: start

    answers = [(await ask_for_link(client)).status_code for _ in range(5)]

    assert answers == [202] * 5
    assert len(mailbox.to(EMAIL)) == 3
    later: datetime = start + timedelta(hours=1, seconds=1)
    app.dependency_overrides[request_time] = lambda: later
    assert (await ask_for_link(client)).status_code == 202
    assert len(mailbox.to(EMAIL)) == 4


async def test_the_pages_reset_a_forgotten_password(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    await register_account(client, EMAIL)
    sign_in = await client.get("/sign-in")
    assert 'href="/forgot-password"' in sign_in.text

    form = await client.get("/forgot-password")
    assert form.status_code == 200
    sent = await submit(client, "/forgot-password", {"email": EMAIL}, form_page="/forgot-password")
    assert sent.status_code == 200
    assert "Check your mail" in sent.text
    unknown = await submit(
        client, "/forgot-password", {"email": "nobody@example.com"}, form_page="/forgot-password"
    )
    assert unknown.status_code == 200
    assert "Check your mail" in unknown.text
    assert [m["To"] for m in mailbox.messages] == [EMAIL]

    link = urlsplit(mailbox.link(EMAIL, "/reset-password"))
    page = await client.get(f"{link.path}?{link.query}")
    assert page.status_code == 200
    assert 'name="new_password"' in page.text
    weak = await client.post(
        "/reset-password",
        data={
            "csrf_token": await page_token(client),
            "token": token_of(link.geturl()),
            "new_password": "short",
        },
    )
    assert weak.status_code == 422
    assert "at least 10" in weak.text

    done = await client.post(
        "/reset-password",
        data={
            "csrf_token": await page_token(client),
            "token": token_of(link.geturl()),
            "new_password": NEW_PASSWORD,
        },
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/sign-in"
    signed_in = await submit(client, "/sign-in", {"email": EMAIL, "password": NEW_PASSWORD})
    assert signed_in.status_code == 303

    used = await client.get(f"{link.path}?{link.query}")
    reused = await client.post(
        "/reset-password",
        data={
            "csrf_token": await page_token(client, "/settings"),
            "token": token_of(link.geturl()),
            "new_password": "another passphrase",
        },
    )
    assert used.status_code == 200
    assert reused.status_code == 422
    assert "used already" in reused.text.replace("&#39;", "'")
    assert 'href="/forgot-password"' in reused.text
