"""The QUESTPATH_DB_* settings reach the engine, and PostgreSQL's statement timeout answers 503."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from questpath.app import create_app
from questpath.config import Settings
from questpath.database_errors import is_statement_timeout
from questpath.db import create_engine, engine_options
from tests.conftest import BACKENDS, TEST_SECRET
from tests.helpers import assert_problem, register_account


def test_pool_settings_reach_the_engine(database_url: str, tmp_path: Path) -> None:
    settings = Settings(
        database_url=database_url,
        data_dir=tmp_path,
        secret_key=TEST_SECRET,
        db_pool_size=3,
        db_max_overflow=2,
        db_pool_timeout_seconds=7.5,
        db_pool_recycle_seconds=600,
        db_pool_pre_ping=False,
    )
    pool = create_app(settings).state.engine.pool

    assert (pool.size(), pool._max_overflow, pool._timeout, pool._recycle) == (3, 2, 7.5, 600)
    assert pool._pre_ping is False


def test_the_defaults_keep_connections_and_ping_postgresql_ones(
    database_url: str, tmp_path: Path
) -> None:
    settings = Settings(database_url=database_url, data_dir=tmp_path)
    pool = create_app(settings).state.engine.pool

    assert (pool.size(), pool._max_overflow, pool._timeout, pool._recycle) == (5, 10, 30.0, -1)
    assert pool._pre_ping is (not settings.is_sqlite)


def test_the_statement_timeout_is_for_postgresql_and_zero_turns_it_off(tmp_path: Path) -> None:
    postgres = "postgresql+asyncpg://questpath@db.invalid/questpath"
    on = Settings(database_url=postgres, data_dir=tmp_path, db_statement_timeout_ms=1500)
    off = on.model_copy(update={"db_statement_timeout_ms": 0})
    sqlite = Settings(data_dir=tmp_path)

    assert engine_options(on)["connect_args"] == {"server_settings": {"statement_timeout": "1500"}}
    assert "connect_args" not in engine_options(off)
    assert {"connect_args", "pool_pre_ping"}.isdisjoint(engine_options(sqlite))


if "postgresql" in BACKENDS:

    @pytest.fixture
    def timing_out(new_database: Callable[[str], str], tmp_path: Path) -> Settings:
        return Settings(
            database_url=new_database("postgresql"),
            data_dir=tmp_path,
            secret_key=TEST_SECRET,
            db_statement_timeout_ms=300,
            auth_cache_seconds=0,  # every request reads its account from the database
        )

    async def test_a_statement_over_the_timeout_is_cancelled(timing_out: Settings) -> None:
        engine = create_engine(timing_out.database_url, **engine_options(timing_out))
        try:
            async with engine.connect() as conn:
                with pytest.raises(DBAPIError) as raised:
                    await conn.execute(text("SELECT pg_sleep(2)"))
        finally:
            await engine.dispose()
        assert is_statement_timeout(raised.value)

    async def test_a_request_whose_statement_times_out_answers_503_with_its_request_id(
        timing_out: Settings,
    ) -> None:
        app = create_app(timing_out)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        blocker = create_engine(timing_out.database_url)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                learner = await register_account(client, "slow@example.com")
                async with blocker.connect() as conn, conn.begin():
                    # Another transaction holds the accounts table: reading it waits past 300 ms.
                    await conn.execute(text("LOCK TABLE users IN ACCESS EXCLUSIVE MODE"))
                    response = await client.get("/api/progress", headers=learner.headers)
                still = await client.get("/api/progress", headers=learner.headers)
        finally:
            await blocker.dispose()
            await app.state.engine.dispose()

        body = assert_problem(response, 503)
        assert response.headers["x-request-id"] in body["detail"]
        assert response.headers["retry-after"] == "5"
        assert "Traceback" not in response.text
        assert still.status_code == 200
