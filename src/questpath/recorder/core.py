"""The one write path of the event log, inside a caller's transaction.

lock the learners (one statement, id order) → insert the new events (idempotent by learner and
event id) → fold them into the projections (one statement per table for all learners) → list a
new week's or month's rows on the boards of learners who joined them, count the listed rows at
their new XP, and put moved streaks on the streak board → publish the badges of learners who
publish every achievement they unlock → settle goals → record what settling achieved → put the
batch's signals in the webhook outbox (one query for the subscriptions, one insert when any
listens) → store the notifications they make (one insert when any), waking the learners' event
streams on commit. Everything in the caller's transaction, so the log, everything derived from
it, the deliveries and the notifications commit together or not at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from questpath.badges import service as badges
from questpath.db import after_commit
from questpath.events import repository as log
from questpath.events.drafts import Draft, EventKey, SystemEvent, UnknownLearner
from questpath.events.models import Event
from questpath.events.rules import SYSTEM_ID_PREFIX, LocalDays, void_event_id, void_problem
from questpath.goals import repository as goals_repo
from questpath.goals import service as goals
from questpath.leaderboards import repository as boards
from questpath.leaderboards import streaks as streak_board
from questpath.metrics.instruments import count_events
from questpath.notifications import service as notifications
from questpath.problems import Conflict, NotFound
from questpath.progress import projections
from questpath.progress.recording import Recorded
from questpath.progress.signals import Signal, signals_of
from questpath.progress.state import Changes
from questpath.progress.vacations import VACATION_KINDS
from questpath.recorder.lock import lock_known_learners
from questpath.recorder.repair import rewrite_listed
from questpath.ruleset import Ruleset
from questpath.webhooks import outbox


class EventRecorder:
    """Implements `progress.recording.Recorder` for the domains, and serves group commit."""

    def __init__(self, ruleset: Ruleset) -> None:
        self._rules = ruleset

    @property
    def ruleset(self) -> Ruleset:
        return self._rules

    async def lock(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        await lock_known_learners(session, [user_id])

    async def record(self, session: AsyncSession, drafts: list[Draft], now: datetime) -> Recorded:
        timezones = await lock_known_learners(session, {d.user_id for d in drafts})
        return await self.record_locked(session, drafts, timezones, now)

    async def settle(self, session: AsyncSession, user_id: uuid.UUID, now: datetime) -> None:
        timezones = await lock_known_learners(session, {user_id})
        _, goal_rows = await self._settle(session, {user_id}, timezones, now)
        await self._tell(session, self._signals(goal_rows, {}, now), now)

    async def record_locked(
        self,
        session: AsyncSession,
        drafts: list[Draft],
        timezones: Mapping[uuid.UUID, LocalDays],
        now: datetime,
    ) -> Recorded:
        """Record `drafts`, whose learners the caller has locked (`timezones` comes from
        `lock_known_learners`: each learner's timezone and day start). A key repeated among the
        drafts is stored once, as its first draft."""
        rows: dict[EventKey, dict[str, Any]] = {}
        for draft in drafts:
            rows.setdefault(draft.key, _row(draft, timezones[draft.user_id], now))
        created = await _insert(session, list(rows.values()))
        new_rows = [row for key, row in rows.items() if key in created]
        changes, rescored = await projections.apply(session, self._rules, new_rows, now)
        # Only a new active day can begin a week or month row, which a member's boards then list;
        # the rows listed already are counted at their new XP in the same statement.
        await boards.list_members(
            session, [u for u, change in changes.items() if change.new_dates], rescored
        )
        # A streak moves with a new active day or a change of vacations, and with it the day it
        # stays current until, on the streak board.
        await streak_board.restreak(
            session,
            {u for u, change in changes.items() if change.totals.streak != change.before.streak}
            | {row["user_id"] for row in new_rows if row["kind"] in VACATION_KINDS},
        )
        unlocked = {user_id: [a.id for a in change.unlocked] for user_id, change in changes.items()}
        await badges.publish_unlocked(session, unlocked, now)
        achieved, goal_rows = await self._settle(
            session, {key[0] for key in created}, timezones, now
        )
        await self._tell(session, self._signals(new_rows + goal_rows, changes, now), now)
        return Recorded(created | achieved.created, changes)

    async def void(
        self, session: AsyncSession, user_id: uuid.UUID, event_id: str, now: datetime
    ) -> tuple[Event, bool]:
        """Void one of the learner's events: record an `event_voided` event for it, mark it, and
        rewrite the learner's projections without it. Returns the voided event and whether it
        was voided now (False: it already was; nothing changes)."""
        try:
            timezones = await lock_known_learners(session, {user_id})
        except UnknownLearner as exc:
            raise NotFound(f"no event with the id '{event_id}'") from exc
        event = await log.get_for_update(session, user_id, event_id)
        if event is None:
            raise NotFound(f"no event with the id '{event_id}'")
        if event.voided_by is not None:
            return event, False
        if problem := void_problem(event.kind):
            raise Conflict(problem)
        void = SystemEvent(id=void_event_id(event_id), kind="event_voided")
        await log.mark_voided(session, user_id, event_id, SYSTEM_ID_PREFIX + void.id)
        await session.flush()
        kept = await rewrite_listed(session, user_id, self._rules, now)
        metadata = {"voids": event_id, "kept_achievements": kept}
        draft = SystemEvent(void.id, void.kind, metadata=metadata).draft(user_id)
        await _insert(session, [_row(draft, timezones[user_id], now)])
        voided = await log.get_for_update(session, user_id, event_id)
        assert voided is not None
        return voided, True

    async def _settle(
        self,
        session: AsyncSession,
        user_ids: set[uuid.UUID],
        timezones: Mapping[uuid.UUID, LocalDays],
        now: datetime,
    ) -> tuple[Recorded, list[dict[str, Any]]]:
        """Achieve the goals the learners reached, recording a `goal_achieved` event for each;
        returns them, and the rows of those stored now."""
        if not user_ids:
            return Recorded(), []
        await session.flush()
        drafts = []
        for user_id in sorted(await goals_repo.with_active_goals(session, user_ids)):
            today = timezones[user_id].date_of(now)
            reached = await goals.settle(session, self._rules, user_id, today, now)
            drafts += [event.draft(user_id) for event in reached]
        if not drafts:
            return Recorded(), []
        # goal_achieved does not count for progress, so recording it cannot reach another goal.
        rows = [_row(d, timezones[d.user_id], now) for d in drafts]
        created = await _insert(session, rows)
        return Recorded(created), [r for r in rows if (r["user_id"], r["event_id"]) in created]

    async def _tell(self, session: AsyncSession, signals: list[Signal], now: datetime) -> None:
        """Put the batch's signals in the webhook outbox, and make the learners' notifications."""
        await outbox.enqueue(session, signals, now)
        await notifications.record(session, signals, now)

    def _signals(
        self, rows: list[dict[str, Any]], changes: Mapping[uuid.UUID, Changes], now: datetime
    ) -> list[Signal]:
        by_learner: dict[uuid.UUID, list[dict[str, Any]]] = {}
        for row in rows:
            by_learner.setdefault(row["user_id"], []).append(row)
        return [
            signal
            for user_id in sorted(by_learner.keys() | changes.keys())
            for signal in signals_of(
                user_id, by_learner.get(user_id, []), changes.get(user_id), self._rules, now
            )
        ]


async def _insert(session: AsyncSession, rows: list[dict[str, Any]]) -> set[EventKey]:
    """Insert the rows not stored yet, counted by kind once (and only if) they commit."""
    created = await log.insert_new(session, rows)
    kinds = [row["kind"] for row in rows if (row["user_id"], row["event_id"]) in created]
    if kinds:
        after_commit(session, partial(count_events, kinds))
    return created


def _row(draft: Draft, days: LocalDays, now: datetime) -> dict[str, Any]:
    """A row of the event log, its local date fixed in the learner's timezone and day start as
    they are now."""
    occurred_at = draft.occurred_at or now
    return {
        "user_id": draft.user_id,
        "event_id": draft.id,
        "kind": draft.kind,
        "occurred_at": occurred_at,
        "recorded_at": now,
        "local_date": days.date_of(occurred_at),
        "topic": draft.topic,
        "grade": draft.grade,
        "time_spent_seconds": draft.time_spent_seconds,
        "hints_used": draft.hints_used,
        "meta": draft.metadata,
        "recorded_by_api_key": draft.api_key_id,
    }
