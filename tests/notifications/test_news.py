"""Streams woken together read together: one transaction of three queries for all their
learners, each stream handed its own learner's rows."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from sqlalchemy import event

from questpath.dependencies import writing
from questpath.notifications import repository as repo
from questpath.notifications.news import SharedReads
from questpath.notifications.rules import Draft
from questpath.notifications.service import row
from tests.notifications.test_stream import _learner


async def _notify(app: FastAPI, user_id: uuid.UUID, level: int) -> None:
    async with writing(app) as session:
        draft = Draft("level.up", {"level": level, "xp": 100 * level})
        await repo.add(session, [row(user_id, draft, datetime.now(UTC))])


def _selects(app: FastAPI) -> list[str]:
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(app.state.engine.sync_engine, "before_cursor_execute", count)
    return statements


async def test_streams_woken_together_share_one_read_and_each_gets_its_own_rows(
    app: FastAPI,
) -> None:
    learners = [await _learner(app) for _ in range(30)]
    for n, user_id in enumerate(learners):
        await _notify(app, user_id, n + 2)
    since = datetime.now(UTC) - timedelta(minutes=1)
    reads = SharedReads()
    statements = _selects(app)

    news = await asyncio.gather(*(reads.news(app.state.engine, u, since) for u in learners))

    assert len(statements) == 3, statements
    for n, found in enumerate(news):
        assert [r.data["level"] for r in found.made] == [n + 2]
        assert {r.user_id for r in found.made} == {learners[n]}
        assert found.unread == 1


async def test_a_stream_far_behind_reads_alone_and_misses_nothing(app: FastAPI) -> None:
    behind, current = await _learner(app), await _learner(app)
    await _notify(app, behind, 2)
    await _notify(app, current, 3)
    reads = SharedReads()
    statements = _selects(app)

    old, recent = await asyncio.gather(
        reads.news(app.state.engine, behind, datetime(2000, 1, 1, tzinfo=UTC)),
        reads.news(app.state.engine, current, datetime.now(UTC) - timedelta(minutes=1)),
    )

    assert len(statements) == 6  # two reads: the long one did not widen the other's
    assert [r.data["level"] for r in old.made] == [2]
    assert [r.data["level"] for r in recent.made] == [3]
