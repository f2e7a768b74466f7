"""Mentors API: a learner's invite link and mentors, and a mentor's read-only view of each
mentee. People only: an API key acts for its owner's own data and never mentors."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response, status

from questpath.auth.dependencies import CurrentPerson
from questpath.auth.limits import WriteLimitedRoute
from questpath.clock import Now
from questpath.dependencies import RulesetDep, SessionDep
from questpath.events.schemas import EventPage
from questpath.mentors import service
from questpath.mentors.schemas import (
    MenteeList,
    MenteeRead,
    MentorInviteRead,
    MentorList,
    MentorRead,
    MentorUpdate,
)
from questpath.pagination import Cursor, Limit
from questpath.progress.routes import HistoryDays, HistoryEnd, HistoryStart
from questpath.progress.schemas import HistoryRead, Period, ProgressRead, StatisticsRead
from questpath.tracks.schemas import TrackList, TrackRead

router = APIRouter(prefix="/api", tags=["mentors"], route_class=WriteLimitedRoute)
NOT_MENTORED: dict[int | str, dict[str, Any]] = {
    404: {"description": "you do not mentor this learner (or no longer)"}
}


async def _mentee(
    user_id: uuid.UUID, principal: CurrentPerson, session: SessionDep
) -> service.Mentee:
    return await service.mentee(session, principal.user, user_id)


Mentee = Annotated[service.Mentee, Depends(_mentee)]


# The mentee's side -----------------------------------------------------------------------------


@router.post("/mentor-invites", status_code=status.HTTP_201_CREATED)
async def create_mentor_invite(
    principal: CurrentPerson, session: SessionDep, now: Now
) -> MentorInviteRead:
    """A link that makes whoever accepts it, signed in, your mentor. It works once, for seven
    days, and replaces any link made before. This answer is the only one that shows it."""
    return await service.create_invite(session, principal.user, now)


@router.delete(
    "/mentor-invites",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {"description": "no open invite"}},
)
async def cancel_mentor_invite(principal: CurrentPerson, session: SessionDep) -> Response:
    """The open invite link stops working at once."""
    await service.cancel_invite(session, principal.user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/mentors")
async def list_mentors(principal: CurrentPerson, session: SessionDep) -> MentorList:
    """Your mentors now, longest-standing first."""
    return await service.list_mentors(session, principal.user)


@router.patch("/mentors/{user_id}", responses={404: {"description": "no such mentor of yours"}})
async def update_mentor(
    user_id: uuid.UUID, body: MentorUpdate, principal: CurrentPerson, session: SessionDep
) -> MentorRead:
    """Let a mentor see your notes, or stop it."""
    return await service.update_mentor(session, principal.user, user_id, body)


@router.delete(
    "/mentors/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {"description": "no such mentor of yours"}},
)
async def remove_mentor(
    user_id: uuid.UUID, principal: CurrentPerson, session: SessionDep, now: Now
) -> Response:
    """End a mentorship: the mentor reads nothing of yours from now on."""
    await service.remove_mentor(session, principal.user, user_id, now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# The mentor's side -----------------------------------------------------------------------------


@router.post(
    "/mentor-invites/{token}/accept",
    status_code=status.HTTP_201_CREATED,
    responses={
        404: {"description": "the link was used, replaced or has expired"},
        409: {"description": "your own link, or you mentor this learner already"},
    },
)
async def accept_mentor_invite(
    token: str, principal: CurrentPerson, session: SessionDep, now: Now
) -> MenteeRead:
    """Become the inviting learner's mentor; the link is used up."""
    return await service.accept_invite(session, principal.user, token, now)


@router.get("/mentees")
async def list_mentees(principal: CurrentPerson, session: SessionDep) -> MenteeList:
    """The learners you mentor now, longest-standing first."""
    return await service.list_mentees(session, principal.user)


@router.delete("/mentees/{user_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_MENTORED)
async def leave_mentee(
    user_id: uuid.UUID, principal: CurrentPerson, session: SessionDep, now: Now
) -> Response:
    """Stop mentoring this learner."""
    await service.leave(session, principal.user, user_id, now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/mentees/{user_id}/progress", responses=NOT_MENTORED)
async def read_mentee_progress(
    mentee: Mentee, session: SessionDep, ruleset: RulesetDep, now: Now
) -> ProgressRead:
    """The mentee's XP, level, rank, streaks, totals and skill levels, as they see them."""
    return await service.progress_of(session, ruleset, mentee, now)


@router.get("/mentees/{user_id}/statistics", responses=NOT_MENTORED)
async def read_mentee_statistics(
    mentee: Mentee, session: SessionDep, ruleset: RulesetDep, now: Now, period: Period = "all"
) -> StatisticsRead:
    return await service.statistics_of(session, ruleset, mentee, period, now)


@router.get("/mentees/{user_id}/history", responses=NOT_MENTORED)
async def read_mentee_history(
    mentee: Mentee,
    session: SessionDep,
    now: Now,
    days: HistoryDays = None,
    start_date: HistoryStart = None,
    end_date: HistoryEnd = None,
) -> HistoryRead:
    """One snapshot per active local date, as GET /api/progress/history gives the mentee."""
    return await service.history_of(session, mentee, days, start_date, end_date, now)


@router.get("/mentees/{user_id}/tracks", responses=NOT_MENTORED)
async def list_mentee_tracks(mentee: Mentee, session: SessionDep) -> TrackList:
    return await service.tracks_of(session, mentee)


@router.get("/mentees/{user_id}/tracks/{track_id}", responses=NOT_MENTORED)
async def read_mentee_track(track_id: uuid.UUID, mentee: Mentee, session: SessionDep) -> TrackRead:
    """The track with its items' states; notes are empty unless the mentee allows them, and
    `share` is always null."""
    return await service.track_of(session, mentee, track_id)


@router.get("/mentees/{user_id}/events", responses=NOT_MENTORED)
async def list_mentee_events(
    mentee: Mentee, session: SessionDep, cursor: Cursor = None, limit: Limit = 50
) -> EventPage:
    """The mentee's events, newest first; `metadata` is null unless they allow notes."""
    return await service.events_of(session, mentee, cursor, limit)
