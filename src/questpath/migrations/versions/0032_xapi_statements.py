"""The xAPI LRS's statements: `xapi_statements` (each as stored, with what queries and voiding
need), `xapi_statement_terms` (what the query filters match) and `xapi_attachments`

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-04 20:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEQUENCE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "xapi_statements",
        sa.Column("seq", SEQUENCE, autoincrement=True, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("api_key_id", sa.Uuid(), nullable=True),
        sa.Column("stored", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verb_id", sa.String(length=2048), nullable=False),
        sa.Column("refers_to", sa.Uuid(), nullable=True),
        sa.Column("voided", sa.Boolean(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("event_id", sa.String(length=128), nullable=True),
        sa.Column(
            "statement", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_xapi_statements_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_xapi_statements_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_xapi_statements")),
        sa.UniqueConstraint("id", name=op.f("uq_xapi_statements_id")),
    )
    op.create_index("ix_xapi_statements_owner_seq", "xapi_statements", ["owner_id", "seq"])
    op.create_index("ix_xapi_statements_key_seq", "xapi_statements", ["api_key_id", "seq"])
    op.create_index("ix_xapi_statements_refers_to", "xapi_statements", ["refers_to"])
    op.create_index("ix_xapi_statements_user_id", "xapi_statements", ["user_id"])
    op.create_table(
        "xapi_statement_terms",
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.Column("seq", SEQUENCE, nullable=False),
        sa.Column("related", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seq"],
            ["xapi_statements.seq"],
            name=op.f("fk_xapi_statement_terms_seq_xapi_statements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("term", "seq", "related", name=op.f("pk_xapi_statement_terms")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_xapi_statement_terms_seq", "xapi_statement_terms", ["seq"])
    op.create_table(
        "xapi_attachments",
        sa.Column("sha2", sa.String(length=128), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha2", name=op.f("pk_xapi_attachments")),
    )


def downgrade() -> None:
    op.drop_table("xapi_attachments")
    op.drop_index("ix_xapi_statement_terms_seq", table_name="xapi_statement_terms")
    op.drop_table("xapi_statement_terms")
    op.drop_index("ix_xapi_statements_user_id", table_name="xapi_statements")
    op.drop_index("ix_xapi_statements_refers_to", table_name="xapi_statements")
    op.drop_index("ix_xapi_statements_key_seq", table_name="xapi_statements")
    op.drop_index("ix_xapi_statements_owner_seq", table_name="xapi_statements")
    op.drop_table("xapi_statements")
