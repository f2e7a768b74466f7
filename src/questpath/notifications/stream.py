"""A learner's server-sent event stream: achievements as they unlock, notifications as they
are made, and the unread count whenever it changes.

An open stream waits on the hub (`hub.py`) and reads the database only when woken, so idle
streams cost nothing; what any server process records reaches every stream of the learner.
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

from questpath.notifications.hub import HUB, Hub
from questpath.notifications.news import READS, SharedReads
from questpath.notifications.rules import link_of, title_of
from questpath.ruleset import Ruleset

# Transactions commit in their own time: an unlock stamped a little before the last one seen
# may become visible only later. Each poll looks this far back and skips what it already sent.
LATE_COMMIT_WINDOW = timedelta(seconds=30)
# Nothing unlocks before the epoch or near the end of the calendar: a start outside these bounds
# is clamped to them, so the look-back above never leaves the range of datetime.
EARLIEST_START = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_START = datetime(9999, 12, 30, tzinfo=UTC)


@dataclass
class SentCursor:
    """How far a stream has read one kind of row: the latest time sent, and what it sent."""

    since: datetime
    sent: set[Any] = field(default_factory=set)

    def new(self, rows: list[Any], key: str, at: str) -> list[Any]:
        fresh = sorted(
            (row for row in rows if getattr(row, key) not in self.sent),
            key=lambda row: (getattr(row, at), str(getattr(row, key))),
        )
        for row in fresh:
            self.sent.add(getattr(row, key))
            self.since = max(self.since, getattr(row, at))
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


async def progress_events(
    engine: AsyncEngine,
    ruleset: Ruleset,
    user_id: uuid.UUID,
    since: datetime,
    lasting: float = math.inf,
    hub: Hub = HUB,
    reads: SharedReads = READS,
) -> AsyncIterator[dict[str, str]]:
    """For `lasting` seconds (then the client reconnects with `Last-Event-ID`, missing
    nothing): an `achievement` event for each achievement unlocked after `since`, a
    `notification` event for each notification made after it, and an `unread` event with the
    unread count at the start and whenever it changes."""
    definitions = {a.id: a for a in ruleset.achievements}
    unlocks, notes = SentCursor(since), SentCursor(since)
    unread: int | None = None
    loop = asyncio.get_running_loop()
    ends = loop.time() + lasting
    with hub.subscribe(user_id) as woken:
        while True:
            woken.clear()
            news = await reads.news(
                engine, user_id, min(unlocks.since, notes.since) - LATE_COMMIT_WINDOW
            )
            unlocked, made, count = news.unlocked, news.made, news.unread
            fresh = [r for r in unlocked if r.unlocked_at > since]
            for row in unlocks.new(fresh, "achievement_id", "unlocked_at"):
                definition = definitions.get(row.achievement_id)
                if definition is not None:  # else removed from the rules since it was earned
                    yield _achievement(definition, row.unlocked_at)
            for row in notes.new([r for r in made if r.created_at > since], "id", "created_at"):
                yield _notification(row)
            if count != unread:
                unread = count
                yield {"event": "unread", "data": json.dumps({"unread": count})}
            remaining = ends - loop.time()
            if remaining <= 0:
                return
            try:
                await asyncio.wait_for(woken.wait(), timeout=remaining)
            except TimeoutError:
                return


def _achievement(definition: Any, unlocked_at: datetime) -> dict[str, str]:
    data = {
        "id": definition.id,
        "name": definition.name,
        "description": definition.description,
        "icon": definition.icon,
        "points": definition.points,
        "unlocked_at": unlocked_at.isoformat(),
    }
    return {"event": "achievement", "id": unlocked_at.isoformat(), "data": json.dumps(data)}


def _notification(row: Any) -> dict[str, str]:
    data = {
        "id": str(row.id),
        "kind": row.kind,
        "title": title_of(row.kind, row.data),
        "link": link_of(row.kind, row.data),
        "data": row.data,
        "created_at": row.created_at.isoformat(),
    }
    return {"event": "notification", "id": row.created_at.isoformat(), "data": json.dumps(data)}


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
