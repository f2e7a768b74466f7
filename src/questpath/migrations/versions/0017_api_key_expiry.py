"""API keys may expire: `api_keys.expires_at`, null for a key that does not

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 07:10:00.000000

Every existing key keeps working as before: null means it never expires.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from questpath.db import UTCDateTime

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("api_keys", sa.Column("expires_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN in place (SQLite 3.35+), as the other downgrades do.
    op.drop_column("api_keys", "expires_at")
