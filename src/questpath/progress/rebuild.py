"""Projections rewritten from the log: after a void, and for `questpath verify --repair`.

The incremental path only ever adds events; a voided event is taken out by recomputing the
learner's projections from the log without it. Voids are rare, so their cost is one pass over
one learner's log.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from questpath.progress import repository as repo
from questpath.progress.state import Changes, Projection, Rollup, TopicRow, project
from questpath.progress.vacations import VacationDays, vacations_from_log
from questpath.ruleset import Ruleset


async def recompute(session: AsyncSession, user_id: uuid.UUID, ruleset: Ruleset) -> Projection:
    """The projections the log gives, voided events left out."""
    rollup = Rollup()
    async for facts in repo.stream_facts(session, user_id):
        rollup.add(facts, ruleset)
    vacations = vacations_from_log(await repo.vacation_log(session, user_id))
    return replace(
        project(rollup, ruleset, VacationDays.of(vacations.values())), vacations=vacations
    )


async def rewrite(
    session: AsyncSession, user_id: uuid.UUID, ruleset: Ruleset, now: datetime
) -> list[str]:
    """Rewrite a learner's projections from the log; the caller holds the learner's lock.

    Unlocked achievements are never revoked: those the log still reaches are filed under the
    date it reaches them, those it reaches but are missing are unlocked now, and those it no
    longer reaches stay as they are. Returns the last, sorted.
    """
    stored = await repo.projection(session, user_id)
    expected = await recompute(session, user_id, ruleset)
    topics = {
        topic: _keep_level_history(row, stored.topics.get(topic), now)
        for topic, row in expected.topics.items()
    }
    await repo.replace_projection(
        session,
        user_id,
        Changes(expected.totals, expected.days, topics, expected.topic_days, [], []),
        now,
    )
    await repo.replace_vacations(session, user_id, expected.vacations.values())
    kept = await repo.achievements_kept_by_voids(session, user_id)
    missing = expected.achievements.keys() - stored.achievements.keys()
    await repo.add_unlocked(
        session,
        [
            {
                "user_id": user_id,
                "achievement_id": a,
                "unlocked_at": now,
                "local_date": expected.achievements[a],
            }
            for a in sorted(missing)
        ],
    )
    await repo.move_unlocks(
        session,
        user_id,
        {
            a: day
            for a, day in expected.achievements.items()
            if a in stored.achievements and stored.achievements[a] != day and a not in kept
        },
    )
    return sorted(stored.achievements.keys() - expected.achievements.keys())


def _keep_level_history(row: TopicRow, stored: TopicRow | None, now: datetime) -> TopicRow:
    if stored is None:
        return row
    if stored.level == row.level:
        return replace(
            row, previous_level=stored.previous_level, level_updated_at=stored.level_updated_at
        )
    return replace(row, previous_level=stored.level, level_updated_at=now)
