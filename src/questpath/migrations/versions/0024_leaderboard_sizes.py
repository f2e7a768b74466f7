"""Leaderboards read in constant time: `progress_periods.listed` marks the rows of learners who
joined, the board index leads with it, `leaderboard_sizes` counts each board's learners, and
partial indexes list the ids of the few accounts that wait to be deleted or are disabled

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 19:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HIDDEN = {"deletion_due_at": "ix_users_deletion_due_at", "disabled_at": "ix_users_disabled_at"}


def upgrade() -> None:
    op.add_column(
        "progress_periods",
        sa.Column("listed", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.execute(
        "UPDATE progress_periods SET listed = true"
        " WHERE user_id IN (SELECT user_id FROM leaderboard_members)"
    )
    op.drop_index("ix_progress_periods_board", table_name="progress_periods")
    op.create_index(
        "ix_progress_periods_board", "progress_periods", ["period", "start", "listed", "xp"]
    )
    op.create_table(
        "leaderboard_sizes",
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("learners", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("period", "start", name=op.f("pk_leaderboard_sizes")),
    )
    op.execute(
        "INSERT INTO leaderboard_sizes (period, start, learners)"
        " SELECT period, start, count(*) FROM progress_periods WHERE listed"
        " GROUP BY period, start"
    )
    for column, name in HIDDEN.items():
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(name, "users", ["id"], sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for name in HIDDEN.values():
        op.drop_index(name, table_name="users")
    op.drop_table("leaderboard_sizes")
    op.drop_index("ix_progress_periods_board", table_name="progress_periods")
    op.create_index("ix_progress_periods_board", "progress_periods", ["period", "start", "xp"])
    with op.batch_alter_table("progress_periods") as batch:
        batch.drop_column("listed")
