"""Engine, sessions, table metadata and migrations."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from questpath import sqlite_driver
from questpath.config import Settings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
READ_ONLY_OPTION = "questpath_read_only"
AFTER_COMMIT = "questpath_after_commit"

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every backend (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; attach a timezone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def engine_options(settings: Settings) -> dict[str, Any]:
    """`create_engine` keyword arguments from the QUESTPATH_DB_* settings."""
    if make_url(settings.database_url).database in (None, "", ":memory:") and settings.is_sqlite:
        return {}  # an in-memory database lives in its one connection: there is no pool to size
    options: dict[str, Any] = {
        "pool_size": settings.db_pool_size,
        "max_overflow": settings.db_max_overflow,
        "pool_timeout": settings.db_pool_timeout_seconds,
        "pool_recycle": settings.db_pool_recycle_seconds or -1,
    }
    if settings.is_sqlite:
        return options
    options["pool_pre_ping"] = settings.db_pool_pre_ping
    if settings.db_statement_timeout_ms:
        timeout = str(settings.db_statement_timeout_ms)
        options["connect_args"] = {"server_settings": {"statement_timeout": timeout}}
    return options


def create_engine(database_url: str, **kwargs: Any) -> AsyncEngine:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_async_engine(url, **({"pool_pre_ping": True} | kwargs))

    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    if url.get_driver_name() == "aiosqlite":  # the same driver, one thread trip per statement
        url = url.set(drivername=f"sqlite+{sqlite_driver.DRIVER}")
    engine = create_async_engine(url, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (see _begin_immediate).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin_immediate(conn: Any) -> None:
        # Take the write lock up front: a deferred transaction that reads and then writes fails at
        # once with SQLITE_BUSY when another writer got in between, instead of waiting its turn.
        # Read-only transactions (see read_only) begin deferred and never block or wait for
        # writers; query_only makes a write in one fail loudly, as PostgreSQL's read-only does.
        read_only = bool(conn.get_execution_options().get(READ_ONLY_OPTION, False))
        if conn.info.get(READ_ONLY_OPTION, False) != read_only:  # a pragma only when it changes
            conn.exec_driver_sql(f"PRAGMA query_only={int(read_only)}")
            conn.info[READ_ONLY_OPTION] = read_only
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def read_only(engine: AsyncEngine) -> AsyncEngine:
    """The same engine and pool, in read-only transactions that see one consistent state of the
    database throughout. They never take or wait for SQLite's write lock, and a write in one
    fails on both backends."""
    options: dict[str, Any] = {READ_ONLY_OPTION: True}
    if engine.dialect.name == "postgresql":
        options |= {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    return engine.execution_options(**options)


@asynccontextmanager
async def read_snapshot(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A read-only transaction on a bare connection, for long reads such as exports."""
    async with read_only(engine).connect() as conn, conn.begin():
        yield conn


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@asynccontextmanager
async def transaction(maker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit when the body succeeds, roll back when it raises."""
    async with maker() as session:
        async with session.begin():
            yield session
        for action in session.info.pop(AFTER_COMMIT, []):
            action()


def after_commit(session: AsyncSession, action: Callable[[], None]) -> None:
    """Run `action` once the unit of work of `session` has committed, never when it rolls back:
    for in-process state (caches) that must not get ahead of the database."""
    session.info.setdefault(AFTER_COMMIT, []).append(action)


def dialect_of(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def insert_for(dialect: str, table: Any) -> Any:
    """An INSERT that supports ON CONFLICT on `dialect` ("postgresql" or "sqlite")."""
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def migration_revisions() -> list[str]:
    """Every migration's revision id, oldest first."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def downgrade(database_url: str, revision: str) -> None:
    """Undo the migrations after `revision`. Blocking, like `migrate`."""
    command.downgrade(alembic_config(database_url), revision)


def migrate(database_url: str, revision: str = "head") -> None:
    """Bring the schema to `revision`. Blocking: call it outside a running event loop."""
    command.upgrade(alembic_config(database_url), revision)
