"""What woken streams read, read once for all of them.

A batch that unlocks something for a thousand learners wakes a thousand streams at once. Each
reading on its own would be a thousand transactions of three queries, one after another on the
process's event loop. Instead, the streams woken within a few milliseconds of each other ask
together: one read-only transaction, three queries for all their learners (in chunks), and each
stream is handed its learner's rows. A stream that asks for a long history (a reconnecting
client far behind, or `since` long ago) reads alone, so that it never widens everyone's read.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from questpath.clock import utc_now
from questpath.db import read_snapshot
from questpath.notifications import repository as repo
from questpath.progress import repository as progress_repo

# How long the first woken stream waits for the others to ask with it.
GATHER_SECONDS = 0.01
# A stream that asks for more than this much history reads alone.
SHARED_HISTORY = timedelta(minutes=5)
# Learners per query: well inside every database's limit on bound parameters.
CHUNK = 500


@dataclass
class News:
    """One learner's rows made after a time: unlocked achievements (achievement_id,
    unlocked_at), notifications (id, kind, data, created_at), and their unread count now."""

    unlocked: list[Any] = field(default_factory=list)
    made: list[Any] = field(default_factory=list)
    unread: int = 0


@dataclass
class _Ask:
    user_id: uuid.UUID
    since: datetime
    answer: asyncio.Future[News]


class SharedReads:
    def __init__(self) -> None:
        self._asking: dict[AsyncEngine, list[_Ask]] = {}
        self._reading: set[asyncio.Task[None]] = set()  # held, or the loop may drop them

    async def news(self, engine: AsyncEngine, user_id: uuid.UUID, since: datetime) -> News:
        if since < utc_now() - SHARED_HISTORY:
            return (await read_news(engine, [user_id], since))[user_id]
        answer: asyncio.Future[News] = asyncio.get_running_loop().create_future()
        asking = self._asking.setdefault(engine, [])
        asking.append(_Ask(user_id, since, answer))
        if len(asking) == 1:
            task = asyncio.get_running_loop().create_task(self._read(engine))
            self._reading.add(task)
            task.add_done_callback(self._reading.discard)
        return await answer

    async def _read(self, engine: AsyncEngine) -> None:
        await asyncio.sleep(GATHER_SECONDS)
        asks = self._asking.pop(engine, [])
        try:
            found = await read_news(engine, {a.user_id for a in asks}, min(a.since for a in asks))
        except Exception as exc:  # noqa: BLE001  (each stream fails as its own read would)
            for ask in asks:
                if not ask.answer.done():
                    ask.answer.set_exception(exc)
            return
        for ask in asks:
            if not ask.answer.done():  # a stream whose client left stopped waiting
                ask.answer.set_result(found[ask.user_id])


READS = SharedReads()


async def read_news(
    engine: AsyncEngine, user_ids: Collection[uuid.UUID], since: datetime
) -> dict[uuid.UUID, News]:
    """Each learner's news after `since`, in one read-only transaction."""
    found: dict[uuid.UUID, News] = defaultdict(News)
    ordered = sorted(user_ids)
    async with read_snapshot(engine) as conn:
        for first in range(0, len(ordered), CHUNK):
            chunk = ordered[first : first + CHUNK]
            for row in await progress_repo.unlocked_since_of(conn, chunk, since):
                found[row.user_id].unlocked.append(row)
            for row in await repo.created_since_of(conn, chunk, since):
                found[row.user_id].made.append(row)
            for user_id, count in await repo.unread_counts(conn, chunk):
                found[user_id].unread = count
    return {user_id: found[user_id] for user_id in ordered}
