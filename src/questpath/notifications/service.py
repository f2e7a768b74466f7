"""Notifications: made from a batch's signals in the recorder's transaction, listed, read."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from questpath.notifications import repository as repo
from questpath.notifications.hub import publish
from questpath.notifications.models import Notification
from questpath.notifications.rules import Draft, from_signals, link_of, title_of
from questpath.notifications.schemas import (
    NotificationRead,
    NotificationSettingsRead,
    NotificationSettingsUpdate,
    NotificationsPage,
    ReadResult,
)
from questpath.pagination import created_cursor, decode_created_cursor
from questpath.problems import Invalid
from questpath.progress.signals import Signal


async def record(session: AsyncSession, signals: Sequence[Signal], now: datetime) -> None:
    """Store the notifications the signals make, and wake the learners' streams on commit."""
    rows = [row(signal.user_id, draft, now) for signal, draft in from_signals(signals)]
    await publish(session, await repo.add(session, rows))


def row(user_id: uuid.UUID, draft: Draft, now: datetime) -> dict[str, object]:
    return {
        "id": uuid.uuid4(),
        "user_id": user_id,
        "kind": draft.kind,
        "data": draft.data,
        "created_at": now,
        "read_at": None,
        "key": draft.key,
    }


def read_model(notification: Notification) -> NotificationRead:
    return NotificationRead(
        id=notification.id,
        kind=notification.kind,
        title=title_of(notification.kind, notification.data),
        link=link_of(notification.kind, notification.data),
        data=notification.data,
        created_at=notification.created_at,
        read_at=notification.read_at,
    )


async def page(
    session: AsyncSession, user_id: uuid.UUID, cursor: str | None, limit: int, unread_only: bool
) -> NotificationsPage:
    rows = await repo.page(session, user_id, decode_created_cursor(cursor), limit + 1, unread_only)
    more = len(rows) > limit
    rows = rows[:limit]
    return NotificationsPage(
        items=[read_model(n) for n in rows],
        next_cursor=created_cursor(rows[-1].created_at, rows[-1].id) if more else None,
        unread=await repo.unread_count(session, user_id),
    )


async def mark_read(
    session: AsyncSession, user_id: uuid.UUID, ids: list[uuid.UUID] | None, now: datetime
) -> ReadResult:
    """Mark the ids read (all unread ones when None). An id that is not the learner's is a 422
    naming it, and nothing changes."""
    if ids is not None:
        unknown = set(ids) - await repo.owned(session, user_id, ids)
        if unknown:
            index = next(i for i, found in enumerate(ids) if found in unknown)
            raise Invalid.field(f"ids[{index}]", "is not one of your notifications")
    changed = await repo.mark_read(session, user_id, ids, now)
    if changed:
        await publish(session, [user_id])
    return ReadResult(marked=changed, unread=await repo.unread_count(session, user_id))


async def settings_of(session: AsyncSession, user_id: uuid.UUID) -> NotificationSettingsRead:
    found = await repo.settings_of(session, user_id)
    if found is None:
        return NotificationSettingsRead()
    return NotificationSettingsRead(
        streak_reminders=found.streak_reminders,
        review_reminders=found.review_reminders,
        email_digest=found.email_digest,
    )


async def update_settings(
    session: AsyncSession, user_id: uuid.UUID, body: NotificationSettingsUpdate, mail_on: bool
) -> NotificationSettingsRead:
    if body.email_digest and not mail_on:
        raise Invalid.field("email_digest", "cannot be turned on: this server sends no e-mail")
    values = body.model_dump(exclude_none=True)
    if values:
        await repo.save_settings(session, user_id, values)
    return await settings_of(session, user_id)
