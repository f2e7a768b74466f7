"""The incremental path: bring a learner's projections up to date with newly stored events.

Runs inside the transaction that inserted the events, so the log and its projections commit
together or not at all.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from questpath.events.rules import PROGRESS_KINDS
from questpath.progress import repository as repo
from questpath.progress.rules import EventFacts
from questpath.progress.ruleset import Rules
from questpath.progress.state import Changes, advance, rows_needed, unlock_dates


def facts_of(row: Mapping[str, Any]) -> EventFacts:
    return EventFacts(
        kind=row["kind"],
        local_date=row["local_date"],
        topic=row["topic"],
        grade=row["grade"],
        time_spent_seconds=row["time_spent_seconds"],
        hints_used=row["hints_used"],
    )


async def lock_learners(session: AsyncSession, user_ids: Iterable[uuid.UUID]) -> None:
    """Take each learner's projection lock, in a fixed order so that concurrent batches cannot
    deadlock. Call before inserting their events: a writer then never waits, lock in hand, for
    another's uncommitted copy of the same event."""
    for user_id in sorted(set(user_ids)):
        await repo.lock_learner(session, user_id)


async def apply(
    session: AsyncSession, rules: Rules, events: Iterable[Mapping[str, Any]], now: datetime
) -> dict[uuid.UUID, Changes]:
    """Fold new events into their learners' projections; return each learner's changes.

    The caller holds the learners' locks (`lock_learners`).
    """
    by_learner: dict[uuid.UUID, list[EventFacts]] = defaultdict(list)
    for event in events:
        if event["kind"] in PROGRESS_KINDS:
            by_learner[event["user_id"]].append(facts_of(event))
    changes = {}
    for user_id in sorted(by_learner):
        changes[user_id] = await _apply_for(session, rules, user_id, by_learner[user_id], now)
    return changes


async def _apply_for(
    session: AsyncSession,
    rules: Rules,
    user_id: uuid.UUID,
    facts: list[EventFacts],
    now: datetime,
) -> Changes:
    totals = await repo.totals(session, user_id)
    unlocked = await repo.unlocked(session, user_id)
    dates, tail_from = rows_needed(totals, facts)
    changes = advance(
        totals,
        await repo.days_for_update(session, user_id, dates, tail_from),
        await repo.topics(session, user_id, {f.topic for f in facts if f.topic is not None}),
        await repo.topic_days(
            session, user_id, {(f.local_date, f.topic) for f in facts if f.topic is not None}
        ),
        set(unlocked),
        facts,
        rules,
        now,
    )
    await repo.write(session, user_id, changes)
    await _date_unlocks(session, rules, user_id, facts, changes, unlocked, now)
    return changes


async def _date_unlocks(
    session: AsyncSession,
    rules: Rules,
    user_id: uuid.UUID,
    facts: list[EventFacts],
    changes: Changes,
    unlocked: dict[str, Any],
    now: datetime,
) -> None:
    """Store new unlocks, and file every unlock under the local date on which the log reached
    it. Only dates from the batch's earliest on can change, so only they are walked."""
    first = min(f.local_date for f in facts)
    movable = {a: row.local_date for a, row in unlocked.items() if row.local_date > first}
    if not changes.unlocked and not movable:
        return
    dates = unlock_dates(
        await repo.prefix_before(session, user_id, first),
        await repo.days_between(session, user_id, first, None),
        await repo.topic_days_since(session, user_id, first),
        rules,
    )
    latest = max(f.local_date for f in facts)
    await repo.add_unlocked(
        session,
        [
            {
                "user_id": user_id,
                "achievement_id": a.id,
                "unlocked_at": now,
                "local_date": dates.get(a.id, latest),
            }
            for a in changes.unlocked
        ],
    )
    await repo.move_unlocks(
        session,
        user_id,
        {a: dates[a] for a, day in movable.items() if a in dates and dates[a] != day},
    )
