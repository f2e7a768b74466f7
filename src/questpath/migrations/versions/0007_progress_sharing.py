"""progress sharing

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 20:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from questpath.db import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "progress_shares",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("handle", sa.String(length=32), nullable=True),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_progress_shares_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_progress_shares")),
        sa.UniqueConstraint("handle", name=op.f("uq_progress_shares_handle")),
        sa.UniqueConstraint("token", name=op.f("uq_progress_shares_token")),
    )
    op.create_table(
        "progress_share_tracks",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("track_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["progress_shares.user_id"],
            name=op.f("fk_progress_share_tracks_user_id_progress_shares"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id", "track_id"],
            ["tracks.user_id", "tracks.id"],
            name="fk_progress_share_tracks_track_id",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "track_id", name=op.f("pk_progress_share_tracks")),
    )


def downgrade() -> None:
    op.drop_table("progress_share_tracks")
    op.drop_table("progress_shares")
