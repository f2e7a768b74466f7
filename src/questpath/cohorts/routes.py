"""Cohorts API: make one, join by its invite link, read its members, progress and leaderboard,
leave or remove members, and delete it."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Response, status

from questpath.auth.dependencies import CanReadProgress, CanWriteAndReadProfile, CanWriteProfile
from questpath.clock import Now
from questpath.cohorts import service
from questpath.cohorts.schemas import (
    CohortCreate,
    CohortCreated,
    CohortInvite,
    CohortJoin,
    CohortRead,
    CohortSummary,
)
from questpath.dependencies import SessionDep, SettingsDep
from questpath.leaderboards.routes import BY, LIMIT, PERIOD
from questpath.leaderboards.schemas import BoardKind, LeaderboardRead, StreakLeaderboardRead
from questpath.progress.periods import Period

router = APIRouter(prefix="/api/cohorts", tags=["cohorts"])

NOT_MEMBER: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such cohort among the caller's"}
}
OWNER_ONLY: dict[int | str, dict[str, Any]] = {
    403: {"description": "only the cohort's owner may do this"},
    **NOT_MEMBER,
}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses={422: {"description": "a missing or too long `name`"}},
)
async def create_cohort(
    body: CohortCreate, principal: CanWriteAndReadProfile, session: SessionDep, now: Now
) -> CohortCreated:
    """Make a cohort (a class, a team) with the caller as its owner and first member. The
    answer holds its invite link, shown only here: `POST /api/cohorts/{id}/invite` makes a new
    one."""
    return await service.create(session, principal.user, body, now)


@router.get("")
async def list_cohorts(principal: CanReadProgress, session: SessionDep) -> list[CohortSummary]:
    """The cohorts the caller belongs to, by name."""
    return await service.mine(session, principal.user)


@router.post(
    "/join",
    responses={404: {"description": "an unknown or replaced invite link"}},
)
async def join_cohort(
    body: CohortJoin, principal: CanWriteAndReadProfile, session: SessionDep, now: Now
) -> CohortRead:
    """Join the cohort of an invite link (`token`, the last part of its address). Its members
    see each other's display names, and each other on its leaderboard if they joined the
    leaderboards."""
    return await service.join(session, principal.user, body.token, now)


@router.get("/{cohort_id:uuid}", responses=NOT_MEMBER)
async def read_cohort(
    cohort_id: uuid.UUID, principal: CanReadProgress, session: SessionDep, now: Now
) -> CohortRead:
    """The cohort's members and their progress together: active members this week (the
    caller's week, Monday to Sunday), their XP and their finished tracks."""
    return await service.read(session, principal.user, cohort_id, now)


@router.get(
    "/{cohort_id:uuid}/leaderboard",
    responses={
        **NOT_MEMBER,
        422: {
            "description": "an unknown board or period, a period other than all for the "
            "streak board, or a limit out of range"
        },
    },
)
async def read_cohort_leaderboard(
    cohort_id: uuid.UUID,
    principal: CanReadProgress,
    session: SessionDep,
    settings: SettingsDep,
    now: Now,
    by: Annotated[BoardKind, BY] = "xp",
    period: Annotated[Period | None, PERIOD] = None,
    limit: Annotated[int, LIMIT] = 50,
) -> LeaderboardRead | StreakLeaderboardRead:
    """`GET /api/leaderboard` among the cohort's members who joined the leaderboards, by XP or
    (`by=streak`) by current streak."""
    secret = settings.signing_key()
    return await service.board(session, principal.user, cohort_id, by, period, limit, secret, now)


@router.post("/{cohort_id:uuid}/invite", responses=OWNER_ONLY)
async def renew_cohort_invite(
    cohort_id: uuid.UUID, principal: CanWriteAndReadProfile, session: SessionDep
) -> CohortInvite:
    """A new invite link, shown only here; the old one answers 404 from now on."""
    return await service.new_invite(session, principal.user, cohort_id)


@router.delete(
    "/{cohort_id:uuid}/members/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={
        **OWNER_ONLY,
        409: {"description": "the owner cannot leave; they delete the cohort"},
    },
)
async def remove_cohort_member(
    cohort_id: uuid.UUID,
    user_id: uuid.UUID,
    principal: CanWriteProfile,
    session: SessionDep,
) -> Response:
    """Leave the cohort (the caller's own id), or, as its owner, remove a member."""
    await service.remove_member(session, principal.user, cohort_id, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/{cohort_id:uuid}", status_code=status.HTTP_204_NO_CONTENT, responses=OWNER_ONLY)
async def delete_cohort(
    cohort_id: uuid.UUID, principal: CanWriteProfile, session: SessionDep
) -> Response:
    """Delete the cohort and its memberships; its members' own progress is untouched."""
    await service.delete(session, principal.user, cohort_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
