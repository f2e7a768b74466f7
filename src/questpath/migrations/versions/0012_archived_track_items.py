"""track items' archived_at: an item a re-imported document no longer lists is archived, not
deleted, so its events and XP stay, and listing it again brings it back with its state

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 00:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from questpath.db import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every existing item is live: null means not archived.
    op.add_column("track_items", sa.Column("archived_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    # Archived items have no place in a schema without archiving: they go, as deleted items do
    # (their events stay in the log).
    op.execute(sa.text("DELETE FROM track_items WHERE archived_at IS NOT NULL"))
    if op.get_bind().dialect.name == "sqlite":
        # Natively (SQLite 3.35+): a batch copy of the table would drop the old one, and with
        # foreign keys on, that deletes every sub-item through parent_id.
        op.execute(sa.text("ALTER TABLE track_items DROP COLUMN archived_at"))
    else:
        op.drop_column("track_items", "archived_at")
