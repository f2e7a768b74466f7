"""Apps with small limits of their own, on the session's databases."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from typing import Any

import httpx
import limits.aio.storage.memory
import pytest
from fastapi import FastAPI

import questpath.ratelimit.limiter
import questpath.ratelimit.storage
from questpath.app import create_app
from questpath.config import Settings
from tests.conftest import TEST_SECRET
from tests.helpers import empty_tables

Client = Callable[..., Any]


@pytest.fixture
async def limited(database_url: str, tmp_path: Any) -> AsyncIterator[Callable[..., Any]]:
    """`await limited(**settings)`: a client of a new app on the test database, with these
    settings; several share the database, as server processes do. `address` is the client's."""
    stack = AsyncExitStack()
    apps: list[FastAPI] = []

    async def make(address: str = "198.51.100.7", **overrides: Any) -> httpx.AsyncClient:
        settings = Settings(
            database_url=database_url, data_dir=tmp_path, secret_key=TEST_SECRET, **overrides
        )
        app = create_app(settings)
        apps.append(app)
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        return await stack.enter_async_context(
            httpx.AsyncClient(transport=transport, base_url="http://testserver")
        )

    yield make
    await stack.aclose()
    async with apps[0].state.engine.begin() as conn:
        await empty_tables(conn)
    for app in apps:
        await app.state.engine.dispose()


class Clock:
    """The clock of the rate limits (memory storage, database storage, limiter), moved by
    the test: a window ends without waiting for it."""

    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    for module in (
        limits.aio.storage.memory,
        questpath.ratelimit.storage,
        questpath.ratelimit.limiter,
    ):
        monkeypatch.setattr(module, "time", fake)
    return fake
