"""Migration 0010: what QuestPath recorded under an item's nearest heading moves to its
top-level category, and projections rebuilt the way `questpath migrate` does agree with the log."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from alembic.migration import MigrationContext
from alembic.operations import Operations
from fastapi import FastAPI
from sqlalchemy import Connection, select, update

import questpath
from questpath.app import create_app
from questpath.auth.models import User
from questpath.config import Settings
from questpath.db import alembic_config, create_engine, migrate
from questpath.events.models import Event
from questpath.quizzes.models import Question
from questpath.verify import build_missing, repair
from tests.conftest import TEST_SECRET
from tests.helpers import (
    Account,
    all_events,
    post_events,
    projection_differences,
    read_json,
    register_account,
)
from tests.tracks.test_routes import SEED, all_items, category_named, import_track, set_state

NUMBERED = re.compile(r"^\s*\d+(?:\.\d+)*[.)]?\s+")
OWN_TOPIC = "git"


@pytest.fixture
def url_before_topics(backend: str, new_database: Callable[..., str]) -> str:
    return new_database(backend, "0009")


VERSIONS = Path(questpath.__file__).parent / "migrations" / "versions"
LATER = [
    import_module(f"questpath.migrations.versions.{path.stem}")
    for path in sorted(VERSIONS.glob("*.py"))
    if path.stem[:4].isdigit() and path.stem[:4] > "0010"
]


async def _later_schema(url: str, direction: str) -> None:
    """Apply (or undo) the schema changes after 0010 out of order: today's app reads them, and
    the database stays at 0009 for the topic migration."""

    def run(conn: Connection) -> None:
        with Operations.context(MigrationContext.configure(conn)):
            for module in LATER if direction == "upgrade" else reversed(LATER):
                getattr(module, direction)()

    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(run)
    finally:
        await engine.dispose()


@asynccontextmanager
async def _running(
    url: str, tmp_path: Path, *, at_0009: bool = False
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The app on `url` and a client of it; its engine is disposed even when a check fails.
    `at_0009`: the database is at 0009, and today's app gets the later schema meanwhile."""
    if at_0009:
        await _later_schema(url, "upgrade")
    app = create_app(Settings(database_url=url, data_dir=tmp_path, secret_key=TEST_SECRET))
    transport = httpx.ASGITransport(app=app, client=("198.51.100.7", 40000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield app, client
    finally:
        await app.state.engine.dispose()
        if at_0009:
            await _later_schema(url, "downgrade")


def _old_topics(track: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """What the rule before 0010 gave: each item's own topic or its nearest heading, unnumbered,
    and each category's heading."""
    items, categories = {}, {}

    def walk(category: dict[str, Any]) -> None:
        topic = NUMBERED.sub("", category["title"]).strip()
        categories[category["id"]] = topic
        for item in all_items({"items": category["items"], "categories": []}):
            items[item["id"]] = item["topic"] or topic  # a topic of its own never moved
        for child in category["categories"]:
            walk(child)

    for top in track["categories"]:
        walk(top)
    return items, categories


async def _work_the_track(client: httpx.AsyncClient, learner: Account) -> dict[str, Any]:
    """Complete items under two top-level categories, finish a sub-heading, reopen an item,
    give one its own topic, quiz the track and review a question; return the track."""
    track_id = (await import_track(client, learner, SEED))["id"]
    track = await client.get(f"/api/tracks/{track_id}", headers=learner.headers)
    body: dict[str, Any] = track.json()
    for title in ("3. Git Workflow", "6. Security Practices"):
        for sub in category_named(body, title)["categories"][:2]:
            await set_state(client, learner, track_id, all_items(sub)[0]["id"], "done")
    venv = category_named(body, "2. Virtual Environment Management")
    for item in all_items(category_named(venv, "Unknown Unknowns")):
        await set_state(client, learner, track_id, item["id"], "done")
    reopened = all_items(category_named(venv, "Areas for Improvement"))[0]
    await set_state(client, learner, track_id, reopened["id"], "done")
    await set_state(client, learner, track_id, reopened["id"], "todo")
    own = all_items(category_named(body, "12. Database Management"))[0]
    response = await client.patch(
        f"/api/tracks/{track_id}/items/{own['id']}",
        json={"topic": OWN_TOPIC, "state": "done"},
        headers=learner.headers,
    )
    assert response.status_code == 200, response.text
    quiz = await client.post(
        "/api/quizzes",
        json={"track_id": track_id, "count": 5, "generator": "offline"},
        headers=learner.headers,
    )
    assert quiz.status_code == 201, quiz.text
    question = quiz.json()["questions"][0]["id"]
    submitted = await client.post(
        f"/api/quizzes/{quiz.json()['id']}/submit", json={"answers": []}, headers=learner.headers
    )
    assert submitted.status_code == 200, submitted.text
    review = await client.post(
        f"/api/reviews/{question}", json={"rating": "good"}, headers=learner.headers
    )
    assert review.status_code == 200, review.text
    # A learner's own event under a heading's name is theirs: no migration touches it.
    mine = {"id": "mine-1", "kind": "exercise_completed", "topic": "Unknown Unknowns", "grade": 80}
    assert (await post_events(client, learner.headers, mine)).status_code == 201
    final = await client.get(f"/api/tracks/{track_id}", headers=learner.headers)
    result: dict[str, Any] = final.json()
    return result


async def _record_as_before(app: FastAPI, learner: Account, track: dict[str, Any]) -> None:
    """Give the log and the question bank the topics the rule before 0010 recorded, with
    projections maintained from that log, as a database before the topic migration holds them."""
    items, categories = _old_topics(track)
    user_id = uuid.UUID(learner.id)
    async with app.state.engine.begin() as conn:
        events = await conn.execute(
            select(Event.event_id, Event.kind, Event.meta).where(Event.user_id == user_id)
        )
        for event_id, kind, meta in list(events):
            if kind in ("item_completed", "item_reopened"):
                old = items[meta["item_id"]]
            elif kind == "category_finished":
                old = categories[meta["category_id"]]
            elif kind == "quiz_reviewed":
                question = await conn.scalar(
                    select(Question.item_id).where(
                        Question.user_id == user_id,
                        Question.id == uuid.UUID(meta["question_id"]),
                    )
                )
                old = items[str(question)]
            else:
                continue
            await conn.execute(
                update(Event)
                .where(Event.user_id == user_id, Event.event_id == event_id)
                .values(topic=old)
            )
        questions = await conn.execute(
            select(Question.id, Question.item_id).where(Question.user_id == user_id)
        )
        for question_id, item_id in list(questions):
            await conn.execute(
                update(Question)
                .where(Question.user_id == user_id, Question.id == question_id)
                .values(topic=items[str(item_id)])
            )
    async with app.state.sessionmaker() as session, session.begin():
        user = await session.get(User, user_id)
        assert user is not None
        await repair(session, user, app.state.ruleset, datetime.now(UTC))


async def _topics(client: httpx.AsyncClient, learner: Account) -> dict[str, set[str | None]]:
    events = await all_events(client, learner.headers)
    found: dict[str, set[str | None]] = {}
    for event in events:
        found.setdefault(event["kind"], set()).add(event["topic"])
    return found


async def test_upgrading_moves_recorded_topics_to_top_level_categories_and_verify_agrees(
    url_before_topics: str, tmp_path: Path
) -> None:
    async with _running(url_before_topics, tmp_path, at_0009=True) as (app, client):
        learner = await register_account(client, "learner@example.com")
        track = await _work_the_track(client, learner)
        await _record_as_before(app, learner, track)
        before = await _topics(client, learner)
        assert "Unknown Unknowns" in before["item_completed"]
        statistics = await read_json(client, "/api/progress/statistics", learner.headers)
        assert "Unknown Unknowns" in {t["topic"] for t in statistics["by_topic"]}
        assert await projection_differences(app, learner) == []

    await asyncio.to_thread(migrate, url_before_topics)  # what `questpath migrate` runs, then:
    async with _running(url_before_topics, tmp_path) as (app, client):
        built = await build_missing(app.state.engine, app.state.ruleset, datetime.now(UTC))
        assert built == 1
        assert await projection_differences(app, learner) == []
        after = await _topics(client, learner)
        organisational = {"Unknown Unknowns", "Areas for Improvement", "Recommendations to Study"}
        assert after["item_completed"] == {
            "Git Workflow",
            "Security Practices",
            "Virtual Environment Management",
            OWN_TOPIC,
        }
        assert after["item_reopened"] == {"Virtual Environment Management"}
        assert after["category_finished"] == {"Virtual Environment Management"}
        assert after["exercise_completed"] == {"Unknown Unknowns"}  # the learner's own
        assert after["quiz_completed"] == before["quiz_completed"]
        assert not after["quiz_reviewed"] & organisational

        current = await client.get(f"/api/tracks/{track['id']}", headers=learner.headers)
        effective = {i["id"]: i["effective_topic"] for i in all_items(current.json())}
        bank = await read_json(client, "/api/questions?limit=500", learner.headers)
        assert bank["items"]
        for question in bank["items"]:
            assert question["topic"] == effective[question["item_id"]]

        skills = await read_json(client, "/api/progress/skill-levels", learner.headers)
        statistics = await read_json(client, "/api/progress/statistics", learner.headers)
        items_by_topic = {t["topic"]: t["items_completed"] for t in statistics["by_topic"]}
        assert items_by_topic["Git Workflow"] == 2
        assert items_by_topic["Security Practices"] == 2
        assert not {t for t, n in items_by_topic.items() if n} & organisational
        # Exercises: the learner's own, and the quiz, which counts for the topic it was asked on.
        assert {s["topic"] for s in skills["skill_levels"]} == {
            "Unknown Unknowns",
            *after["quiz_completed"],
        }

    # Downgrading moves them back, and the rebuild agrees with that log too.
    await asyncio.to_thread(command.downgrade, alembic_config(url_before_topics), "0009")
    async with _running(url_before_topics, tmp_path, at_0009=True) as (app, client):
        assert await build_missing(app.state.engine, app.state.ruleset, datetime.now(UTC)) == 1
        assert await _topics(client, learner) == before
        assert await projection_differences(app, learner) == []
