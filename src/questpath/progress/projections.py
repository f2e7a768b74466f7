"""The incremental path: bring a learner's projections up to date with newly stored events.

Runs inside the transaction that inserted the events, so the log and its projections commit
together or not at all.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from questpath.events.rules import PROGRESS_KINDS
from questpath.progress import repository as repo
from questpath.progress import rules
from questpath.progress.rules import EventFacts
from questpath.progress.state import (
    Changes,
    DayRow,
    Prefix,
    TopicDay,
    Totals,
    advance,
    restreak_from,
    rows_needed,
    unlock_dates,
)
from questpath.progress.vacations import (
    VACATION_KINDS,
    VacationDays,
    apply_vacation_events,
)
from questpath.ruleset import Ruleset


def facts_of(row: Mapping[str, Any]) -> EventFacts:
    return EventFacts(
        kind=row["kind"],
        local_date=row["local_date"],
        topic=row["topic"],
        grade=row["grade"],
        time_spent_seconds=row["time_spent_seconds"],
        hints_used=row["hints_used"],
    )


async def apply(
    session: AsyncSession, ruleset: Ruleset, events: Iterable[Mapping[str, Any]], now: datetime
) -> tuple[dict[uuid.UUID, Changes], repo.ListedMoves]:
    """Fold new events into their learners' projections; return each learner's changes, and
    how the XP of period rows listed on the leaderboards moved (`repo.write_all`).

    The caller holds the learners' locks. The rows of every learner in the batch are read and
    written together, one statement per table; only a learner whose events reach back before
    their last active date has the later days read on their own.
    """
    by_learner: dict[uuid.UUID, list[EventFacts]] = defaultdict(list)
    vacation_events: dict[uuid.UUID, list[tuple[str, Any]]] = defaultdict(list)
    for event in events:
        if event["kind"] in PROGRESS_KINDS:
            by_learner[event["user_id"]].append(facts_of(event))
        elif event["kind"] in VACATION_KINDS:
            vacation_events[event["user_id"]].append((event["kind"], event["meta"]))
    if not by_learner and not vacation_events:
        return {}, Counter()
    totals = await repo.totals_of(session, sorted(by_learner.keys() | vacation_events.keys()))
    vacations = await repo.vacations_of(session, sorted(vacation_events))
    since: dict[uuid.UUID, date] = {}
    for user_id, vacation_batch in sorted(vacation_events.items()):
        after = apply_vacation_events(vacations[user_id], vacation_batch)
        await repo.write_vacations(
            session, user_id, [v for key, v in after.items() if vacations[user_id].get(key) != v]
        )
        changed_from = restreak_from(totals.get(user_id, Totals()), vacations[user_id], after)
        if changed_from is not None:  # days already active after it may change
            since[user_id] = changed_from
        vacations[user_id] = after
    if not by_learner and not since:
        return {}, Counter()
    ids = sorted(by_learner.keys() | since.keys())
    all_facts = [f for facts in by_learner.values() for f in facts]
    dates = {f.local_date for f in all_facts}
    names = {f.topic for f in all_facts if f.topic is not None}
    unlocked = await repo.unlocked_of(session, ids)
    days = await repo.days_of(session, ids, dates)
    topics = await repo.topics_of(session, ids, names)
    topic_days = await repo.topic_days_of(session, ids, dates, names)
    # Only a new active date walks the streak over vacation days: the learners whose events all
    # fall on days already active (most events) need not read their vacations.
    walking = {
        user_id
        for user_id, facts in by_learner.items()
        if any(f.local_date not in days[user_id] for f in facts)
    }
    vacations |= await repo.vacations_of(session, sorted(walking - vacations.keys()))

    changes = {}
    for user_id in ids:
        facts, before = by_learner.get(user_id, []), totals.get(user_id, Totals())
        own_dates, tail_from = rows_needed(before, facts, since.get(user_id))
        if tail_from is not None:  # a late event: the days after it may change too
            learner_days = await repo.days_for_update(session, user_id, own_dates, tail_from)
        else:
            learner_days = {d: row for d, row in days[user_id].items() if d in own_dates}
        changes[user_id] = advance(
            before,
            learner_days,
            topics[user_id],
            topic_days[user_id],
            set(unlocked[user_id]),
            facts,
            ruleset,
            now,
            VacationDays.of(vacations.get(user_id, {}).values()),
            since.get(user_id),
        )
    moves = await repo.write_all(session, changes, now)
    for user_id in ids:
        await _date_unlocks(
            session,
            ruleset,
            user_id,
            [f.local_date for f in by_learner.get(user_id, [])]
            + ([since[user_id]] if user_id in since else []),
            totals.get(user_id, Totals()),
            changes[user_id],
            unlocked[user_id],
            now,
        )
    return changes, moves


async def _date_unlocks(
    session: AsyncSession,
    ruleset: Ruleset,
    user_id: uuid.UUID,
    touched: list[date],
    before: Totals,
    changes: Changes,
    unlocked: dict[str, Any],
    now: datetime,
) -> None:
    """Store new unlocks, and file every unlock under the local date on which the log reached
    it. Only dates from the earliest the batch `touched` on can change, so only they are walked; the
    standing before them is the totals less those days."""
    first = min(touched)
    movable = {a: row.local_date for a, row in unlocked.items() if row.local_date > first}
    if not changes.unlocked and not movable:
        return
    days = await repo.days_between(session, user_id, first, None)
    topic_days = await repo.topic_days_since(session, user_id, first)
    prefix = await _prefix_before(session, user_id, first, before, changes.totals, days, topic_days)
    dates = unlock_dates(prefix, days, topic_days, ruleset)
    latest = max(touched)
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


async def _prefix_before(
    session: AsyncSession,
    user_id: uuid.UUID,
    first: date,
    before: Totals,
    after: Totals,
    days: Mapping[date, DayRow],
    topic_days: Mapping[TopicDay, rules.Tally],
) -> Prefix:
    """The standing at the end of the day before `first`: the totals less the days from `first`
    on (both as written), so it costs the days after `first`, not the whole history."""
    topics = await repo.topics(session, user_id)
    topic_exercises = {topic: row.tally.exercises for topic, row in topics.items()}
    for (_, topic), tally in topic_days.items():
        topic_exercises[topic] -= tally.exercises
    in_order = before.streak.last_date is None or first > before.streak.last_date
    longest = (
        before.longest_streak
        if in_order
        else await repo.longest_streak_before(session, user_id, first)
    )
    return Prefix(
        totals=after.tally - rules.total(row.tally for row in days.values()),
        bonus_xp=after.bonus_xp - sum(row.streak.bonus_xp for row in days.values()),
        longest_streak=longest,
        active_days=after.active_days - len(days),
        topic_exercises=topic_exercises,
    )
