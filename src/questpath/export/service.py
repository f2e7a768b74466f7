"""Full export of a learner's account: JSON (everything, enough to rebuild the account) or CSV
(one row per event), streamed.

The head of the JSON (every section but the events, see `account`) is read first and held in
memory: it grows with tracks, goals and questions, not with the log. The events are read through
a server-side cursor in the same read-only snapshot and written out as they arrive, so memory
stays flat however long the log is.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from questpath.auth.principal import UserLike
from questpath.db import read_snapshot
from questpath.events import repository as events
from questpath.export import account
from questpath.export.cells import spreadsheet_safe
from questpath.progress.projections import facts_of
from questpath.progress.rules import event_xp, review_xp
from questpath.ruleset import Ruleset

ExportFormat = Literal["json", "csv"]
CSV_COLUMNS = (
    "id",
    "kind",
    "occurred_at",
    "recorded_at",
    "local_date",
    "topic",
    "grade",
    "time_spent_seconds",
    "hints_used",
    "xp",
    "metadata",
    "voided_by",
)
CHUNK_ROWS = 1000
MEDIA_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8"}


def filename(fmt: ExportFormat, now: datetime) -> str:
    return f"questpath-export-{now.date().isoformat()}.{fmt}"


def _event(row: Any, ruleset: Ruleset, reviews_by_day: Counter[date]) -> dict[str, Any]:
    # A voided event earns nothing; its kind is never quiz_reviewed (see events.rules).
    xp = 0 if row.voided_by else event_xp(facts_of(row._mapping), ruleset.xp)
    if row.kind == "quiz_reviewed":
        # Reviews earn XP per day up to a maximum: in log order, the ones past it earn nothing.
        before = reviews_by_day[row.local_date]
        reviews_by_day[row.local_date] += 1
        xp = review_xp(before + 1, ruleset.xp) - review_xp(before, ruleset.xp)
    return {
        "id": row.event_id,
        "kind": row.kind,
        "occurred_at": row.occurred_at.isoformat(),
        "recorded_at": row.recorded_at.isoformat(),
        "local_date": row.local_date.isoformat(),
        "topic": row.topic,
        "grade": row.grade,
        "time_spent_seconds": row.time_spent_seconds,
        "hints_used": row.hints_used,
        "xp": xp,
        "metadata": row.metadata,
        "voided_by": row.voided_by,
    }


async def _event_chunks(
    conn: Any, user: UserLike, ruleset: Ruleset
) -> AsyncIterator[Sequence[dict[str, Any]]]:
    result = await conn.stream(events.everything(user.id).execution_options(yield_per=CHUNK_ROWS))
    reviews_by_day: Counter[date] = Counter()
    async for rows in result.partitions():
        yield [_event(row, ruleset, reviews_by_day) for row in rows]


async def stream(
    engine: AsyncEngine,
    user: UserLike,
    ruleset: Ruleset,
    fmt: ExportFormat,
    public_url: str,
    now: datetime,
) -> AsyncIterator[bytes]:
    """The export; `public_url` is where the published badges' addresses start."""
    async with read_snapshot(engine) as conn:
        if fmt == "csv":
            async for chunk in _csv(conn, user, ruleset):
                yield chunk
        else:
            async for chunk in _json(conn, user, ruleset, public_url, now):
                yield chunk


async def _csv(conn: Any, user: UserLike, ruleset: Ruleset) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    yield buffer.getvalue().encode()
    async for chunk in _event_chunks(conn, user, ruleset):
        buffer.seek(0)
        buffer.truncate()
        for event in chunk:
            if event["metadata"] is not None:
                event["metadata"] = json.dumps(event["metadata"], ensure_ascii=False)
            writer.writerow({name: spreadsheet_safe(value) for name, value in event.items()})
        yield buffer.getvalue().encode()


async def _json(
    conn: Any, user: UserLike, ruleset: Ruleset, public_url: str, now: datetime
) -> AsyncIterator[bytes]:
    session = AsyncSession(bind=conn)
    try:
        head = await account.head(session, user, ruleset, public_url, now)
    finally:
        await session.close()
    opening = json.dumps(head, ensure_ascii=False)
    yield (opening[:-1] + ', "events": [').encode()
    first = True
    async for chunk in _event_chunks(conn, user, ruleset):
        text = ",".join(json.dumps(event, ensure_ascii=False) for event in chunk)
        yield (text if first else "," + text).encode()
        first = False
    yield b"]}"
