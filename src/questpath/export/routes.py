"""The full export as a download: GET /api/progress/export for API clients, and
/history/export for the signed-in browser (the history page links to it)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.ext.asyncio import AsyncEngine

from questpath.auth.dependencies import SignedIn
from questpath.auth.principal import UserLike
from questpath.clock import Now
from questpath.dependencies import EngineDep, RulesetDep, SettingsDep
from questpath.downloads import attachment
from questpath.export import service as export
from questpath.progress.dependencies import WholeLearner
from questpath.ruleset import Ruleset
from questpath.web.dependencies import verify_csrf

router = APIRouter(prefix="/api/progress", tags=["progress"])
pages = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
Format = Annotated[export.ExportFormat, Query(alias="format")]


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "JSON: the whole account, enough to rebuild it (docs/export.md): "
            "profile, progress, achievements, skill levels, questions, quizzes, history, "
            "tracks, goals, API keys' metadata, sharing settings, vacations and every event; "
            "never a secret. CSV: one row per event, with a header row.",
            "content": {"application/json": {}, "text/csv": {}},
        }
    },
)
async def export_progress(
    user: WholeLearner,
    engine: EngineDep,
    ruleset: RulesetDep,
    settings: SettingsDep,
    now: Now,
    fmt: Format = "json",
) -> Response:
    """The learner's whole account, streamed as a download."""
    return _download(engine, user, ruleset, fmt, settings.public_url, now)


@pages.get("/history/export")
async def export_page(
    principal: SignedIn,
    engine: EngineDep,
    ruleset: RulesetDep,
    settings: SettingsDep,
    now: Now,
    fmt: Format = "json",
) -> Response:
    """The same download as GET /api/progress/export, for the signed-in browser."""
    return _download(engine, principal.user, ruleset, fmt, settings.public_url, now)


def _download(
    engine: AsyncEngine,
    user: UserLike,
    ruleset: Ruleset,
    fmt: export.ExportFormat,
    public_url: str,
    now: datetime,
) -> Response:
    return attachment(
        export.stream(engine, user, ruleset, fmt, public_url, now),
        export.MEDIA_TYPES[fmt],
        export.filename(fmt, now),
    )
