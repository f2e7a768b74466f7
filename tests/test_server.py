"""The real server: `questpath serve` as a subprocess, spoken to over real HTTP."""

from __future__ import annotations

import asyncio
import json
import os
import re
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

import questpath
from questpath.db import create_engine
from tests.helpers import PASSWORD, Account, all_events, register_account
from tests.servers import Server

MIB = 1024 * 1024


async def test_served_health_is_ok_and_serve_prints_the_address(
    serve: Callable[..., Server], migrated_url: str
) -> None:
    server = serve(migrated_url)

    async with server.client() as client:
        response = await client.get("/health")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "version": questpath.__version__,
    }
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
    assert response.headers["x-content-type-options"] == "nosniff"
    assert f"QuestPath {questpath.__version__} is running at {server.base_url}" in server.output()

    def logged() -> bool:
        access = [json.loads(line) for line in server.logs().splitlines() if '"request"' in line]
        return any(
            entry.get("path") == "/health"
            and entry.get("request_id") == response.headers["x-request-id"]
            for entry in access
        )

    # The access log line is written once the answer has gone out: it may trail the response.
    for _ in range(200):  # 10 s at most
        if logged():
            break
        await asyncio.sleep(0.05)
    assert logged()


async def _empty_postgres_database() -> str:
    server = os.environ["QUESTPATH_TEST_POSTGRES_URL"]
    name = f"questpath_empty_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await admin.dispose()
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            tables = await conn.scalar(
                text("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
            )
    finally:
        await engine.dispose()
    assert tables == 0
    return url


async def test_serve_migrates_a_brand_new_empty_database_itself(
    serve: Callable[..., Server], backend: str, tmp_path: Path
) -> None:
    if backend == "sqlite":
        path = tmp_path / "fresh" / "questpath.db"
        assert not path.exists()
        url = f"sqlite+aiosqlite:///{path}"
    else:
        url = await _empty_postgres_database()

    server = serve(url)
    async with server.client() as client:
        account = await register_account(client, "first@example.com")
        me = await client.get("/api/users/me", headers=account.headers)
        login = await client.post(
            "/api/auth/login", json={"email": "first@example.com", "password": PASSWORD}
        )

    assert me.status_code == 200, me.text
    assert me.json()["email"] == "first@example.com"
    assert login.status_code == 200, login.text


async def test_concurrent_posts_of_one_event_id_across_two_workers_store_it_once(
    serve: Callable[..., Server], migrated_url: str
) -> None:
    server = serve(migrated_url, workers=2)
    event = {"id": "same-event-1", "kind": "exercise_completed", "grade": 90.0}

    async with server.client() as client:
        learner = await register_account(client, "racer@example.com")
        responses = await asyncio.gather(
            *(client.post("/api/events", json=event, headers=learner.headers) for _ in range(20))
        )
        stored = await all_events(client, learner.headers)

    assert [r.status_code for r in responses] == [201] * 20, [r.text for r in responses]
    statuses = [r.json()["results"][0]["status"] for r in responses]
    assert statuses.count("created") == 1
    assert statuses.count("duplicate") == 19
    assert sum(r.json()["created"] for r in responses) == 1
    assert [e["id"] for e in stored] == ["same-event-1"]
    assert stored[0]["grade"] == 90.0


async def _chunks(data: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def test_chunked_upload_over_the_limit_is_413_over_real_http(
    serve: Callable[..., Server], migrated_url: str
) -> None:
    server = serve(migrated_url)
    events = [
        {"id": f"big-{i}", "kind": "exercise_completed", "metadata": {"note": "x" * 3200}}
        for i in range(1000)
    ]
    body = json.dumps({"events": events}).encode()
    assert len(body) > 3 * MIB

    async with server.client() as client:
        learner: Account = await register_account(client, "uploader@example.com")
        response = await client.post(
            "/api/events",
            content=_chunks(body),
            headers={"Content-Type": "application/json", **learner.headers},
        )
        stored = await all_events(client, learner.headers)

    assert "content-length" not in response.request.headers
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 413
    assert str(2 * MIB) in response.json()["detail"]
    assert stored == []
