"""Migration 0012: items gain archived_at; downgrading drops archived items (their events stay)
and leaves live ones, on both databases."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from alembic import command

from questpath.app import create_app
from questpath.config import Settings
from questpath.db import alembic_config, migrate
from tests.conftest import TEST_SECRET
from tests.helpers import projection_differences, read_json, register_account
from tests.tracks.test_reimport import BASE, reimport
from tests.tracks.test_routes import all_items, import_track, item_named, read_track, set_state


@pytest.fixture
def url_before_archiving(backend: str, new_database: Callable[..., str]) -> str:
    return new_database(backend, "0010")


async def test_archiving_migrates_up_and_down_keeping_live_items_and_the_log(
    url_before_archiving: str, tmp_path: Path
) -> None:
    url = url_before_archiving
    await asyncio.to_thread(migrate, url)
    app = create_app(Settings(database_url=url, data_dir=tmp_path, secret_key=TEST_SECRET))
    transport = httpx.ASGITransport(app=app, client=("198.51.100.7", 40000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            learner = await register_account(client, "learner@example.com")
            track_id = (await import_track(client, learner, BASE))["id"]
            track = await read_track(client, learner, track_id)
            await set_state(client, learner, track_id, item_named(track, "Item 7")["id"], "done")
            xp = (await read_json(client, "/api/progress", learner.headers))["xp"]
            await reimport(client, learner, track_id, BASE.replace("- [ ] Item 7\n", ""))
    finally:
        await app.state.engine.dispose()

    await asyncio.to_thread(command.downgrade, alembic_config(url), "0010")
    await asyncio.to_thread(command.upgrade, alembic_config(url), "head")

    app = create_app(Settings(database_url=url, data_dir=tmp_path, secret_key=TEST_SECRET))
    transport = httpx.ASGITransport(app=app, client=("198.51.100.7", 40000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            track = await read_track(client, learner, track_id)
            assert len(all_items(track)) == 7
            assert "Item 7" not in {item["title"] for item in all_items(track)}
            assert (await read_json(client, "/api/progress", learner.headers))["xp"] == xp
            # The archived item went with the downgrade: listing it again makes it anew.
            body = await reimport(client, learner, track_id, BASE)
            assert [change["title"] for change in body["added"]] == ["Item 7"]
            assert await projection_differences(app, learner) == []
    finally:
        await app.state.engine.dispose()
