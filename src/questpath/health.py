"""Liveness and readiness in one probe: the process answers and the database does too."""

from __future__ import annotations

import structlog
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from questpath import __version__
from questpath.dependencies import SessionMakerDep

router = APIRouter(tags=["operations"])
log = structlog.get_logger("questpath.health")


@router.get("/health", responses={503: {"description": "the database does not answer"}})
async def health(maker: SessionMakerDep) -> JSONResponse:
    """200 when the database answers, 503 when it does not."""
    try:
        async with maker() as session:
            await session.execute(text("SELECT 1"))
        database, status = "ok", 200
    except Exception as exc:  # noqa: BLE001  (any failure to reach the database means "not ready")
        log.warning("database unreachable", error=type(exc).__name__)
        database, status = "unreachable", 503
    body = {
        "status": "ok" if status == 200 else "unavailable",
        "database": database,
        "version": __version__,
    }
    return JSONResponse(body, status_code=status)
