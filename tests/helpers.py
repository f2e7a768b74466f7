"""Small helpers that talk to the API the way a client would."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import httpx

PASSWORD = "a long and unusual passphrase"
PROBLEM_JSON = "application/problem+json"


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
