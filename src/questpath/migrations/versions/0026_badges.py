"""Published Open Badges assertions (`badge_assertions`) and the choice to publish all
(`badge_settings`)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03 18:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from questpath.db import UTCDateTime

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "badge_assertions",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("achievement_id", sa.String(length=64), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("identity", sa.String(length=80), nullable=False),
        sa.Column("issued_on", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_badge_assertions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "id", name=op.f("pk_badge_assertions")),
    )
    op.create_index("ix_badge_assertions_id", "badge_assertions", ["id"], unique=True)
    op.create_index(
        "ix_badge_assertions_user_id_achievement_id",
        "badge_assertions",
        ["user_id", "achievement_id"],
    )
    op.create_table(
        "badge_settings",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("publish_all", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_badge_settings_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_badge_settings")),
    )


def downgrade() -> None:
    op.drop_table("badge_settings")
    op.drop_index("ix_badge_assertions_user_id_achievement_id", table_name="badge_assertions")
    op.drop_index("ix_badge_assertions_id", table_name="badge_assertions")
    op.drop_table("badge_assertions")
