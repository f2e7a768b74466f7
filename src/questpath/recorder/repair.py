"""A learner's derived state rewritten from the log: for `questpath verify --repair`, for
learners whose events predate the projections, and for an account restored from its export."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth import repository as users
from questpath.auth.principal import UserLike
from questpath.badges import service as badges
from questpath.leaderboards import repository as boards
from questpath.leaderboards import streaks as streak_board
from questpath.progress import rebuild
from questpath.progress import repository as repo
from questpath.progress.vacations import day_start_from_log
from questpath.quizzes import reviews
from questpath.recorder.lock import lock_learners
from questpath.ruleset import Ruleset


async def rebuild_learner(
    session: AsyncSession, user: UserLike, ruleset: Ruleset, now: datetime
) -> None:
    """Rewrite a learner's projections, day start and review cards from the log, and the hash
    of their address from it. Unlocked
    achievements are never revoked; ones the log reaches but that are missing are unlocked now,
    and published as badges if the learner publishes every achievement."""
    await lock_learners(session, [user.id])
    unlocked = (await repo.unlocked(session, user.id)).keys()
    await rewrite_listed(session, user.id, ruleset, now)
    await session.flush()
    added = (await repo.unlocked(session, user.id)).keys() - unlocked
    await badges.publish_unlocked(session, {user.id: sorted(added)}, now)
    await users.set_day_start_hour(
        session, user.id, day_start_from_log(await repo.day_start_log(session, user.id))
    )
    await reviews.rebuild_cards(session, user, ruleset)
    await users.rewrite_email_sha1(session, user.id)


async def rewrite_listed(
    session: AsyncSession, user_id: uuid.UUID, ruleset: Ruleset, now: datetime
) -> list[str]:
    """`rebuild.rewrite`, with the learner's rewritten week and month rows put back on the
    boards they were on, the boards' counts kept, and their rewritten streak on the streak
    board."""
    await boards.unlist(session, [user_id])
    kept = await rebuild.rewrite(session, user_id, ruleset, now)
    await boards.list_members(session, [user_id])
    await streak_board.restreak(session, [user_id])
    return kept
