"""The database storage answers `limits`' fixed-window strategy as its memory storage does."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from limits import parse
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter

from questpath.db import create_engine
from questpath.ratelimit.storage import DatabaseStorage
from tests.helpers import empty_tables
from tests.ratelimit.conftest import Clock


@pytest.fixture(params=["database", "memory"])
async def storage(request: pytest.FixtureRequest, database_url: str) -> AsyncIterator[Storage]:
    if request.param == "memory":
        yield MemoryStorage()
        return
    engine = create_engine(database_url)
    yield DatabaseStorage(engine)
    async with engine.begin() as conn:
        await empty_tables(conn)
    await engine.dispose()


async def test_the_fixed_window_counts_reports_clears_and_resets(
    storage: Storage, clock: Clock
) -> None:
    limiter = FixedWindowRateLimiter(storage)
    item = parse("2/minute")
    assert await storage.check()
    assert [await limiter.hit(item, "writes", "ada") for _ in range(3)] == [True, True, False]
    assert not await limiter.test(item, "writes", "ada")
    assert await limiter.test(item, "writes", "grace")
    stats = await limiter.get_window_stats(item, "writes", "ada")
    assert (stats.remaining, round(stats.reset_time - clock.now)) == (0, 60)
    clock.advance(60)
    assert (await limiter.get_window_stats(item, "writes", "ada")).remaining == 2
    assert await limiter.hit(item, "writes", "ada")
    await limiter.clear(item, "writes", "ada")
    assert (await limiter.get_window_stats(item, "writes", "ada")).remaining == 2
    assert await limiter.hit(item, "writes", "grace")
    await storage.reset()
    assert await storage.get(item.key_for("writes", "grace")) == 0
