"""What one recorded batch means to someone watching a learner: the signals it raises.

Pure: derived from what the recorder already holds (the rows it inserted, the `Changes` with
the totals before and after), so it costs nothing per batch beyond the batch itself. Webhooks
deliver these; anything else that tells learners about their progress can read the same.

`streak.broken` is raised when the learner's next activity shows that their streak had ended:
the first new active day after the last one starts a streak of 1 again, freezes and vacations
having been unable to cover the gap. Nothing is raised at midnight; an event for a past day
that lengthens a streak breaks nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, get_args

from questpath.progress import rules
from questpath.progress.state import Changes, Totals
from questpath.ruleset import Ruleset

SignalType = Literal[
    "achievement.unlocked",
    "level.changed",
    "rank.changed",
    "goal.achieved",
    "streak.broken",
    "event.recorded",
]
SIGNAL_TYPES: tuple[SignalType, ...] = get_args(SignalType)
# A streak shorter than this is not one a learner would miss: one lone day "breaking" is noise.
BROKEN_STREAK_MINIMUM = 2


@dataclass(frozen=True)
class Signal:
    user_id: uuid.UUID
    type: SignalType
    occurred_at: datetime
    data: dict[str, Any]


def signals_of(
    user_id: uuid.UUID,
    created: Sequence[Mapping[str, Any]],
    changes: Changes | None,
    ruleset: Ruleset,
    now: datetime,
) -> list[Signal]:
    """The signals of one learner's batch: `created` are the event-log rows it inserted (with
    the `goal_achieved` ones settling added), `changes` what it did to their projections."""
    found = [Signal(user_id, "event.recorded", now, {"event": event_data(row)}) for row in created]
    found += [
        Signal(
            user_id,
            "goal.achieved",
            now,
            {
                "goal_id": (row["meta"] or {}).get("goal_id"),
                "title": (row["meta"] or {}).get("title"),
            },
        )
        for row in created
        if row["kind"] == "goal_achieved"
    ]
    if changes is None:
        return found
    found += [
        Signal(
            user_id,
            "achievement.unlocked",
            now,
            {
                "achievement": {
                    "id": a.id,
                    "name": a.name,
                    "description": a.description,
                    "category": a.category,
                    "points": a.points,
                }
            },
        )
        for a in changes.unlocked
    ]
    before, after = changes.before, changes.totals
    level_before = rules.level_for_xp(before.standing().xp, ruleset.levels).level
    level_after = rules.level_for_xp(after.standing().xp, ruleset.levels).level
    if level_after != level_before:
        data: dict[str, Any] = {"from": level_before, "to": level_after, "xp": after.standing().xp}
        found.append(Signal(user_id, "level.changed", now, data))
    rank_before = rules.rank_for(before.tally.projects, ruleset.ranks).rank
    rank_after = rules.rank_for(after.tally.projects, ruleset.ranks).rank
    if rank_after.id != rank_before.id:
        data = {
            "from": {"id": rank_before.id, "name": rank_before.name},
            "to": {"id": rank_after.id, "name": rank_after.name},
            "projects_completed": after.tally.projects,
        }
        found.append(Signal(user_id, "rank.changed", now, data))
    if (broken := broken_streak(before, changes)) is not None:
        length, last_day = broken
        data = {"length": length, "last_day": last_day.isoformat()}
        found.append(Signal(user_id, "streak.broken", now, data))
    return found


def broken_streak(before: Totals, changes: Changes) -> tuple[int, date] | None:
    """The streak (its length and last day) that the batch's first new active day after it
    shows to have ended, if there is one."""
    last, run = before.streak.last_date, before.streak.run
    if last is None or run < BROKEN_STREAK_MINIMUM:
        return None
    after_last = [d for d in changes.new_dates if d > last]
    if not after_last:
        return None
    first = changes.days.get(min(after_last))
    if first is None or first.streak.streak != 1:
        return None
    return run, last


def event_data(row: Mapping[str, Any]) -> dict[str, Any]:
    """An event as a signal carries it: what the event API shows of it."""
    return {
        "id": row["event_id"],
        "kind": row["kind"],
        "occurred_at": row["occurred_at"].isoformat(),
        "local_date": row["local_date"].isoformat(),
        "topic": row["topic"],
        "grade": row["grade"],
        "time_spent_seconds": row["time_spent_seconds"],
        "hints_used": row["hints_used"],
    }
