"""All SQL of the event log."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from questpath.db import dialect_of, insert_for
from questpath.events.models import Event


@cache
def _insert_new_statement(dialect: str) -> Any:
    # One fixed statement run over the rows: compiled once and cached, where a multi-row VALUES
    # clause would be compiled again for every request.
    return (
        insert_for(dialect, Event)
        .on_conflict_do_nothing(index_elements=[Event.user_id, Event.event_id])
        .returning(Event.user_id, Event.event_id)
    )


async def insert_new(
    session: AsyncSession, rows: list[dict[str, Any]]
) -> set[tuple[uuid.UUID, str]]:
    """Insert the rows whose (user_id, event_id) is not stored yet; return the keys inserted.

    The primary key decides, inside the database, so concurrent requests and server processes
    posting the same event store it once.
    """
    if not rows:
        return set()
    result = await session.execute(_insert_new_statement(dialect_of(session)), rows)
    return {(row.user_id, row.event_id) for row in result}


async def page(
    session: AsyncSession, user_id: uuid.UUID, before: tuple[datetime, str] | None, limit: int
) -> list[Event]:
    stmt = select(Event).where(Event.user_id == user_id)
    if before is not None:
        occurred_at, event_id = before
        stmt = stmt.where(
            or_(
                Event.occurred_at < occurred_at,
                and_(Event.occurred_at == occurred_at, Event.event_id < event_id),
            )
        )
    stmt = stmt.order_by(Event.occurred_at.desc(), Event.event_id.desc()).limit(limit)
    return list(await session.scalars(stmt))


async def get(session: AsyncSession, user_id: uuid.UUID, event_id: str) -> Event | None:
    return await session.get(Event, (user_id, event_id))


async def get_for_update(session: AsyncSession, user_id: uuid.UUID, event_id: str) -> Event | None:
    return await session.get(Event, (user_id, event_id), populate_existing=True)


async def mark_voided(
    session: AsyncSession, user_id: uuid.UUID, event_id: str, void_id: str
) -> None:
    await session.execute(
        update(Event)
        .where(Event.user_id == user_id, Event.event_id == event_id, Event.voided_by.is_(None))
        .values(voided_by=void_id)
    )


async def exists(session: AsyncSession, user_id: uuid.UUID, event_id: str) -> bool:
    found = await session.scalar(
        select(Event.event_id).where(Event.user_id == user_id, Event.event_id == event_id)
    )
    return found is not None


def everything(user_id: uuid.UUID) -> Select[Any]:
    """Every event of a learner, oldest first, as table rows (for streaming)."""
    stmt: Select[Any] = (
        select(Event.__table__)
        .where(Event.user_id == user_id)
        .order_by(Event.occurred_at, Event.event_id)
    )
    return stmt
