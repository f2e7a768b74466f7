"""track items' places on the learning path: the section that lists them and their position

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 21:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing items are on no path: their tracks were imported before path sections were read.
    with op.batch_alter_table("track_items") as batch_op:
        batch_op.add_column(sa.Column("path_category_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("path_position", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("track_items") as batch_op:
        batch_op.drop_column("path_position")
        batch_op.drop_column("path_category_id")
