"""An API key's HTTP Basic headers for the LRS, statements to send it, and query strings as
xAPI clients write them."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any
from urllib.parse import urlencode

import httpx

from tests.helpers import Account

VERSION = {"X-Experience-API-Version": "1.0.3"}
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"


async def xapi_headers(
    client: httpx.AsyncClient,
    account: Account,
    scopes: tuple[str, ...] = ("xapi:read", "xapi:write"),
) -> dict[str, str]:
    """Basic auth with a new key of `account`'s (its id and secret) and the version header."""
    response = await client.post(
        "/api/api-keys", json={"name": "lrs", "scopes": list(scopes)}, headers=account.headers
    )
    assert response.status_code == 201, response.text
    key = response.json()
    return basic(key["id"], key["secret"])


def basic(username: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}", **VERSION}


def statement(
    email: str = "learner@example.com",
    *,
    verb: str = COMPLETED,
    activity: str = "http://example.com/activities/sql-joins",
    **more: Any,
) -> dict[str, Any]:
    return {
        "actor": {"objectType": "Agent", "mbox": f"mailto:{email}"},
        "verb": {"id": verb, "display": {"en-US": verb.rsplit("/", 1)[-1]}},
        "object": {"objectType": "Activity", "id": activity},
        **more,
    }


def voiding(target: str, email: str = "learner@example.com") -> dict[str, Any]:
    return {
        "actor": {"mbox": f"mailto:{email}"},
        "verb": {"id": VOIDED, "display": {"en-US": "voided"}},
        "object": {"objectType": "StatementRef", "id": target},
    }


def new_id() -> str:
    return str(uuid.uuid4())


def query(**params: Any) -> str:
    """A query string, with objects (agents) as JSON, as clients send them; None leaves a
    parameter out."""
    return urlencode(
        {k: json.dumps(v) if isinstance(v, dict) else v for k, v in params.items() if v is not None}
    )
