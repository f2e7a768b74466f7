"""Small helpers that talk to the API the way a client would."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from http import HTTPStatus
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from questpath.auth import service as auth_service
from questpath.auth.models import User
from questpath.db import Base, transaction
from questpath.verify import Difference, verify

PASSWORD = "a long and unusual passphrase"
PROBLEM_JSON = "application/problem+json"
ADMIN_PASSWORD = "an admin's own long passphrase"


async def empty_tables(conn: AsyncConnection) -> None:
    """Delete every row, keeping the schema, so the next test starts from an empty database.

    PostgreSQL truncates: a DELETE of a large freshly filled table checks each row's foreign
    keys with plans made from stale statistics, which can scan the table once per row.
    """
    tables = list(reversed(Base.metadata.sorted_tables))
    if conn.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in tables)
        await conn.execute(text(f"TRUNCATE {names}"))
        return
    for table in tables:
        await conn.execute(table.delete())


@dataclass(frozen=True)
class Account:
    id: str
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def register_account(
    client: httpx.AsyncClient, email: str, *, timezone: str = "UTC", password: str = PASSWORD
) -> Account:
    response = await client.post(
        "/api/auth/register", json={"email": email, "password": password, "timezone": timezone}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return Account(id=body["user"]["id"], email=body["user"]["email"], token=body["access_token"])


async def post_events(
    client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]
) -> httpx.Response:
    return await client.post("/api/events", json=body, headers=headers)


async def all_events(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    """Every event the caller can list, following cursors to the end."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 500}
        if cursor:
            params["cursor"] = cursor
        response = await client.get("/api/events", params=params, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem with `status`; returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == status
    assert body["title"] == HTTPStatus(status).phrase
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body


def field_errors(response: httpx.Response) -> dict[str, str]:
    """A 422 problem's errors as {field: message}."""
    body = assert_problem(response, 422)
    return {error["field"]: error["message"] for error in body["errors"]}


# Local dates and times, for progress tests: the server reads "today" from the real clock in
# the learner's timezone, so events are placed relative to now.


def local_today(timezone: str = "UTC") -> date:
    """The current local date in `timezone`."""
    return datetime.now(ZoneInfo(timezone)).date()


def local_time(day: date, timezone: str = "UTC", hour: int = 12, minute: int = 0) -> str:
    """The instant `hour:minute` on the local date `day` in `timezone`, as ISO 8601 with offset."""
    return datetime.combine(day, time(hour, minute), ZoneInfo(timezone)).isoformat()


def days_ago(days: int, timezone: str = "UTC") -> str:
    """An instant on the local date `days` before today in `timezone`: noon that day, or for
    today noon or now, whichever is earlier (events may not lie in the future)."""
    now = datetime.now(ZoneInfo(timezone))
    noon = datetime.combine(now.date() - timedelta(days=days), time(12), ZoneInfo(timezone))
    return min(noon, now).isoformat()


async def record_events(
    client: httpx.AsyncClient, headers: dict[str, str], events: list[dict[str, Any]]
) -> dict[str, Any]:
    """POST `events` as one batch and return the 201 body."""
    response = await client.post("/api/events", json={"events": events}, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def read_json(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], **params: Any
) -> dict[str, Any]:
    """GET `path` and return its 200 body."""
    response = await client.get(path, params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def set_timezone(client: httpx.AsyncClient, account: Account, timezone: str) -> None:
    response = await client.patch(
        "/api/users/me", json={"timezone": timezone}, headers=account.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["timezone"] == timezone


async def create_admin_account(
    client: httpx.AsyncClient,
    app: FastAPI,
    email: str = "admin@example.com",
    password: str = ADMIN_PASSWORD,
) -> Account:
    """An admin made the way `questpath create-admin` makes one, signed in through the API."""
    async with transaction(app.state.sessionmaker) as session:
        user, created = await auth_service.create_admin(
            session, email, password, None, datetime.now(UTC)
        )
        assert created
        admin_id = str(user.id)
    response = await client.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return Account(id=admin_id, email=email, token=response.json()["access_token"])


async def projection_differences(app: FastAPI, account: Account) -> list[Difference]:
    """How the learner's stored projections differ from a recomputation from the log."""
    async with app.state.sessionmaker() as session:
        user = await session.get(User, uuid.UUID(account.id))
        assert user is not None
        session.expunge(user)
    return await verify(app.state.engine, user, app.state.ruleset)


async def table_values(app: FastAPI, table: str) -> list[str]:
    """Every value in `table`, as text: what a leaked copy of it would show."""
    async with app.state.engine.connect() as conn:
        rows = (await conn.execute(text(f"SELECT * FROM {table}"))).all()  # noqa: S608
    return [str(value) for row in rows for value in row]
