"""The LRS's documents: `xapi_documents` holds the state, activity profile and agent profile
documents of each account, and `xapi_activities` the canonical definition of each activity

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-04 19:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0033"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "xapi_documents",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("resource", sa.String(length=16), nullable=False),
        sa.Column("activity_id", sa.String(), nullable=False),
        sa.Column("agent", sa.String(), nullable=False),
        sa.Column("registration", sa.String(length=36), nullable=False),
        sa.Column("document_id", sa.String(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("etag", sa.String(length=40), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_xapi_documents_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "user_id",
            "resource",
            "activity_id",
            "agent",
            "registration",
            "document_id",
            name=op.f("pk_xapi_documents"),
        ),
    )
    op.create_index(
        "ix_xapi_documents_context",
        "xapi_documents",
        ["user_id", "resource", "activity_id", "agent", "updated"],
    )
    op.create_table(
        "xapi_activities",
        sa.Column("activity_id", sa.String(), nullable=False),
        sa.Column(
            "definition",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("activity_id", name=op.f("pk_xapi_activities")),
    )


def downgrade() -> None:
    op.drop_table("xapi_activities")
    op.drop_index("ix_xapi_documents_context", table_name="xapi_documents")
    op.drop_table("xapi_documents")
