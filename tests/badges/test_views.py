"""The badges page as the learner uses it: nothing published until chosen, publishing one
achievement or all of them, and revoking."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI

from tests.badges.test_routes import exercise, hosted_path, stranger_get
from tests.helpers import read_json, record_events
from tests.web.browsing import signed_up, submit

PAGE = "/settings/badges"


async def test_the_page_lists_unlocked_achievements_and_publishes_none_by_itself(
    client: httpx.AsyncClient,
) -> None:
    before = (await client.get(PAGE, follow_redirects=False)).status_code
    learner = await signed_up(client)
    empty = (await client.get(PAGE)).text
    await record_events(client, learner.headers, [exercise()])

    page = (await client.get(PAGE)).text

    assert before == 303  # sign in first
    assert "No achievement is unlocked yet" in empty
    assert "First Steps" in page
    assert "Not published" in page
    assert await read_json(client, "/api/badges", learner.headers) == {"badges": []}
    assert 'href="/settings/badges"' in (await client.get("/settings")).text


async def test_publishing_from_the_page_gives_a_public_link_and_revoking_takes_it_away(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    learner = await signed_up(client)
    await record_events(client, learner.headers, [exercise()])

    published = await submit(
        client, f"{PAGE}/publish", {"achievement": "first-exercise"}, form_page=PAGE
    )
    page = await client.get(PAGE)
    [badge] = (await read_json(client, "/api/badges", learner.headers))["badges"]
    public = await stranger_get(app, hosted_path(badge["url"]))

    assert published.status_code == 303
    assert "is published as a badge" in page.text
    assert f'href="{badge["url"]}"' in page.text
    assert public.status_code == 200

    revoked = await submit(client, f"{PAGE}/{badge['id']}/revoke", form_page=PAGE)
    after = await client.get(PAGE)
    gone = await stranger_get(app, hosted_path(badge["url"]))

    assert revoked.status_code == 303
    assert "The badge is revoked" in after.text
    assert "Not published" in after.text
    assert gone.status_code == 410


async def test_publish_all_on_the_page_publishes_every_achievement_as_it_unlocks(
    client: httpx.AsyncClient,
) -> None:
    learner = await signed_up(client)
    await record_events(client, learner.headers, [exercise("ex-0")])

    turned_on = await submit(client, f"{PAGE}/publish-all", {"publish_all": "on"}, form_page=PAGE)
    page = (await client.get(PAGE)).text
    await record_events(client, learner.headers, [exercise(f"ex-{n}") for n in range(1, 10)])
    listing = await read_json(client, "/api/badges", learner.headers)
    turned_off = await submit(client, f"{PAGE}/publish-all", {}, form_page=PAGE)

    assert turned_on.status_code == 303
    assert re.search(r'name="publish_all" value="on"\s+checked', page)
    assert "Every achievement you unlock is now published" in page
    assert {b["achievement"] for b in listing["badges"]} == {"first-exercise", "exercises-10"}
    assert turned_off.status_code == 303
    assert await read_json(client, "/api/badges/settings", learner.headers) == {
        "publish_all": False
    }


async def test_publishing_an_achievement_not_unlocked_is_refused_with_a_message(
    client: httpx.AsyncClient,
) -> None:
    learner = await signed_up(client)

    refused = await submit(
        client, f"{PAGE}/publish", {"achievement": "first-exercise"}, form_page=PAGE
    )

    assert refused.status_code == 422
    assert "not unlocked yet" in refused.text
    assert await read_json(client, "/api/badges", learner.headers) == {"badges": []}
