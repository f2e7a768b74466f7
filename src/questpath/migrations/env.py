"""Alembic environment: runs migrations through the same async engine the app uses."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

import questpath.auth.models
import questpath.badges.models
import questpath.cohorts.models
import questpath.events.models
import questpath.goals.models
import questpath.leaderboards.models
import questpath.mentors.models
import questpath.notifications.models
import questpath.progress.models
import questpath.quizzes.models
import questpath.ratelimit.models
import questpath.sharing.models
import questpath.tracks.models
import questpath.webhooks.models
import questpath.xapi.document_models
import questpath.xapi.identity_models
import questpath.xapi.models  # noqa: F401
from questpath.db import Base, create_engine

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "")
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_online())
