"""events can be voided: `events.voided_by` names the `event_voided` event that voided one

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 01:00:00.000000

A voided event stays in the log and counts for nothing; the column is null for every event that
counts, which is every event before this migration, so no projection changes. Downgrading drops
the column: events voided by then count again, and `questpath verify` reports the learners whose
projections then differ from their log until `questpath verify --repair` rewrites them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("voided_by", sa.String(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("voided_by")
