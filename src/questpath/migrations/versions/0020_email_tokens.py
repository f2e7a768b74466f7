"""E-mail: single-use links (`email_tokens`) and `users.email_verified_at`

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 09:10:00.000000

Existing accounts start unverified (null); verification is asked for only where the operator
turns it on.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from questpath.db import UTCDateTime

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("email_verified_at", UTCDateTime(), nullable=True))
    op.create_table(
        "email_tokens",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "purpose IN ('password_reset', 'verify_email')", name=op.f("ck_email_tokens_purpose")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_email_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "token_hash", name=op.f("pk_email_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_email_tokens_token_hash")),
    )
    op.create_index(
        "ix_email_tokens_user_id_purpose_created_at",
        "email_tokens",
        ["user_id", "purpose", "created_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_email_tokens_user_id_purpose_created_at", table_name="email_tokens")
    op.drop_table("email_tokens")
    # ALTER TABLE … DROP COLUMN in place (SQLite 3.35+), as the other downgrades do.
    op.drop_column("users", "email_verified_at")
