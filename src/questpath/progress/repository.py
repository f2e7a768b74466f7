"""All SQL of the progress projections, and the mapping between rows and `state` values."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Collection, Iterable, Mapping
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from questpath.auth.models import User
from questpath.db import Base, dialect_of, insert_for
from questpath.events.models import Event
from questpath.events.rules import PROGRESS_KINDS
from questpath.progress import rules
from questpath.progress.models import (
    ProgressDay,
    ProgressPeriod,
    ProgressTopic,
    ProgressTopicDay,
    ProgressTotals,
    UnlockedAchievement,
)
from questpath.progress.models import Vacation as VacationRow
from questpath.progress.periods import ALL_TIME, dated_periods, dated_xp, spans
from questpath.progress.state import (
    Changes,
    DayRow,
    Projection,
    TopicDay,
    TopicRow,
    Totals,
)
from questpath.progress.vacations import DAY_START_CHANGED, VACATION_KINDS, Vacation


# Reads select table rows, not ORM entities: the writes below are Core upserts, and entities
# cached in the session's identity map would go stale behind them.
def _rows(model: type[Base]) -> Select[Any]:
    return select(model.__table__)


def _tally(row: Any) -> rules.Tally:
    return rules.Tally(*(getattr(row, name) for name in rules.TALLY_FIELDS))


def _totals(row: Any) -> Totals:
    if row is None:
        return Totals()
    return Totals(
        tally=_tally(row),
        bonus_xp=row.bonus_xp,
        active_days=row.active_days,
        longest_streak=row.longest_streak,
        streak=rules.StreakState(row.streak_last_date, row.streak_run, row.streak_freezes),
        distinct_topics=row.distinct_topics,
        top_topic_exercises=row.top_topic_exercises,
    )


def _day(row: Any) -> DayRow:
    streak = rules.StreakDay(
        row.local_date, row.streak, row.freezes, row.freezes_spent, row.bonus_xp
    )
    return DayRow(_tally(row), streak)


def _topic(row: Any) -> TopicRow:
    return TopicRow(
        _tally(row),
        row.first_exercise_date,
        row.level,
        row.previous_level,
        row.level_updated_at,
    )


# Reading --------------------------------------------------------------------------------------


async def totals(session: AsyncSession, user_id: uuid.UUID) -> Totals:
    return (await totals_of(session, [user_id])).get(user_id, Totals())


async def totals_of(
    session: AsyncSession, user_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, Totals]:
    """The totals of the learners that have any."""
    result = await session.execute(_TOTALS_OF, {"ids": list(user_ids)})
    return {row.user_id: _totals(row) for row in result}


# The statements of the hot paths are built once: building one costs more than running it on
# SQLite, and a reused statement keeps its cache key.
_TOTALS_OF = _rows(ProgressTotals).where(
    ProgressTotals.user_id.in_(bindparam("ids", expanding=True))
)


async def days_of(
    session: AsyncSession, user_ids: Collection[uuid.UUID], dates: Collection[date]
) -> dict[uuid.UUID, dict[date, DayRow]]:
    """The learners' day rows among `dates` (one statement for a whole group of learners)."""
    found: dict[uuid.UUID, dict[date, DayRow]] = defaultdict(dict)
    rows = await session.execute(_DAYS_OF, {"ids": list(user_ids), "dates": list(dates)})
    for row in rows:
        found[row.user_id][row.local_date] = _day(row)
    return found


_DAYS_OF = _rows(ProgressDay).where(
    ProgressDay.user_id.in_(bindparam("ids", expanding=True)),
    ProgressDay.local_date.in_(bindparam("dates", expanding=True)),
)


async def days_for_update(
    session: AsyncSession, user_id: uuid.UUID, dates: set[date], tail_from: date | None
) -> dict[date, DayRow]:
    """The day rows among `dates`; with `tail_from`, also every row from it on and the latest
    row before it."""
    condition: ColumnElement[bool] = ProgressDay.local_date.in_(dates)
    if tail_from is not None:
        previous = (
            select(func.max(ProgressDay.local_date))
            .where(ProgressDay.user_id == user_id, ProgressDay.local_date < tail_from)
            .scalar_subquery()
        )
        condition = (
            condition | (ProgressDay.local_date >= tail_from) | (ProgressDay.local_date == previous)
        )
    rows = await session.execute(
        _rows(ProgressDay).where(ProgressDay.user_id == user_id, condition)
    )
    return {row.local_date: _day(row) for row in rows}


async def days_between(
    session: AsyncSession, user_id: uuid.UUID, first: date | None, last: date | None
) -> dict[date, DayRow]:
    bounds = {"user_id": user_id, "first": first or date.min, "last": last or date.max}
    rows = await session.execute(_DAYS_BETWEEN, bounds)
    return {row.local_date: _day(row) for row in rows}


_DAYS_BETWEEN = (
    _rows(ProgressDay)
    .where(
        ProgressDay.user_id == bindparam("user_id"),
        ProgressDay.local_date >= bindparam("first"),
        ProgressDay.local_date <= bindparam("last"),
    )
    .order_by(ProgressDay.local_date)
)


async def exercises_before(session: AsyncSession, user_id: uuid.UUID, day: date) -> int:
    total = await session.scalar(
        select(func.coalesce(func.sum(ProgressDay.exercises), 0)).where(
            ProgressDay.user_id == user_id, ProgressDay.local_date < day
        )
    )
    return int(total or 0)


async def topics(
    session: AsyncSession, user_id: uuid.UUID, names: Iterable[str] | None = None
) -> dict[str, TopicRow]:
    if names is None:
        rows = await session.execute(_TOPICS, {"user_id": user_id})
    else:
        rows = await session.execute(
            _rows(ProgressTopic)
            .where(ProgressTopic.user_id == user_id, ProgressTopic.topic.in_(set(names)))
            .order_by(ProgressTopic.topic)
        )
    return {row.topic: _topic(row) for row in rows}


_TOPICS = (
    _rows(ProgressTopic)
    .where(ProgressTopic.user_id == bindparam("user_id"))
    .order_by(ProgressTopic.topic)
)


async def topics_of(
    session: AsyncSession, user_ids: Collection[uuid.UUID], names: Collection[str]
) -> dict[uuid.UUID, dict[str, TopicRow]]:
    """The learners' rows among the topics `names`."""
    found: dict[uuid.UUID, dict[str, TopicRow]] = defaultdict(dict)
    if names:
        rows = await session.execute(_TOPICS_OF, {"ids": list(user_ids), "names": list(names)})
        for row in rows:
            found[row.user_id][row.topic] = _topic(row)
    return found


_TOPICS_OF = _rows(ProgressTopic).where(
    ProgressTopic.user_id.in_(bindparam("ids", expanding=True)),
    ProgressTopic.topic.in_(bindparam("names", expanding=True)),
)


async def topic_days_of(
    session: AsyncSession,
    user_ids: Collection[uuid.UUID],
    dates: Collection[date],
    names: Collection[str],
) -> dict[uuid.UUID, dict[TopicDay, rules.Tally]]:
    """The learners' topic-day rows on any of `dates` in any of `names`."""
    found: dict[uuid.UUID, dict[TopicDay, rules.Tally]] = defaultdict(dict)
    if names:
        keys = {"ids": list(user_ids), "dates": list(dates), "names": list(names)}
        for row in await session.execute(_TOPIC_DAYS_OF, keys):
            found[row.user_id][(row.local_date, row.topic)] = _tally(row)
    return found


_TOPIC_DAYS_OF = _rows(ProgressTopicDay).where(
    ProgressTopicDay.user_id.in_(bindparam("ids", expanding=True)),
    ProgressTopicDay.local_date.in_(bindparam("dates", expanding=True)),
    ProgressTopicDay.topic.in_(bindparam("names", expanding=True)),
)


async def topic_tallies_between(
    session: AsyncSession, user_id: uuid.UUID, first: date, last: date
) -> dict[str, rules.Tally]:
    """Each topic's counters summed over the local dates `first`..`last`."""
    bounds = {"user_id": user_id, "first": first, "last": last}
    rows = await session.execute(_TOPIC_TALLIES_BETWEEN, bounds)
    return {row[0]: rules.Tally(*(int(v) for v in row[1:])) for row in rows}


_TOPIC_TALLIES_BETWEEN = (
    select(
        ProgressTopicDay.topic,
        *(func.sum(getattr(ProgressTopicDay, name)) for name in rules.TALLY_FIELDS),
    )
    .where(
        ProgressTopicDay.user_id == bindparam("user_id"),
        ProgressTopicDay.local_date >= bindparam("first"),
        ProgressTopicDay.local_date <= bindparam("last"),
    )
    .group_by(ProgressTopicDay.topic)
    .order_by(ProgressTopicDay.topic)
)


async def unlocked(session: AsyncSession, user_id: uuid.UUID) -> dict[str, Any]:
    """The learner's unlocked achievements by id: rows with unlocked_at and local_date."""
    return (await unlocked_of(session, [user_id])).get(user_id, {})


async def unlocked_of(
    session: AsyncSession, user_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, dict[str, Any]]:
    found: dict[uuid.UUID, dict[str, Any]] = defaultdict(dict)
    for row in await session.execute(_UNLOCKED_OF, {"ids": list(user_ids)}):
        found[row.user_id][row.achievement_id] = row
    return found


_UNLOCKED_OF = _rows(UnlockedAchievement).where(
    UnlockedAchievement.user_id.in_(bindparam("ids", expanding=True))
)


async def longest_streak_before(session: AsyncSession, user_id: uuid.UUID, day: date) -> int:
    longest = await session.scalar(
        select(func.coalesce(func.max(ProgressDay.streak), 0)).where(
            ProgressDay.user_id == user_id, ProgressDay.local_date < day
        )
    )
    return int(longest or 0)


async def topic_days_since(
    session: AsyncSession, user_id: uuid.UUID, first: date
) -> dict[TopicDay, rules.Tally]:
    rows = await session.execute(
        _rows(ProgressTopicDay).where(
            ProgressTopicDay.user_id == user_id, ProgressTopicDay.local_date >= first
        )
    )
    return {(row.local_date, row.topic): _tally(row) for row in rows}


async def learners_without_projections(session: AsyncSession) -> list[User]:
    """Learners with events but no totals row: their log predates the projections."""
    has_events = select(Event.user_id).where(Event.user_id == User.id).exists()
    has_totals = select(ProgressTotals.user_id).where(ProgressTotals.user_id == User.id).exists()
    return list(await session.scalars(select(User).where(has_events, ~has_totals)))


async def projection(session: AsyncSession, user_id: uuid.UUID) -> Projection:
    """Every stored projection row of a learner (for verification)."""
    return Projection(
        totals=await totals(session, user_id),
        days=await days_between(session, user_id, None, None),
        topics=await topics(session, user_id),
        topic_days={
            (row.local_date, row.topic): _tally(row)
            for row in await session.execute(
                _rows(ProgressTopicDay).where(ProgressTopicDay.user_id == user_id)
            )
        },
        achievements={a: row.local_date for a, row in (await unlocked(session, user_id)).items()},
        vacations=await vacations(session, user_id),
        periods={
            (row.period, row.start): int(row.xp)
            for row in await session.execute(
                select(ProgressPeriod.period, ProgressPeriod.start, ProgressPeriod.xp).where(
                    ProgressPeriod.user_id == user_id
                )
            )
        },
    )


FactsQuery = Select[str, date, str | None, float | None, int | None, int | None]


def event_facts(user_id: uuid.UUID) -> FactsQuery:
    """The columns the rules read, for every event of a learner."""
    return select(
        Event.kind,
        Event.local_date,
        Event.topic,
        Event.grade,
        Event.time_spent_seconds,
        Event.hints_used,
    ).where(Event.user_id == user_id, Event.kind.in_(PROGRESS_KINDS), Event.voided_by.is_(None))


async def stream_facts(
    session: AsyncSession, user_id: uuid.UUID
) -> AsyncIterator[rules.EventFacts]:
    result = await session.stream(event_facts(user_id).execution_options(yield_per=5000))
    async for row in result:
        yield rules.EventFacts(*row)


# Writing --------------------------------------------------------------------------------------


@cache
def _upsert_statement(
    dialect: str, model: type[Base], keys: tuple[str, ...], columns: tuple[str, ...]
) -> Any:
    """INSERT ... ON CONFLICT (keys) DO UPDATE SET every other column, built once per shape:
    building it aliases every column of the table."""
    stmt = insert_for(dialect, model)
    excluded = stmt.excluded
    return stmt.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: excluded[name] for name in columns if name not in keys},
    )


async def _upsert(
    session: AsyncSession, model: type[Base], keys: list[str], rows: list[dict[str, Any]]
) -> None:
    """Insert `rows`, or overwrite the stored row with the same key.

    One fixed statement run over the rows, so it is compiled once and cached, and the driver
    batches it within its parameter limits.
    """
    if rows:
        stmt = _upsert_statement(dialect_of(session), model, tuple(keys), tuple(rows[0]))
        await session.execute(stmt, rows)


def _totals_row(user_id: uuid.UUID, t: Totals) -> dict[str, Any]:
    return {
        "user_id": user_id,
        **t.tally.as_dict(),
        "bonus_xp": t.bonus_xp,
        "active_days": t.active_days,
        "longest_streak": t.longest_streak,
        "streak_last_date": t.streak.last_date,
        "streak_run": t.streak.run,
        "streak_freezes": t.streak.freezes,
        "distinct_topics": t.distinct_topics,
        "top_topic_exercises": t.top_topic_exercises,
    }


def _day_row(user_id: uuid.UUID, row: DayRow) -> dict[str, Any]:
    s = row.streak
    return {
        "user_id": user_id,
        "local_date": s.date,
        **row.tally.as_dict(),
        "streak": s.streak,
        "freezes": s.freezes,
        "freezes_spent": s.freezes_spent,
        "bonus_xp": s.bonus_xp,
    }


def _topic_row(user_id: uuid.UUID, topic: str, row: TopicRow) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "topic": topic,
        **row.tally.as_dict(),
        "first_exercise_date": row.first_exercise_date,
        "level": row.level,
        "previous_level": row.previous_level,
        "level_updated_at": row.level_updated_at,
    }


ListedMoves = Counter[tuple[str, date, int]]  # (period, start, xp) → listed rows more or fewer


async def write_all(
    session: AsyncSession, changes: Mapping[uuid.UUID, Changes], now: datetime
) -> ListedMoves:
    """Write the learners' changed rows: one statement per table for them all. The weeks and
    months that hold a changed day are then added up again from their days. Returns how the
    XP of the period rows listed on the leaderboards moved, for their counts per score."""
    learners = sorted(changes.items())
    await _upsert(
        session,
        ProgressTotals,
        ["user_id"],
        [_totals_row(user_id, c.totals) for user_id, c in learners],
    )
    await _upsert(
        session,
        ProgressDay,
        ["user_id", "local_date"],
        [_day_row(user_id, row) for user_id, c in learners for _, row in sorted(c.days.items())],
    )
    await _upsert(
        session,
        ProgressTopic,
        ["user_id", "topic"],
        [
            _topic_row(user_id, t, row)
            for user_id, c in learners
            for t, row in sorted(c.topics.items())
        ],
    )
    await _upsert(
        session,
        ProgressTopicDay,
        ["user_id", "local_date", "topic"],
        [
            {"user_id": user_id, "local_date": d, "topic": t, **tally.as_dict()}
            for user_id, c in learners
            for (d, t), tally in sorted(c.topic_days.items())
        ],
    )
    return await _recount_periods(session, learners, now)


# The spans of days one query reads back: SQLite refuses a WHERE deeper than 1,000 terms, and a
# batch may hold events of 1,000 learners (events.rules.MAX_BATCH).
SPANS_PER_QUERY = 250


async def _recount_periods(
    session: AsyncSession, learners: list[tuple[uuid.UUID, Changes]], now: datetime
) -> ListedMoves:
    """Add up again the XP of every week and month that holds one of the learners' changed
    days, from the day rows just written: for an event on a day already in the log, at most a
    month and a week of days, however long the history. All time is the totals' XP."""
    touched = {user_id: dated_periods(c.days) for user_id, c in learners if c.days}
    if not touched:
        return Counter()
    spans_read = [
        and_(
            ProgressDay.user_id == user_id,
            ProgressDay.local_date >= first,
            ProgressDay.local_date < after,
        )
        for user_id, keys in sorted(touched.items())
        for first, after in spans(keys)
    ]
    day_xp: dict[uuid.UUID, dict[date, int]] = defaultdict(dict)
    for i in range(0, len(spans_read), SPANS_PER_QUERY):
        found = await session.execute(
            select(
                ProgressDay.user_id, ProgressDay.local_date, ProgressDay.xp + ProgressDay.bonus_xp
            ).where(or_(*spans_read[i : i + SPANS_PER_QUERY]))
        )
        for user_id, day, xp in found:
            day_xp[user_id][day] = int(xp)
    totals = dict(learners)
    rows = [
        {"user_id": user_id, "period": period, "start": start, "xp": xp, "reached_at": now}
        for user_id, keys in sorted(touched.items())
        for (period, start), xp in sorted(dated_xp(day_xp[user_id], keys).items())
    ] + [
        {
            "user_id": user_id,
            "period": "all",
            "start": ALL_TIME,
            "xp": totals[user_id].totals.tally.xp + totals[user_id].totals.bonus_xp,
            "reached_at": now,
        }
        for user_id in sorted(touched)
    ]
    moves = await _listed_moves(session, rows)
    await session.execute(_period_upsert(dialect_of(session)), rows)
    return moves


async def _listed_moves(session: AsyncSession, rows: list[dict[str, Any]]) -> ListedMoves:
    """How writing `rows` moves the XP of those of them listed on the leaderboards: one less
    at the stored XP, one more at the new. A row not stored yet is not listed yet."""
    # Three lists rather than a list of keys: each database seeks the primary key for every
    # combination, where a list of keys would be read as a scan (SQLite) or a long OR.
    found = await session.execute(
        select(
            ProgressPeriod.user_id, ProgressPeriod.period, ProgressPeriod.start, ProgressPeriod.xp
        ).where(
            ProgressPeriod.user_id.in_(sorted({r["user_id"] for r in rows})),
            ProgressPeriod.period.in_(sorted({r["period"] for r in rows})),
            ProgressPeriod.start.in_(sorted({r["start"] for r in rows})),
            ProgressPeriod.listed.is_(True),
        )
    )
    new_xp = {(r["user_id"], r["period"], r["start"]): r["xp"] for r in rows}
    moves: ListedMoves = Counter()
    for user_id, period, start, xp in found:
        after = new_xp.get((user_id, period, start), xp)  # a combination not being written
        if after != xp:
            moves[(period, start, int(xp))] -= 1
            moves[(period, start, int(after))] += 1
    return moves


@cache
def _period_upsert(dialect: str) -> Any:
    """Overwrite a period's XP; its `reached_at` moves only when the XP rose."""
    stmt = insert_for(dialect, ProgressPeriod)
    return stmt.on_conflict_do_update(
        index_elements=["user_id", "period", "start"],
        set_={
            "xp": stmt.excluded.xp,
            "reached_at": case(
                (stmt.excluded.xp > ProgressPeriod.xp, stmt.excluded.reached_at),
                else_=ProgressPeriod.reached_at,
            ),
        },
    )


async def add_unlocked(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        stmt = insert_for(dialect_of(session), UnlockedAchievement).on_conflict_do_nothing()
        await session.execute(stmt, rows)


async def move_unlocks(session: AsyncSession, user_id: uuid.UUID, dates: dict[str, date]) -> None:
    """File unlocked achievements under new local dates (a late event reached them earlier)."""
    for achievement_id, day in sorted(dates.items()):
        await session.execute(
            update(UnlockedAchievement)
            .where(
                UnlockedAchievement.user_id == user_id,
                UnlockedAchievement.achievement_id == achievement_id,
            )
            .values(local_date=day)
        )


async def update_topic_level(
    session: AsyncSession, user_id: uuid.UUID, topic: str, row: TopicRow
) -> None:
    await _upsert(session, ProgressTopic, ["user_id", "topic"], [_topic_row(user_id, topic, row)])


async def replace_projection(
    session: AsyncSession, user_id: uuid.UUID, rows: Changes, now: datetime
) -> None:
    """Rewrite every projection row of a learner but the unlocked achievements, which stay."""
    for model in (ProgressTotals, ProgressDay, ProgressTopic, ProgressTopicDay, ProgressPeriod):
        await session.execute(delete(model).where(model.user_id == user_id))
    await write_all(session, {user_id: rows}, now)


async def unlocked_since_of(
    conn: AsyncConnection, user_ids: Collection[uuid.UUID], since: datetime
) -> list[Any]:
    """The learners' achievements unlocked after `since` (user_id, achievement_id,
    unlocked_at)."""
    rows = await conn.execute(
        select(
            UnlockedAchievement.user_id,
            UnlockedAchievement.achievement_id,
            UnlockedAchievement.unlocked_at,
        ).where(
            UnlockedAchievement.user_id.in_(sorted(user_ids)),
            UnlockedAchievement.unlocked_at > since,
        )
    )
    return list(rows)


# Vacations and the day start ------------------------------------------------------------------


async def vacations_of(
    session: AsyncSession, user_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, dict[str, Vacation]]:
    """Each learner's vacations by id, cancelled and past ones included."""
    found: dict[uuid.UUID, dict[str, Vacation]] = {user_id: {} for user_id in user_ids}
    if not found:
        return found
    rows = await session.execute(
        _rows(VacationRow).where(VacationRow.user_id.in_(sorted(user_ids)))
    )
    for row in rows:
        found[row.user_id][row.vacation_id] = Vacation(
            row.vacation_id, row.first_day, row.planned_last_day, row.last_day
        )
    return found


async def vacations(session: AsyncSession, user_id: uuid.UUID) -> dict[str, Vacation]:
    return (await vacations_of(session, [user_id]))[user_id]


async def write_vacations(
    session: AsyncSession, user_id: uuid.UUID, vacations: Iterable[Vacation]
) -> None:
    await _upsert(
        session,
        VacationRow,
        ["user_id", "vacation_id"],
        [
            {
                "user_id": user_id,
                "vacation_id": v.id,
                "first_day": v.first_day,
                "planned_last_day": v.planned_last_day,
                "last_day": v.last_day,
            }
            for v in sorted(vacations, key=lambda v: v.id)
        ],
    )


async def replace_vacations(
    session: AsyncSession, user_id: uuid.UUID, vacations: Iterable[Vacation]
) -> None:
    await session.execute(delete(VacationRow).where(VacationRow.user_id == user_id))
    await write_vacations(session, user_id, vacations)


async def vacation_log(
    session: AsyncSession, user_id: uuid.UUID
) -> list[tuple[str, dict[str, Any] | None]]:
    """The learner's vacation events as `(kind, metadata)`, for a recomputation."""
    rows = await session.execute(
        select(Event.kind, Event.meta).where(
            Event.user_id == user_id, Event.kind.in_(VACATION_KINDS)
        )
    )
    return [(row.kind, row.meta) for row in rows]


async def day_start_log(session: AsyncSession, user_id: uuid.UUID) -> list[dict[str, Any] | None]:
    """The metadata of the learner's `day_start_changed` events, in the order recorded: their
    ids number them."""
    rows = await session.execute(
        select(Event.meta)
        .where(Event.user_id == user_id, Event.kind == DAY_START_CHANGED)
        .order_by(Event.event_id)
    )
    return list(rows.scalars())


async def achievements_kept_by_voids(session: AsyncSession, user_id: uuid.UUID) -> set[str]:
    """Achievements the learner keeps though the log, less its voided events, no longer reaches
    them: each `event_voided` event lists the ones it left unreached."""
    rows = await session.scalars(
        select(Event.meta).where(Event.user_id == user_id, Event.kind == "event_voided")
    )
    return {a for meta in rows if meta for a in meta.get("kept_achievements", [])}
