"""API key scopes name what they govern: events, progress, tracks, quizzes, goals, profile

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 06:00:00.000000

Until now a key had `events:read` and/or `events:write`, and most routes checked neither, so
any key read everything, the owner's e-mail address included. Existing keys keep what their
integrations did with them, without the e-mail:

- `events:read`  → events:read, progress:read, tracks:read, quizzes:read, goals:read
- `events:write` → events:write, tracks:write, quizzes:write, goals:write

No key gets `profile:read` (the e-mail address, the public page's link) or `profile:write`
(which no key could do before): their owners create a new key when an integration needs them.
A write-only key no longer learns the stored resource from a write's answer; that was the leak.

Downgrading keeps only `events:read` and `events:write` of each key: a key made with only the
new scopes is left with none, which the old scoped routes refuse.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

UPGRADES = {
    "events:read": ("events:read", "progress:read", "tracks:read", "quizzes:read", "goals:read"),
    "events:write": ("events:write", "tracks:write", "quizzes:write", "goals:write"),
}
OLD_SCOPES = frozenset(UPGRADES)

api_keys = sa.table("api_keys", sa.column("id", sa.Uuid), sa.column("scopes", sa.JSON))


def upgraded(scopes: list[str]) -> list[str]:
    return sorted({new for old in scopes for new in UPGRADES.get(old, (old,))})


def downgraded(scopes: list[str]) -> list[str]:
    return sorted(set(scopes) & OLD_SCOPES)


def _rewrite(change: Callable[[list[str]], list[str]]) -> None:
    conn = op.get_bind()
    for key_id, scopes in conn.execute(sa.select(api_keys.c.id, api_keys.c.scopes)).all():
        new = change(list(scopes))
        if new != list(scopes):
            conn.execute(api_keys.update().where(api_keys.c.id == key_id).values(scopes=new))


def upgrade() -> None:
    _rewrite(upgraded)


def downgrade() -> None:
    _rewrite(downgraded)
