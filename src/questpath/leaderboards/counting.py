"""The one way the boards' stored counts change: add to a count, or start it."""

from __future__ import annotations

from functools import cache
from typing import Any

from questpath.db import insert_for
from questpath.leaderboards.models import LeaderboardScore, LeaderboardSize, LeaderboardStreakCount


@cache
def adding(
    dialect: str,
    model: type[LeaderboardSize] | type[LeaderboardScore] | type[LeaderboardStreakCount],
) -> Any:
    """INSERT ... ON CONFLICT (the key) DO UPDATE SET learners = learners + the new row's."""
    stmt = insert_for(dialect, model)
    keys = [c.name for c in model.__mapper__.primary_key]
    return stmt.on_conflict_do_update(
        index_elements=keys, set_={"learners": model.learners + stmt.excluded.learners}
    )
