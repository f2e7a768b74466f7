"""Tracks API: import and export Markdown roadmaps, work their items, share them, and see what
to study next."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.datastructures import UploadFile

from questpath.auth.dependencies import CanReadTracks, CanWriteAndReadTracks, CanWriteTracks
from questpath.auth.limits import LimitedPerCaller, WriteLimitedRoute
from questpath.clock import Now
from questpath.dependencies import RulesetDep, SessionDep
from questpath.downloads import attachment
from questpath.problems import Invalid, UnsupportedMediaType
from questpath.progress.dependencies import RecorderDep, shown_unlocks
from questpath.ratelimit.limiter import IMPORTS
from questpath.tracks import items, learning_path, reimport, service
from questpath.tracks.schemas import (
    ExportFormat,
    ItemChanged,
    ItemCreate,
    ItemRead,
    ItemUpdate,
    LearningPath,
    ReimportRead,
    SharedTrackRead,
    ShareRead,
    TemplateRead,
    TrackList,
    TrackRead,
    TrackSummary,
    TrackUpdate,
)

router = APIRouter(prefix="/api", tags=["tracks"], route_class=WriteLimitedRoute)

MARKDOWN_TYPES = ("text/markdown", "text/x-markdown", "text/plain")


async def _document(request: Request) -> tuple[bytes, str | None]:
    """The uploaded document and the title sent with it: a Markdown body, or a multipart form
    with a `file` (and optionally `title`) field."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in MARKDOWN_TYPES:
        return await request.body(), None
    if content_type == "multipart/form-data":
        async with request.form(max_files=1, max_fields=5) as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise Invalid.field("file", "is required: the Markdown document to import")
            title = form.get("title")
            data = await upload.read(service.MAX_DOCUMENT_BYTES + 1)
        return data, title if isinstance(title, str) and title.strip() else None
    raise UnsupportedMediaType(
        "send the Markdown document as a text/markdown body or as the 'file' field of a "
        "multipart/form-data upload"
    )


DOCUMENT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/markdown": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "title": {"type": "string"},
                    },
                }
            },
        },
    }
}


@router.post(
    "/tracks/import",
    status_code=201,
    dependencies=[Depends(LimitedPerCaller(IMPORTS))],
    openapi_extra=DOCUMENT_BODY,
    responses={
        413: {"description": "the document is larger than 1 MiB"},
        415: {"description": "the body is neither text/markdown nor a multipart upload"},
    },
)
async def import_track(
    request: Request,
    principal: CanWriteAndReadTracks,
    session: SessionDep,
    response: Response,
    now: Now,
    title: Annotated[
        str | None, Query(max_length=500, description="overrides the # heading")
    ] = None,
) -> TrackSummary:
    """Import a Markdown roadmap: headings become categories, task-list items become items."""
    data, form_title = await _document(request)
    track = await service.import_markdown(session, principal.user, data, title or form_title, now)
    response.headers["Location"] = f"/api/tracks/{track.id}"
    return track


@router.put(
    "/tracks/{track_id}/markdown",
    openapi_extra=DOCUMENT_BODY,
    responses={
        413: {"description": "the document is larger than 1 MiB"},
        415: {"description": "the body is neither text/markdown nor a multipart upload"},
    },
)
async def reimport_track(
    track_id: uuid.UUID,
    request: Request,
    principal: CanWriteAndReadTracks,
    session: SessionDep,
    now: Now,
    title: Annotated[
        str | None, Query(max_length=500, description="overrides the # heading")
    ] = None,
    dry_run: Annotated[
        bool, Query(description="only list what would be added, changed, moved and removed")
    ] = False,
) -> ReimportRead:
    """Import an edited document into the track, keeping the learner's progress: items are
    matched by the id export writes, else by title; kept items keep their state, new ones take
    the document's, and items it no longer lists are archived (their XP stays)."""
    data, form_title = await _document(request)
    return await reimport.reimport_markdown(
        session, principal.user, track_id, data, title or form_title, now, dry_run=dry_run
    )


@router.get("/tracks")
async def list_tracks(principal: CanReadTracks, session: SessionDep) -> TrackList:
    """The caller's tracks, newest first, each with its progress."""
    return await service.list_tracks(session, principal.user)


@router.get("/tracks/{track_id:uuid}")
async def read_track(
    track_id: uuid.UUID, principal: CanReadTracks, session: SessionDep
) -> TrackRead:
    """The whole tree, with progress per category: done / (total - skipped)."""
    return await service.read_track(session, principal.user, track_id)


@router.patch("/tracks/{track_id:uuid}")
async def update_track(
    track_id: uuid.UUID,
    body: TrackUpdate,
    principal: CanWriteAndReadTracks,
    session: SessionDep,
    now: Now,
) -> TrackSummary:
    return await service.update_track(session, principal.user, track_id, body, now)


@router.delete("/tracks/{track_id:uuid}", status_code=204)
async def delete_track(track_id: uuid.UUID, principal: CanWriteTracks, session: SessionDep) -> None:
    """Delete the track. XP and achievements already earned on it are kept."""
    await service.delete_track(session, principal.user, track_id)


@router.get(
    "/tracks/{track_id}/export",
    response_class=Response,
    responses={200: {"content": {"text/markdown": {}, "application/json": {}}}},
)
async def export_track(
    track_id: uuid.UUID,
    principal: CanReadTracks,
    session: SessionDep,
    fmt: Annotated[ExportFormat, Query(alias="format")] = "markdown",
) -> Response:
    """Markdown re-imports to the same tree; JSON carries every field."""
    text, file_name = await service.export_track(session, principal.user, track_id, fmt)
    return attachment(text, service.EXPORT_MEDIA_TYPES[fmt], file_name)


@router.post("/tracks/{track_id}/items", status_code=201)
async def add_item(
    track_id: uuid.UUID,
    body: ItemCreate,
    principal: CanWriteAndReadTracks,
    session: SessionDep,
    now: Now,
) -> ItemRead:
    return await items.add_item(session, principal.user, track_id, body, now)


@router.patch("/tracks/{track_id}/items/{item_id}")
async def update_item(
    track_id: uuid.UUID,
    item_id: uuid.UUID,
    body: ItemUpdate,
    principal: CanWriteAndReadTracks,
    session: SessionDep,
    recorder: RecorderDep,
    now: Now,
) -> ItemChanged:
    """Change an item. Marking it done records `item_completed` (XP once per item); reopening
    records `item_reopened` and removes nothing."""
    changed = await items.update_item(
        session, principal.user, track_id, item_id, body, now, recorder
    )
    unlocked = shown_unlocks(principal, changed.achievements_unlocked)
    return changed.model_copy(update={"achievements_unlocked": unlocked})


@router.delete("/tracks/{track_id}/items/{item_id}", status_code=204)
async def delete_item(
    track_id: uuid.UUID, item_id: uuid.UUID, principal: CanWriteTracks, session: SessionDep
) -> None:
    """Delete an item and its sub-items."""
    await items.delete_item(session, principal.user, track_id, item_id)


@router.post(
    "/tracks/{track_id}/share",
    status_code=201,
    responses={
        200: {
            "model": ShareRead,
            "description": "already shared: the link stays, and `token` and `url` are null",
        },
        201: {"description": "made now: the only answer that shows `token` and `url`"},
    },
)
async def share_track(
    track_id: uuid.UUID,
    principal: CanWriteAndReadTracks,
    session: SessionDep,
    response: Response,
    now: Now,
) -> ShareRead:
    """A read-only link for anyone who has it: 201 with its `token` and `url` when made now (the
    only time they are shown), 200 with them null when it existed."""
    share, created = await service.share_track(session, principal.user, track_id, now)
    response.status_code = 201 if created else 200
    return share


@router.post(
    "/tracks/{track_id}/share/replace",
    status_code=201,
    responses={
        201: {"description": "the new link: the only answer that shows its `token` and `url`"},
        404: {"description": "the track is not shared"},
    },
)
async def replace_share(
    track_id: uuid.UUID, principal: CanWriteAndReadTracks, session: SessionDep, now: Now
) -> ShareRead:
    """A new link in place of the old one, which answers 404 at once. This answer is the only
    one that shows the new `token` and `url`."""
    return await service.replace_share(session, principal.user, track_id, now)


@router.delete("/tracks/{track_id}/share", status_code=204)
async def unshare_track(
    track_id: uuid.UUID, principal: CanWriteTracks, session: SessionDep
) -> None:
    """Revoke the link at once."""
    await service.unshare_track(session, principal.user, track_id)


@router.get("/shared/{token}")
async def read_shared(token: str, session: SessionDep) -> SharedTrackRead:
    """A shared track, read-only, without signing in."""
    return await service.read_shared(session, token)


@router.get("/learning-path")
async def read_learning_path(
    principal: CanReadTracks,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> LearningPath:
    """What to study next: open items grouped by horizon, then by priority and due date."""
    return await learning_path.learning_path(session, principal.user, limit)


@router.get("/track-templates")
async def list_templates(principal: CanReadTracks, ruleset: RulesetDep) -> list[TemplateRead]:
    return service.list_templates(ruleset)


@router.post("/track-templates/{template_id}/adopt", status_code=201)
async def adopt_template(
    template_id: str,
    principal: CanWriteAndReadTracks,
    session: SessionDep,
    ruleset: RulesetDep,
    now: Now,
) -> TrackSummary:
    """Copy a built-in template into the caller's tracks."""
    return await service.adopt_template(session, principal.user, template_id, ruleset, now)
