"""Helpers that use the pages over ASGI the way a browser does: cookies, CSRF tokens, forms."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.helpers import PASSWORD, Account

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


async def page_token(client: httpx.AsyncClient, url: str = "/sign-in") -> str:
    """The CSRF token of this browser, read from a page as a form would carry it."""
    response = await client.get(url)
    assert response.status_code == 200, response.text
    return csrf_token(response.text)


async def submit(
    client: httpx.AsyncClient,
    url: str,
    data: dict[str, Any] | None = None,
    *,
    files: dict[str, Any] | None = None,
    form_page: str = "/sign-in",
) -> httpx.Response:
    """Post a form as a browser would after loading `form_page`, with its CSRF token."""
    token = await page_token(client, form_page)
    return await client.post(url, data={"csrf_token": token, **(data or {})}, files=files)


async def sign_up(
    client: httpx.AsyncClient, email: str = "ada@example.com", *, timezone: str = "UTC"
) -> httpx.Response:
    response = await submit(
        client,
        "/sign-up",
        {"email": email, "password": PASSWORD, "timezone": timezone, "display_name": "Ada"},
        form_page="/sign-up",
    )
    assert response.status_code == 303, response.text
    return response


def api_headers(base: str, email: str = "ada@example.com") -> dict[str, str]:
    """Bearer headers for the learner, signed in through the API of a live server."""
    response = httpx.post(
        f"{base}/api/auth/login", json={"email": email, "password": PASSWORD}, timeout=10
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def api_account(client: httpx.AsyncClient, email: str = "ada@example.com") -> Account:
    """The browser's learner signed in through the API too, to check or act as a client would."""
    response = await client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    me = await client.get("/api/users/me", headers={"Authorization": f"Bearer {token}"})
    return Account(id=me.json()["id"], email=email, token=token)


async def signed_up(client: httpx.AsyncClient, email: str = "ada@example.com") -> Account:
    """A learner signed up through the pages, with an API token as well."""
    await sign_up(client, email)
    return await api_account(client, email)


def texts(html: str, css_class: str) -> list[str]:
    """The text of elements with `css_class` whose content is plain text (errors, alerts)."""
    pattern = rf'class="{re.escape(css_class)}"[^>]*>([^<]+)<'
    return [m.strip() for m in re.findall(pattern, html)]
