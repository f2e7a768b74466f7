"""xAPI identities: `xapi_identities` links the identifiers statements name learners by to
learners, and `users.email_sha1` finds a learner by the `mbox_sha1sum` of their address; filled
for the accounts there are

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-04 19:30:00.000000
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from questpath.db import UTCDateTime

revision: str = "0034"
down_revision: str | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "xapi_identities",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ifi", sa.String(length=600), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_xapi_identities_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "id", name=op.f("pk_xapi_identities")),
    )
    op.create_index("ix_xapi_identities_ifi", "xapi_identities", ["ifi"], unique=True)
    # ALTER TABLE in place: copying the users table, as a batch would on SQLite, drops the old
    # one, and its foreign keys would cascade to every table.
    op.add_column("users", sa.Column("email_sha1", sa.String(length=40), nullable=True))
    users = sa.table(
        "users", sa.column("id", sa.Uuid()), sa.column("email"), sa.column("email_sha1")
    )
    bind = op.get_bind()
    digests = [
        {"user_id": user_id, "digest": hashlib.sha1(f"mailto:{email}".encode()).hexdigest()}  # noqa: S324
        for user_id, email in bind.execute(sa.select(users.c.id, users.c.email)).all()
    ]
    if digests:
        bind.execute(
            users.update()
            .where(users.c.id == sa.bindparam("user_id"))
            .values(email_sha1=sa.bindparam("digest")),
            digests,
        )
    op.create_index(op.f("ix_users_email_sha1"), "users", ["email_sha1"])


def downgrade() -> None:
    op.drop_index(op.f("ix_users_email_sha1"), table_name="users")
    op.drop_column("users", "email_sha1")  # in place (SQLite 3.35+), for the same reason
    op.drop_index("ix_xapi_identities_ifi", table_name="xapi_identities")
    op.drop_table("xapi_identities")
