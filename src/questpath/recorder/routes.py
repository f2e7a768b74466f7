"""POST /api/events: record one event or a batch, through group commit."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Request, status

from questpath.auth.dependencies import EventWriter
from questpath.clock import Now
from questpath.events.schemas import EventBatchIn, EventsRecorded, EventSubmission
from questpath.recorder import ingest
from questpath.recorder.group import GroupCommit

router = APIRouter(prefix="/api/events", tags=["events"])


async def get_group_commit(request: Request) -> GroupCommit:
    group: GroupCommit = request.app.state.group_commit
    return group


GroupCommitDep = Annotated[GroupCommit, Depends(get_group_commit)]


@router.post("", status_code=status.HTTP_201_CREATED)
async def record_events(
    submission: Annotated[EventSubmission, Body()],
    principal: EventWriter,
    group: GroupCommitDep,
    now: Now,
) -> EventsRecorded:
    """Record one event, or `{"events": [...]}` with up to 1000 in one transaction.

    Re-sending an `id` already stored for that learner is reported as `duplicate` and changes
    nothing, so clients can retry safely.
    """
    batch = isinstance(submission, EventBatchIn)
    events = submission.events if isinstance(submission, EventBatchIn) else [submission]
    return await ingest.record(group.record, principal, events, now, batch=batch)
