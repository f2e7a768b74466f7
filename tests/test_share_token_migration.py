"""Migration 0014: share tokens become their SHA-256 hashes in place, so links made before keep
working; downgrading gives every share a fresh token, on both databases."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib import import_module
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.migration import MigrationContext
from alembic.operations import Operations
from fastapi import FastAPI
from sqlalchemy import Connection, text

from questpath.app import create_app
from questpath.config import Settings
from questpath.db import alembic_config, create_engine
from tests.conftest import TEST_SECRET
from tests.helpers import Account, register_account, table_values
from tests.tracks.test_routes import import_track

HASHED_SHARES = import_module("questpath.migrations.versions.0014_hashed_share_tokens")
LEARNERS = 3


@pytest.fixture
def url(backend: str, new_database: Callable[..., str]) -> str:
    return new_database(backend)


@asynccontextmanager
async def _running(url: str, tmp_path: Path) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_app(Settings(database_url=url, data_dir=tmp_path, secret_key=TEST_SECRET))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield app, client
    finally:
        await app.state.engine.dispose()


async def _share_everything(client: httpx.AsyncClient, learner: Account) -> list[str]:
    """Turn on the learner's progress page and share a track; the two paths, as made."""
    page = await client.put("/api/sharing", json={"enabled": True}, headers=learner.headers)
    track_id = (await import_track(client, learner))["id"]
    track = await client.post(f"/api/tracks/{track_id}/share", headers=learner.headers)
    return [page.json()["url"], track.json()["url"]]


async def _set_plain_tokens(url: str, tokens: dict[str, tuple[str, str]]) -> None:
    """Store each learner's progress-page and track tokens in plain text, as 0013 did."""
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            for user_id, pair in tokens.items():
                for name, token in zip(("progress_shares", "track_shares"), pair, strict=True):
                    table = sa.table(name, sa.column("token"), sa.column("user_id", sa.Uuid()))
                    await conn.execute(
                        table.update()
                        .where(table.c.user_id == uuid.UUID(user_id))
                        .values(token=token)
                    )
    finally:
        await engine.dispose()


async def _upgrade_in_small_batches(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """0014's upgrade with two rows to a batch, so three learners take more than one; then the
    migrations after it."""
    monkeypatch.setattr(HASHED_SHARES, "BATCH", 2)

    def run(conn: Connection) -> None:
        with Operations.context(MigrationContext.configure(conn)):
            HASHED_SHARES.upgrade()

    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(run)
    finally:
        await engine.dispose()
    await asyncio.to_thread(command.stamp, alembic_config(url), "0014")
    await asyncio.to_thread(command.upgrade, alembic_config(url), "head")  # what today's app reads


async def test_links_made_before_the_migration_keep_working_and_downgrading_replaces_them(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with _running(url, tmp_path) as (_, client):
        learners = [
            await register_account(client, f"learner{n}@example.com") for n in range(LEARNERS)
        ]
        made = [await _share_everything(client, learner) for learner in learners]

    await asyncio.to_thread(command.downgrade, alembic_config(url), "0013")
    # Links as 0013 made them, kept in plain text: one progress page and one track per learner.
    plain = {
        learner.id: (secrets.token_urlsafe(32), secrets.token_urlsafe(32)) for learner in learners
    }
    await _set_plain_tokens(url, plain)

    await _upgrade_in_small_batches(url, monkeypatch)

    async with _running(url, tmp_path) as (app, client):
        stored = await table_values(app, "progress_shares") + await table_values(
            app, "track_shares"
        )
        for page_token, track_token in plain.values():
            for token in (page_token, track_token):
                assert not [value for value in stored if token in value]
                assert hashlib.sha256(token.encode()).hexdigest() in stored
            assert (await client.get(f"/p/{page_token}")).status_code == 200
            assert (await client.get(f"/p/{page_token}/badge.svg")).status_code == 200
            assert (await client.get(f"/api/shared/{track_token}")).status_code == 200
            assert (await client.get(f"/shared/{track_token}")).status_code == 200
        # The links made before the downgrade were replaced by it.
        for page_url, track_url in made:
            assert (await client.get(page_url)).status_code == 404
            assert (await client.get(track_url)).status_code == 404

    await asyncio.to_thread(command.downgrade, alembic_config(url), "0013")
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT token FROM progress_shares"))).all()
            rows += (await conn.execute(text("SELECT token FROM track_shares"))).all()
    finally:
        await engine.dispose()
    tokens = {row[0] for row in rows}
    assert len(tokens) == 2 * LEARNERS
    hashes = {hashlib.sha256(t.encode()).hexdigest() for pair in plain.values() for t in pair}
    assert not tokens & (hashes | {t for pair in plain.values() for t in pair})
    await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
