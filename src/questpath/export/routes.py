"""GET /api/progress/export: the learner's full export as a download."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response, StreamingResponse

from questpath.clock import Now
from questpath.dependencies import EngineDep, RulesetDep
from questpath.downloads import attachment
from questpath.export import service as export
from questpath.progress.dependencies import Learner

router = APIRouter(prefix="/api/progress", tags=["progress"])


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "JSON: profile, progress, achievements, skill levels, history and "
            "every event. CSV: one row per event, with a header row.",
            "content": {"application/json": {}, "text/csv": {}},
        }
    },
)
async def export_progress(
    user: Learner,
    engine: EngineDep,
    ruleset: RulesetDep,
    now: Now,
    fmt: Annotated[export.ExportFormat, Query(alias="format")] = "json",
) -> Response:
    """Everything recorded for the learner, streamed as a download."""
    return attachment(
        export.stream(engine, user, ruleset, fmt, now),
        export.MEDIA_TYPES[fmt],
        export.filename(fmt, now),
    )
