"""Whole-database backups taken while the server runs, and restores into an empty database.

SQLite: the online backup API copies the pages of one read snapshot (held open across the
steps, so a writer in WAL mode neither waits nor makes the copy start over) into a file of its
own. PostgreSQL: `pg_dump --format=custom` of a snapshot exported from a transaction that also
counts the events, so the count printed is the count in the file. See docs/backups.md.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal
from urllib.parse import quote, urlencode

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from questpath.db import create_engine

Kind = Literal["sqlite", "postgresql"]
# Called with (done, total) as the work advances; total is None while unknown.
Progress = Callable[[int, int | None], None]

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
SUFFIX: dict[Kind, str] = {"sqlite": "sqlite", "postgresql": "dump"}
PAGES_PER_STEP = 1024  # 4 MiB at the default page size
BUSY_TIMEOUT_MS = 15_000
NAME = re.compile(r"^questpath-\d{8}T\d{6}Z\.(sqlite|dump)$")
PG_BIN_DIRS = "/usr/lib/postgresql/*/bin"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class Written:
    path: Path
    size: int
    events: int


@dataclass(frozen=True)
class Restored:
    kind: Kind
    events: int
    events_in_backup: int | None  # known for SQLite backups, which can be read without restoring


def _ignore(_done: int, _total: int | None) -> None:
    pass


def kind_of_url(database_url: str) -> Kind:
    return "sqlite" if make_url(database_url).get_backend_name() == "sqlite" else "postgresql"


def kind_of_file(path: Path) -> Kind:
    """The kind of backup in `path`, from its first bytes."""
    try:
        with path.open("rb") as file:
            head = file.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupError(f"cannot read {path}: {error.strerror}") from error
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError(
        f"{path} is neither a SQLite database nor a pg_dump custom-format archive: "
        "not a QuestPath backup"
    )


def default_path(backups_dir: Path, kind: Kind, now: datetime) -> Path:
    return backups_dir / f"questpath-{now:%Y%m%dT%H%M%SZ}.{SUFFIX[kind]}"


def prune(backups_dir: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups named by `default_path`; return the deleted."""
    named = sorted(p for p in backups_dir.iterdir() if NAME.match(p.name))  # names sort by time
    doomed = named[: max(len(named) - keep, 0)]
    for path in doomed:
        path.unlink()
    return doomed


@contextmanager
def _private_partial(target: Path) -> Iterator[Path]:
    """A 0600 file beside `target` that becomes `target` when the body succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        yield partial
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def backup(database_url: str, target: Path, progress: Progress = _ignore) -> Written:
    """Write a consistent copy of the whole database to `target` (mode 0600)."""
    if target.exists():
        raise BackupError(f"{target} exists already; name a new file")
    with _private_partial(target) as partial, _sqlite_errors():
        if kind_of_url(database_url) == "sqlite":
            events = _backup_sqlite(_sqlite_path(database_url), partial, progress)
        else:
            events = asyncio.run(_backup_postgresql(database_url, partial, progress))
    return Written(target, target.stat().st_size, events)


@contextmanager
def _sqlite_errors() -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as error:
        raise BackupError(f"SQLite: {error}") from error


def _sqlite_path(database_url: str) -> Path:
    database = make_url(database_url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(database)


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return conn


def _sqlite_progress(progress: Progress) -> Callable[[int, int, int], object]:
    return lambda _status, remaining, total: progress(total - remaining, total)


def _backup_sqlite(source_path: Path, partial: Path, progress: Progress) -> int:
    if not source_path.is_file():
        raise BackupError(f"the database {source_path} does not exist")
    source, copy = _connect(source_path), sqlite3.connect(partial, isolation_level=None)
    try:
        # One read transaction across every step: the copy is of one snapshot, and writes that
        # land meanwhile (in the WAL) neither wait for it nor restart it.
        source.execute("BEGIN")
        source.execute("SELECT count(*) FROM sqlite_master").fetchone()
        source.backup(copy, pages=PAGES_PER_STEP, progress=_sqlite_progress(progress))
        source.execute("ROLLBACK")
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        _check_sqlite(copy, partial)
        return _events_in(copy)
    finally:
        source.close()
        copy.close()


def _check_sqlite(conn: sqlite3.Connection, path: Path) -> None:
    (result,) = conn.execute("PRAGMA quick_check").fetchone()
    if result != "ok":
        raise BackupError(f"{path} failed SQLite's integrity check: {result}")


def _events_in(conn: sqlite3.Connection) -> int:
    try:
        (count,) = conn.execute("SELECT count(*) FROM events").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError("the database has no events table: not a QuestPath database") from error
    return int(count)


def find_pg_tool(name: str) -> Path | None:
    """The newest installed `name` (pg_dump, pg_restore): Debian keeps one per major version
    in /usr/lib/postgresql/<major>/bin; otherwise the one on PATH."""
    installed = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: [int(n) for n in re.findall(r"\d+", p.parent.parent.name)],
    )
    if installed:
        return installed[-1]
    found = shutil.which(name)
    return Path(found) if found else None


def _pg_tool(name: str) -> Path:
    tool = find_pg_tool(name)
    if tool is None:
        raise BackupError(
            f"{name} was not found on PATH or in {PG_BIN_DIRS}: install the PostgreSQL client "
            "tools of your server's major version or newer (Debian: apt install postgresql-client)"
        )
    return tool


def libpq(database_url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection URI for `database_url` without its password, and the environment
    that carries the password (PGPASSWORD), so no password shows in a process list."""
    url: URL = make_url(database_url)
    query = {key: str(value) for key, value in url.query.items()}  # values may be tuples
    host = query.pop("host", None) or url.host or ""
    params: dict[str, str] = {}
    if "ssl" in query or "sslmode" in query:  # asyncpg spells it ssl, libpq sslmode
        params["sslmode"] = query.get("sslmode") or query["ssl"]
    if host.startswith("/"):  # a Unix socket directory
        params["host"] = host
        host = ""
    user = quote(url.username or "", safe="")
    netloc = f"{user}@{host}" if user else host
    if url.port:
        netloc += f":{url.port}"
    uri = f"postgresql://{netloc}/{quote(url.database or '', safe='')}"
    if params:
        uri += "?" + urlencode(params)
    env = {**os.environ}
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    return uri, env


async def _run_tool(args: list[str], env: dict[str, str]) -> None:
    process = await asyncio.create_subprocess_exec(
        *args, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    _, stderr = await process.communicate()
    if process.returncode != 0:
        message = stderr.decode(errors="replace").strip()
        raise BackupError(f"{Path(args[0]).name} failed (exit {process.returncode}): {message}")


async def _backup_postgresql(database_url: str, partial: Path, progress: Progress) -> int:
    pg_dump = _pg_tool("pg_dump")
    uri, env = libpq(database_url)
    progress(0, None)
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="REPEATABLE READ")
            async with conn.begin():
                # pg_dump reads the snapshot this transaction exports, so the count below is
                # the count in the file; the transaction stays open until pg_dump is done.
                snapshot = (await conn.execute(text("SELECT pg_export_snapshot()"))).scalar_one()
                events = int((await conn.execute(text("SELECT count(*) FROM events"))).scalar_one())
                await _run_tool(
                    [
                        str(pg_dump),
                        "--format=custom",
                        f"--snapshot={snapshot}",
                        f"--file={partial}",
                        f"--dbname={uri}",
                    ],
                    env,
                )
    finally:
        await engine.dispose()
    progress(1, 1)
    return events


# Restore


def restore(
    database_url: str, source: Path, *, force: bool, progress: Progress = _ignore
) -> Restored:
    """Fill the configured database from the backup `source`. It must be empty (see
    `is_empty`) unless `force`; its schema is left at the backup's revision (migrate next)."""
    kind, wanted = kind_of_file(source), kind_of_url(database_url)
    if kind != wanted:
        raise BackupError(
            f"{source} is a {kind} backup but the configured database is {wanted}: a backup "
            "restores into the same kind of database only. To move to another database, export "
            "each account (GET /api/progress/export) and load it with `questpath user import`."
        )
    empty = asyncio.run(is_empty(database_url))
    if not force and not empty:
        raise BackupError(
            "the configured database is not empty (it has accounts or events); nothing was "
            "changed. Restore into an empty database, or pass --force to replace everything "
            "in it with the backup."
        )
    if kind == "sqlite":
        with _sqlite_errors():
            in_backup = _restore_sqlite(source, _sqlite_path(database_url), progress)
    else:
        in_backup = None
        asyncio.run(_restore_postgresql(database_url, source, empty, progress))
    return Restored(kind, asyncio.run(count_events(database_url)), in_backup)


async def is_empty(database_url: str) -> bool:
    """Empty: no accounts table yet, or neither an account nor an event in it (a database that
    only had `questpath migrate` run on it)."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            tables = await conn.run_sync(
                lambda sync: set(sync.dialect.get_table_names(sync)) & {"users", "events"}
            )
            if tables != {"users", "events"}:
                return True
            found = await conn.execute(
                text("SELECT EXISTS (SELECT 1 FROM users) OR EXISTS (SELECT 1 FROM events)")
            )
            return not found.scalar_one()
    finally:
        await engine.dispose()


async def count_events(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(text("SELECT count(*) FROM events"))).scalar_one())
    finally:
        await engine.dispose()


def _restore_sqlite(source_path: Path, target_path: Path, progress: Progress) -> int:
    """The backup API the other way: the copy lands in one write transaction of the target,
    through its WAL, so a reader sees the old database or the new one, never a mix."""
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, isolation_level=None)
    try:
        _check_sqlite(source, source_path)
        events = _events_in(source)
        target_path.parent.mkdir(parents=True, exist_ok=True)
        target = _connect(target_path)
        try:
            source.backup(target, pages=PAGES_PER_STEP, progress=_sqlite_progress(progress))
            target.execute("PRAGMA journal_mode=WAL")
        finally:
            target.close()
    finally:
        source.close()
    return events


async def _restore_postgresql(
    database_url: str, source: Path, empty: bool, progress: Progress
) -> None:
    pg_restore = _pg_tool("pg_restore")
    uri, env = libpq(database_url)
    progress(0, None)
    if empty:  # tables of a newer schema than the backup's would stop its migrations later
        await _drop_tables(database_url)
    # One transaction: a failed restore leaves the database as it was.
    await _run_tool(
        [
            str(pg_restore),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={uri}",
            str(source),
        ],
        env,
    )
    progress(1, 1)


async def _drop_tables(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            names = await conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            )
            for (name,) in names.all():
                await conn.execute(text(f'DROP TABLE IF EXISTS "{name}" CASCADE'))
    finally:
        await engine.dispose()
