"""The goals pages used as a browser uses them: setting goals of each kind through the form, their
progress, field errors, editing, abandoning and reactivating, deleting, and whose goals a
learner may see and change."""

from __future__ import annotations

import html
import re
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.helpers import (
    Account,
    days_ago,
    local_today,
    read_json,
    record_events,
    register_account,
)
from tests.web.browsing import page_token, signed_up, submit, texts

TRACK = (
    "# Roadmap\n\n## Basics\n\n- [ ] a\n- [ ] b\n\n### Deeper\n\n- [ ] c\n\n## Later\n\n- [ ] d\n"
)


async def _goals(client: httpx.AsyncClient, account: Account) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await read_json(client, "/api/goals", account.headers))["items"]
    return items


async def _new_goal(client: httpx.AsyncClient, fields: dict[str, str]) -> httpx.Response:
    return await submit(client, "/goals/new", fields, form_page="/goals/new")


async def _import_track(client: httpx.AsyncClient, account: Account) -> dict[str, Any]:
    response = await client.post(
        "/api/tracks/import",
        content=TRACK.encode(),
        headers={**account.headers, "Content-Type": "text/markdown"},
    )
    assert response.status_code == 201, response.text
    return await read_json(client, f"/api/tracks/{response.json()['id']}", account.headers)


def _error(page: str, field: str) -> str | None:
    match = re.search(rf'<p class="error" id="f-{field}-error">([^<]+)</p>', page)
    return html.unescape(match.group(1)) if match else None


def _goal_card(page: str, title: str) -> str:
    """The text of the goal's card on the list page, tags removed."""
    cards = re.findall(r'<li class="card goal[^"]*">(.*?)</li>', page, re.S)
    for card in cards:
        if f"<h2>{html.escape(title)}</h2>" in card:
            return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", card)).split())
    raise AssertionError(f"no goal titled {title!r} on the page")


def _options(page: str, name: str) -> list[str]:
    select = re.search(rf'<select id="f-{name}" name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"no select {name}"
    return re.findall(r'<option value="([^"]*)"', select.group(1))


def _selected(page: str, name: str) -> str | None:
    select = re.search(rf'<select id="f-{name}" name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"no select {name}"
    chosen = re.search(r'<option value="([^"]*)" selected>', select.group(1))
    return chosen.group(1) if chosen else None


# Setting goals --------------------------------------------------------------------------------


async def test_an_exercises_goal_set_through_the_form_shows_its_progress(
    client: httpx.AsyncClient,
) -> None:
    account = await signed_up(client)
    target_date = (local_today() + timedelta(days=14)).isoformat()

    response = await _new_goal(
        client,
        {
            "title": "Five recursion exercises",
            "description": "One a day.",
            "target_date": target_date,
            "type": "exercises",
            "exercises_count": "5",
            "exercises_topic": "recursion",
            # Fields of other kinds are ignored.
            "streak_days": "nonsense",
            "rank": "competent",
        },
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/goals"
    [goal] = await _goals(client, account)
    assert goal["title"] == "Five recursion exercises"
    assert goal["description"] == "One a day."
    assert goal["target_date"] == target_date
    assert goal["target"] == {"type": "exercises", "count": 5, "topic": "recursion"}
    page = (await client.get("/goals")).text
    assert "Goal set: Five recursion exercises" in page
    card = _goal_card(page, "Five recursion exercises")
    assert "Complete 5 exercises in recursion" in card
    assert "0 of 5 exercises" in card
    assert "Active" in card

    await record_events(
        client,
        account.headers,
        [{"kind": "exercise_completed", "topic": "recursion"} for _ in range(2)]
        + [{"kind": "exercise_completed", "topic": "loops"}],
    )
    [goal] = await _goals(client, account)
    assert goal["progress"] == {"current": 2, "target": 5, "percent": 40}
    page = (await client.get("/goals")).text
    card = _goal_card(page, "Five recursion exercises")
    assert "2 of 5 exercises" in card
    assert "40%" in card
    assert 'value="40" aria-label="Five recursion exercises: 40% done"' in page


async def test_a_streak_goal_set_through_the_form(client: httpx.AsyncClient) -> None:
    account = await signed_up(client)
    await record_events(
        client,
        account.headers,
        [{"kind": "check_in", "occurred_at": days_ago(n)} for n in (1, 0)],
    )

    response = await _new_goal(
        client, {"title": "A week in a row", "type": "streak", "streak_days": "7"}
    )

    assert response.status_code == 303
    [goal] = await _goals(client, account)
    assert goal["target"] == {"type": "streak", "days": 7}
    card = _goal_card((await client.get("/goals")).text, "A week in a row")
    assert "Keep a streak of 7 days" in card
    assert "2 of 7 days" in card


async def test_a_rank_goal_offers_the_ranks_of_the_rules(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    account = await signed_up(client)
    form = (await client.get("/goals/new")).text
    assert _options(form, "rank") == [rank.id for rank in app.state.ruleset.ranks]
    assert _options(form, "skill_level") == [
        level.name for level in app.state.ruleset.skill_levels.levels
    ]

    response = await _new_goal(client, {"title": "Competent", "type": "rank", "rank": "competent"})

    assert response.status_code == 303
    [goal] = await _goals(client, account)
    assert goal["target"] == {"type": "rank", "rank": "competent"}
    competent = next(r for r in app.state.ruleset.ranks if r.id == "competent")
    card = _goal_card((await client.get("/goals")).text, "Competent")
    assert f"Reach the rank {competent.icon} {competent.name}" in card
    assert f"0 of {competent.min_projects} projects" in card


async def test_a_skill_level_goal_set_through_the_form(client: httpx.AsyncClient) -> None:
    account = await signed_up(client)

    response = await _new_goal(
        client,
        {
            "title": "Advanced recursion",
            "type": "skill_level",
            "skill_topic": "recursion",
            "skill_level": "advanced",
        },
    )

    assert response.status_code == 303
    [goal] = await _goals(client, account)
    assert goal["target"] == {"type": "skill_level", "topic": "recursion", "level": "advanced"}
    card = _goal_card((await client.get("/goals")).text, "Advanced recursion")
    assert "Reach advanced in recursion" in card


async def test_finishing_a_track_or_a_category_offers_the_learners_own(
    client: httpx.AsyncClient,
) -> None:
    account = await signed_up(client)
    track = await _import_track(client, account)
    basics = next(c for c in track["categories"] if c["title"] == "Basics")
    deeper = basics["categories"][0]

    form = (await client.get("/goals/new")).text
    assert f'<option value="{track["id"]}">Roadmap</option>' in form
    assert f'<option value="{track["id"]}:{basics["id"]}">Roadmap — Basics</option>' in form
    assert f'value="{track["id"]}:{deeper["id"]}">Roadmap — Basics › Deeper</option>' in form

    response = await _new_goal(
        client, {"title": "The whole roadmap", "type": "finish_track", "track_id": track["id"]}
    )
    assert response.status_code == 303
    response = await _new_goal(
        client,
        {
            "title": "The basics",
            "type": "finish_category",
            "category": f"{track['id']}:{basics['id']}",
        },
    )
    assert response.status_code == 303

    targets = {g["title"]: g["target"] for g in await _goals(client, account)}
    assert targets == {
        "The whole roadmap": {"type": "finish_track", "track_id": track["id"]},
        "The basics": {
            "type": "finish_category",
            "track_id": track["id"],
            "category_id": basics["id"],
        },
    }
    page = (await client.get("/goals")).text
    assert "Finish the track Roadmap" in _goal_card(page, "The whole roadmap")
    assert "0 of 4 items" in _goal_card(page, "The whole roadmap")
    assert "Finish Roadmap — Basics" in _goal_card(page, "The basics")
    assert "0 of 3 items" in _goal_card(page, "The basics")


async def test_a_goal_met_already_is_achieved_at_once(client: httpx.AsyncClient) -> None:
    account = await signed_up(client)

    response = await _new_goal(client, {"title": "Start", "type": "rank", "rank": "novice"})

    assert response.status_code == 303
    [goal] = await _goals(client, account)
    assert goal["status"] == "achieved"
    page = (await client.get("/goals")).text
    assert "You have reached it already!" in page
    assert "Achieved " in _goal_card(page, "Start")


# Field errors ---------------------------------------------------------------------------------


async def test_form_problems_show_beside_their_fields_with_the_values_kept(
    client: httpx.AsyncClient,
) -> None:
    account = await signed_up(client)

    response = await _new_goal(
        client,
        {
            "title": "",
            "description": "Keep this <text>",
            "target_date": "2026-02-30",
            "type": "exercises",
            "exercises_count": "0",
            "exercises_topic": "recursion",
        },
    )

    assert response.status_code == 422
    page = response.text
    assert _error(page, "title") == "This field is required"
    assert _error(page, "exercises_count") == "Input should be greater than or equal to 1"
    assert (_error(page, "target_date") or "").startswith("Input should be a valid date")
    assert _error(page, "exercises_topic") is None
    assert 'id="f-exercises_count" name="exercises_count" type="number" value="0"' in page
    assert 'value="recursion"' in page
    assert "Keep this &lt;text&gt;</textarea>" in page
    assert 'value="2026-02-30"' in page
    assert _selected(page, "type") == "exercises"
    assert 'aria-invalid="true"' in page
    assert await _goals(client, account) == []


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"type": "streak", "streak_days": "a week"}, "streak_days", "Input should be a valid"),
        ({"type": "streak"}, "streak_days", "This field is required"),
        ({"type": "rank", "rank": "grandmaster"}, "rank", "Should be one of: novice"),
        ({"type": "skill_level", "skill_level": "advanced"}, "skill_topic", "This field is"),
        ({"type": "skill_level", "skill_topic": "x", "skill_level": "guru"}, "skill_level", "Sh"),
        ({"type": "finish_track"}, "track_id", "This field is required"),
        ({"type": "finish_category"}, "category", "This field is required"),
        ({"type": "wishful"}, "type", "Unknown goal type 'wishful'"),
    ],
)
async def test_each_kind_reports_its_own_field(
    client: httpx.AsyncClient, fields: dict[str, str], field: str, message: str
) -> None:
    account = await signed_up(client)

    response = await _new_goal(client, {"title": "A goal", **fields})

    assert response.status_code == 422
    assert (_error(response.text, field) or "").startswith(message)
    assert len(texts(response.text, "error")) == 1
    assert await _goals(client, account) == []


async def test_another_learners_track_is_refused_beside_the_track(
    client: httpx.AsyncClient,
) -> None:
    account = await signed_up(client)
    other = await register_account(client, "other@example.com")
    their_track = await _import_track(client, other)

    response = await _new_goal(
        client, {"title": "Theirs", "type": "finish_track", "track_id": their_track["id"]}
    )

    assert response.status_code == 422
    assert _error(response.text, "track_id") == f"You have no track with the id {their_track['id']}"
    assert await _goals(client, account) == []


# Changing goals -------------------------------------------------------------------------------


async def _one_goal(client: httpx.AsyncClient, account: Account, **fields: str) -> dict[str, Any]:
    response = await _new_goal(
        client,
        {"title": "Ten exercises", "type": "exercises", "exercises_count": "10", **fields},
    )
    assert response.status_code == 303, response.text
    [goal] = await _goals(client, account)
    return goal


async def test_editing_changes_title_description_and_date(client: httpx.AsyncClient) -> None:
    account = await signed_up(client)
    goal = await _one_goal(client, account, target_date=local_today().isoformat())
    edit = f"/goals/{goal['id']}/edit"
    page = (await client.get(edit)).text
    assert 'value="Ten exercises"' in page
    assert f'value="{local_today().isoformat()}"' in page

    later = (local_today() + timedelta(days=30)).isoformat()
    response = await submit(
        client,
        edit,
        {"title": "Twelve exercises", "description": "Slowly.", "target_date": later},
        form_page=edit,
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/goals"
    [changed] = await _goals(client, account)
    assert (changed["title"], changed["description"], changed["target_date"]) == (
        "Twelve exercises",
        "Slowly.",
        later,
    )
    assert changed["target"] == goal["target"]
    assert "Goal saved: Twelve exercises" in (await client.get("/goals")).text

    response = await submit(client, edit, {"title": "Twelve exercises"}, form_page=edit)
    assert response.status_code == 303
    [cleared] = await _goals(client, account)
    assert (cleared["description"], cleared["target_date"]) == ("", None)


async def test_an_edit_without_a_title_keeps_what_was_typed(client: httpx.AsyncClient) -> None:
    account = await signed_up(client)
    goal = await _one_goal(client, account)
    edit = f"/goals/{goal['id']}/edit"

    response = await submit(
        client, edit, {"title": "  ", "description": "New words"}, form_page=edit
    )

    assert response.status_code == 422
    assert _error(response.text, "title") == "This field is required"
    assert "New words</textarea>" in response.text
    [unchanged] = await _goals(client, account)
    assert (unchanged["title"], unchanged["description"]) == ("Ten exercises", "")


async def test_an_overdue_goal_says_so_and_is_listed_under_overdue(
    client: httpx.AsyncClient,
) -> None:
    account = await signed_up(client)
    await _one_goal(client, account, target_date=(local_today() - timedelta(days=1)).isoformat())

    page = (await client.get("/goals", params={"status": "overdue"})).text

    assert "Overdue" in _goal_card(page, "Ten exercises")
    assert re.search(r'href="/goals\?status=overdue"[^>]*aria-current="page"', page)
    assert "No active goals" in (await client.get("/goals", params={"status": "active"})).text


async def test_abandoning_and_reactivating_a_goal(client: httpx.AsyncClient) -> None:
    account = await signed_up(client)
    goal = await _one_goal(client, account)
    edit = f"/goals/{goal['id']}/edit"
    assert "Abandon goal" in (await client.get(edit)).text

    response = await submit(
        client, f"/goals/{goal['id']}/status", {"status": "abandoned"}, form_page=edit
    )

    assert response.status_code == 303
    [abandoned] = await _goals(client, account)
    assert abandoned["status"] == "abandoned"
    page = (await client.get("/goals", params={"status": "abandoned"})).text
    assert "Goal abandoned: Ten exercises" in page
    assert "Abandoned" in _goal_card(page, "Ten exercises")
    assert "Reactivate goal" in (await client.get(edit)).text

    response = await submit(
        client, f"/goals/{goal['id']}/status", {"status": "active"}, form_page=edit
    )

    assert response.status_code == 303
    [active] = await _goals(client, account)
    assert active["status"] == "active"
    assert "Goal reactivated: Ten exercises" in (await client.get("/goals")).text


async def test_an_achieved_goal_refuses_to_be_abandoned_with_the_reason(
    client: httpx.AsyncClient,
) -> None:
    account = await signed_up(client)
    await _new_goal(client, {"title": "Start", "type": "rank", "rank": "novice"})
    [goal] = await _goals(client, account)
    assert goal["status"] == "achieved"
    edit = f"/goals/{goal['id']}/edit"
    api = await client.patch(
        f"/api/goals/{goal['id']}", json={"status": "abandoned"}, headers=account.headers
    )
    assert api.status_code == 409
    reason = api.json()["detail"]

    response = await submit(
        client, f"/goals/{goal['id']}/status", {"status": "abandoned"}, form_page=edit
    )

    assert response.status_code == 409
    assert texts(response.text, "alert") == [reason[:1].upper() + reason[1:]]
    assert (await _goals(client, account))[0]["status"] == "achieved"
    assert "Abandon goal" not in (await client.get(edit)).text


async def test_deleting_a_goal(client: httpx.AsyncClient) -> None:
    account = await signed_up(client)
    goal = await _one_goal(client, account)
    edit = f"/goals/{goal['id']}/edit"

    response = await submit(client, f"/goals/{goal['id']}/delete", form_page=edit)

    assert response.status_code == 303
    assert response.headers["location"] == "/goals"
    assert await _goals(client, account) == []
    page = (await client.get("/goals")).text
    assert "Goal deleted." in page
    assert "No goals yet" in page
    gone = await client.get(f"/api/goals/{goal['id']}", headers=account.headers)
    assert gone.status_code == 404


# Who may do what ------------------------------------------------------------------------------


async def _their_goal(client: httpx.AsyncClient) -> tuple[Account, str]:
    other = await register_account(client, "other@example.com")
    response = await client.post(
        "/api/goals",
        json={"title": "Theirs", "target": {"type": "streak", "days": 3}},
        headers=other.headers,
    )
    assert response.status_code == 201
    return other, response.json()["id"]


async def test_another_learners_goal_can_be_neither_seen_nor_changed(
    client: httpx.AsyncClient,
) -> None:
    await signed_up(client)
    other, theirs = await _their_goal(client)
    token = await page_token(client, "/goals")

    assert (await client.get(f"/goals/{theirs}/edit")).status_code >= 400
    for path, data in [
        (f"/goals/{theirs}/edit", {"title": "Mine now"}),
        (f"/goals/{theirs}/status", {"status": "abandoned"}),
        (f"/goals/{theirs}/delete", {}),
    ]:
        response = await client.post(path, data={"csrf_token": token, **data})
        assert response.status_code >= 400, path

    assert "Theirs" not in (await client.get("/goals")).text
    [goal] = await _goals(client, other)
    assert (goal["title"], goal["status"]) == ("Theirs", "active")


async def test_another_learners_goal_is_a_not_found_page(client: httpx.AsyncClient) -> None:
    await signed_up(client)
    _, theirs = await _their_goal(client)
    token = await page_token(client, "/goals")

    for path, data in [
        (f"/goals/{theirs}/edit", None),
        (f"/goals/{theirs}/edit", {"title": "Mine now"}),
        (f"/goals/{theirs}/status", {"status": "abandoned"}),
        (f"/goals/{theirs}/delete", {}),
        (f"/goals/{uuid.uuid4()}/edit", None),
    ]:
        if data is None:
            response = await client.get(path)
        else:
            response = await client.post(path, data={"csrf_token": token, **data})
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("text/html")
        assert "404" in response.text


async def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    account = await signed_up(client)
    goal = await _one_goal(client, account)

    for path, data in [
        ("/goals/new", {"title": "Forged", "type": "streak", "streak_days": "3"}),
        (f"/goals/{goal['id']}/edit", {"title": "Forged"}),
        (f"/goals/{goal['id']}/status", {"status": "abandoned"}),
        (f"/goals/{goal['id']}/delete", {}),
    ]:
        response = await client.post(path, data=data)
        assert response.status_code == 403, path

    [unchanged] = await _goals(client, account)
    assert (unchanged["id"], unchanged["title"], unchanged["status"]) == (
        goal["id"],
        "Ten exercises",
        "active",
    )


async def test_the_goals_pages_send_a_visitor_to_sign_in(client: httpx.AsyncClient) -> None:
    for path in ("/goals", "/goals/new"):
        response = await client.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/sign-in?next=")


async def test_a_new_learner_is_invited_to_set_a_first_goal(client: httpx.AsyncClient) -> None:
    await signed_up(client)

    page = (await client.get("/goals")).text

    assert "No goals yet" in page
    assert 'href="/goals/new"' in page
    assert re.search(r'href="/goals"[^>]*aria-current="page"', page)
    form = (await client.get("/goals/new")).text
    assert "You have no tracks yet" in form
    assert _selected(form, "type") == "exercises"
