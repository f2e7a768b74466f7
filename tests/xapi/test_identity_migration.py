"""Migration 0034: accounts made before it are found by the mbox_sha1sum of their address, also
after going down and up again, on both databases."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from questpath.db import alembic_config, create_engine
from questpath.xapi.identities import resolve

BEFORE = "0033"
ADDRESSES = ("ada@example.com", "grace@example.org")


async def _run(url: str, sql: str, **params: Any) -> list[Any]:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            result = await conn.execute(text(sql), params)
            return list(result.all()) if result.returns_rows else []
    finally:
        await engine.dispose()


async def _who(url: str, *ifis: str) -> dict[str, uuid.UUID]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn, AsyncSession(conn) as session:
            return await resolve(session, ifis)
    finally:
        await engine.dispose()


async def test_accounts_made_before_are_found_by_the_hash_of_their_address_after_it(
    backend: str, new_database: Callable[..., str]
) -> None:
    url = await asyncio.to_thread(new_database, backend, BEFORE)
    now = datetime.now(UTC)
    ids = {address: uuid.uuid4() for address in ADDRESSES}
    for address, user_id in ids.items():
        await _run(
            url,
            "INSERT INTO users (id, email, password_hash, display_name, timezone, role, "
            "created_at, updated_at) VALUES (:id, :email, 'x', 'x', 'UTC', 'learner', :now, :now)",
            id=user_id.hex if backend == "sqlite" else user_id,
            email=address,
            now=now,
        )
    config = alembic_config(url)
    await asyncio.to_thread(command.upgrade, config, "head")

    digests = {
        f"mbox_sha1sum:{hashlib.sha1(f'mailto:{a}'.encode()).hexdigest()}": ids[a]  # noqa: S324
        for a in ADDRESSES
    }
    assert await _who(url, *digests) == digests

    await asyncio.to_thread(command.downgrade, config, BEFORE)
    assert len(await _run(url, "SELECT id FROM users")) == len(ADDRESSES)
    await asyncio.to_thread(command.upgrade, config, "head")
    assert await _who(url, *digests) == digests
