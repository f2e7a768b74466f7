"""tracks and track counters

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 21:11:21.603993
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from questpath.db import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TALLY_TABLES = ("progress_totals", "progress_days", "progress_topics", "progress_topic_days")
NEW_COUNTERS = ("items_completed", "categories_finished", "tracks_finished")


def upgrade() -> None:
    op.create_table(
        "tracks",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("template_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_tracks_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "id", name=op.f("pk_tracks")),
    )
    op.create_table(
        "track_categories",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("track_id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id", "parent_id"],
            ["track_categories.user_id", "track_categories.id"],
            name="fk_track_categories_parent_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id", "track_id"],
            ["tracks.user_id", "tracks.id"],
            name="fk_track_categories_track_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_track_categories_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "id", name=op.f("pk_track_categories")),
    )
    with op.batch_alter_table("track_categories", schema=None) as batch_op:
        batch_op.create_index("ix_track_categories_track", ["user_id", "track_id"], unique=False)
        batch_op.create_index("ix_track_categories_parent", ["user_id", "parent_id"], unique=False)

    op.create_table(
        "track_shares",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("track_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id", "track_id"],
            ["tracks.user_id", "tracks.id"],
            name="fk_track_shares_track_id",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_track_shares")),
        sa.UniqueConstraint("user_id", "track_id", name="uq_track_shares_track"),
    )
    op.create_table(
        "track_items",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("track_id", sa.Uuid(), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=True),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("horizon", sa.String(length=16), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("topic", sa.String(length=100), nullable=True),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id", "category_id"],
            ["track_categories.user_id", "track_categories.id"],
            name="fk_track_items_category_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id", "parent_id"],
            ["track_items.user_id", "track_items.id"],
            name="fk_track_items_parent_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id", "track_id"],
            ["tracks.user_id", "tracks.id"],
            name="fk_track_items_track_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_track_items_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "id", name=op.f("pk_track_items")),
    )
    with op.batch_alter_table("track_items", schema=None) as batch_op:
        batch_op.create_index("ix_track_items_category", ["user_id", "category_id"], unique=False)
        batch_op.create_index("ix_track_items_parent", ["user_id", "parent_id"], unique=False)
        batch_op.create_index("ix_track_items_track", ["user_id", "track_id"], unique=False)

    for table in TALLY_TABLES:
        with op.batch_alter_table(table) as batch_op:
            for column in NEW_COUNTERS:
                batch_op.add_column(
                    sa.Column(column, sa.BigInteger(), nullable=False, server_default="0")
                )


def downgrade() -> None:
    for table in TALLY_TABLES:
        with op.batch_alter_table(table) as batch_op:
            for column in NEW_COUNTERS:
                batch_op.drop_column(column)

    with op.batch_alter_table("track_items", schema=None) as batch_op:
        batch_op.drop_index("ix_track_items_track")
        batch_op.drop_index("ix_track_items_category")
        batch_op.drop_index("ix_track_items_parent")

    op.drop_table("track_items")
    op.drop_table("track_shares")
    with op.batch_alter_table("track_categories", schema=None) as batch_op:
        batch_op.drop_index("ix_track_categories_track")
        batch_op.drop_index("ix_track_categories_parent")

    op.drop_table("track_categories")
    op.drop_table("tracks")
