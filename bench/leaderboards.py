"""`python -m bench.leaderboards`: a learner's rank and a top-50 page on a board of 100,000
learners, on SQLite and PostgreSQL, beside a primary-key read of the same table; the same two
reads on the streak board.

The boards are filled straight into the tables (users, members, their week, month and all-time
rows and their streaks, a few accounts waiting to be deleted), as the recorder and the joins
would leave them;
then QuestPath's own leaderboard queries run in this process, one at a time, for learners drawn
at random. The ceiling is the cheapest read the table allows: one period row by its key. A naive
rank (count the whole board) is timed too, to show what the stored counts save.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text

from bench.postgres import throwaway_database
from bench.sections import replace_section
from questpath.auth.models import User
from questpath.db import create_engine, create_sessionmaker, migrate
from questpath.leaderboards import repository as repo
from questpath.leaderboards import streaks
from questpath.leaderboards.models import LeaderboardMember, LeaderboardStreak
from questpath.progress.models import ProgressPeriod
from questpath.progress.periods import ALL_TIME, period_start

TODAY = date(2026, 12, 2)
WEEK = period_start("week", TODAY)
MONTH = period_start("month", date(2026, 12, 2))
BOARDS = (("week", WEEK), ("month", MONTH), ("all", ALL_TIME))
CHUNK = 5000


@dataclass
class Timing:
    name: str
    samples: list[float]  # seconds

    def ms(self, q: float) -> float:
        ordered = sorted(self.samples)
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class BackendResult:
    backend: str
    version: str
    learners: int
    timings: list[Timing]
    cpu: dict[str, float]  # share of one core over the measured reads


def _rows(learners: int, members: float, hidden: int) -> tuple[list[dict[str, Any]], ...]:
    rng = random.Random(7)
    now = datetime(2026, 12, 2, 12, tzinfo=UTC)
    users, joined, periods, streak_rows = [], [], [], []
    for n in range(learners):
        user_id = uuid.UUID(int=rng.getrandbits(128))
        users.append(
            {
                "id": user_id,
                "email": f"learner{n}@example.org",
                "password_hash": "-",
                "display_name": f"Learner {n}",
                "created_at": now,
                "updated_at": now,
                "deletion_due_at": now + timedelta(days=30) if n < hidden else None,
            }
        )
        listed = rng.random() < members
        if listed:
            joined.append({"user_id": user_id, "show_name": n % 3 == 0, "joined_at": now})
            # Half the streaks are current (their last day today or lately, with 0-2 freezes),
            # half broke at some time in the last year, however long they had grown.
            run = int(rng.paretovariate(1.1))
            last = TODAY - timedelta(days=rng.randrange(2) if n % 2 else rng.randrange(2, 365))
            alive = last + timedelta(days=1 + rng.randrange(3))
            streak_rows.append(
                {"user_id": user_id, "run": run, "reached_on": last, "alive_until": alive}
            )
        all_xp = int(rng.paretovariate(1.2) * 40)
        for period, start in BOARDS:
            xp = all_xp if period == "all" else int(all_xp * rng.random())
            reached = now - timedelta(seconds=rng.randrange(86400 * 30))
            periods.append(
                {"user_id": user_id, "period": period, "start": start, "xp": xp,
                 "reached_at": reached, "listed": listed}
            )  # fmt: skip
    return users, joined, periods, streak_rows


async def _fill(url: str, learners: int) -> list[uuid.UUID]:
    users, joined, periods, streak_rows = _rows(learners, members=0.9, hidden=100)
    engine = create_engine(url)
    maker = create_sessionmaker(engine)
    filled = (
        (User, users),
        (LeaderboardMember, joined),
        (ProgressPeriod, periods),
        (LeaderboardStreak, streak_rows),
    )
    try:
        for table, rows in filled:
            for first in range(0, len(rows), CHUNK):
                async with maker.begin() as session:
                    await session.execute(insert(table), rows[first : first + CHUNK])
        async with maker.begin() as session:
            await repo.recount_sizes(session)
            await streaks.recount(session)
        async with engine.connect() as conn:
            autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(text("VACUUM ANALYZE" if "postgresql" in url else "ANALYZE"))
    finally:
        await engine.dispose()
    return [row["user_id"] for row in joined]


async def _time(
    url: str, reads: int, step: Callable[[Any, Any], Awaitable[object]], picks: list[Any]
) -> list[float]:
    engine = create_engine(url)
    maker = create_sessionmaker(engine)
    samples = []
    try:
        async with maker() as session:
            for n in range(reads + 20):
                started = time.perf_counter()
                await step(session, picks[n % len(picks)])
                if n >= 20:  # the first reads warm the caches and the pool
                    samples.append(time.perf_counter() - started)
                await session.rollback()
    finally:
        await engine.dispose()
    return samples


async def _rank(session: Any, pick: tuple[uuid.UUID, str, date]) -> None:
    user_id, period, start = pick
    xp = await repo.xp_of(session, user_id, period, start)
    await repo.counts(session, period, start, xp or 0)


async def _top(session: Any, pick: tuple[uuid.UUID, str, date]) -> None:
    await repo.top(session, pick[1], pick[2], 50)


async def _streak_rank(session: Any, pick: tuple[uuid.UUID, str, date]) -> None:
    run = await streaks.run_of(session, pick[0], TODAY)
    await streaks.counts(session, TODAY, run or 0)


async def _streak_top(session: Any, pick: tuple[uuid.UUID, str, date]) -> None:
    await streaks.top(session, TODAY, 50)


async def _by_key(session: Any, pick: tuple[uuid.UUID, str, date]) -> None:
    user_id, period, start = pick
    await session.scalar(
        select(ProgressPeriod.xp).where(
            ProgressPeriod.user_id == user_id,
            ProgressPeriod.period == period,
            ProgressPeriod.start == start,
        )
    )


async def _count_board(session: Any, pick: tuple[uuid.UUID, str, date]) -> None:
    _, period, start = pick
    await session.scalar(
        select(func.count()).where(
            ProgressPeriod.period == period,
            ProgressPeriod.start == start,
            ProgressPeriod.listed.is_(True),
        )
    )


def measure(url: str, backend: str, version: str, learners: int, reads: int,
            database_cpu: Callable[[], float]) -> BackendResult:  # fmt: skip
    members = asyncio.run(_fill(url, learners))
    rng = random.Random(11)
    picks = [(rng.choice(members), *rng.choice(BOARDS)) for _ in range(reads)]
    steps = {
        "Ceiling: one period row by its key": _by_key,
        "A learner's rank and percentile": _rank,
        "The top 50": _top,
        "Naive rank: count the whole board": _count_board,
        "Streak board: a learner's rank and percentile": _streak_rank,
        "Streak board: the top 50": _streak_top,
    }
    timings = []
    process, database = time.process_time(), database_cpu()
    wall = time.perf_counter()
    for name, step in steps.items():
        timings.append(Timing(name, asyncio.run(_time(url, reads, step, picks))))
    wall = time.perf_counter() - wall
    cpu = {
        "this process (queries and driver)": (time.process_time() - process) / wall,
        "database server": (database_cpu() - database) / wall,
    }
    return BackendResult(backend, version, learners, timings, cpu)


TARGETS_MS = {
    "A learner's rank and percentile": 5.0,
    "The top 50": 10.0,
    "Streak board: a learner's rank and percentile": 5.0,
    "Streak board: the top 50": 10.0,
}


def _verdict(timing: Timing) -> str:
    target = TARGETS_MS.get(timing.name)
    if target is None:
        return ""
    return f"≤ {target:g} ms: {'met' if timing.ms(0.5) <= target else 'not met'}"


def markdown(results: list[BackendResult], command: str) -> str:
    lines = [
        "### Leaderboards: 100,000 learners",
        "",
        f"`{command}`. Each board (week, month, all time) holds every learner's row; 90% of the "
        "learners joined, 100 of them wait to be deleted. The rank read is `repository.xp_of` "
        "and `repository.counts`; the top read is `repository.top(50)`. Targets: a rank in "
        "≤ 5 ms, a top-50 page in ≤ 10 ms. The streak board (every member's current streak, "
        "half of them current, half broken at some time in the last year) is read with "
        "`streaks.run_of` and `streaks.counts`, and `streaks.top(50)`, to the same targets.",
        "",
        "| Backend | Read | p50 ms | p95 ms | p99 ms | × ceiling (p50) | Target (p50) |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for result in results:
        ceiling = result.timings[0].ms(0.5)
        for timing in result.timings:
            lines.append(
                f"| {result.backend} {result.version} | {timing.name} | {timing.ms(0.5):.2f} | "
                f"{timing.ms(0.95):.2f} | {timing.ms(0.99):.2f} | "
                f"{timing.ms(0.5) / ceiling:.1f} | {_verdict(timing)} |"
            )
    lines += [
        "",
        "A rank adds up `leaderboard_scores`, the board's count of learners at each score, over "
        "the scores on one side of the learner (the side away from the board's middle), and "
        "reads the count at the learner's own score: it costs the number of distinct scores on "
        "that side, not the number of learners, however many share a score. A streak rank adds "
        "up `leaderboard_streak_counts` over the (last current day, length) pairs current on "
        "the reader's day: a few hundred rows. The streak top 50 walks the board index from the "
        "longest streak down, skipping the broken ones.",
        "",
        "CPU over the measured reads, % of one core:",
        "",
    ]
    for result in results:
        shares = ", ".join(f"{name} {100 * share:.0f}%" for name, share in result.cpu.items())
        lines.append(f"- {result.backend}: {shares}.")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.leaderboards", description=__doc__)
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--reads", type=int, default=1000, help="timed reads of each kind")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--doc", type=Path, help="replace the leaderboards section of this page")
    args = parser.parse_args(argv)

    results = []
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory() as temp, throwaway_database(backend, Path(temp)) as db:
            migrate(db.url)
            results.append(
                measure(db.url, backend, db.version, args.learners, args.reads, db.cpu_seconds)
            )
    command = "python -m bench.leaderboards " + " ".join(sys.argv[1:] if argv is None else argv)
    page = markdown(results, command.strip())
    print(page)
    if args.doc is not None:
        replace_section(args.doc, "leaderboards", page)


if __name__ == "__main__":
    main()
