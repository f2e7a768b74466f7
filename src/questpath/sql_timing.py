"""How many SQL statements a request ran and how long they took, from SQLAlchemy engine events.

Middleware opens a `SqlTally` per request in a context variable; the engine's cursor events add
to whichever tally the running code sees. SQLAlchemy's async layer runs each statement in a
greenlet that shares its caller's context, so a statement lands on the request that awaited it.
Outside any request (background tasks, the command line) nothing is counted.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

_STARTED = "questpath_sql_started"


@dataclass
class SqlTally:
    statements: int = 0
    seconds: float = 0.0

    def add(self, other: SqlTally) -> None:
        self.statements += other.statements
        self.seconds += other.seconds

    @property
    def milliseconds(self) -> float:
        return round(self.seconds * 1000, 2)


_current: ContextVar[SqlTally | None] = ContextVar("questpath_sql_tally", default=None)


def current_tally() -> SqlTally | None:
    """The tally the statements run here are counted in, if any."""
    return _current.get()


@contextmanager
def tallying() -> Iterator[SqlTally]:
    """Count the statements run in this context, until the block ends, in a new tally."""
    tally = SqlTally()
    token = _current.set(tally)
    try:
        yield tally
    finally:
        _current.reset(token)


def stop_tallying() -> None:
    """Count nothing run from here on in this context (a task serving many requests)."""
    _current.set(None)


def install_sql_timing(engine: AsyncEngine) -> None:
    """Count `engine`'s statements into the current tally; one context variable read when none."""

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _before(conn: Any, *_args: Any) -> None:
        if _current.get() is not None:
            conn.info[_STARTED] = time.perf_counter()

    @event.listens_for(engine.sync_engine, "after_cursor_execute")
    def _after(conn: Any, *_args: Any) -> None:
        tally = _current.get()
        started = conn.info.pop(_STARTED, None)
        if tally is not None and started is not None:
            tally.statements += 1
            tally.seconds += time.perf_counter() - started
