"""What wakes a learner's event streams for a write made by another server process: a NOTIFY
on PostgreSQL (through a listener that survives a lost connection), and on SQLite a poll per
process for what other processes stored. (The streams themselves: tests/web/test_stream.py.)"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from sqlalchemy import text

from questpath.app import stream_waker
from questpath.auth.models import User
from questpath.config import Settings
from questpath.dependencies import writing
from questpath.notifications import repository as repo
from questpath.notifications.hub import Hub, publish
from questpath.notifications.rules import Draft
from questpath.notifications.service import row

WAKE_TIMEOUT = 5.0


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.stream_poll_seconds = 0.05
    return settings


async def _learner(app: FastAPI) -> uuid.UUID:
    user_id = uuid.uuid4()
    async with writing(app) as session:
        session.add(
            User(
                id=user_id,
                email=f"{user_id}@example.com",
                password_hash="x",
                display_name="Ada",
                created_at=datetime.now(UTC),
                updated_at=datetime.now(UTC),
            )
        )
    return user_id


async def _store_elsewhere(app: FastAPI, user_id: uuid.UUID) -> None:
    """Store a notification as another process would: on SQLite its commit wakes the hub of
    that process, not the one under test; on PostgreSQL it sends a NOTIFY."""
    async with writing(app) as session:
        draft = Draft("level.up", {"level": 2, "xp": 100})
        await publish(session, await repo.add(session, [row(user_id, draft, datetime.now(UTC))]))


async def _woken(event: asyncio.Event) -> bool:
    try:
        await asyncio.wait_for(event.wait(), WAKE_TIMEOUT)
    except TimeoutError:
        return False
    return True


async def _cut_listener(app: FastAPI) -> None:
    async with writing(app) as session:
        await session.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE pid <> pg_backend_pid() AND query LIKE 'LISTEN%'"
            )
        )


async def test_a_write_by_another_process_wakes_only_that_learners_streams(
    app: FastAPI, settings: Settings
) -> None:
    hub = Hub()
    waker = asyncio.create_task(stream_waker(app.state.engine, settings, hub).run())
    try:
        ada, bo = await _learner(app), await _learner(app)
        with hub.subscribe(ada) as ada_woken, hub.subscribe(bo) as bo_woken:
            await asyncio.sleep(0.3)  # listening, or the SQLite watcher has noted the table's end
            ada_woken.clear()
            bo_woken.clear()
            await _store_elsewhere(app, ada)
            assert await _woken(ada_woken)
            assert not bo_woken.is_set()
            if settings.is_sqlite:
                return
            # PostgreSQL: the listener's connection is cut. It reconnects and every stream looks
            # again (NOTIFYs may have been missed meanwhile); later NOTIFYs arrive as before.
            ada_woken.clear()
            await _cut_listener(app)
            assert await _woken(ada_woken)
            ada_woken.clear()
            await _store_elsewhere(app, ada)
            assert await _woken(ada_woken)
    finally:
        waker.cancel()
        await asyncio.gather(waker, return_exceptions=True)
