"""Notification queries: the list, the unread count, marking read, and the reminder sweeps."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, exists, func, select, text, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from questpath.auth.models import User, account_in_use
from questpath.db import dialect_of, insert_for
from questpath.notifications.models import Notification, NotificationSettings
from questpath.progress.models import ProgressTotals
from questpath.quizzes.models import ReviewCard

CHANNEL = "questpath_notifications"  # PostgreSQL LISTEN/NOTIFY channel: learner ids, comma-joined
NOTIFY_PAYLOAD_IDS = 200  # 36 characters and a comma each: well inside the 8,000-byte payload


async def add(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> list[uuid.UUID]:
    """Store the rows; a reminder already sent (same learner and key) is skipped. Returns the
    learners whose notifications were stored."""
    if not rows:
        return []
    stmt = insert_for(dialect_of(session), Notification).on_conflict_do_nothing(
        index_elements=["user_id", "key"]
    )
    stored = await session.execute(stmt.returning(Notification.user_id), list(rows))
    return sorted(set(stored.scalars()))


async def announce(session: AsyncSession, user_ids: Collection[uuid.UUID]) -> None:
    """On PostgreSQL, tell every server process's listener, once (and only if) the transaction
    commits, that these learners have something new."""
    ids = sorted(str(user_id) for user_id in user_ids)
    for i in range(0, len(ids), NOTIFY_PAYLOAD_IDS):
        payload = ",".join(ids[i : i + NOTIFY_PAYLOAD_IDS])
        await session.execute(
            select(func.pg_notify(CHANNEL, payload)).execution_options(no_autoflush=True)
        )


async def page(
    session: AsyncSession,
    user_id: uuid.UUID,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
    unread_only: bool,
) -> list[Notification]:
    """Newest first, `limit` rows after the (created_at, id) position `after`."""
    query = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    if after is not None:
        query = query.where(tuple_(Notification.created_at, Notification.id) < after)
    query = query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    return list(await session.scalars(query))


async def unread_count(conn: AsyncConnection | AsyncSession, user_id: uuid.UUID) -> int:
    found = await conn.execute(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )
    return int(found.scalar_one())


async def created_since_of(
    conn: AsyncConnection, user_ids: Collection[uuid.UUID], since: datetime
) -> list[Any]:
    """The learners' notifications made after `since`, oldest first."""
    rows = await conn.execute(
        select(
            Notification.id,
            Notification.user_id,
            Notification.kind,
            Notification.data,
            Notification.created_at,
        )
        .where(Notification.user_id.in_(sorted(user_ids)), Notification.created_at > since)
        .order_by(Notification.created_at, Notification.id)
    )
    return list(rows)


async def unread_counts(
    conn: AsyncConnection, user_ids: Collection[uuid.UUID]
) -> list[tuple[uuid.UUID, int]]:
    rows = await conn.execute(
        select(Notification.user_id, func.count())
        .where(Notification.user_id.in_(sorted(user_ids)), Notification.read_at.is_(None))
        .group_by(Notification.user_id)
    )
    return [(user_id, int(count)) for user_id, count in rows]


async def mark_read(
    session: AsyncSession, user_id: uuid.UUID, ids: Collection[uuid.UUID] | None, now: datetime
) -> int:
    """Mark the learner's unread notifications read: those of `ids`, or all. Returns how many
    changed (ids of others' notifications change nothing)."""
    stmt = update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    if ids is not None:
        stmt = stmt.where(Notification.id.in_(sorted(ids)))
    changed = await session.execute(stmt.values(read_at=now).returning(Notification.id))
    return len(changed.all())


async def owned(
    session: AsyncSession, user_id: uuid.UUID, ids: Collection[uuid.UUID]
) -> set[uuid.UUID]:
    found = await session.scalars(
        select(Notification.id).where(Notification.user_id == user_id, Notification.id.in_(ids))
    )
    return set(found)


async def newer_than(conn: AsyncConnection, rowid: int) -> tuple[int, set[uuid.UUID]]:
    """SQLite: the learners with notifications stored after the row `rowid`, and the latest
    rowid (SQLite numbers a table's rows in insertion order)."""
    rows = (
        await conn.execute(
            text("SELECT rowid, user_id FROM notifications WHERE rowid > :rowid ORDER BY rowid"),
            {"rowid": rowid},
        )
    ).all()
    if not rows:
        return rowid, set()
    return int(rows[-1][0]), {uuid.UUID(str(row[1])) for row in rows}


async def last_rowid(conn: AsyncConnection) -> int:
    return int(
        (await conn.execute(text("SELECT coalesce(max(rowid), 0) FROM notifications"))).scalar_one()
    )


# Settings -------------------------------------------------------------------------------------


async def settings_of(session: AsyncSession, user_id: uuid.UUID) -> NotificationSettings | None:
    return await session.get(NotificationSettings, user_id)


async def save_settings(session: AsyncSession, user_id: uuid.UUID, values: dict[str, bool]) -> None:
    stmt = insert_for(dialect_of(session), NotificationSettings).values(user_id=user_id, **values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["user_id"], set_=values))


def _wants(column: Any, default: bool) -> Any:
    """Whether a learner's settings (joined outer) have `column` on, with `default` for none."""
    return func.coalesce(column, default).is_(True)


# Reminder sweeps ------------------------------------------------------------------------------


async def day_groups(session: AsyncSession) -> list[tuple[str, int]]:
    """Each (timezone, day start) some account has: a sweep works out each group's day once."""
    found = await session.execute(select(User.timezone, User.day_start_hour).distinct())
    return [(timezone, hour) for timezone, hour in found]


def _in_group(timezone: str, day_start: int) -> Any:
    return and_(
        User.timezone == timezone,
        User.day_start_hour == day_start,
        account_in_use(),
    )


def _not_sent(key: str) -> Any:
    return ~exists().where(Notification.user_id == User.id, Notification.key == key)


async def streak_candidates(
    session: AsyncSession, timezone: str, day_start: int, earliest: date, today: date, key: str
) -> list[Any]:
    """Learners of the group whose last active day lies in [earliest, today), whose streak
    reminders are on and who were not reminded today: (user_id, last_date, run, freezes)."""
    query = (
        select(
            ProgressTotals.user_id,
            ProgressTotals.streak_last_date,
            ProgressTotals.streak_run,
            ProgressTotals.streak_freezes,
        )
        .join(User, User.id == ProgressTotals.user_id)
        .outerjoin(NotificationSettings, NotificationSettings.user_id == User.id)
        .where(
            _in_group(timezone, day_start),
            ProgressTotals.streak_last_date >= earliest,
            ProgressTotals.streak_last_date < today,
            ProgressTotals.streak_run > 0,
            _wants(NotificationSettings.streak_reminders, True),
            _not_sent(key),
        )
    )
    return list(await session.execute(query))


async def due_reviews(
    session: AsyncSession, timezone: str, day_start: int, now: datetime, key: str
) -> list[tuple[uuid.UUID, int]]:
    """Learners of the group with review cards due at `now`, whose review reminders are on and
    who were not reminded today, with how many cards are due."""
    query = (
        select(User.id, func.count())
        .join(ReviewCard, ReviewCard.user_id == User.id)
        .outerjoin(NotificationSettings, NotificationSettings.user_id == User.id)
        .where(
            _in_group(timezone, day_start),
            ReviewCard.due <= now,
            _wants(NotificationSettings.review_reminders, True),
            _not_sent(key),
        )
        .group_by(User.id)
    )
    return [(user_id, int(count)) for user_id, count in await session.execute(query)]


async def claim_digests(
    session: AsyncSession, timezone: str, day_start: int, today: date
) -> list[uuid.UUID]:
    """Claim today's digest of the group's learners who asked for one and were not sent it
    today: one conditional UPDATE, so that one process sends each."""
    in_group = select(User.id).where(_in_group(timezone, day_start))
    claimed = await session.execute(
        update(NotificationSettings)
        .where(
            NotificationSettings.user_id.in_(in_group),
            NotificationSettings.email_digest.is_(True),
            (NotificationSettings.digest_sent_on.is_(None))
            | (NotificationSettings.digest_sent_on < today),
        )
        .values(digest_sent_on=today)
        .returning(NotificationSettings.user_id)
    )
    return sorted(claimed.scalars())


async def unread_for_digest(
    session: AsyncSession, user_ids: Collection[uuid.UUID], since: datetime
) -> list[Notification]:
    query = (
        select(Notification)
        .where(
            Notification.user_id.in_(sorted(user_ids)),
            Notification.read_at.is_(None),
            Notification.created_at > since,
        )
        .order_by(Notification.user_id, Notification.created_at)
    )
    return list(await session.scalars(query))


async def addresses(
    session: AsyncSession, user_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, tuple[str, str]]:
    found = await session.execute(
        select(User.id, User.email, User.display_name).where(User.id.in_(sorted(user_ids)))
    )
    return {user_id: (email, name) for user_id, email, name in found}
