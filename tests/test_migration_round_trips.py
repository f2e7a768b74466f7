"""Every migration can be undone and applied again, on both databases: on an empty schema one
step at a time (a "stairway") and all the way down and up, and under a learner's data every
migration since the last one that creates their tables."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import FastAPI
from sqlalchemy import Connection, inspect

from questpath.app import create_app
from questpath.config import Settings
from questpath.db import Base, alembic_config, create_engine
from tests.commands import questpath
from tests.conftest import TEST_SECRET
from tests.helpers import (
    PASSWORD,
    Account,
    all_events,
    projection_differences,
    read_json,
    record_events,
    register_account,
)
from tests.tracks.test_routes import SEED, all_items, import_track, set_state

# Below it, downgrades drop the tables that tracks (0003), goals (0004) and quizzes (0006) live in.
LOWEST_KEEPING_DATA = "0006"


def _revisions(url: str) -> list[tuple[str, str]]:
    """(revision, the one it builds on or "base"), oldest first."""
    script = ScriptDirectory.from_config(alembic_config(url))
    steps = [(rev.revision, rev.down_revision or "base") for rev in script.walk_revisions()]
    return list(reversed(steps))  # type: ignore[arg-type]


async def _inspect(url: str, look: Callable[[Connection], Any]) -> Any:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(look)
    finally:
        await engine.dispose()


def _differences_from_models(conn: Connection) -> list[Any]:
    return list(compare_metadata(MigrationContext.configure(conn), Base.metadata))


def _revision_of(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


async def test_each_migration_undoes_and_redoes_cleanly(
    backend: str, new_database: Callable[..., str]
) -> None:
    url = await asyncio.to_thread(new_database, backend, "base")
    config = alembic_config(url)
    steps = _revisions(url)
    assert len(steps) >= 20
    for revision, previous in steps:
        await asyncio.to_thread(command.upgrade, config, revision)
        await asyncio.to_thread(command.downgrade, config, previous)
        assert await _inspect(url, _revision_of) == (None if previous == "base" else previous)
        await asyncio.to_thread(command.upgrade, config, revision)
        assert await _inspect(url, _revision_of) == revision
    assert await _inspect(url, _differences_from_models) == []

    await asyncio.to_thread(command.downgrade, config, "base")
    tables = await _inspect(url, lambda conn: set(inspect(conn).get_table_names()))
    assert tables <= {"alembic_version"}, f"left behind by downgrades: {tables}"
    await asyncio.to_thread(command.upgrade, config, "head")
    assert await _inspect(url, _differences_from_models) == []


async def test_a_learners_history_survives_going_down_and_up_again(
    backend: str, new_database: Callable[..., str], tmp_path: Path
) -> None:
    url = await asyncio.to_thread(new_database, backend)
    settings = Settings(database_url=url, data_dir=tmp_path, secret_key=TEST_SECRET)
    email = "round.trip@example.org"

    async with _client(settings) as (app, client):
        learner = await register_account(client, email)
        await record_events(
            client,
            learner.headers,
            [
                {"kind": "exercise_completed", "topic": "python", "grade": 90},
                {"kind": "study_session", "topic": "git", "time_spent_seconds": 2700},
                {"kind": "project_completed", "topic": "sql"},
            ],
        )
        track = await import_track(client, learner, SEED)
        body = await read_json(client, f"/api/tracks/{track['id']}", learner.headers)
        for item in all_items(body["categories"][0])[:3]:
            await set_state(client, learner, track["id"], item["id"], "done")
        before = await read_json(client, "/api/progress", learner.headers)
        events_before = await all_events(client, learner.headers)
    assert before["xp"] > 0

    down = await asyncio.to_thread(
        questpath, url, tmp_path, "migrate", "--down-to", LOWEST_KEEPING_DATA
    )
    assert down.exit_code == 0, down.output
    assert await _inspect(url, _revision_of) == LOWEST_KEEPING_DATA
    up = await asyncio.to_thread(questpath, url, tmp_path, "migrate")
    assert up.exit_code == 0, up.output
    assert "Built the progress of 1 learner(s)" in up.output

    async with _client(settings) as (app, client):
        response = await client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        assert response.status_code == 200, response.text
        again = Account(learner.id, email, response.json()["access_token"])
        after = await read_json(client, "/api/progress", again.headers)
        assert await all_events(client, again.headers) == events_before
        assert await projection_differences(app, again) == []
    assert (after["xp"], after["level"]) == (before["xp"], before["level"])


@asynccontextmanager
async def _client(settings: Settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield app, client
    finally:
        await app.state.engine.dispose()


def test_migrate_down_to_names_the_revisions_it_knows(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'questpath.db'}"
    result = questpath(url, tmp_path, "migrate", "--down-to", "0006x")

    assert result.exit_code == 2
    assert "no migration is called '0006x'" in result.output
    assert "0001, 0002" in result.output
    assert not (tmp_path / "questpath.db").exists()


async def test_upgrading_to_progress_periods_adds_up_the_days_already_stored(
    backend: str, new_database: Callable[..., str], tmp_path: Path
) -> None:
    url = await asyncio.to_thread(new_database, backend)
    settings = Settings(database_url=url, data_dir=tmp_path, secret_key=TEST_SECRET)
    async with _client(settings) as (app, client):
        learner = await register_account(client, "periods@example.org")
        await record_events(
            client,
            learner.headers,
            [
                {"kind": "project_completed", "occurred_at": f"2026-{day}T09:00:00Z"}
                for day in ("10-31", "11-01", "11-02")
            ],
        )
    down = await asyncio.to_thread(questpath, url, tmp_path, "migrate", "--down-to", "0021")
    assert down.exit_code == 0, down.output
    tables = await _inspect(url, lambda conn: set(inspect(conn).get_table_names()))
    assert "progress_periods" not in tables

    up = await asyncio.to_thread(questpath, url, tmp_path, "migrate")

    assert up.exit_code == 0, up.output
    async with _client(settings) as (app, client):
        assert await projection_differences(app, learner) == []
        periods = await _inspect(
            url, lambda conn: conn.exec_driver_sql("SELECT count(*) FROM progress_periods").scalar()
        )
    assert periods == 2 + 2 + 1  # two weeks, two months, all time
