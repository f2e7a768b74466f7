"""The public progress page and badge as a visitor sees them, and the sharing settings page as
the learner uses it: each chosen section shown, nothing unchosen or private ever leaked, 404
for every address that shares nothing, and no cookie for anyone."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.helpers import PASSWORD, Account, days_ago, read_json, record_events
from tests.sharing.test_routes import SECTIONS, shared, stranger_get
from tests.tracks.test_routes import import_track, item_named
from tests.web.browsing import api_account, page_token, sign_up, submit

EMAIL = "zelda.private@example.com"
DISPLAY_NAME = "Zelda Quuxworth"
TIMEZONE = "Pacific/Chatham"
ITEM_NOTE = "my private item note 5d1e"
EVENT_ID = "event-id-secret-9b47"
METADATA = "metadata-secret-31f0"
GRADE = 73.25
# One mark of each section in the page, found only when that section is shown.
MARKS = {
    "rank": 'data-testid="rank"',
    "level": 'data-testid="level"',
    "streaks": 'data-testid="current-streak"',
    "badges": 'id="badges-heading"',
    "skill_levels": 'id="skills-heading"',
    "calendar": 'class="heatmap"',
    "tracks": 'id="tracks-heading"',
}


@dataclass(frozen=True)
class Learner:
    account: Account
    track: dict[str, Any]
    other_track: dict[str, Any]


@pytest.fixture
async def active(client: httpx.AsyncClient) -> Learner:
    """A learner with activity on three days, a project, two tracks (one with a note on an item
    and a finished item), and an API key: everything a public page could leak."""
    registered = await client.post(
        "/api/auth/register",
        json={
            "email": EMAIL,
            "password": PASSWORD,
            "display_name": DISPLAY_NAME,
            "timezone": TIMEZONE,
        },
    )
    assert registered.status_code == 201, registered.text
    account = Account(
        id=registered.json()["user"]["id"],
        email=EMAIL,
        token=registered.json()["access_token"],
    )
    await record_events(
        client,
        account.headers,
        [
            {
                "id": EVENT_ID,
                "kind": "exercise_completed",
                "topic": "recursion",
                "grade": GRADE,
                "occurred_at": days_ago(2, TIMEZONE),
                "metadata": {"exercise": METADATA},
            },
            {"kind": "exercise_completed", "topic": "graphs", "occurred_at": days_ago(1, TIMEZONE)},
            {"kind": "project_completed", "occurred_at": days_ago(0, TIMEZONE)},
        ],
    )
    track = await import_track(client, account)
    tree = await read_json(client, f"/api/tracks/{track['id']}", account.headers)
    stage = item_named(tree, "Stage changes")
    noted = await client.patch(
        f"/api/tracks/{track['id']}/items/{stage['id']}",
        json={"notes": ITEM_NOTE, "state": "done"},
        headers=account.headers,
    )
    assert noted.status_code == 200, noted.text
    other = await import_track(client, account, "# Hidden roadmap\n\n- [ ] Secret step\n")
    key = await client.post(
        "/api/api-keys", json={"name": "tutor", "scopes": ["events:read"]}, headers=account.headers
    )
    assert key.status_code == 201, key.text
    return Learner(account, track, other)


def text_of(svg: str) -> str:
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    return " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))


# The public page -------------------------------------------------------------------------------


@pytest.mark.parametrize("section", SECTIONS)
async def test_the_page_shows_a_chosen_section_and_no_other(
    client: httpx.AsyncClient, app: FastAPI, active: Learner, section: str
) -> None:
    settings = await shared(client, active.account, sections=[section], tracks=[active.track["id"]])
    page = await stranger_get(app, settings["url"])
    assert page.status_code == 200
    assert MARKS[section] in page.text
    for other, mark in MARKS.items():
        if other != section:
            assert mark not in page.text, other


async def test_each_section_shows_the_learners_own_numbers(
    client: httpx.AsyncClient, app: FastAPI, active: Learner
) -> None:
    settings = await shared(client, active.account, sections=SECTIONS, tracks=[active.track["id"]])
    page = (await stranger_get(app, settings["url"])).text
    progress = await read_json(client, "/api/progress", active.account.headers)
    badges = await read_json(client, "/api/progress/badges", active.account.headers)
    tracks = await read_json(client, "/api/tracks", active.account.headers)

    assert f"</span> {progress['rank']['name']}</p>" in page
    assert f'data-testid="level">{progress["level"]} ' in page
    assert f'data-testid="xp">{progress["xp"]}<' in page
    assert f'data-testid="current-streak">{progress["current_streak"]}<' in page
    assert f'data-testid="longest-streak">{progress["longest_streak"]}<' in page
    assert badges["earned"]
    for badge in badges["earned"]:
        assert f"<strong>{badge['name']}</strong>" in page
    for badge in badges["available"]:
        assert f"<strong>{badge['name']}</strong>" not in page
    for skill in progress["skill_levels"]:
        assert (
            f'<th scope="row">{skill["topic"]}</th><td><span class="chip">{skill["level"]}' in page
        )
    assert page.count('<span class="l0"') + len(re.findall(r'<span class="l[1-4]"', page)) == 365
    assert len(re.findall(r'<span class="l[1-4]"', page)) == progress["active_days"]
    shown = next(t for t in tracks["items"] if t["id"] == active.track["id"])
    assert f"<strong>{shown['title']}</strong>" in page
    done, total = shown["progress"]["done"], shown["progress"]["total"]
    assert f"{done} of {total} done" in page
    assert f'value="{shown["progress"]["percent"]}"' in page
    assert "Hidden roadmap" not in page  # a track not picked


async def test_the_page_and_badge_never_leak_private_data(
    client: httpx.AsyncClient, app: FastAPI, active: Learner
) -> None:
    settings = await shared(
        client,
        active.account,
        sections=SECTIONS,
        tracks=[active.track["id"]],
        handle="zelda",
    )
    keys = await read_json(client, "/api/api-keys", active.account.headers)
    private = [
        EMAIL,
        "zelda.private",
        DISPLAY_NAME,
        TIMEZONE,
        ITEM_NOTE,
        EVENT_ID,
        METADATA,
        str(GRADE),
        "Stage changes",  # items of a shared track stay private; only its completion shows
        "Learn the everyday commands",  # the track's description
        active.account.id,
        active.track["id"],
        keys["items"][0]["prefix"],
    ]
    for path in [
        settings["url"],
        settings["badge_url"],
        settings["profile_url"],
        settings["profile_url"] + "/badge.svg",
    ]:
        response = await stranger_get(app, path)
        assert response.status_code == 200, path
        for secret in private:
            assert secret not in response.text, (path, secret)


async def test_nothing_private_shows_even_with_every_section_off(
    client: httpx.AsyncClient, app: FastAPI, active: Learner
) -> None:
    settings = await shared(client, active.account, sections=[], tracks=[active.track["id"]])
    page = await stranger_get(app, settings["url"])
    assert page.status_code == 200
    assert "This learner shares nothing yet." in page.text
    assert all(mark not in page.text for mark in MARKS.values())
    assert active.track["title"] not in page.text
    assert text_of((await stranger_get(app, settings["badge_url"])).text) == "QuestPath learning"


async def test_a_visitor_gets_no_cookie_and_the_usual_security_headers(
    client: httpx.AsyncClient, app: FastAPI, active: Learner
) -> None:
    settings = await shared(client, active.account, sections=SECTIONS, handle="zelda")
    usual = await stranger_get(app, "/sign-in")
    for path in [settings["url"], settings["badge_url"], "/u/zelda", "/p/wrong", "/u/nobody"]:
        response = await stranger_get(app, path)
        assert "set-cookie" not in response.headers, path
        for header in [
            "content-security-policy",
            "x-content-type-options",
            "referrer-policy",
            "x-frame-options",
        ]:
            assert response.headers[header] == usual.headers[header], (path, header)


async def test_a_signed_in_visitor_sees_the_public_page_and_gets_no_cookie_either(
    client: httpx.AsyncClient,
) -> None:
    await sign_up(client)
    account = await api_account(client)
    settings = await shared(client, account, sections=["rank"])
    response = await client.get(settings["url"])
    assert response.status_code == 200
    assert "set-cookie" not in response.headers
    assert 'action="/sign-out"' not in response.text
    assert "csrf" not in response.text.lower()


async def test_only_a_public_profile_may_be_indexed(
    client: httpx.AsyncClient, app: FastAPI, active: Learner
) -> None:
    noindex = '<meta name="robots" content="noindex">'
    settings = await shared(client, active.account, handle="Zelda")
    by_link = await stranger_get(app, settings["url"])
    profile = await stranger_get(app, "/u/zelda")
    assert noindex in by_link.text
    assert by_link.headers["x-robots-tag"] == "noindex"
    assert noindex not in profile.text
    assert "x-robots-tag" not in profile.headers
    assert "<h1>zelda's progress</h1>" in profile.text


async def test_off_revoked_and_unknown_addresses_are_404_and_show_nothing(
    client: httpx.AsyncClient, app: FastAPI, active: Learner
) -> None:
    on = await shared(client, active.account, sections=SECTIONS, handle="zelda")
    revoked = await client.post("/api/sharing/revoke", headers=active.account.headers)
    assert revoked.status_code == 200
    for path in [on["url"], on["badge_url"], "/p/", "/u/nobody", "/u/nobody/badge.svg"]:
        response = await stranger_get(app, path)
        assert response.status_code == 404, path
        assert "Novice" not in response.text

    await shared(client, active.account, enabled=False, sections=SECTIONS, handle="zelda")
    current = revoked.json()
    for path in [current["url"], current["badge_url"], "/u/zelda", "/u/zelda/badge.svg"]:
        response = await stranger_get(app, path)
        assert response.status_code == 404, path
        assert "zelda" not in response.text.lower()


# The badge -------------------------------------------------------------------------------------


async def test_the_badge_is_an_svg_of_rank_and_streak_cached_briefly(
    client: httpx.AsyncClient, app: FastAPI, active: Learner
) -> None:
    settings = await shared(client, active.account, sections=["rank", "streaks"])
    progress = await read_json(client, "/api/progress", active.account.headers)
    badge = await stranger_get(app, settings["badge_url"])
    assert badge.status_code == 200
    assert badge.headers["content-type"] == "image/svg+xml"
    assert badge.headers["cache-control"] == "public, max-age=300"
    streak = progress["current_streak"]
    assert text_of(badge.text) == f"QuestPath {progress['rank']['name']} · {streak}-day streak"


async def test_the_badge_leaves_out_what_is_not_shared(
    client: httpx.AsyncClient, app: FastAPI, active: Learner
) -> None:
    progress = await read_json(client, "/api/progress", active.account.headers)
    settings = await shared(client, active.account, sections=["streaks"])
    badge = (await stranger_get(app, settings["badge_url"])).text
    assert text_of(badge) == f"QuestPath {progress['current_streak']}-day streak"
    assert progress["rank"]["name"] not in badge


# The settings page -----------------------------------------------------------------------------


async def test_the_settings_page_asks_to_sign_in_first(client: httpx.AsyncClient) -> None:
    response = await client.get("/settings/sharing")
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=%2Fsettings%2Fsharing"


async def test_the_settings_page_links_to_sharing(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    assert 'href="/settings/sharing"' in (await client.get("/settings")).text


def shown_link(page: str) -> str:
    """The public page's address, in the notice shown once after the link was made."""
    found = re.search(r'<input id="share-page-link" class="secret" readonly value="([^"]+)">', page)
    assert found, "the page does not show the new link"
    assert "Copy it now: it will not be shown again." in page
    return found.group(1)


async def test_sharing_is_turned_on_and_off_on_the_settings_page(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    await sign_up(client)
    account = await api_account(client)
    track = await import_track(client, account)
    page = (await client.get("/settings/sharing")).text
    assert "Sharing is off" in page
    assert f'name="tracks" value="{track["id"]}"' in page

    form = {"enabled": "on", "handle": "Ada", "sections": ["rank", "tracks"]}
    saved = await submit(
        client,
        "/settings/sharing",
        {**form, "tracks": [track["id"]]},
        form_page="/settings/sharing",
    )
    assert saved.status_code == 200  # the page itself, the one time it can show the link
    link = shown_link(saved.text)
    assert link.startswith("http://testserver/p/")
    path = link.removeprefix("http://testserver")
    settings = await read_json(client, "/api/sharing", account.headers)
    assert settings["enabled"] is True
    assert settings["has_link"] is True
    assert settings["handle"] == "ada"
    assert settings["sections"] == ["rank", "tracks"]
    assert settings["tracks"] == [track["id"]]
    assert (await stranger_get(app, path)).status_code == 200

    page = (await client.get("/settings/sharing")).text
    assert "/p/" not in page
    assert "Your link is active." in page
    assert 'value="http://testserver/u/ada"' in page
    assert "(http://testserver/u/ada/badge.svg)](http://testserver/u/ada)" in page
    assert 'action="/settings/sharing/revoke"' in page

    off = await submit(
        client, "/settings/sharing", {"sections": ["rank"]}, form_page="/settings/sharing"
    )
    assert off.status_code == 303
    assert (await read_json(client, "/api/sharing", account.headers))["enabled"] is False
    assert (await stranger_get(app, path)).status_code == 404
    assert (
        "Turning sharing on again brings the same link back"
        in (await client.get("/settings/sharing")).text
    )

    on = await submit(client, "/settings/sharing", form, form_page="/settings/sharing")
    assert on.status_code == 303
    assert (await stranger_get(app, path)).status_code == 200


async def test_a_new_link_is_made_on_the_settings_page(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    await sign_up(client)
    account = await api_account(client)
    before = await shared(client, account)
    revoked = await submit(client, "/settings/sharing/revoke", form_page="/settings/sharing")
    assert revoked.status_code == 200
    assert "A new link is made, and the old one no longer works." in revoked.text
    path = shown_link(revoked.text).removeprefix("http://testserver")
    assert path != before["url"]
    assert (await stranger_get(app, before["url"])).status_code == 404
    assert (await stranger_get(app, path)).status_code == 200
    assert path not in (await client.get("/settings/sharing")).text


@pytest.mark.parametrize(
    ("handle", "says"),
    [("a!", "Must be 3 to 32 characters long"), ("admin", "&#39;admin&#39; is reserved")],
)
async def test_a_bad_handle_is_shown_beside_its_field_and_nothing_is_saved(
    client: httpx.AsyncClient, handle: str, says: str
) -> None:
    await sign_up(client)
    account = await api_account(client)
    response = await submit(
        client,
        "/settings/sharing",
        {"enabled": "on", "handle": handle, "sections": ["rank"]},
        form_page="/settings/sharing",
    )
    assert response.status_code == 422
    error = re.search(r'<p class="error" id="f-handle-error">([^<]+)</p>', response.text)
    assert error
    assert says in error.group(1)
    assert (await read_json(client, "/api/sharing", account.headers))["enabled"] is False


async def test_a_taken_handle_is_shown_beside_its_field(client: httpx.AsyncClient) -> None:
    other = await client.post(
        "/api/auth/register", json={"email": "other@example.com", "password": PASSWORD}
    )
    taken = Account(id="", email="other@example.com", token=other.json()["access_token"])
    await shared(client, taken, handle="ada")
    await sign_up(client)
    response = await submit(
        client,
        "/settings/sharing",
        {"enabled": "on", "handle": "ADA"},
        form_page="/settings/sharing",
    )
    assert response.status_code == 422
    assert "is taken by another learner" in response.text
    assert 'id="f-handle-error"' in response.text


async def test_a_form_without_the_csrf_token_is_refused_and_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    await sign_up(client)
    account = await api_account(client)
    await page_token(client, "/settings/sharing")
    posted = await client.post("/settings/sharing", data={"enabled": "on"})
    revoked = await client.post("/settings/sharing/revoke")
    assert [posted.status_code, revoked.status_code] == [403, 403]
    assert (await read_json(client, "/api/sharing", account.headers))["enabled"] is False


async def test_a_bad_section_or_track_on_the_form_is_shown_beside_its_list(
    client: httpx.AsyncClient,
) -> None:
    await sign_up(client)
    account = await api_account(client)
    response = await submit(
        client,
        "/settings/sharing",
        {"enabled": "on", "sections": ["rank", "email"], "tracks": ["not-an-id"]},
        form_page="/settings/sharing",
    )
    assert response.status_code == 422
    assert re.search(r'<p class="error" id="f-sections-error">Input should be', response.text)
    assert re.search(r'<p class="error" id="f-tracks-error">[^<]+', response.text)
    assert (await read_json(client, "/api/sharing", account.headers))["enabled"] is False
