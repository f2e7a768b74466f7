"""Every query of webhooks: subscriptions, the outbox of deliveries, and their attempts."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth.models import User
from questpath.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription


async def listening(
    session: AsyncSession, user_ids: Iterable[uuid.UUID]
) -> Sequence[tuple[uuid.UUID, uuid.UUID, bool, list[str]]]:
    """The enabled subscriptions that hear any of `user_ids`: (id, owner, hears every learner,
    event types). A learner's own, and those made by admins who are admins still. One indexed
    query, empty (and cheap) when nobody subscribed."""
    ids = sorted(set(user_ids))
    hears_all = and_(WebhookSubscription.all_learners, User.role == "admin")
    rows = await session.execute(
        select(
            WebhookSubscription.id,
            WebhookSubscription.user_id,
            hears_all,
            WebhookSubscription.event_types,
        )
        .join(User, User.id == WebhookSubscription.user_id)
        .where(
            WebhookSubscription.disabled_at.is_(None),
            or_(
                hears_all,
                WebhookSubscription.user_id.in_(ids),
            ),
        )
    )
    return [tuple(row) for row in rows.all()]  # type: ignore[misc]


async def add_deliveries(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(WebhookDelivery), rows)


async def subscriptions_of(session: AsyncSession, user_id: uuid.UUID) -> list[WebhookSubscription]:
    found = await session.scalars(
        select(WebhookSubscription)
        .where(WebhookSubscription.user_id == user_id)
        .order_by(WebhookSubscription.created_at, WebhookSubscription.id)
    )
    return list(found)


async def subscription(
    session: AsyncSession, user_id: uuid.UUID, subscription_id: uuid.UUID, *, for_update: bool
) -> WebhookSubscription | None:
    query = select(WebhookSubscription).where(
        WebhookSubscription.id == subscription_id, WebhookSubscription.user_id == user_id
    )
    if for_update:
        query = query.with_for_update()
    found: WebhookSubscription | None = await session.scalar(query)
    return found


async def delete_subscription(session: AsyncSession, subscription_id: uuid.UUID) -> None:
    await session.execute(
        delete(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
    )
    await session.execute(
        delete(WebhookSubscription).where(WebhookSubscription.id == subscription_id)
    )


async def deliveries_of(
    session: AsyncSession, subscription_id: uuid.UUID, limit: int
) -> list[WebhookDelivery]:
    found = await session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == subscription_id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id)
        .limit(limit)
    )
    return list(found)


async def delivery(
    session: AsyncSession, subscription_id: uuid.UUID, delivery_id: uuid.UUID
) -> WebhookDelivery | None:
    found: WebhookDelivery | None = await session.scalar(
        select(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id, WebhookDelivery.subscription_id == subscription_id
        )
        .with_for_update()
    )
    return found


async def attempts_of(
    session: AsyncSession, delivery_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[WebhookAttempt]]:
    found: dict[uuid.UUID, list[WebhookAttempt]] = {d: [] for d in delivery_ids}
    rows = await session.scalars(
        select(WebhookAttempt)
        .where(WebhookAttempt.delivery_id.in_(delivery_ids))
        .order_by(WebhookAttempt.attempted_at, WebhookAttempt.id)
    )
    for attempt in rows:
        found[attempt.delivery_id].append(attempt)
    return found


async def any_due(session: AsyncSession, now: datetime) -> bool:
    """Whether a delivery is due: a cheap read, so an idle server never takes a write lock."""
    found = await session.scalar(
        select(WebhookDelivery.id)
        .join(WebhookSubscription, _WITH_SUBSCRIPTION)
        .where(*_due(now))
        .limit(1)
    )
    return found is not None


def _due(now: datetime) -> tuple[ColumnElement[bool], ...]:
    """Due: pending, its time come, leased by nobody alive, and its subscription enabled."""
    return (
        WebhookDelivery.status == "pending",
        WebhookDelivery.next_attempt_at <= now,
        or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until <= now),
        WebhookSubscription.disabled_at.is_(None),
    )


_WITH_SUBSCRIPTION = WebhookSubscription.id == WebhookDelivery.subscription_id


async def claim_due(
    session: AsyncSession, now: datetime, lease_until: datetime, limit: int
) -> list[tuple[WebhookDelivery, WebhookSubscription]]:
    """Take up to `limit` due deliveries of enabled subscriptions until `lease_until`. Rows
    another process holds (PostgreSQL: locked; both: leased) are skipped, so each is sent by
    one process at a time; a lease left by a process that died runs out and is taken again."""
    due = await session.execute(
        select(WebhookDelivery, WebhookSubscription)
        .join(WebhookSubscription, _WITH_SUBSCRIPTION)
        .where(*_due(now))
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=WebhookDelivery)
    )
    claimed = [(row[0], row[1]) for row in due.all()]
    if claimed:
        await session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_([d.id for d, _ in claimed]))
            .values(claimed_until=lease_until)
        )
    return claimed


async def add_attempt(session: AsyncSession, row: dict[str, Any]) -> None:
    await session.execute(insert(WebhookAttempt), [row])


async def locked_delivery(session: AsyncSession, delivery_id: uuid.UUID) -> WebhookDelivery | None:
    found: WebhookDelivery | None = await session.scalar(
        select(WebhookDelivery).where(WebhookDelivery.id == delivery_id).with_for_update()
    )
    return found


async def locked_subscription(
    session: AsyncSession, subscription_id: uuid.UUID
) -> WebhookSubscription | None:
    found: WebhookSubscription | None = await session.scalar(
        select(WebhookSubscription)
        .where(WebhookSubscription.id == subscription_id)
        .with_for_update()
    )
    return found


async def owner_email(session: AsyncSession, user_id: uuid.UUID) -> str | None:
    email: str | None = await session.scalar(select(User.email).where(User.id == user_id))
    return email


async def first_attempt_at(session: AsyncSession, delivery_id: uuid.UUID) -> datetime | None:
    first: datetime | None = await session.scalar(
        select(func.min(WebhookAttempt.attempted_at)).where(
            WebhookAttempt.delivery_id == delivery_id
        )
    )
    return first
