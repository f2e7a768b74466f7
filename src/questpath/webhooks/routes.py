"""Webhooks API: subscribe an endpoint to learners' signals, and follow its deliveries."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status

from questpath.auth.dependencies import requires
from questpath.auth.principal import Principal
from questpath.clock import Now
from questpath.dependencies import SessionDep, SettingsDep
from questpath.webhooks import service
from questpath.webhooks.delivery import Resolver
from questpath.webhooks.schemas import (
    MAX_DELIVERIES,
    DeliveryRead,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookUpdate,
)

router = APIRouter(prefix="/api/webhooks", tags=["webhooks"])

CanReadWebhooks = Annotated[Principal, requires("webhooks:read")]
CanWriteWebhooks = Annotated[Principal, requires("webhooks:write")]
CanWriteAndReadWebhooks = Annotated[Principal, requires("webhooks:write", "webhooks:read")]
Responses = dict[int | str, dict[str, Any]]
NOT_FOUND: Responses = {
    404: {"description": "no webhook (or delivery) with the id is the caller's"}
}
BAD_URL: Responses = {
    422: {
        "description": "a field is invalid; `errors` names it: a URL that is not http(s), or "
        "whose host is a loopback, private or link-local address"
    }
}


async def get_resolver(request: Request) -> Resolver:
    resolver: Resolver = request.app.state.webhook_resolver
    return resolver


ResolverDep = Annotated[Resolver, Depends(get_resolver)]


@router.post("", status_code=status.HTTP_201_CREATED, responses=BAD_URL)
async def create_webhook(
    body: WebhookCreate,
    principal: CanWriteAndReadWebhooks,
    session: SessionDep,
    settings: SettingsDep,
    resolver: ResolverDep,
    now: Now,
) -> WebhookCreated:
    """Subscribe `url` to `event_types`. A learner's webhook receives their own signals; one
    made by an admin (or an admin's API key) receives every learner's. The answer holds the
    signing `secret`, shown this once. Deliveries are signed as Standard Webhooks says."""
    return await service.create(
        session,
        principal,
        body,
        now,
        allow_private=settings.webhooks_allow_private,
        resolver=resolver,
    )


@router.get("")
async def list_webhooks(principal: CanReadWebhooks, session: SessionDep) -> list[WebhookRead]:
    """The caller's webhooks, oldest first (without their secrets)."""
    return await service.list_of(session, principal)


@router.get("/{webhook_id}", responses=NOT_FOUND)
async def read_webhook(
    webhook_id: uuid.UUID, principal: CanReadWebhooks, session: SessionDep
) -> WebhookRead:
    found = await service.get(session, principal, webhook_id)
    return service.read(found, principal.is_admin)


@router.patch("/{webhook_id}", responses={**NOT_FOUND, **BAD_URL})
async def update_webhook(
    webhook_id: uuid.UUID,
    body: WebhookUpdate,
    principal: CanWriteAndReadWebhooks,
    session: SessionDep,
    settings: SettingsDep,
    resolver: ResolverDep,
    now: Now,
) -> WebhookRead:
    """Change the URL or the event types, or enable (`enabled: true`) a webhook that was
    disabled after failing for 24 hours, or disable it."""
    return await service.update(
        session,
        principal,
        webhook_id,
        body,
        now,
        allow_private=settings.webhooks_allow_private,
        resolver=resolver,
    )


@router.delete("/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
async def delete_webhook(
    webhook_id: uuid.UUID, principal: CanWriteWebhooks, session: SessionDep
) -> Response:
    """Delete the webhook; its pending deliveries are dropped."""
    await service.delete(session, principal, webhook_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{webhook_id}/rotate-secret", responses=NOT_FOUND)
async def rotate_webhook_secret(
    webhook_id: uuid.UUID, principal: CanWriteAndReadWebhooks, session: SessionDep, now: Now
) -> WebhookCreated:
    """A new signing secret, shown this once; every delivery from now on is signed with it."""
    return await service.rotate_secret(session, principal, webhook_id, now)


@router.get("/{webhook_id}/deliveries", responses=NOT_FOUND)
async def list_deliveries(
    webhook_id: uuid.UUID,
    principal: CanReadWebhooks,
    session: SessionDep,
    limit: Annotated[
        int, Query(ge=1, le=MAX_DELIVERIES, description="how many, latest first")
    ] = 50,
) -> list[DeliveryRead]:
    """The latest deliveries, each with its payload and its attempts (time, HTTP status or
    error, duration)."""
    return await service.deliveries(session, principal, webhook_id, limit)


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        **NOT_FOUND,
        409: {"description": "the webhook is disabled, or the delivery is being sent now"},
    },
)
async def redeliver(
    webhook_id: uuid.UUID,
    delivery_id: uuid.UUID,
    principal: CanWriteAndReadWebhooks,
    session: SessionDep,
    now: Now,
) -> DeliveryRead:
    """Send a delivery again, once, within seconds: same payload, same webhook-id."""
    return await service.redeliver(session, principal, webhook_id, delivery_id, now)
