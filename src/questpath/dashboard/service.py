"""Everything the dashboard shows, read in one call: each projection row once, then the
learning path and the reviews due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth.principal import UserLike
from questpath.progress import service as progress
from questpath.progress.schemas import AchievementRead, ProgressRead, RankRead, Snapshot
from questpath.quizzes import reviews
from questpath.ruleset import Ruleset
from questpath.tracks import learning_path
from questpath.tracks.schemas import LearningPath


@dataclass(frozen=True)
class Dashboard:
    progress: ProgressRead
    achievements: list[AchievementRead]
    days: list[Snapshot]  # the active days of the last `days` days
    path: LearningPath
    reviews_due: int


async def dashboard(
    session: AsyncSession,
    ruleset: Ruleset,
    user: UserLike,
    now: datetime,
    *,
    days: int,
    path_items: int,
) -> Dashboard:
    first = progress.today_for(user, now) - timedelta(days=days - 1)
    rows = await progress.read_rows(session, ruleset, user, now, since=first)
    return Dashboard(
        progress=progress.progress_of(rows, ruleset, user),
        achievements=progress.achievements_of(rows, ruleset).achievements,
        days=progress.recent_snapshots(rows, first),
        path=await learning_path.learning_path(session, user, path_items, whole_paths=True),
        reviews_due=await reviews.count_due(session, user, now),
    )


@dataclass(frozen=True)
class RankGuide:
    progress: ProgressRead  # the learner's rank, the next one and what is missing
    ladder: list[RankRead]  # every rank with its texts, lowest first


async def rank_guide(
    session: AsyncSession, ruleset: Ruleset, user: UserLike, now: datetime
) -> RankGuide:
    return RankGuide(
        progress=await progress.progress(session, ruleset, user, now),
        ladder=progress.rank_ladder(ruleset),
    )
