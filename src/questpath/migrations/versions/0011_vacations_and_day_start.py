"""vacations and the hour a learner's day starts

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 00:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing learners' days start at midnight, as they always have: the default fills it in.
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(
            sa.Column("day_start_hour", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "vacations",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("vacation_id", sa.String(length=64), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("planned_last_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_vacations_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "vacation_id", name=op.f("pk_vacations")),
    )


def downgrade() -> None:
    op.drop_table("vacations")
    # ALTER TABLE … DROP COLUMN in place (SQLite 3.35+): copying the users table, as a batch
    # would on SQLite, drops the old one, and its foreign keys would cascade to every table.
    op.drop_column("users", "day_start_hour")
