"""The JSON export holds the whole account, each section as its own API reads it, so that an
import can rebuild it; no secret and nothing of another learner ever appears in it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from questpath.auth.credentials import SESSION_COOKIE
from questpath.auth.models import ApiKey, User, WebSession
from questpath.export.account import FORMAT, FORMAT_VERSION
from tests.auth.test_authentication import create_key, key_headers
from tests.events.test_voiding import void
from tests.goals.test_routes import create_goal
from tests.helpers import PASSWORD, Account, all_events, local_today, read_json, record_events
from tests.mentors.test_routes import mentor_for
from tests.quizzes.test_routes import SHORT_ANSWER, add_question, new_quiz, review
from tests.sharing.test_routes import shared
from tests.tracks.test_reimport import reimport
from tests.tracks.test_routes import all_items, category_named, import_track, item_named
from tests.web.browsing import signed_up

EXPORT = "/api/progress/export"
PLAN = """# Plan

## Basics
- [ ] Read the guide
- [ ] [Watch the talk](https://example.com/talk)
- [ ] Write notes
- [ ] Old item

## Next Week
- Read the guide
- [ ] Practise joins
"""
TRACK_SHARE_SECRETS = ("token", "url")
SHARING_SECRETS = ("token", "url", "badge_url")


@dataclass
class Secrets:
    """Every secret of a learner that the export must never hold."""

    values: list[str]


@pytest.fixture
async def browser(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("198.51.100.8", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        yield browser


async def patch_item(
    client: httpx.AsyncClient, account: Account, track_id: str, item_id: str, **body: Any
) -> None:
    response = await client.patch(
        f"/api/tracks/{track_id}/items/{item_id}", json=body, headers=account.headers
    )
    assert response.status_code == 200, response.text


async def fill_account(client: httpx.AsyncClient, account: Account, handle: str) -> Secrets:
    """A track with items in every state, notes, a resource, a learning path, an archived item
    and a share link; goals active and achieved; an API key; public progress with a handle; a
    vacation; questions, a review card and a quiz; and a voided event."""
    track = await import_track(client, account, PLAN)
    track_id = track["id"]
    tree = await read_json(client, f"/api/tracks/{track_id}", account.headers)
    items = {item["title"]: item["id"] for item in all_items(tree)}
    await patch_item(client, account, track_id, items["Old item"], state="done")
    # A document that no longer lists an item archives it, keeping its state.
    await reimport(client, account, track_id, PLAN.replace("- [ ] Old item\n", ""))
    await patch_item(client, account, track_id, items["Read the guide"], state="done")
    await patch_item(client, account, track_id, items["Watch the talk"], state="skipped")
    await patch_item(
        client,
        account,
        track_id,
        items["Write notes"],
        state="in_progress",
        notes="Remember the *why*",
        priority="high",
        due_date=(local_today() + timedelta(10)).isoformat(),
        topic="writing",
    )
    share = await client.post(f"/api/tracks/{track_id}/share", headers=account.headers)
    assert share.status_code == 201, share.text

    await create_goal(client, account, {"type": "exercises", "count": 1}, title="First one")
    await record_events(
        client,
        account.headers,
        [
            {"id": "ex-1", "kind": "exercise_completed", "topic": "sql", "grade": 90},
            {"id": "mistake", "kind": "project_completed"},
        ],
    )
    voided = await void(client, account, "mistake")
    assert voided.status_code == 201, voided.text
    await create_goal(client, account, {"type": "exercises", "count": 50}, title="Fifty")

    key = await create_key(client, account, ["progress:read"])
    used = await client.get("/api/progress", headers=key_headers(key))
    assert used.status_code == 200, used.text

    sharing = await shared(
        client, account, handle=handle, sections=["rank", "tracks"], tracks=[track_id]
    )

    today = local_today()
    vacation = await client.post(
        "/api/vacations",
        json={
            "start_date": (today + timedelta(3)).isoformat(),
            "end_date": (today + timedelta(6)).isoformat(),
        },
        headers=account.headers,
    )
    assert vacation.status_code == 201, vacation.text

    question = await add_question(client, account, SHORT_ANSWER)
    reviewed = await review(client, account, question["id"], rating="good")
    assert reviewed.status_code == 200, reviewed.text
    await new_quiz(client, account, count=1)

    return Secrets([key, share.json()["token"], sharing["token"], account.token, PASSWORD])


async def database_secrets(app: FastAPI, account: Account) -> list[str]:
    """The password hash, API keys' hashes and web sessions' hashes stored for `account`."""
    async with app.state.sessionmaker() as session:
        user = await session.scalar(select(User).where(User.email == account.email))
        assert user is not None
        keys = list(
            await session.scalars(select(ApiKey.secret_hash).where(ApiKey.user_id == user.id))
        )
        sessions = list(
            await session.scalars(
                select(WebSession.token_hash).where(WebSession.user_id == user.id)
            )
        )
    assert keys
    assert sessions
    return [user.password_hash, *keys, *sessions]


def without(body: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: value for name, value in body.items() if name not in fields}


async def export_of(client: httpx.AsyncClient, account: Account) -> httpx.Response:
    response = await client.get(EXPORT, headers=account.headers)
    assert response.status_code == 200, response.text
    return response


async def test_the_export_holds_every_section_as_its_api_reads_it(
    client: httpx.AsyncClient, browser: httpx.AsyncClient
) -> None:
    account = await signed_up(browser, "ada@example.com")
    await fill_account(client, account, "ada")
    await import_track(client, account)
    published = await client.put(
        "/api/badges/settings", json={"publish_all": True}, headers=account.headers
    )
    assert published.status_code == 200, published.text

    body = (await export_of(client, account)).json()

    assert (body["format"], body["format_version"]) == (FORMAT, FORMAT_VERSION)
    assert body["exported_at"]
    me = await read_json(client, "/api/users/me", account.headers)
    assert body["profile"] == me

    summaries = (await read_json(client, "/api/tracks", account.headers))["items"]
    assert [t["id"] for t in body["tracks"]] == [t["id"] for t in summaries]
    unshared, exported = body["tracks"]
    assert unshared == {
        **await read_json(client, f"/api/tracks/{unshared['id']}", account.headers),
        "archived_items": [],
    }
    assert unshared["share"] is None
    track = await read_json(client, f"/api/tracks/{exported['id']}", account.headers)
    assert without(exported, ("share", "archived_items")) == without(track, ("share",))
    assert exported["share"] == without(track["share"], TRACK_SHARE_SECRETS)
    states = {item["title"]: item["state"] for item in all_items(exported)}
    assert states == {
        "Read the guide": "done",
        "Watch the talk": "skipped",
        "Write notes": "in_progress",
        "Practise joins": "todo",
    }
    notes = item_named(exported, "Write notes")
    assert (notes["notes"], notes["priority"], notes["topic"]) == (
        "Remember the *why*",
        "high",
        "writing",
    )
    assert notes["due_date"] is not None
    assert item_named(exported, "Watch the talk")["resources"] == [
        {"title": "Watch the talk", "url": "https://example.com/talk"}
    ]
    on_path = item_named(exported, "Read the guide")
    assert on_path["path_position"] == 0
    assert on_path["path_section_id"] == category_named(exported, "Next Week")["id"]
    [archived] = exported["archived_items"]
    assert (archived["title"], archived["state"]) == ("Old item", "done")
    assert archived["category_id"] == category_named(exported, "Basics")["id"]
    assert archived["archived_at"] is not None

    goals = (await read_json(client, "/api/goals", account.headers))["items"]
    assert body["goals"] == goals
    assert {goal["status"] for goal in goals} == {"achieved", "active"}
    keys = (await read_json(client, "/api/api-keys", account.headers))["items"]
    assert body["api_keys"] == keys
    assert keys[0]["last_used_at"] is not None
    sharing = await read_json(client, "/api/sharing", account.headers)
    assert body["sharing"] == without(sharing, SHARING_SECRETS)
    assert (body["sharing"]["handle"], body["sharing"]["tracks"]) == ("ada", [track["id"]])
    vacations = (await read_json(client, "/api/vacations", account.headers))["items"]
    assert body["vacations"] == vacations != []
    badges = (await read_json(client, "/api/badges", account.headers))["badges"]
    assert body["badges"] == {"publish_all": True, "badges": badges}
    assert badges != []

    questions = (await read_json(client, "/api/questions", account.headers))["items"]
    assert sorted(body["questions"], key=lambda q: q["id"]) == sorted(
        questions, key=lambda q: q["id"]
    )
    quizzes = (await read_json(client, "/api/quizzes", account.headers))["items"]
    assert sorted(body["quizzes"], key=lambda q: q["id"]) == sorted(quizzes, key=lambda q: q["id"])
    log = await all_events(client, account.headers)
    assert {(e["id"], e["kind"], e["voided_by"]) for e in body["events"]} == {
        (e["id"], e["kind"], e["voided_by"]) for e in log
    }
    assert {e["id"]: e["voided_by"] for e in body["events"]}["mistake"] is not None


async def test_no_secret_and_nothing_of_another_learner_is_in_the_export(
    client: httpx.AsyncClient, app: FastAPI, browser: httpx.AsyncClient
) -> None:
    ada = await signed_up(browser, "ada@example.com")
    ada_secrets = await fill_account(client, ada, "ada")
    ada_cookie = browser.cookies[SESSION_COOKIE]
    browser.cookies.clear()
    grace = await signed_up(browser, "grace@example.com")
    grace_secrets = await fill_account(client, grace, "grace")
    cookie = browser.cookies[SESSION_COOKIE]

    text = (await export_of(client, grace)).text

    secrets = [
        *grace_secrets.values,
        cookie,
        cookie.partition(".")[2],
        *await database_secrets(app, grace),
    ]
    for secret in secrets:
        assert secret not in text, secret
    grace_track = (await read_json(client, "/api/tracks", grace.headers))["items"][0]["id"]
    assert grace_track in text
    ada_track = (await read_json(client, "/api/tracks", ada.headers))["items"][0]["id"]
    ada_keys = (await read_json(client, "/api/api-keys", ada.headers))["items"]
    ada_goals = (await read_json(client, "/api/goals", ada.headers))["items"]
    ada_vacations = (await read_json(client, "/api/vacations", ada.headers))["items"]
    ada_questions = (await read_json(client, "/api/questions", ada.headers))["items"]
    others = [
        ada.id,
        ada.email,
        '"ada"',
        ada_track,
        *(key["id"] for key in ada_keys),
        *(key["prefix"] for key in ada_keys),
        *(goal["id"] for goal in ada_goals),
        *(vacation["id"] for vacation in ada_vacations),
        *(question["id"] for question in ada_questions),
        *ada_secrets.values[:4],
        ada_cookie,
        *await database_secrets(app, ada),
    ]
    for other in others:
        assert other not in text, other


async def test_the_export_lists_the_mentorships_on_both_sides_ended_ones_too(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    await mentor_for(client, learner, other_learner)
    await mentor_for(client, other_learner, learner)
    allowed = await client.patch(
        f"/api/mentors/{other_learner.id}", json={"allow_notes": True}, headers=learner.headers
    )
    assert allowed.status_code == 200, allowed.text
    ended = await client.delete(f"/api/mentees/{other_learner.id}", headers=learner.headers)
    assert ended.status_code == 204, ended.text

    body = (await export_of(client, learner)).json()

    shown = [
        (m["role"], m["other_user_id"], m["allow_notes"], m["ended_at"] is not None)
        for m in body["mentorships"]
    ]
    assert shown == [
        ("mentee", other_learner.id, True, False),
        ("mentor", other_learner.id, False, True),
    ]
    assert other_learner.email not in str(body["mentorships"])
