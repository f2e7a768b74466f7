"""Sign-up, sign-in, sign-out and settings pages, used over HTTP as a browser uses them."""

from __future__ import annotations

import base64
import re

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from questpath.auth.models import WebSession
from questpath.auth.rules import SCOPES, SUGGESTED_SCOPES
from tests.helpers import PASSWORD
from tests.web.browsing import api_account, csrf_token, page_token, sign_up, submit, texts


def _set_cookie(response: httpx.Response, name: str) -> str:
    headers = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    assert len(headers) == 1, response.headers.get_list("set-cookie")
    return headers[0]


async def test_pages_need_a_session_and_send_to_sign_in_and_back(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/statistics?period=weekly")
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=%2Fstatistics%3Fperiod%3Dweekly"

    await sign_up(client)
    client.cookies.delete("qp_session")
    response = await client.post(
        "/sign-in?next=%2Fstatistics%3Fperiod%3Dweekly",
        data={
            "csrf_token": await page_token(client),
            "email": "ada@example.com",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/statistics?period=weekly"


UNSAFE_TARGETS = [
    "//evil.example/x",
    "https://evil.example/",
    "/\\evil.example",
    "/\t/evil.example",
    "/\n/x",
    "/\r\n/x",
    "/\u3002/x",
    "/caf\u00e9",
]


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize("target", UNSAFE_TARGETS)
async def test_sign_in_never_redirects_to_another_site(
    client: httpx.AsyncClient, target: str, htmx: bool
) -> None:
    await sign_up(client)
    client.cookies.delete("qp_session")
    response = await client.post(
        "/sign-in",
        params={"next": target},
        headers={"HX-Request": "true"} if htmx else {},
        data={
            "csrf_token": await page_token(client),
            "email": "ada@example.com",
            "password": PASSWORD,
        },
    )
    if htmx:
        assert response.status_code == 200
        assert response.headers["hx-redirect"] == "/"
    else:
        assert response.status_code == 303
        assert response.headers["location"] == "/"


@pytest.mark.parametrize("target", UNSAFE_TARGETS)
async def test_the_sign_in_form_never_carries_an_unsafe_target(
    client: httpx.AsyncClient, target: str
) -> None:
    response = await client.get("/sign-in", params={"next": target})
    assert response.status_code == 200
    assert 'action="/sign-in"' in response.text


async def test_sign_up_signs_in_with_an_http_only_same_site_session(
    client: httpx.AsyncClient,
) -> None:
    response = await sign_up(client)
    cookie = _set_cookie(response, "qp_session").lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" not in cookie  # served over plain HTTP here
    assert response.headers["location"] == "/"

    dashboard = await client.get("/")
    assert dashboard.status_code == 200
    assert "Hello, Ada" in dashboard.text
    assert "Welcome to QuestPath, Ada!" in dashboard.text  # the toast survived the redirect
    again = await client.get("/")
    assert "Welcome to QuestPath" not in again.text  # and is shown once


async def test_cookies_are_secure_when_served_over_https(app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        response = await sign_up(client)
    for name in ("qp_session", "qp_csrf", "qp_flash"):
        assert "secure" in _set_cookie(response, name).lower()


async def test_sign_up_shows_each_problem_beside_its_field_and_keeps_the_input(
    client: httpx.AsyncClient,
) -> None:
    response = await submit(
        client,
        "/sign-up",
        {"email": "not an address", "password": PASSWORD, "timezone": "Mars/Olympus_Mons"},
        form_page="/sign-up",
    )
    assert response.status_code == 422
    errors = texts(response.text, "error")
    assert any("email" in e.lower() for e in errors)
    assert any("Mars/Olympus_Mons" in e for e in errors)
    assert 'value="not an address"' in response.text
    assert PASSWORD not in response.text  # a password is never sent back


async def test_a_weak_password_is_explained(client: httpx.AsyncClient) -> None:
    response = await submit(
        client,
        "/sign-up",
        {"email": "ada@example.com", "password": "short"},
        form_page="/sign-up",
    )
    assert response.status_code == 422
    assert 'id="f-password-error"' in response.text
    assert 'aria-invalid="true"' in response.text


async def test_an_address_already_registered_is_reported_beside_the_email(
    client: httpx.AsyncClient,
) -> None:
    await sign_up(client)
    client.cookies.clear()
    response = await submit(
        client, "/sign-up", {"email": "ada@example.com", "password": PASSWORD}, form_page="/sign-up"
    )
    assert response.status_code == 422
    error = re.search(r'id="f-email-error"[^>]*>([^<]*)<', response.text)
    assert error, "no error beside the e-mail field"
    assert error.group(1).strip() == "An account with this e-mail already exists"


async def test_wrong_password_is_refused_with_a_message(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    client.cookies.clear()
    response = await submit(
        client, "/sign-in", {"email": "ada@example.com", "password": "not the passphrase"}
    )
    assert response.status_code == 401
    assert "The e-mail address or password is wrong" in response.text
    assert "qp_session" not in response.cookies


async def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    await client.get("/sign-up")  # the browser holds a CSRF cookie, but the post lacks the token
    response = await client.post(
        "/sign-up", data={"email": "ada@example.com", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert "did not come from a QuestPath page" in response.text
    login = await client.post(
        "/api/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
    )
    assert login.status_code == 401


async def test_a_token_from_another_browser_is_refused(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        stolen = await page_token(other)
    await client.get("/sign-up")
    response = await client.post(
        "/sign-up", data={"csrf_token": stolen, "email": "ada@example.com", "password": PASSWORD}
    )
    assert response.status_code == 403


async def test_sign_in_rotates_the_csrf_secret(client: httpx.AsyncClient) -> None:
    before = await page_token(client)
    await sign_up(client)
    after = csrf_token((await client.get("/settings")).text)
    assert before != after


async def test_sign_out_ends_the_session_on_the_server(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    session_cookie = client.cookies["qp_session"]
    response = await submit(client, "/sign-out", form_page="/settings")
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"
    client.cookies.set("qp_session", session_cookie)  # replaying the old cookie
    assert (await client.get("/")).status_code == 303


async def test_an_expired_session_signs_no_one_in(client: httpx.AsyncClient, app: FastAPI) -> None:
    await sign_up(client)
    async with app.state.sessionmaker() as session, session.begin():
        await session.execute(update(WebSession).values(expires_at=WebSession.created_at))
    assert (await client.get("/")).status_code == 303


@pytest.mark.parametrize("cookie", ["garbage", "not-a-uuid.token", "", "0" * 500])
async def test_a_malformed_session_cookie_is_ignored(
    client: httpx.AsyncClient, cookie: str
) -> None:
    client.cookies.set("qp_session", cookie)
    response = await client.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"


async def test_settings_change_the_timezone_for_the_api_too(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    response = await submit(
        client,
        "/settings/profile",
        {"display_name": "Ada L.", "timezone": "Asia/Tokyo"},
        form_page="/settings",
    )
    assert response.status_code == 303
    me = await client.get("/api/users/me", headers=(await api_account(client)).headers)
    assert (me.json()["timezone"], me.json()["display_name"]) == ("Asia/Tokyo", "Ada L.")
    page = await client.get("/settings")
    assert "Settings saved." in page.text
    assert 'value="Asia/Tokyo"' in page.text


async def test_settings_refuse_an_unknown_timezone_beside_the_field(
    client: httpx.AsyncClient,
) -> None:
    await sign_up(client)
    response = await submit(
        client,
        "/settings/profile",
        {"display_name": "Ada", "timezone": "Europe/Atlantis"},
        form_page="/settings",
    )
    assert response.status_code == 422
    assert 'id="f-timezone-error"' in response.text
    me = await client.get("/api/users/me", headers=(await api_account(client)).headers)
    assert me.json()["timezone"] == "UTC"


async def test_an_api_key_is_shown_once_works_and_can_be_revoked(
    client: httpx.AsyncClient,
) -> None:
    await sign_up(client)
    response = await submit(
        client,
        "/settings/api-keys",
        {"name": "coding tutor", "scopes": ["progress:read"]},
        form_page="/settings",
    )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    secret = response.text.split('id="new-key-secret" class="secret" readonly value="')[1]
    secret = secret.split('"')[0]
    assert secret.startswith("qp_")
    headers = {"Authorization": f"Bearer {secret}"}
    assert (await client.get("/api/progress", headers=headers)).status_code == 200

    page = await client.get("/settings")
    assert secret not in page.text
    keys = await client.get("/api/api-keys", headers=(await api_account(client)).headers)
    key = keys.json()["items"][0]
    revoked = await submit(client, f"/settings/api-keys/{key['id']}/revoke", form_page="/settings")
    assert revoked.status_code == 303
    assert (await client.get("/api/progress", headers=headers)).status_code == 401


def _scope_boxes(html: str) -> dict[str, bool]:
    """Each scope checkbox of the page: whether it is ticked."""
    box = r'<input type="checkbox" name="scopes" value="([^"]+)"[^>]*?( checked)?>'
    boxes = re.findall(box, html)
    return {value: bool(checked) for value, checked in boxes}


async def test_the_key_form_offers_every_scope_by_resource_with_little_ticked(
    client: httpx.AsyncClient,
) -> None:
    await sign_up(client)

    page = (await client.get("/settings")).text

    assert _scope_boxes(page) == {scope: scope in SUGGESTED_SCOPES for scope in SCOPES}
    groups = re.findall(r'<fieldset class="scope-group">\s*<legend>([^<]+)</legend>', page)
    assert groups == [
        "Events",
        "Progress",
        "Tracks",
        "Quizzes",
        "Goals",
        "Profile",
        "Notifications",
        "Webhooks",
        "xAPI",
    ]
    assert "Read the profile (with the e-mail address)" in page
    assert "Read XP, levels" in page


async def test_a_key_made_on_the_page_gets_the_ticked_scopes_and_an_error_keeps_them(
    client: httpx.AsyncClient,
) -> None:
    await sign_up(client)
    chosen = ["goals:read", "goals:write", "tracks:read"]

    refused = await submit(
        client, "/settings/api-keys", {"name": "", "scopes": chosen}, form_page="/settings"
    )
    made = await submit(
        client, "/settings/api-keys", {"name": "planner", "scopes": chosen}, form_page="/settings"
    )

    assert refused.status_code == 422
    assert _scope_boxes(refused.text) == {scope: scope in chosen for scope in SCOPES}
    assert made.status_code == 200
    keys = await client.get("/api/api-keys", headers=(await api_account(client)).headers)
    assert [key["scopes"] for key in keys.json()["items"]] == [sorted(chosen)]


async def test_an_api_key_needs_a_name_and_a_scope(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    response = await submit(client, "/settings/api-keys", {"name": ""}, form_page="/settings")
    assert response.status_code == 422
    assert 'id="f-name-error"' in response.text
    assert 'id="f-scopes-error"' in response.text


async def test_a_new_xapi_key_is_shown_with_the_lrs_endpoint_and_its_id_as_the_username(
    client: httpx.AsyncClient,
) -> None:
    await sign_up(client)
    response = await submit(
        client,
        "/settings/api-keys",
        {"name": "authoring tool", "scopes": ["xapi:read", "xapi:write"]},
        form_page="/settings",
    )
    assert response.status_code == 200

    def shown(box: str) -> str:
        return response.text.split(f'id="{box}"')[1].split('value="')[1].split('"')[0]

    secret, username = shown("new-key-secret"), shown("new-key-id")
    assert shown("new-key-endpoint") == "http://127.0.0.1:8000/xapi/"
    token = base64.b64encode(f"{username}:{secret}".encode()).decode()
    lrs = {"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"}
    assert (await client.get("/xapi/statements", headers=lrs)).status_code == 200
    plain = await submit(
        client,
        "/settings/api-keys",
        {"name": "tutor", "scopes": ["events:write"]},
        form_page="/settings",
    )
    assert 'id="new-key-endpoint"' not in plain.text
