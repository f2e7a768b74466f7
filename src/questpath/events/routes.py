"""Event API: record progress and read the log back."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Body, Query, status

from questpath.auth.dependencies import EventReader, EventWriter
from questpath.dependencies import GroupCommitDep, SessionDep
from questpath.events import service
from questpath.events.schemas import (
    EventBatchIn,
    EventPage,
    EventRead,
    EventsRecorded,
    EventSubmission,
)
from questpath.pagination import Cursor, Limit

router = APIRouter(prefix="/api/events", tags=["events"])

AdminUserId = Annotated[uuid.UUID | None, Query(description="admins only: whose events")]


@router.post("", status_code=status.HTTP_201_CREATED)
async def record_events(
    submission: Annotated[EventSubmission, Body()],
    principal: EventWriter,
    group: GroupCommitDep,
) -> EventsRecorded:
    """Record one event, or `{"events": [...]}` with up to 1000 in one transaction.

    Re-sending an `id` already stored for that learner is reported as `duplicate` and changes
    nothing, so clients can retry safely.
    """
    batch = isinstance(submission, EventBatchIn)
    events = submission.events if isinstance(submission, EventBatchIn) else [submission]
    return await service.record(group.record, principal, events, datetime.now(UTC), batch=batch)


@router.get("")
async def list_events(
    principal: EventReader,
    session: SessionDep,
    cursor: Cursor = None,
    limit: Limit = 50,
    user_id: AdminUserId = None,
) -> EventPage:
    """The caller's events, newest first (by `occurred_at`)."""
    return await service.list_events(session, principal, user_id, cursor, limit)


@router.get("/{event_id:path}")  # client ids may contain "/"
async def read_event(
    event_id: str, principal: EventReader, session: SessionDep, user_id: AdminUserId = None
) -> EventRead:
    event = await service.get_event(session, principal, event_id, user_id)
    return EventRead.model_validate(event)
