"""Opaque cursors for keyset pagination: newest first, stable under concurrent inserts."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Query

from questpath.problems import Invalid

MAX_LIMIT = 500

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="page size")]
Cursor = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=512,
        pattern="^[A-Za-z0-9_-]+$",
        description="next_cursor from the previous page, unchanged; any other value is refused",
    ),
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


def created_cursor(created_at: datetime, row_id: uuid.UUID) -> str:
    """The cursor after a row listed by (created_at, id), newest first."""
    return encode_cursor([created_at.isoformat(), str(row_id)])


def decode_created_cursor(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    """The (created_at, id) position a `created_cursor` names; None for the first page."""
    if cursor is None:
        return None
    created_at, row_id = decode_cursor(cursor, 2)
    try:
        position = datetime.fromisoformat(str(created_at))
        if position.tzinfo is None:
            raise ValueError("naive datetime")
        # In UTC here, where a tampered offset at the edge of the calendar overflows as a
        # client error, not later in the database layer.
        return position.astimezone(UTC), uuid.UUID(str(row_id))
    except (ValueError, OverflowError) as exc:
        raise Invalid.field("cursor", "is not a cursor returned by this endpoint") from exc
