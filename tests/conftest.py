"""Fixtures: the real app over ASGI on real databases (SQLite and PostgreSQL), migrated by Alembic.

Every test that takes `client` runs once per backend in QUESTPATH_TEST_DATABASES
("sqlite,postgresql" by default); PostgreSQL comes from QUESTPATH_TEST_POSTGRES_URL, which
scripts/test sets after starting a throwaway server.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import hypothesis
import pytest
import structlog
from fastapi import FastAPI
from schemathesis.pytest.plugin import SchemathesisFunction
from sqlalchemy import text

from questpath.app import create_app
from questpath.config import Settings
from questpath.db import create_engine, migrate
from tests.helpers import Account, empty_tables, register_account
from tests.servers import SentryEnvelopes, Server, Servers, SmtpServer, sentry_server, smtp_server

BACKENDS = [
    b for b in os.environ.get("QUESTPATH_TEST_DATABASES", "sqlite,postgresql").split(",") if b
]
TEST_SECRET = "test-signing-key-" + "x" * 40
# The cheapest Argon2id cost the settings allow, for these tests and the servers they start: at
# the default cost every sign-up and sign-in spends ~0.2 s of a core on the hash alone.
# tests/auth/test_password_hashing.py checks the default cost.
os.environ.setdefault("QUESTPATH_PASSWORD_HASH_TIME_COST", "1")
os.environ.setdefault("QUESTPATH_PASSWORD_HASH_MEMORY_KIB", "1024")
# Tests sign many accounts up from one address, and each app's counters stay its own in memory
# on PostgreSQL too; tests/ratelimit sets the limits and storage it tests.
os.environ.setdefault("QUESTPATH_RATE_LIMIT_REGISTRATION", "10000/hour")
os.environ.setdefault("QUESTPATH_RATE_LIMIT_STORAGE", "memory")

# No per-example time limit: speed is measured by the benchmarks, and on a busy two-core machine a
# timed example fails for reasons that have nothing to do with the code.
hypothesis.settings.register_profile("questpath", deadline=None)
hypothesis.settings.load_profile("questpath")


# The slowest modules, slowest first. Run first, they spread over the test processes (one module
# stays in one process), and the small ones fill in around them, so the processes finish together
# instead of one running the last slow module alone.
SLOWEST_MODULES = (
    "tests/test_openapi_conformance.py",
    "tests/auth/test_routes.py",
    "tests/test_write_safety.py",
    "tests/test_server.py",
    "tests/web/test_pages.py",
    "tests/tracks/test_markdown.py",
    "tests/tracks/test_routes.py",
    "tests/recorder/test_group_commit.py",
    "tests/test_verify.py",
    "tests/progress/test_projections.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        _name_by_operation(item)
    rank = {module: place for place, module in enumerate(SLOWEST_MODULES)}
    items.sort(key=lambda item: rank.get(item.nodeid.partition("::")[0], len(rank)))


def _name_by_operation(item: pytest.Item) -> None:
    """Give each schemathesis test its operation in its id, as in its name. From pytest 9.2 an
    item's id comes from its callspec, which schemathesis's items have none of: they would all
    share one id, and pytest-xdist would run only one of them."""
    if not isinstance(item, SchemathesisFunction) or item.nodeid.endswith("]"):
        return
    base, _, operation = item.name.partition("[")
    if operation and item.parent is not None:
        item._id = item.parent.id.child(base).with_params(operation.removesuffix("]"))


def pytest_configure(config: pytest.Config) -> None:
    if "postgresql" in BACKENDS and not os.environ.get("QUESTPATH_TEST_POSTGRES_URL"):
        raise pytest.UsageError(
            "PostgreSQL tests need QUESTPATH_TEST_POSTGRES_URL: run ./scripts/test, which starts "
            "a throwaway server, or set QUESTPATH_TEST_DATABASES=sqlite for a SQLite-only run"
        )


async def _create_postgres_database(server_url: str, name: str) -> str:
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="session")
def new_database(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., str]:
    """Make an empty database on `backend`, migrated to `revision`, and return its URL."""

    def make(backend: str, revision: str = "head") -> str:
        if backend == "sqlite":
            url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('sqlite') / 'questpath.db'}"
        else:
            server = os.environ["QUESTPATH_TEST_POSTGRES_URL"]
            name = f"questpath_test_{uuid.uuid4().hex[:12]}"
            url = asyncio.run(_create_postgres_database(server, name))
        migrate(url, revision)
        return url

    return make


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def migrated_url(backend: str, new_database: Callable[..., str]) -> str:
    """A fresh migrated database of its own, for a test that starts server processes."""
    return new_database(backend)


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, new_database: Callable[..., str]) -> str:
    backend: str = request.param
    return new_database(backend)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, data_dir=tmp_path, secret_key=TEST_SECRET)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    app = create_app(settings)
    yield app
    # Leave the shared database empty for the next test (the schema stays).
    async with app.state.engine.begin() as conn:
        await empty_tables(conn)
    await app.state.engine.dispose()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("198.51.100.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def learner(client: httpx.AsyncClient) -> Account:
    return await register_account(client, "learner@example.com")


@pytest.fixture
async def other_learner(client: httpx.AsyncClient) -> Account:
    return await register_account(client, "other@example.com")


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Start `questpath serve` on a free port; every server started is stopped at teardown."""
    servers = Servers(tmp_path)
    yield servers.start
    servers.stop_all()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server on loopback; `smtp.mailbox` holds what QuestPath sent."""
    with smtp_server() as server:
        yield server


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """Undo what configure_logging changes, for the tests that come after."""
    root = logging.getLogger()
    handlers, level, structlog_config = root.handlers[:], root.level, structlog.get_config()
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.configure(**structlog_config)


@pytest.fixture
def sentry() -> Iterator[SentryEnvelopes]:
    """A real Sentry ingestion server on loopback; `sentry.dsn` reports to it."""
    with sentry_server() as server:
        yield server


def mail_settings(database_url: str, data_dir: Path, smtp_port: int, **more: Any) -> Settings:
    """Settings that send e-mail through the test SMTP server on `smtp_port`."""
    return Settings(
        database_url=database_url,
        data_dir=data_dir,
        secret_key=TEST_SECRET,
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        smtp_from="QuestPath <questpath@example.org>",
        smtp_starttls=False,
        **more,
    )
