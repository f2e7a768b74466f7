"""Proof that nothing was lost or double-counted: stored projections against a recomputation.

`differences` is pure; `verify` reads one learner's projections and log in one read-only
snapshot, and `repair` rewrites the projections from the log.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from questpath.auth import repository as users
from questpath.auth.principal import UserLike
from questpath.db import create_sessionmaker, read_snapshot, transaction
from questpath.leaderboards import repository as boards
from questpath.leaderboards import streaks as streak_board
from questpath.progress import rebuild
from questpath.progress import repository as repo
from questpath.progress.rules import TALLY_FIELDS, Tally
from questpath.progress.state import Projection
from questpath.progress.vacations import day_start_from_log
from questpath.quizzes import reviews
from questpath.recorder.repair import rebuild_learner
from questpath.ruleset import Ruleset
from questpath.xapi import statement_store as statements


@dataclass(frozen=True)
class Difference:
    table: str
    key: str
    field: str
    stored: Any
    expected: Any

    def __str__(self) -> str:
        where = f"{self.table}[{self.key}]" if self.key else self.table
        return f"{where}.{self.field}: stored {self.stored!r}, the log gives {self.expected!r}"


def _tally_differences(table: str, key: str, stored: Tally, expected: Tally) -> list[Difference]:
    return [
        Difference(table, key, name, getattr(stored, name), getattr(expected, name))
        for name in TALLY_FIELDS
        if getattr(stored, name) != getattr(expected, name)
    ]


def _rows_differences(
    table: str, stored: dict[Any, Any], expected: dict[Any, Any]
) -> list[Difference]:
    found = []
    for key in sorted(stored.keys() | expected.keys(), key=str):
        name = "|".join(map(str, key)) if isinstance(key, tuple) else str(key)
        if key not in expected:
            found.append(Difference(table, name, "row", "present", "absent"))
        elif key not in stored:
            found.append(Difference(table, name, "row", "absent", "present"))
        else:
            found += _row_differences(table, name, stored[key], expected[key])
    return found


def _row_differences(table: str, key: str, stored: Any, expected: Any) -> list[Difference]:
    if isinstance(stored, date):  # an unlocked achievement's local date
        return (
            [] if stored == expected else [Difference(table, key, "local_date", stored, expected)]
        )
    if isinstance(stored, int):  # a period's XP
        return [] if stored == expected else [Difference(table, key, "xp", stored, expected)]
    if isinstance(stored, Tally):
        return _tally_differences(table, key, stored, expected)
    found = []
    for f in fields(stored):
        if f.name in ("previous_level", "level_updated_at"):
            continue  # when a level changed depends on arrival order, not on the log's content
        a, b = getattr(stored, f.name), getattr(expected, f.name)
        if isinstance(a, Tally):
            found += _tally_differences(table, key, a, b)
        elif a != b:
            found.append(Difference(table, key, f.name, a, b))
    return found


def differences(stored: Projection, expected: Projection) -> list[Difference]:
    """Every way the stored projections differ from the recomputed ones."""
    found = _row_differences("progress_totals", "", stored.totals, expected.totals)
    found += _rows_differences("progress_days", stored.days, expected.days)
    found += _rows_differences("progress_topics", stored.topics, expected.topics)
    found += _rows_differences("progress_topic_days", stored.topic_days, expected.topic_days)
    found += _rows_differences("unlocked_achievements", stored.achievements, expected.achievements)
    found += _rows_differences("vacations", stored.vacations, expected.vacations)
    found += _rows_differences("progress_periods", stored.periods, expected.periods)
    return found


def card_differences(stored: dict[str, Any], expected: dict[str, Any]) -> list[Difference]:
    """Review cards (dataclass states by question id) that differ from the log's. Floats are
    compared to a relative 1e-9: the databases store them as doubles."""
    found = []
    for key in sorted(stored.keys() | expected.keys()):
        if key not in expected or key not in stored:
            present, absent = ("present", "absent") if key in stored else ("absent", "present")
            found.append(Difference("review_cards", key, "row", present, absent))
            continue
        for f in fields(stored[key]):
            a, b = getattr(stored[key], f.name), getattr(expected[key], f.name)
            same = math.isclose(a, b, rel_tol=1e-9) if isinstance(a, float) else a == b
            if not same:
                found.append(Difference("review_cards", key, f.name, a, b))
    return found


async def _recompute(
    session: AsyncSession, user: UserLike, ruleset: Ruleset, stored: Projection
) -> Projection:
    """The log's projections. An achievement a void left unlocked (see `rebuild.rewrite`) is
    expected where it is stored: the log without the voided event cannot date it."""
    expected = await rebuild.recompute(session, user.id, ruleset)
    kept = await repo.achievements_kept_by_voids(session, user.id)
    pinned = {a: day for a, day in stored.achievements.items() if a in kept}
    return replace(expected, achievements=expected.achievements | pinned)


async def _day_start_differences(session: AsyncSession, user: UserLike) -> list[Difference]:
    stored = await users.day_start_hour(session, user.id)
    expected = day_start_from_log(await repo.day_start_log(session, user.id))
    if stored == expected:
        return []
    return [Difference("users", str(user.id), "day_start_hour", stored, expected)]


async def _email_sha1_differences(session: AsyncSession, user: UserLike) -> list[Difference]:
    """The hash xAPI statements find the learner's address by, against the address."""
    stored, expected = await users.email_sha1(session, user.id)
    if stored == expected:
        return []
    return [Difference("users", str(user.id), "email_sha1", stored, expected)]


async def _listed_differences(session: AsyncSession, user: UserLike) -> list[Difference]:
    """Period rows listed on the boards though the learner is not a member, or the reverse."""
    joined = await boards.member(session, user.id) is not None
    rows = await boards.listed_rows(session, user.id)
    return [
        Difference("progress_periods", f"{period}|{start}", "listed", listed, joined)
        for (period, start), listed in sorted(rows.items())
        if listed != joined
    ]


async def _streak_differences(
    session: AsyncSession, user: UserLike, expected: Projection
) -> list[Difference]:
    """The learner's row on the streak board against the streak and vacations of the log: a
    member with a streak has one, anyone else none."""
    joined = await boards.member(session, user.id) is not None
    stored = (await streak_board.stored_rows(session, [user.id])).get(user.id)
    row = streak_board.row_of(expected.totals.streak, list(expected.vacations.values()))
    wanted = row if joined else None
    if stored == wanted:
        return []
    key = str(user.id)
    if stored is None or wanted is None:
        present, absent = ("present", "absent") if stored else ("absent", "present")
        return [Difference("leaderboard_streaks", key, "row", present, absent)]
    return [
        Difference("leaderboard_streaks", key, name, a, b)
        for name, a, b in zip(("run", "reached_on", "alive_until"), stored, wanted, strict=True)
        if a != b
    ]


async def _statement_differences(session: AsyncSession, user: UserLike) -> list[Difference]:
    """xAPI statements that count for the learner against their events: each one's event is in
    the log, voided exactly when the statement is."""
    found = []
    for statement_id, voided, event_voided_by in await statements.recorded_as(session, user.id):
        if event_voided_by == "missing":
            found.append(
                Difference("xapi_statements", str(statement_id), "event", "absent", "present")
            )
        elif voided != (event_voided_by is not None):
            found.append(
                Difference("xapi_statements", str(statement_id), "voided", voided, not voided)
            )
    return found


async def board_size_differences(engine: AsyncEngine) -> list[Difference]:
    """Boards whose stored size is not the count of their listed rows, and boards whose stored
    count of learners at a score is not the count of their listed rows at that XP."""
    async with read_snapshot(engine) as conn:
        session = AsyncSession(bind=conn)
        try:
            stored = await boards.sizes(session)
            counted = await boards.counted_sizes(session)
            stored_scores = await boards.scores(session)
            counted_scores = await boards.counted_scores(session)
            stored_streaks = await streak_board.stored_counts(session)
            counted_streaks = await streak_board.counted_counts(session)
        finally:
            await session.close()
    found = []
    for period, start in sorted(stored.keys() | counted.keys()):
        size, count = stored.get((period, start), 0), counted.get((period, start), 0)
        if size != count:
            found.append(
                Difference("leaderboard_sizes", f"{period}|{start}", "learners", size, count)
            )
    for period, start, xp in sorted(stored_scores.keys() | counted_scores.keys()):
        key = (period, start, xp)
        held, holding = stored_scores.get(key), counted_scores.get(key)
        if held != holding:  # a score no listed row holds has no row
            found.append(
                Difference(
                    "leaderboard_scores", f"{period}|{start}|{xp}", "learners", held, holding
                )
            )
    for alive, run in sorted(stored_streaks.keys() | counted_streaks.keys()):
        held, holding = stored_streaks.get((alive, run)), counted_streaks.get((alive, run))
        if held != holding:
            found.append(
                Difference("leaderboard_streak_counts", f"{alive}|{run}", "learners", held, holding)
            )
    return found


async def repair_board_sizes(session: AsyncSession) -> None:
    """Recount each board's size and its learners at each score from the listed rows, and the
    streak board's counts from its rows."""
    await boards.recount_sizes(session)
    await streak_board.recount(session)


async def verify(engine: AsyncEngine, user: UserLike, ruleset: Ruleset) -> list[Difference]:
    async with read_snapshot(engine) as conn:
        session = AsyncSession(bind=conn)
        try:
            stored = await repo.projection(session, user.id)
            expected = await _recompute(session, user, ruleset, stored)
            found = differences(stored, expected)
            found += await _day_start_differences(session, user)
            found += await _email_sha1_differences(session, user)
            found += await _listed_differences(session, user)
            found += await _streak_differences(session, user, expected)
            found += await _statement_differences(session, user)
            return found + card_differences(
                await reviews.stored_cards(session, user),
                await reviews.expected_cards(session, user, ruleset),
            )
        finally:
            await session.close()


async def repair(session: AsyncSession, user: UserLike, ruleset: Ruleset, now: datetime) -> None:
    """Rewrite a learner's projections from the log. Unlocked achievements are never revoked;
    ones the log reaches but that are missing are unlocked now."""
    await rebuild_learner(session, user, ruleset, now)


async def build_missing(engine: AsyncEngine, ruleset: Ruleset, now: datetime) -> int:
    """Build the projections of learners whose events predate them; return how many."""
    maker = create_sessionmaker(engine)
    async with maker() as session:
        learners = await repo.learners_without_projections(session)
    for learner in learners:
        async with transaction(maker) as session:
            await repair(session, learner, ruleset, now)
    return len(learners)
