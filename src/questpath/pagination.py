"""Opaque cursors for keyset pagination: newest first, stable under concurrent inserts."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Any

from fastapi import Query

from questpath.problems import Invalid

MAX_LIMIT = 500

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="page size")]
Cursor = Annotated[
    str | None, Query(max_length=512, description="next_cursor from the previous page")
]


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, length: int) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError) as exc:
        raise Invalid.field("cursor", "is not a cursor returned by this endpoint") from exc
    if not isinstance(values, list) or len(values) != length:
        raise Invalid.field("cursor", "is not a cursor returned by this endpoint")
    return values
