"""The export download for the signed-in browser (the history page links to it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from questpath.auth.dependencies import SignedIn
from questpath.clock import Now
from questpath.dependencies import EngineDep, RulesetDep
from questpath.downloads import attachment
from questpath.export import service as export
from questpath.web.dependencies import verify_csrf

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])


@router.get("/history/export")
async def export_page(
    principal: SignedIn,
    engine: EngineDep,
    ruleset: RulesetDep,
    now: Now,
    fmt: Annotated[export.ExportFormat, Query(alias="format")] = "json",
) -> Response:
    """The same download as GET /api/progress/export, for the signed-in browser."""
    return attachment(
        export.stream(engine, principal.user, ruleset, fmt, now),
        export.MEDIA_TYPES[fmt],
        export.filename(fmt, now),
    )
