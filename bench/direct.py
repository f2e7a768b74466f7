"""Work done in this process, straight against the database the server uses.

- Ceiling (a): the same rows inserted into the same `events` table with SQLAlchemy Core
  executemany, one transaction per request-sized chunk. It uses QuestPath's engine settings
  (`questpath.db.create_engine`: the same driver, pool, SQLite pragmas and BEGIN IMMEDIATE) and
  its table definition (so values are stored in the same form), but no HTTP, validation,
  authentication, duplicate detection or projection updates.
- The export's ceiling: the export's own query read through a server-side cursor, no output.
- Loading a long history through the service layer in-process, when HTTP would be too slow.
- Setup that would be slow over HTTP: a thousand learners for the integration key to record for
  (no password: nobody signs in as them), and removing ceiling (a)'s rows afterwards so that
  `questpath verify` checks only what QuestPath itself recorded.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.load import CpuMeter, Job, Phase, drive
from bench.workload import TIMEZONE
from questpath.auth.models import User
from questpath.auth.principal import Principal, UserSnapshot
from questpath.db import create_engine, create_sessionmaker, transaction
from questpath.events import repository as event_queries
from questpath.events import service
from questpath.events.models import Event
from questpath.events.schemas import EventIn
from questpath.recorder.core import EventRecorder
from questpath.ruleset import load_ruleset

Rows = list[dict[str, Any]]


def _insert_job(engine: AsyncEngine, rows: Rows) -> Job:
    statement = insert(Event)

    async def job() -> int:
        async with engine.begin() as conn:
            await conn.execute(statement, rows[0] if len(rows) == 1 else rows)
        return len(rows)

    return job


async def insert_phase(
    database_url: str,
    warmup: list[list[Rows]],
    measured: list[list[Rows]],
    meters: dict[str, CpuMeter],
) -> Phase:
    """Each client inserts its chunks one transaction at a time, all clients at once."""
    engine = create_engine(database_url)
    try:
        await drive([[_insert_job(engine, rows) for rows in c] for c in warmup], {})
        return await drive([[_insert_job(engine, rows) for rows in c] for c in measured], meters)
    finally:
        await engine.dispose()


async def remove_events(database_url: str, id_prefix: str) -> int:
    """Delete the events whose id starts with `id_prefix`; how many there were."""
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            result = await conn.execute(delete(Event).where(Event.event_id.startswith(id_prefix)))
            return int(result.rowcount)
    finally:
        await engine.dispose()


async def add_learners(database_url: str, count: int, label: str) -> list[str]:
    """`count` learner accounts in one transaction; their ids. Their password hash matches no
    password, so no one can sign in as them."""
    now = datetime.now(UTC)
    ids = [uuid.uuid4() for _ in range(count)]
    rows = [
        {
            "id": user_id,
            "email": f"{label}-{n}-{user_id.hex[:8]}@bench.example.com",
            "password_hash": "!",
            "display_name": f"{label} {n}",
            "timezone": TIMEZONE,
            "role": "learner",
            "created_at": now,
            "updated_at": now,
        }
        for n, user_id in enumerate(ids)
    ]
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(insert(User), rows)
    finally:
        await engine.dispose()
    return [str(user_id) for user_id in ids]


async def read_history(database_url: str, user_id: str) -> tuple[int, float]:
    """Rows and seconds to read a learner's whole log with the export's query, 1000 at a time."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            started = time.perf_counter()
            query = event_queries.everything(uuid.UUID(user_id))
            result = await conn.stream(query.execution_options(yield_per=1000))
            rows = 0
            async for partition in result.partitions():
                rows += len(partition)
            return rows, time.perf_counter() - started
    finally:
        await engine.dispose()


async def record_in_process(
    database_url: str, user_id: str, batches: Iterable[list[dict[str, Any]]]
) -> list[float]:
    """Record each batch as POST /api/events would, minus HTTP: validate the events, then
    the recorder, in one `questpath.db.transaction`. Returns each batch's seconds."""
    engine = create_engine(database_url)
    maker = create_sessionmaker(engine)
    recorder = EventRecorder(load_ruleset(None))
    seconds = []
    try:
        async with maker() as session:
            user = await session.get(User, uuid.UUID(user_id))
        assert user is not None
        principal = Principal(user=UserSnapshot.of(user))
        for batch in batches:
            started = time.perf_counter()
            events = [EventIn.model_validate(event) for event in batch]
            now = datetime.now(UTC)
            drafts = service.to_drafts(principal, events, now, batch=True)
            async with transaction(maker) as session:
                recorded = await recorder.record(session, drafts, now)
            if len(recorded.created) != len(batch):
                raise RuntimeError(f"{len(batch) - len(recorded.created)} events were duplicates")
            seconds.append(time.perf_counter() - started)
    finally:
        await engine.dispose()
    return seconds
