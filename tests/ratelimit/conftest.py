"""Apps with small limits of their own, on the session's databases."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

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
