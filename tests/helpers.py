"""Small helpers that talk to the API the way a client would."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

PASSWORD = "a long and unusual passphrase"


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
