"""POST /api/events: record one event or a batch, through group commit."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Request, Response, status

from questpath.auth.dependencies import CanWriteAndReadEvents, CanWriteEvents
from questpath.auth.limits import WriteLimitedRoute
from questpath.clock import Now
from questpath.dependencies import SessionDep
from questpath.events import service as events
from questpath.events.schemas import EventBatchIn, EventRead, EventsRecorded, EventSubmission
from questpath.progress.dependencies import RecorderDep, shown_unlocks
from questpath.recorder import ingest
from questpath.recorder.group import GroupCommit

router = APIRouter(prefix="/api/events", tags=["events"], route_class=WriteLimitedRoute)


async def get_group_commit(request: Request) -> GroupCommit:
    group: GroupCommit = request.app.state.group_commit
    return group


GroupCommitDep = Annotated[GroupCommit, Depends(get_group_commit)]


@router.post("", status_code=status.HTTP_201_CREATED)
async def record_events(
    submission: Annotated[EventSubmission, Body()],
    principal: CanWriteEvents,
    group: GroupCommitDep,
    now: Now,
) -> EventsRecorded:
    """Record one event, or `{"events": [...]}` with up to 1000 in one transaction.

    Re-sending an `id` already stored for that learner is reported as `duplicate` and changes
    nothing, so clients can retry safely.
    """
    batch = isinstance(submission, EventBatchIn)
    events = submission.events if isinstance(submission, EventBatchIn) else [submission]
    recorded = await ingest.record(group.record, principal, events, now, batch=batch)
    unlocked = shown_unlocks(principal, recorded.achievements_unlocked)
    if unlocked is recorded.achievements_unlocked:
        return recorded
    return recorded.model_copy(update={"achievements_unlocked": unlocked})


@router.post(
    "/{event_id:path}/void",
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"description": "the event was voided before; nothing changed", "model": EventRead},
        404: {"description": "no such event (or another learner's)"},
        409: {"description": "an event QuestPath recorded itself, which cannot be voided"},
    },
)
async def void_event(
    event_id: str,
    principal: CanWriteAndReadEvents,
    session: SessionDep,
    recorder: RecorderDep,
    response: Response,
    now: Now,
    user_id: Annotated[
        uuid.UUID | None, Query(description="admins' events:write keys only: whose event")
    ] = None,
) -> EventRead:
    """Void an event, as xAPI voids a statement: it stays in the log, marked with the id of the
    `event_voided` event that voided it, and from now on counts for nothing (XP, streaks,
    statistics, skill levels, goals). Achievements already unlocked stay unlocked.

    201 when voided now, 200 with the same body when it already was: safe to retry.
    """
    owner = events.writable_user_id(principal, user_id)
    event, voided_now = await recorder.void(session, owner, event_id, now)
    response.status_code = status.HTTP_201_CREATED if voided_now else status.HTTP_200_OK
    return EventRead.model_validate(event)
