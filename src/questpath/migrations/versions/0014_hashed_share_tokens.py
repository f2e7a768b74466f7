"""share links keep only the SHA-256 of their token: `token` becomes `token_hash` in
`progress_shares` and `track_shares`

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 06:00:00.000000

Upgrading hashes every stored token in place, so each link made before keeps working: the hash
of the token in its address is what is now looked up. Downgrading cannot recover a token from
its hash, so it gives every share a fresh random token instead: every progress page and track
link made before the downgrade stops working (404), and the learners find their new links in
the settings and on the track pages, where the older code shows them.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

from questpath.auth.credentials import hash_secret

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

BATCH = 500
# Each table with the columns that name a row and never change while its token is rewritten.
TABLES = {"progress_shares": ("user_id",), "track_shares": ("user_id", "track_id")}


def upgrade() -> None:
    for table, keys in TABLES.items():
        _rewrite_tokens(table, keys, hash_secret)
    _rename_unique_token("token", "token_hash")
    with op.batch_alter_table("track_shares") as batch:
        batch.alter_column("token", new_column_name="token_hash")


def downgrade() -> None:
    with op.batch_alter_table("track_shares") as batch:
        batch.alter_column("token_hash", new_column_name="token")
    _rename_unique_token("token_hash", "token")
    for table, keys in TABLES.items():
        _rewrite_tokens(table, keys, lambda _hash: secrets.token_urlsafe(32))


def _rename_unique_token(old: str, new: str) -> None:
    # Two batches: SQLite's batch mode loses a constraint made on a column renamed in the same one.
    with op.batch_alter_table("progress_shares") as batch:
        batch.drop_constraint(f"uq_progress_shares_{old}", type_="unique")
        batch.alter_column(old, new_column_name=new)
    with op.batch_alter_table("progress_shares") as batch:
        batch.create_unique_constraint(f"uq_progress_shares_{new}", [new])


def _rewrite_tokens(name: str, keys: tuple[str, ...], new: Callable[[str], str]) -> None:
    """Set `token` to `new(token)` on every row, BATCH rows at a time, in the order of `keys`
    (which the rewrite leaves alone, so the walk neither skips nor revisits a row)."""
    columns = [sa.column(k, sa.Uuid()) for k in keys]
    table = sa.table(name, sa.column("token", sa.String()), *columns)
    key_columns = [table.c[k] for k in keys]
    change = (
        table.update()
        .where(*(column == sa.bindparam(f"old_{column.name}") for column in key_columns))
        .values(token=sa.bindparam("new_token"))
    )
    bind = op.get_bind()
    after: tuple[object, ...] | None = None
    while True:
        page = sa.select(*key_columns, table.c.token).order_by(*key_columns).limit(BATCH)
        if after is not None:
            pairs = zip(key_columns, after, strict=True)
            last = sa.tuple_(*(sa.bindparam(None, value, type_=c.type) for c, value in pairs))
            page = page.where(sa.tuple_(*key_columns) > last)
        rows = bind.execute(page).all()
        if not rows:
            return
        bind.execute(
            change,
            [
                {**{f"old_{k}": row[i] for i, k in enumerate(keys)}, "new_token": new(row[-1])}
                for row in rows
            ],
        )
        after = tuple(rows[-1][: len(keys)])
