"""Migration 0016: keys made with the two old scopes keep what their integrations did, except
reading the owner's e-mail; downgrading takes them back to the old two, on both databases."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from alembic import command
from sqlalchemy import select

from questpath.app import create_app
from questpath.auth.models import ApiKey
from questpath.config import Settings
from questpath.db import alembic_config, create_engine
from tests.auth.test_routes import bearer, create_key
from tests.conftest import TEST_SECRET
from tests.helpers import Account, assert_problem, register_account

OLD_KEYS = {
    "reader": ["events:read"],
    "writer": ["events:write"],
    "both": ["events:read", "events:write"],
}
MIGRATED = {
    "reader": ["events:read", "goals:read", "progress:read", "quizzes:read", "tracks:read"],
    "writer": ["events:write", "goals:write", "quizzes:write", "tracks:write"],
    "both": [
        "events:read",
        "events:write",
        "goals:read",
        "goals:write",
        "progress:read",
        "quizzes:read",
        "quizzes:write",
        "tracks:read",
        "tracks:write",
    ],
    "new": ["profile:read", "tracks:read"],
}


@pytest.fixture
def url(backend: str, new_database: Callable[..., str]) -> str:
    return new_database(backend)


@asynccontextmanager
async def _client(url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(database_url=url, data_dir=tmp_path, secret_key=TEST_SECRET))
    transport = httpx.ASGITransport(app=app, client=("198.51.100.7", 40000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        await app.state.engine.dispose()


async def _scopes(client: httpx.AsyncClient, learner: Account) -> dict[str, list[str]]:
    items = (await client.get("/api/api-keys", headers=learner.headers)).json()["items"]
    return {item["name"]: item["scopes"] for item in items}


async def _migrate(url: str, direction: str, revision: str) -> None:
    await asyncio.to_thread(getattr(command, direction), alembic_config(url), revision)


async def _stored_scopes(url: str) -> dict[str, list[str]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(select(ApiKey.name, ApiKey.scopes))
            return {name: scopes for name, scopes in rows}
    finally:
        await engine.dispose()


async def test_old_keys_get_equivalent_scopes_without_the_email_and_get_them_back_on_downgrade(
    url: str, tmp_path: Path
) -> None:
    # Keys with the two old scopes, which are still scopes today, as 0016 found them.
    async with _client(url, tmp_path) as client:
        learner = await register_account(client, "learner@example.com")
        secrets = {
            name: (await create_key(client, learner, scopes, name=name))["secret"]
            for name, scopes in OLD_KEYS.items()
        }
    await _migrate(url, "downgrade", "0015")
    assert await _stored_scopes(url) == OLD_KEYS

    await _migrate(url, "upgrade", "head")

    async with _client(url, tmp_path) as client:
        secrets["new"] = (await create_key(client, learner, MIGRATED["new"], name="new"))["secret"]
        assert await _scopes(client, learner) == MIGRATED
        reader = bearer(secrets["reader"])
        for path in ("/api/tracks", "/api/progress", "/api/goals", "/api/questions"):
            assert (await client.get(path, headers=reader)).status_code == 200, path
        assert (
            "profile:read"
            in assert_problem(await client.get("/api/users/me", headers=reader), 403)["detail"]
        )
        imported = await client.post(
            "/api/tracks/import",
            content=b"# Plan\n\n- [ ] Item\n",
            headers=bearer(secrets["both"]) | {"Content-Type": "text/markdown"},
        )
        assert imported.status_code == 201, imported.text

    await _migrate(url, "downgrade", "0015")

    assert await _stored_scopes(url) == {**OLD_KEYS, "new": []}
