"""account lifecycle: a version that revokes access tokens, a pending deletion, and what a
browser session was signed in with

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 06:00:00.000000

Access tokens issued before this migration carry no version and count as version 0, which every
existing account has, so nobody is signed out by upgrading.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from questpath.db import UTCDateTime

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "users", sa.Column("token_version", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column("users", sa.Column("deletion_due_at", UTCDateTime(), nullable=True))
    op.add_column("web_sessions", sa.Column("user_agent", sa.String(length=200), nullable=True))


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN in place (SQLite 3.35+): copying the users table, as a batch
    # would on SQLite, drops the old one, and its foreign keys would cascade to every table.
    op.drop_column("web_sessions", "user_agent")
    op.drop_column("users", "deletion_due_at")
    op.drop_column("users", "token_version")
