"""Waking a learner's open event streams when they have something new: one hub per process.

An idle stream waits on an `asyncio.Event` and touches no database. What sets it:
- on PostgreSQL, a NOTIFY sent in the transaction that stored the notification, which reaches
  the listener of every server process once it commits (`PostgresListener`);
- on SQLite, the committing process itself (`after_commit`), and, for writes made by other
  processes on the same file (`--workers N`, the CLI), a poll of the notifications' rowids once
  a second while any stream is open (`SqliteWatcher`): one query per process, not per stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Collection, Iterator

import asyncpg
import structlog
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from questpath.db import after_commit, dialect_of, read_snapshot
from questpath.notifications import repository as repo

log = structlog.get_logger("questpath.notifications")


class Hub:
    def __init__(self) -> None:
        self._waiting: dict[uuid.UUID, set[asyncio.Event]] = {}

    @contextlib.contextmanager
    def subscribe(self, user_id: uuid.UUID) -> Iterator[asyncio.Event]:
        """An event set whenever the learner may have something new, for as long as held."""
        event = asyncio.Event()
        self._waiting.setdefault(user_id, set()).add(event)
        try:
            yield event
        finally:
            waiting = self._waiting.get(user_id)
            if waiting is not None:
                waiting.discard(event)
                if not waiting:
                    del self._waiting[user_id]

    def wake(self, user_ids: Collection[uuid.UUID]) -> None:
        for user_id in user_ids:
            for event in self._waiting.get(user_id, ()):
                event.set()

    def wake_all(self) -> None:
        """After a gap in what reached this process (a listener reconnecting): every stream
        looks again."""
        for waiting in self._waiting.values():
            for event in waiting:
                event.set()

    @property
    def watching(self) -> bool:
        return bool(self._waiting)


HUB = Hub()


async def publish(session: AsyncSession, user_ids: Collection[uuid.UUID]) -> None:
    """Wake the learners' streams in every process once the session's transaction commits."""
    if not user_ids:
        return
    if dialect_of(session) == "postgresql":
        await repo.announce(session, user_ids)
    else:
        ids = set(user_ids)
        after_commit(session, lambda: HUB.wake(ids))


RECONNECT_SECONDS = 1.0


class PostgresListener:
    """LISTENs on the notifications channel with a connection of its own, and wakes the hub;
    reconnects after a lost connection, waking every stream, since NOTIFYs were missed."""

    def __init__(self, engine: AsyncEngine, hub: Hub = HUB) -> None:
        url = engine.url.set(drivername="postgresql")
        self._dsn = url.render_as_string(hide_password=False)
        self._hub = hub

    async def run(self) -> None:
        while True:
            try:
                connection = await asyncpg.connect(self._dsn)
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("notification listener cannot connect", error=str(exc))
                await asyncio.sleep(RECONNECT_SECONDS)
                continue
            try:
                await self._listen(connection)
            finally:
                with contextlib.suppress(Exception):
                    await asyncio.shield(connection.close(timeout=2))
            await asyncio.sleep(RECONNECT_SECONDS)

    async def _listen(self, connection: asyncpg.Connection) -> None:
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _connection: lost.set())
        try:
            await connection.add_listener(repo.CHANNEL, self._received)
            self._hub.wake_all()  # whatever was sent while nobody listened
            await lost.wait()
            log.warning("notification listener lost its connection")
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("notification listener failed", error=str(exc))

    def _received(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        ids = set()
        for part in payload.split(","):
            with contextlib.suppress(ValueError):
                ids.add(uuid.UUID(part))
        self._hub.wake(ids)


class SqliteWatcher:
    """Wakes the streams of learners whose notifications another process stored."""

    def __init__(self, engine: AsyncEngine, seconds: float, hub: Hub = HUB) -> None:
        self._engine = engine
        self._seconds = seconds
        self._hub = hub

    async def run(self) -> None:
        rowid: int | None = None
        while True:
            await asyncio.sleep(self._seconds)
            if not self._hub.watching:
                rowid = None  # nobody to wake: start from the newest when somebody listens
                continue
            try:
                async with read_snapshot(self._engine) as conn:
                    if rowid is None:
                        # Streams opened before this look may have missed a row: all look once.
                        rowid = await repo.last_rowid(conn)
                        self._hub.wake_all()
                        continue
                    rowid, user_ids = await repo.newer_than(conn, rowid)
            except Exception:  # a locked or briefly missing database: look again next time
                log.warning("notification watcher could not read", exc_info=True)
                continue
            self._hub.wake(user_ids)
