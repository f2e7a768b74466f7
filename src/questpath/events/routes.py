"""Event API: read the log back (`recorder.routes` records)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from questpath.auth.dependencies import CanReadEvents
from questpath.dependencies import SessionDep
from questpath.events import service
from questpath.events.schemas import (
    EventPage,
    EventRead,
)
from questpath.pagination import Cursor, Limit

router = APIRouter(prefix="/api/events", tags=["events"])

AdminUserId = Annotated[uuid.UUID | None, Query(description="admins only: whose events")]


@router.get("")
async def list_events(
    principal: CanReadEvents,
    session: SessionDep,
    cursor: Cursor = None,
    limit: Limit = 50,
    user_id: AdminUserId = None,
) -> EventPage:
    """The caller's events, newest first (by `occurred_at`)."""
    return await service.list_events(session, principal, user_id, cursor, limit)


@router.get("/{event_id:path}")  # client ids may contain "/"
async def read_event(
    event_id: str, principal: CanReadEvents, session: SessionDep, user_id: AdminUserId = None
) -> EventRead:
    event = await service.get_event(session, principal, event_id, user_id)
    return EventRead.model_validate(event)
