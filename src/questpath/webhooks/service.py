"""Subscribing webhooks, and reading and redelivering their deliveries."""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth.principal import Principal
from questpath.problems import Conflict, Invalid, NotFound
from questpath.webhooks import repository as repo
from questpath.webhooks.delivery import AddressRefused, Resolver, checked_address
from questpath.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from questpath.webhooks.rules import message_id, url_problem
from questpath.webhooks.schemas import (
    AttemptRead,
    DeliveryRead,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookUpdate,
)


def new_secret() -> str:
    """A Standard Webhooks secret: whsec_ and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


async def check_url(url: str, allow_private: bool, resolver: Resolver) -> None:
    """Refuse (422 naming `url`) what may never be delivered to. A host that does not resolve
    now is accepted: every delivery resolves it again and checks what it finds."""
    if problem := url_problem(url):
        raise Invalid.field("url", problem)
    try:
        await checked_address(url, allow_private, resolver)
    except AddressRefused as exc:
        raise Invalid.field(
            "url",
            f"{exc}; deliveries go to public addresses only "
            "(an operator may allow private ones with QUESTPATH_WEBHOOKS_ALLOW_PRIVATE)",
        ) from exc
    except OSError:
        pass


def read(subscription: WebhookSubscription, owner_is_admin: bool) -> WebhookRead:
    """The subscription as its owner sees it: one made by an admin hears every learner only
    while its owner is still an admin (the outbox checks the same)."""
    return WebhookRead(
        id=subscription.id,
        url=subscription.url,
        event_types=subscription.event_types,
        all_learners=subscription.all_learners and owner_is_admin,
        enabled=subscription.disabled_at is None,
        disabled_at=subscription.disabled_at,
        disabled_reason=subscription.disabled_reason,
        created_at=subscription.created_at,
        updated_at=subscription.updated_at,
    )


async def create(
    session: AsyncSession,
    principal: Principal,
    body: WebhookCreate,
    now: datetime,
    *,
    allow_private: bool,
    resolver: Resolver,
) -> WebhookCreated:
    await check_url(body.url, allow_private, resolver)
    subscription = WebhookSubscription(
        id=uuid.uuid4(),
        user_id=principal.user.id,
        url=body.url,
        event_types=sorted(set(body.event_types)),
        secret=new_secret(),
        all_learners=principal.is_admin,
        created_at=now,
        updated_at=now,
    )
    session.add(subscription)
    await session.flush()
    return WebhookCreated(
        **read(subscription, principal.is_admin).model_dump(), secret=subscription.secret
    )


async def list_of(session: AsyncSession, principal: Principal) -> list[WebhookRead]:
    return [
        read(s, principal.is_admin) for s in await repo.subscriptions_of(session, principal.user.id)
    ]


async def get(
    session: AsyncSession, principal: Principal, webhook_id: uuid.UUID, *, for_update: bool = False
) -> WebhookSubscription:
    found = await repo.subscription(session, principal.user.id, webhook_id, for_update=for_update)
    if found is None:
        raise NotFound(f"no webhook with the id '{webhook_id}'")
    return found


async def update(
    session: AsyncSession,
    principal: Principal,
    webhook_id: uuid.UUID,
    body: WebhookUpdate,
    now: datetime,
    *,
    allow_private: bool,
    resolver: Resolver,
) -> WebhookRead:
    subscription = await get(session, principal, webhook_id, for_update=True)
    if body.url is not None:
        await check_url(body.url, allow_private, resolver)
        subscription.url = body.url
    if body.event_types is not None:
        subscription.event_types = sorted(set(body.event_types))
    if body.enabled is True:
        subscription.disabled_at = subscription.disabled_reason = None
        subscription.failing_since = None
    elif body.enabled is False and subscription.disabled_at is None:
        subscription.disabled_at, subscription.disabled_reason = now, "disabled by its owner"
    subscription.updated_at = now
    await session.flush()
    return read(subscription, principal.is_admin)


async def rotate_secret(
    session: AsyncSession, principal: Principal, webhook_id: uuid.UUID, now: datetime
) -> WebhookCreated:
    """A new secret at once: deliveries from now on, retries included, are signed with it."""
    subscription = await get(session, principal, webhook_id, for_update=True)
    subscription.secret = new_secret()
    subscription.updated_at = now
    await session.flush()
    return WebhookCreated(
        **read(subscription, principal.is_admin).model_dump(), secret=subscription.secret
    )


async def delete(session: AsyncSession, principal: Principal, webhook_id: uuid.UUID) -> None:
    """Drop the webhook and its deliveries, pending ones included."""
    subscription = await get(session, principal, webhook_id, for_update=True)
    await repo.delete_subscription(session, subscription.id)


async def deliveries(
    session: AsyncSession, principal: Principal, webhook_id: uuid.UUID, limit: int
) -> list[DeliveryRead]:
    """The latest deliveries first, each with its attempts in order."""
    subscription = await get(session, principal, webhook_id)
    found = await repo.deliveries_of(session, subscription.id, limit)
    attempts = await repo.attempts_of(session, [d.id for d in found])
    return [_delivery_read(d, attempts[d.id]) for d in found]


async def redeliver(
    session: AsyncSession,
    principal: Principal,
    webhook_id: uuid.UUID,
    delivery_id: uuid.UUID,
    now: datetime,
) -> DeliveryRead:
    """Send a delivery again, once and soon, with its payload and webhook-id unchanged."""
    subscription = await get(session, principal, webhook_id)
    if subscription.disabled_at is not None:
        raise Conflict("the webhook is disabled: enable it first")
    found = await repo.delivery(session, subscription.id, delivery_id)
    if found is None:
        raise NotFound(f"no delivery with the id '{delivery_id}'")
    if found.status == "pending" and found.claimed_until is not None and found.claimed_until > now:
        raise Conflict("the delivery is being sent right now")
    found.status, found.next_attempt_at, found.retries = "pending", now, False
    found.claimed_until = None
    await session.flush()
    attempts = await repo.attempts_of(session, [found.id])
    return _delivery_read(found, attempts[found.id])


def _delivery_read(delivery: WebhookDelivery, attempts: list[WebhookAttempt]) -> DeliveryRead:
    return DeliveryRead(
        id=delivery.id,
        message_id=message_id(str(delivery.id)),
        event_type=delivery.event_type,
        user_id=delivery.user_id,
        status=delivery.status,
        created_at=delivery.created_at,
        next_attempt_at=delivery.next_attempt_at if delivery.status == "pending" else None,
        delivered_at=delivery.delivered_at,
        payload=json.loads(delivery.payload),
        attempts=[AttemptRead.model_validate(a, from_attributes=True) for a in attempts],
    )
