"""XP by week, month and all time for the leaderboards (`progress_periods`), filled from the
day rows already stored

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 16:30:00.000000
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from alembic import op

from questpath.db import UTCDateTime

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ALL_TIME = date(1970, 1, 1)


def upgrade() -> None:
    periods = op.create_table(
        "progress_periods",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("xp", sa.BigInteger(), nullable=False),
        sa.Column("reached_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_progress_periods_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "period", "start", name=op.f("pk_progress_periods")),
    )
    op.create_index("ix_progress_periods_board", "progress_periods", ["period", "start", "xp"])
    _fill(periods)


def _fill(periods: sa.Table) -> None:
    """A row for each week, month and all time that holds an active day, as the recorder
    would have written it (progress.periods): weeks from Monday, months from the first."""
    bind = op.get_bind()
    days = sa.table(
        "progress_days",
        sa.column("user_id", sa.Uuid()),
        sa.column("local_date", sa.Date()),
        sa.column("xp", sa.BigInteger()),
        sa.column("bonus_xp", sa.Integer()),
    )
    xp: dict[tuple[object, str, date], int] = defaultdict(int)
    query = sa.select(days.c.user_id, days.c.local_date, days.c.xp, days.c.bonus_xp)
    for user_id, day, earned, bonus in bind.execute(query):
        for key in (
            ("week", day - timedelta(days=day.weekday())),
            ("month", day.replace(day=1)),
            ("all", ALL_TIME),
        ):
            xp[(user_id, *key)] += earned + bonus
    now = datetime.now(UTC)
    rows = [
        {"user_id": u, "period": p, "start": s, "xp": total, "reached_at": now}
        for (u, p, s), total in xp.items()
    ]
    for first in range(0, len(rows), 5000):
        bind.execute(sa.insert(periods), rows[first : first + 5000])


def downgrade() -> None:
    op.drop_index("ix_progress_periods_board", table_name="progress_periods")
    op.drop_table("progress_periods")
