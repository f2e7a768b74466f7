"""A learner's rank adds up scores, not learners: `leaderboard_scores` counts each board's
listed rows at each XP, filled from the listed rows

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-04 16:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "leaderboard_scores",
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("xp", sa.BigInteger(), nullable=False),
        sa.Column("learners", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("period", "start", "xp", name=op.f("pk_leaderboard_scores")),
        sqlite_with_rowid=False,
    )
    op.execute(
        "INSERT INTO leaderboard_scores (period, start, xp, learners)"
        " SELECT period, start, xp, count(*) FROM progress_periods WHERE listed"
        " GROUP BY period, start, xp"
    )


def downgrade() -> None:
    op.drop_table("leaderboard_scores")
