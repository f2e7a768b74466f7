"""Topics of track items: the top-level category, unnumbered; the sub-heading is the section."""

from __future__ import annotations

import html
import re
from collections import Counter
from typing import Any

import httpx
from fastapi import FastAPI

from questpath.tracks.rules import SECTION_SEPARATOR
from tests.helpers import Account, all_events, projection_differences, read_json
from tests.tracks.test_routes import (
    SEED,
    all_items,
    category_named,
    import_track,
    read_track,
    set_state,
)
from tests.web.browsing import api_account, sign_up

ORGANISATIONAL = ("Unknown Unknowns", "Areas for Improvement", "Recommendations to Study")
NUMBERED = re.compile(r"^\s*\d+(?:\.\d+)*[.)]?\s")


def placed_items(track: dict[str, Any]) -> list[tuple[str, str | None, dict[str, Any]]]:
    """(top-level category title, section expected from the headings, item) for every item."""
    found = []

    def walk(category: dict[str, Any], top: str, below: list[str]) -> None:
        section = SECTION_SEPARATOR.join(below) or None
        found.extend(
            (top, section, item)
            for item in all_items({"items": category["items"], "categories": []})
        )
        for child in category["categories"]:
            walk(child, top, [*below, child["title"]])

    for top in track["categories"]:
        walk(top, top["title"], [])
    return found


async def test_the_seed_track_s_items_take_their_top_level_category_as_topic(
    client: httpx.AsyncClient, learner: Account
) -> None:
    track = await read_track(client, learner, (await import_track(client, learner, SEED))["id"])
    placed = placed_items(track)
    assert len(placed) == len(all_items(track))
    topics = {item["effective_topic"] for _, _, item in placed}
    assert not topics & set(ORGANISATIONAL)
    assert not [topic for topic in topics if NUMBERED.match(topic)]
    for top, section, item in placed:
        assert item["topic"] is None
        assert item["effective_topic"] == NUMBERED.sub("", top)
        assert item["section"] == section
    git = category_named(track, "3. Git Workflow")
    git_items = all_items(git)
    assert {item["effective_topic"] for item in git_items} == {"Git Workflow"}
    assert {item["section"] for item in git_items} == {c["title"] for c in git["categories"]}


async def test_an_item_s_own_topic_still_wins_and_keeps_its_section(
    client: httpx.AsyncClient, learner: Account
) -> None:
    track_id = (await import_track(client, learner, SEED))["id"]
    track = await read_track(client, learner, track_id)
    item = all_items(category_named(track, "Unknown Unknowns"))[0]
    response = await client.patch(
        f"/api/tracks/{track_id}/items/{item['id']}", json={"topic": "git"}, headers=learner.headers
    )
    assert response.status_code == 200, response.text
    changed = response.json()["item"]
    assert (changed["topic"], changed["effective_topic"]) == ("git", "git")
    assert changed["section"] == item["section"] == "Unknown Unknowns"


async def test_statistics_and_skill_levels_count_items_under_their_top_level_categories(
    client: httpx.AsyncClient, learner: Account, app: FastAPI
) -> None:
    track_id = (await import_track(client, learner, SEED))["id"]
    track = await read_track(client, learner, track_id)
    chosen = []
    for title in ("3. Git Workflow", "6. Security Practices"):
        category = category_named(track, title)
        # One item from each of two sub-headings: both count under the top-level topic.
        for sub in category["categories"][:2]:
            chosen.append((NUMBERED.sub("", title), all_items(sub)[0]))
    for _, item in chosen:
        await set_state(client, learner, track_id, item["id"], "done")
    expected = {topic for topic, _ in chosen}
    # A quiz on each topic draws on that category's items alone and counts as its exercise.
    for topic in sorted(expected):
        response = await client.post(
            "/api/quizzes",
            json={"track_id": track_id, "topic": topic, "count": 3, "generator": "offline"},
            headers=learner.headers,
        )
        assert response.status_code == 201, response.text
        quiz = response.json()
        assert {q["topic"] for q in quiz["questions"]} == {topic}
        submitted = await client.post(
            f"/api/quizzes/{quiz['id']}/submit", json={"answers": []}, headers=learner.headers
        )
        assert submitted.status_code == 200, submitted.text

    events = await all_events(client, learner.headers)
    assert {e["topic"] for e in events if e["kind"] == "item_completed"} == expected
    assert {e["topic"] for e in events if e["kind"] == "quiz_completed"} == expected
    statistics = await read_json(client, "/api/progress/statistics", learner.headers)
    by_topic = {
        t["topic"]: (t["items_completed"], t["exercises_completed"]) for t in statistics["by_topic"]
    }
    items_per_topic = Counter(topic for topic, _ in chosen)
    assert by_topic == {topic: (items_per_topic[topic], 1) for topic in expected}
    skills = await read_json(client, "/api/progress/skill-levels", learner.headers)
    assert {s["topic"]: s["exercises_completed"] for s in skills["skill_levels"]} == dict.fromkeys(
        expected, 1
    )
    assert await projection_differences(app, learner) == []


async def test_finishing_a_sub_heading_records_its_top_level_topic(
    client: httpx.AsyncClient, learner: Account, app: FastAPI
) -> None:
    track_id = (await import_track(client, learner, SEED))["id"]
    track = await read_track(client, learner, track_id)
    sub = category_named(
        category_named(track, "2. Virtual Environment Management"), "Unknown Unknowns"
    )
    for item in all_items(sub):
        changed = await set_state(client, learner, track_id, item["id"], "done")
    assert changed["events_recorded"][-1] == "category_finished"
    events = await all_events(client, learner.headers)
    finished = [e for e in events if e["kind"] == "category_finished"]
    assert [e["topic"] for e in finished] == ["Virtual Environment Management"]
    assert [e["metadata"]["category_id"] for e in finished] == [sub["id"]]
    assert await projection_differences(app, learner) == []


async def test_the_dashboard_s_learning_path_names_each_item_s_topic_and_section(
    client: httpx.AsyncClient,
) -> None:
    await sign_up(client)
    account = await api_account(client)
    track_id = (await import_track(client, account, SEED))["id"]
    track = await read_track(client, account, track_id)
    first = all_items(category_named(track, "Recommendations to Study"))[0]
    by_id = {item["id"]: item for item in all_items(track)}
    page = await client.get("/")
    assert page.status_code == 200
    shown = re.findall(
        r'class="path-item">.*?#item-([0-9a-f-]+)".*?<p class="hint">([^<]*)</p>', page.text, re.S
    )
    assert first["section"] == "Recommendations to Study"
    assert shown  # the written path's entries come first
    assert any(by_id[item_id]["section"] for item_id, _ in shown)
    for item_id, hint in shown:
        item = by_id[item_id]
        parts = [track["title"], item["effective_topic"], item["section"]]
        assert html.unescape(hint) == " · ".join(part for part in parts if part)
