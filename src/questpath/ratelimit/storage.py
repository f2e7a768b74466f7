"""Where the counters live: `limits`' memory storage, or QuestPath's own database.

`limits` has no SQL storage; `DatabaseStorage` implements its async storage interface for the
fixed-window strategy, so that several server processes share their counts with no server
besides the database.
"""

from __future__ import annotations

import time

from limits.aio.storage import MemoryStorage, Storage
from sqlalchemy import Table, case, delete, func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from questpath.config import Settings
from questpath.db import insert_for, read_only
from questpath.ratelimit.models import RateLimitCounter

# Rows of windows that ended are reused by their key's next request; those never asked for
# again are deleted this often by whichever request comes along.
PRUNE_EVERY_SECONDS = 600.0


class DatabaseStorage(Storage):
    """Counters in the `rate_limits` table, one UPSERT … RETURNING per hit on SQLite and
    PostgreSQL alike: concurrent hits from any number of processes each see their own count.

    Each operation is its own short transaction on its own connection. It never joins a
    request's unit of work: a refused request must stay counted although the request fails.
    """

    STORAGE_SCHEME = None

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__()
        self.engine = engine
        self.reader = read_only(engine)
        self.dialect = engine.dialect.name
        self.next_prune = time.time() + PRUNE_EVERY_SECONDS

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    async def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        count, _ = await self.count_hit(key, expiry, amount)
        return count

    async def count_hit(self, key: str, expiry: int, amount: int = 1) -> tuple[int, float]:
        """`incr`, answering the window's end as well: the limiter's headers need it, and
        asking for it afterwards would take two more queries."""
        now = time.time()
        counters = RateLimitCounter.__table__
        assert isinstance(counters, Table)
        stmt = insert_for(self.dialect, counters).values(
            key=key, count=amount, expires_at=now + expiry
        )
        window_over = counters.c.expires_at <= now
        stmt = stmt.on_conflict_do_update(
            index_elements=[counters.c.key],
            set_={
                "count": case((window_over, stmt.excluded.count), else_=counters.c.count + amount),
                "expires_at": case(
                    (window_over, stmt.excluded.expires_at), else_=counters.c.expires_at
                ),
            },
        ).returning(counters.c.count, counters.c.expires_at)
        async with self.engine.begin() as conn:
            count, expires_at = (await conn.execute(stmt)).one()
            if now >= self.next_prune:
                self.next_prune = now + PRUNE_EVERY_SECONDS
                await conn.execute(delete(counters).where(counters.c.expires_at <= now))
        return int(count), float(expires_at)

    async def get(self, key: str) -> int:
        query = select(RateLimitCounter.count).where(
            RateLimitCounter.key == key, RateLimitCounter.expires_at > time.time()
        )
        async with self.reader.connect() as conn:
            count = (await conn.execute(query)).scalar_one_or_none()
        return count or 0

    async def get_expiry(self, key: str) -> float:
        now = time.time()
        query = select(RateLimitCounter.expires_at).where(
            RateLimitCounter.key == key, RateLimitCounter.expires_at > now
        )
        async with self.reader.connect() as conn:
            expires_at = (await conn.execute(query)).scalar_one_or_none()
        return expires_at if expires_at is not None else now

    async def check(self) -> bool:
        try:
            async with self.reader.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    async def reset(self) -> int | None:
        async with self.engine.begin() as conn:
            cleared: int = (
                await conn.execute(select(func.count()).select_from(RateLimitCounter))
            ).scalar_one()
            await conn.execute(delete(RateLimitCounter))
        return cleared

    async def clear(self, key: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(delete(RateLimitCounter).where(RateLimitCounter.key == key))


def storage_kind(settings: Settings) -> str:
    """`memory` or `database`: the setting, else memory for one server process on
    SQLite and the database otherwise (`questpath serve --workers N` sets it for N > 1)."""
    if settings.rate_limit_storage:
        return settings.rate_limit_storage
    return "memory" if settings.is_sqlite else "database"


def open_storage(settings: Settings, engine: AsyncEngine) -> Storage:
    kind = storage_kind(settings)
    if kind == "memory":
        return MemoryStorage()
    return DatabaseStorage(engine)
