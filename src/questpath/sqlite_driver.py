"""SQLite through aiosqlite in one trip to its thread per statement.

SQLAlchemy's aiosqlite adapter crosses to aiosqlite's worker thread four times per statement
(open a cursor, execute, fetch the rows, close the cursor). Each crossing costs two thread
wake-ups, about 0.1 ms here: more than SQLite itself spends on the indexed reads and small
writes QuestPath runs. This adapter does all four in one crossing. `db.create_engine` selects
it for `sqlite+aiosqlite` URLs; server-side cursors (streamed exports) keep the stock adapter.
It relies on aiosqlite's `Connection._execute` (queue a callable for its thread), which
aiosqlite has kept since 0.17; the whole test suite runs through it.
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
    SQLiteDialect_aiosqlite,
)
from sqlalchemy.util.concurrency import await_

DRIVER = "questpath_aiosqlite"

_Outcome = tuple[Any, list[Any], int, int | None]


def _run(conn: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> _Outcome:
    """In aiosqlite's thread: execute, read every row, close."""
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        else:
            cursor.execute(operation, () if parameters is None else parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ("_outcome_description", "_outcome_lastrowid", "_outcome_rowcount")

    def __init__(self, adapt_connection: Any) -> None:
        # No cursor is opened here: `_run` opens and closes its own.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._rows = collections.deque()
        self._outcome_description: Any = None
        self._outcome_rowcount = -1
        self._outcome_lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._outcome_description

    @property
    def rowcount(self) -> int:
        return self._outcome_rowcount

    @property
    def lastrowid(self) -> Any:
        return self._outcome_lastrowid

    async def _async_soft_close(self) -> None:
        return

    def close(self) -> None:
        self._rows.clear()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        try:
            return await_(self._in_thread(operation, parameters, many=False))
        except Exception as error:  # noqa: BLE001 - translated to the DBAPI's errors
            self._adapt_connection._handle_exception(error)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        try:
            return await_(self._in_thread(operation, seq_of_parameters, many=True))
        except Exception as error:  # noqa: BLE001 - translated to the DBAPI's errors
            self._adapt_connection._handle_exception(error)

    async def _in_thread(self, operation: Any, parameters: Any, *, many: bool) -> None:
        connection = self._connection
        async with self._adapt_connection._execute_mutex:
            outcome: _Outcome = await connection._execute(
                _run, connection._conn, operation, parameters, many
            )
        self._outcome_description, rows, self._outcome_rowcount, self._outcome_lastrowid = outcome
        self._rows = collections.deque(rows)


class _Connection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneTripCursor


class _DBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> _Connection:
        stock = super().connect(*arg, **kw)
        return _Connection(self, stock._connection)


class Dialect(SQLiteDialect_aiosqlite):
    driver = DRIVER
    supports_statement_cache = True

    @classmethod
    def import_dbapi(cls) -> _DBAPI:
        return _DBAPI(__import__("aiosqlite"), __import__("sqlite3"))


registry.register(f"sqlite.{DRIVER}", __name__, "Dialect")
