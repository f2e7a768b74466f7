"""track items' topics: their top-level category, no longer their nearest heading

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 21:30:00.000000

An item without a topic of its own used to count under its nearest heading, so most items of a
real track counted under "Unknown Unknowns" or "Areas for Improvement"; now they count under their
top-level category without its numbering ("## 3. Git Workflow" -> "Git Workflow"). Items store no
derived topic, so tracks themselves need no change; what carries the old topics is what QuestPath
recorded from them, and this migration moves exactly that:

- the log's `item_completed` and `item_reopened` events of an item still in a category, and
  `category_finished` events of a category that still exists, whose topic is the one the old rule
  gave (the nearest category's title, unnumbered), get the one the new rule gives;
- questions generated about such an item whose topic is the old one get the new one, and so do
  the `quiz_reviewed` events of those questions whose topic is the old one.

Events are otherwise never rewritten; these are QuestPath's own records of a rule that changed,
and rewriting them is what makes a recomputation from the log agree with the rule now in force.
Left as they are: events of deleted items and categories (nothing says where they were), topics
set by hand (on an item, a question or a goal), events learners recorded themselves, and
`quiz_completed` events (a quiz counts for the topic it was asked on; its questions are copies).

Every learner with a rewritten event loses their `progress_totals` row, which marks their
projections as predating the log: `questpath migrate` and `questpath serve` run
`verify.build_missing` right after migrating, which rewrites all their projection rows from the
log (keeping the level history of topics that remain and every unlocked achievement).

Downgrading applies the same mapping the other way. The migration imports nothing from the
application: the two topic rules are copied here as they are at this revision.
"""

import re
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NUMBERING = re.compile(r"^\s*\d+(?:\.\d+)*[.)]?\s+")
_TOPIC_MAX_LENGTH = 100
_PREFIX = "questpath:"
_BATCH = 1000

_categories = sa.table(
    "track_categories",
    sa.column("user_id", sa.Uuid()),
    sa.column("id", sa.Uuid()),
    sa.column("parent_id", sa.Uuid()),
    sa.column("title", sa.Text()),
)
_items = sa.table(
    "track_items",
    sa.column("user_id", sa.Uuid()),
    sa.column("id", sa.Uuid()),
    sa.column("category_id", sa.Uuid()),
    sa.column("topic", sa.String(100)),
)
_questions = sa.table(
    "questions",
    sa.column("user_id", sa.Uuid()),
    sa.column("id", sa.Uuid()),
    sa.column("item_id", sa.Uuid()),
    sa.column("topic", sa.String(100)),
)
_events = sa.table(
    "events",
    sa.column("user_id", sa.Uuid()),
    sa.column("event_id", sa.String(128)),
    sa.column("kind", sa.String(64)),
    sa.column("topic", sa.String(100)),
)
_totals = sa.table("progress_totals", sa.column("user_id", sa.Uuid()))

Key = tuple[uuid.UUID, uuid.UUID]  # (learner, row id)
Move = tuple[str, str]  # (topic before, topic after)


def _topic(title: str) -> str:
    """tracks.rules.default_topic at this revision."""
    stripped = _NUMBERING.sub("", title).strip() or title.strip()
    return stripped[:_TOPIC_MAX_LENGTH].strip()


def _category_moves(conn: sa.Connection) -> dict[Key, Move]:
    """(old topic, new topic) of each category whose items change topic."""
    rows: dict[Key, tuple[uuid.UUID | None, str]] = {
        (row.user_id, row.id): (row.parent_id, row.title)
        for row in conn.execute(sa.select(_categories))
    }

    def top_title(key: Key) -> str:
        seen: set[uuid.UUID] = set()
        parent_id, title = rows[key]
        while parent_id is not None and (key[0], parent_id) in rows and parent_id not in seen:
            seen.add(parent_id)
            parent_id, title = rows[(key[0], parent_id)]
        return title

    moves = {key: (_topic(title), _topic(top_title(key))) for key, (_, title) in rows.items()}
    return {key: move for key, move in moves.items() if move[0] != move[1]}


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _rewrite(conn: sa.Connection, *, backwards: bool) -> None:
    category_moves = {
        key: (after, before) if backwards else (before, after)
        for key, (before, after) in _category_moves(conn).items()
    }
    item_moves: dict[Key, Move] = {}
    # An item with a topic of its own had it under both rules, and so did its questions.
    found_items = sa.select(_items).where(
        _items.c.category_id.is_not(None), _items.c.topic.is_(None)
    )
    for row in conn.execute(found_items).all():
        move = category_moves.get((row.user_id, row.category_id))
        if move is not None:
            item_moves[(row.user_id, row.id)] = move
    question_moves: dict[Key, Move] = {}
    question_updates = []
    found = conn.execute(sa.select(_questions).where(_questions.c.item_id.is_not(None))).all()
    for row in found:
        move = item_moves.get((row.user_id, row.item_id))
        if move is None:
            continue
        question_moves[(row.user_id, row.id)] = move
        if row.topic == move[0]:
            question_updates.append({"b_user": row.user_id, "b_id": row.id, "b_topic": move[1]})
    _update_many(
        conn,
        sa.update(_questions)
        .where(_questions.c.user_id == sa.bindparam("b_user"))
        .where(_questions.c.id == sa.bindparam("b_id"))
        .values(topic=sa.bindparam("b_topic")),
        question_updates,
    )

    # kind -> (what its id names after the prefix, how that thing's topic moves)
    moves_by_kind = {
        "item_completed": ("item", item_moves),
        "item_reopened": ("item", item_moves),
        "category_finished": ("category", category_moves),
        "quiz_reviewed": ("review", question_moves),
    }
    event_updates, learners = [], set()
    found = conn.execute(
        sa.select(_events.c.user_id, _events.c.event_id, _events.c.kind, _events.c.topic).where(
            _events.c.kind.in_(list(moves_by_kind)), _events.c.event_id.like(f"{_PREFIX}%")
        )
    ).all()
    for row in found:
        name, moves = moves_by_kind[row.kind]
        # questpath:item:<id>, questpath:item:<id>:reopened:<n>, questpath:review:<id>:<n>, ...
        parts = row.event_id.split(":")
        if len(parts) < 3 or parts[1] != name or (target := _uuid(parts[2])) is None:
            continue
        move = moves.get((row.user_id, target))
        if move is not None and row.topic == move[0]:
            event_updates.append({"b_user": row.user_id, "b_id": row.event_id, "b_topic": move[1]})
            learners.add(row.user_id)
    _update_many(
        conn,
        sa.update(_events)
        .where(_events.c.user_id == sa.bindparam("b_user"))
        .where(_events.c.event_id == sa.bindparam("b_id"))
        .values(topic=sa.bindparam("b_topic")),
        event_updates,
    )
    # Their projections now disagree with the log: without a totals row, build_missing rebuilds
    # them right after migrating.
    ordered = sorted(learners)
    for start in range(0, len(ordered), _BATCH):
        chunk = ordered[start : start + _BATCH]
        conn.execute(sa.delete(_totals).where(_totals.c.user_id.in_(chunk)))


def _update_many(conn: sa.Connection, statement: Any, rows: Iterable[dict[str, Any]]) -> None:
    batch = list(rows)
    for start in range(0, len(batch), _BATCH):
        conn.execute(statement, batch[start : start + _BATCH])


def upgrade() -> None:
    _rewrite(op.get_bind(), backwards=False)


def downgrade() -> None:
    _rewrite(op.get_bind(), backwards=True)
