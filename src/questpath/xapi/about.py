"""GET /xapi/about: the versions this LRS speaks."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

router = APIRouter(tags=["about"])
VERSIONS = ["1.0.3", "1.0.2", "1.0.1", "1.0.0"]


@router.get("/about")
async def about() -> dict[str, Any]:
    """The xAPI versions accepted (any 1.0.x request is served as 1.0.3), and no extensions.
    Needs neither auth nor the version header."""
    return {"version": VERSIONS, "extensions": {}}
