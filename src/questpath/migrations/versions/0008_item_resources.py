"""track items' resources: the links a title or a list of links gave them

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 20:55:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing items keep their text and have no resources yet: the default fills them in.
    with op.batch_alter_table("track_items") as batch_op:
        batch_op.add_column(
            sa.Column("resources", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("track_items") as batch_op:
        batch_op.drop_column("resources")
