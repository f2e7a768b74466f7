"""Achievements as they unlock, for a server-sent event stream.

Each stream polls the database rather than listening inside one process: an unlock recorded by
any server process (or any other machine) reaches every stream of that learner.
"""

from __future__ import annotations

import asyncio
import json
import math
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
from sqlalchemy.ext.asyncio import AsyncEngine

from questpath.db import read_snapshot
from questpath.progress import repository as repo
from questpath.ruleset import Ruleset

# Transactions commit in their own time: an unlock stamped a little before the last one seen
# may become visible only later. Each poll looks this far back and skips what it already sent.
LATE_COMMIT_WINDOW = timedelta(seconds=30)
# Nothing unlocks before the epoch or near the end of the calendar: a start outside these bounds
# is clamped to them, so the look-back above never leaves the range of datetime.
EARLIEST_START = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_START = datetime(9999, 12, 30, tzinfo=UTC)


@dataclass
class UnlockCursor:
    """How far a stream has read: the latest unlock time sent, and what it sent near it."""

    since: datetime
    sent: set[str] = field(default_factory=set)

    def new(self, rows: list[Any]) -> list[Any]:
        fresh = sorted(
            (row for row in rows if row.achievement_id not in self.sent),
            key=lambda row: (row.unlocked_at, row.achievement_id),
        )
        for row in fresh:
            self.sent.add(row.achievement_id)
            self.since = max(self.since, row.unlocked_at)
        return fresh


def parse_last_event_id(value: str | None) -> datetime | None:
    """The unlock time an EventSource sends back when it reconnects (`Last-Event-ID`)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def stream_start(last_event_id: datetime | None, since: datetime | None, now: datetime) -> datetime:
    """Where a stream starts: the reconnecting client's last id, else `since`, else now; in UTC
    and clamped to [EARLIEST_START, LATEST_START]."""
    moment = last_event_id or since or now
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:  # an offset that pushes the time past year 1 or 9999
        return EARLIEST_START if moment.year < 1970 else LATEST_START
    return min(max(moment, EARLIEST_START), LATEST_START)


async def achievement_events(
    engine: AsyncEngine,
    ruleset: Ruleset,
    user_id: uuid.UUID,
    since: datetime,
    poll_seconds: float,
    lasting: float = math.inf,
) -> AsyncIterator[dict[str, str]]:
    """Yield an `achievement` event for each achievement unlocked after `since`, for `lasting`
    seconds (then the client reconnects with `Last-Event-ID`, missing nothing)."""
    definitions = {a.id: a for a in ruleset.achievements}
    cursor = UnlockCursor(since)
    ends = asyncio.get_running_loop().time() + lasting
    while asyncio.get_running_loop().time() < ends:
        async with read_snapshot(engine) as conn:
            rows = await repo.unlocked_since(conn, user_id, cursor.since - LATE_COMMIT_WINDOW)
        for row in cursor.new([r for r in rows if r.unlocked_at > since]):
            definition = definitions.get(row.achievement_id)
            if definition is None:  # removed from the rules since it was earned
                continue
            data = {
                "id": definition.id,
                "name": definition.name,
                "description": definition.description,
                "icon": definition.icon,
                "points": definition.points,
                "unlocked_at": row.unlocked_at.isoformat(),
            }
            yield {
                "event": "achievement",
                "id": row.unlocked_at.isoformat(),
                "data": json.dumps(data),
            }
        await asyncio.sleep(poll_seconds)


async def releasing(
    events: AsyncIterator[dict[str, str]], release: Callable[[], Awaitable[None]]
) -> AsyncIterator[dict[str, str]]:
    """`events`, then `release` once the stream ends, however it ends: a client that goes away
    cancels the stream, and the release must still run."""
    try:
        async for event in events:
            yield event
    finally:
        with anyio.CancelScope(shield=True):
            await release()
