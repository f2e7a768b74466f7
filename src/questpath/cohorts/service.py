"""Cohorts: made by a learner, joined by its invite link, left by a member or cleared by its
owner. Only members see a cohort: to anyone else it does not exist (404)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth.credentials import hash_secret, new_share_token
from questpath.auth.principal import UserLike
from questpath.cohorts import repository as repo
from questpath.cohorts.models import Cohort, CohortMember
from questpath.cohorts.schemas import (
    CohortCreate,
    CohortCreated,
    CohortInvite,
    CohortMemberRead,
    CohortProgress,
    CohortRead,
    CohortSummary,
)
from questpath.leaderboards import service as boards
from questpath.leaderboards.schemas import BoardKind, LeaderboardRead, StreakLeaderboardRead
from questpath.problems import Conflict, Forbidden, NotFound
from questpath.progress.periods import Period, period_start
from questpath.progress.service import today_for


def _invite(token: str) -> CohortInvite:
    return CohortInvite(token=token, url=f"/cohorts/join/{token}")


async def create(
    session: AsyncSession, user: UserLike, body: CohortCreate, now: datetime
) -> CohortCreated:
    made = new_share_token()
    cohort = Cohort(name=body.name, owner_id=user.id, invite_hash=made.token_hash, created_at=now)
    await repo.add(session, cohort)
    await repo.add_member(
        session, CohortMember(cohort_id=cohort.id, user_id=user.id, joined_at=now)
    )
    read = await _read(session, user, cohort, now)
    return CohortCreated(**read.model_dump(), invite=_invite(made.token))


async def mine(session: AsyncSession, user: UserLike) -> list[CohortSummary]:
    return [
        CohortSummary(id=row.id, name=row.name, owner=row.owner_id == user.id, members=row.members)
        for row in await repo.of_member(session, user.id)
    ]


async def _membership(session: AsyncSession, user: UserLike, cohort_id: uuid.UUID) -> Cohort:
    """The cohort, if the learner is one of its members; 404 otherwise, as if it did not exist."""
    cohort = await repo.get(session, cohort_id)
    if cohort is None or not await repo.is_member(session, cohort_id, user.id):
        raise NotFound(f"no cohort of yours has the id {cohort_id}")
    return cohort


async def _owned(session: AsyncSession, user: UserLike, cohort_id: uuid.UUID) -> Cohort:
    cohort = await _membership(session, user, cohort_id)
    if cohort.owner_id != user.id:
        raise Forbidden("only the learner who made the cohort may do this")
    return cohort


async def read(
    session: AsyncSession, user: UserLike, cohort_id: uuid.UUID, now: datetime
) -> CohortRead:
    return await _read(session, user, await _membership(session, user, cohort_id), now)


async def _read(session: AsyncSession, user: UserLike, cohort: Cohort, now: datetime) -> CohortRead:
    members = await repo.members(session, cohort.id)
    week = period_start("week", today_for(user, now))
    xp, tracks = await repo.totals(session, cohort.id)
    return CohortRead(
        id=cohort.id,
        name=cohort.name,
        owner=cohort.owner_id == user.id,
        members=len(members),
        created_at=cohort.created_at,
        member_list=[
            CohortMemberRead(
                user_id=row.user_id,
                name=row.display_name,
                owner=row.user_id == cohort.owner_id,
                joined_at=row.joined_at,
            )
            for row in members
        ],
        progress=CohortProgress(
            week_start=week,
            active_this_week=await repo.active_in_week(session, cohort.id, week),
            xp=xp,
            tracks_finished=tracks,
        ),
    )


async def join(session: AsyncSession, user: UserLike, token: str, now: datetime) -> CohortRead:
    """Join the cohort of an invite link; joining one already joined changes nothing."""
    cohort = await by_invite(session, token)
    if not await repo.is_member(session, cohort.id, user.id):
        await repo.add_member(
            session, CohortMember(cohort_id=cohort.id, user_id=user.id, joined_at=now)
        )
    return await _read(session, user, cohort, now)


async def by_invite(session: AsyncSession, token: str) -> Cohort:
    cohort = await repo.by_invite(session, hash_secret(token))
    if cohort is None:
        raise NotFound("this invite link is unknown or was replaced by a newer one")
    return cohort


async def new_invite(session: AsyncSession, user: UserLike, cohort_id: uuid.UUID) -> CohortInvite:
    """A new invite link; the old one stops working."""
    cohort = await _owned(session, user, cohort_id)
    made = new_share_token()
    cohort.invite_hash = made.token_hash
    await session.flush()
    return _invite(made.token)


async def remove_member(
    session: AsyncSession, user: UserLike, cohort_id: uuid.UUID, member_id: uuid.UUID
) -> None:
    """A member leaves (removing themself), or the owner removes a member. The owner cannot
    leave: they delete the cohort instead."""
    cohort = await _membership(session, user, cohort_id)
    if member_id != user.id and cohort.owner_id != user.id:
        raise Forbidden("only the learner who made the cohort may remove others")
    if member_id == cohort.owner_id:
        raise Conflict("the cohort's owner cannot leave it; delete the cohort instead")
    if not await repo.remove_member(session, cohort_id, member_id):
        raise NotFound(f"the cohort has no member with the id {member_id}")


async def delete(session: AsyncSession, user: UserLike, cohort_id: uuid.UUID) -> None:
    await _owned(session, user, cohort_id)
    await repo.delete_cohorts(session, [cohort_id])


async def board(
    session: AsyncSession,
    user: UserLike,
    cohort_id: uuid.UUID,
    by: BoardKind,
    period: Period | None,
    limit: int,
    secret: str,
    now: datetime,
) -> LeaderboardRead | StreakLeaderboardRead:
    """The cohort's leaderboard (by XP or by current streak): its members who joined the
    leaderboards, each shown as they chose there (their alias unless they show their name)."""
    await _membership(session, user, cohort_id)
    among = repo.member_ids(cohort_id)
    return await boards.any_board(session, user, by, period, limit, secret, now, among)
