"""What time it is, read in one place.

A route takes its request's time as the `Now` dependency, so everything one request does sees
one instant, and a test can set it (`app.dependency_overrides[request_time]`). Code outside a
request (the command line, the group commit's writer) calls `utc_now`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends


def utc_now() -> datetime:
    return datetime.now(UTC)


async def request_time() -> datetime:
    """The time of the request being answered."""
    return utc_now()


Now = Annotated[datetime, Depends(request_time)]
