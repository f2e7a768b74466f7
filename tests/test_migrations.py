"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi import FastAPI

from questpath.db import Base


async def test_migrations_leave_no_difference_from_the_models(app: FastAPI) -> None:
    def differences(connection: Any) -> list[Any]:
        return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))

    async with app.state.engine.connect() as conn:
        assert await conn.run_sync(differences) == []
