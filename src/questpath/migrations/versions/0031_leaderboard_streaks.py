"""The streak board: `leaderboard_streaks` holds the current streak of each learner who joined
the leaderboards with the last day it stays current, and `leaderboard_streak_counts` counts
them by that day and length; both filled from the stored streaks and vacations

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-04 17:00:00.000000
"""

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

from questpath.leaderboards.rules import alive_until
from questpath.progress.rules import StreakState
from questpath.progress.vacations import Vacation, VacationDays

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    streaks = op.create_table(
        "leaderboard_streaks",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("run", sa.Integer(), nullable=False),
        sa.Column("reached_on", sa.Date(), nullable=False),
        sa.Column("alive_until", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_leaderboard_streaks_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_leaderboard_streaks")),
    )
    op.create_index(
        "ix_leaderboard_streaks_board",
        "leaderboard_streaks",
        ["run", "reached_on", "alive_until", "user_id"],
    )
    counts = op.create_table(
        "leaderboard_streak_counts",
        sa.Column("alive_until", sa.Date(), nullable=False),
        sa.Column("run", sa.Integer(), nullable=False),
        sa.Column("learners", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("alive_until", "run", name=op.f("pk_leaderboard_streak_counts")),
        sqlite_with_rowid=False,
    )
    _fill(streaks, counts)


def _fill(streaks: sa.Table, counts: sa.Table) -> None:
    bind = op.get_bind()
    found = bind.execute(
        sa.text(
            "SELECT t.user_id, t.streak_last_date, t.streak_run, t.streak_freezes"
            " FROM progress_totals t JOIN leaderboard_members m ON m.user_id = t.user_id"
            " WHERE t.streak_run > 0 AND t.streak_last_date IS NOT NULL"
        ).columns(
            sa.column("user_id", sa.Uuid()),
            sa.column("streak_last_date", sa.Date()),
            sa.column("streak_run", sa.Integer()),
            sa.column("streak_freezes", sa.Integer()),
        )
    ).all()
    if not found:
        return
    vacations: dict[object, list[Vacation]] = defaultdict(list)
    rows = bind.execute(
        sa.text(
            "SELECT user_id, vacation_id, first_day, planned_last_day, last_day FROM vacations"
        ).columns(
            sa.column("user_id", sa.Uuid()),
            sa.column("vacation_id", sa.String()),
            sa.column("first_day", sa.Date()),
            sa.column("planned_last_day", sa.Date()),
            sa.column("last_day", sa.Date()),
        )
    )
    for user_id, vacation_id, first, planned, last in rows:
        vacations[user_id].append(Vacation(vacation_id, first, planned, last))
    filled = []
    tally: Counter[tuple[date, int]] = Counter()
    for user_id, last_date, run, freezes in found:
        alive = alive_until(
            StreakState(last_date, run, freezes), VacationDays.of(vacations[user_id])
        )
        if alive is None:
            continue
        filled.append(
            {"user_id": user_id, "run": run, "reached_on": last_date, "alive_until": alive}
        )
        tally[(alive, run)] += 1
    op.bulk_insert(streaks, filled)
    op.bulk_insert(
        counts,
        [{"alive_until": a, "run": r, "learners": n} for (a, r), n in sorted(tally.items())],
    )


def downgrade() -> None:
    op.drop_table("leaderboard_streak_counts")
    op.drop_index("ix_leaderboard_streaks_board", table_name="leaderboard_streaks")
    op.drop_table("leaderboard_streaks")
