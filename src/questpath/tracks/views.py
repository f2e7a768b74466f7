"""Pages of tracks: the learner's tracks and their progress, importing and adopting them, the tree
worked item by item (in place with htmx, or by plain form posts), export, sharing and deleting;
and the public page of a shared track."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict
from starlette.datastructures import UploadFile

from questpath.auth.dependencies import MaybeSignedIn, SignedIn
from questpath.auth.limits import LimitedPerPerson
from questpath.auth.principal import Principal
from questpath.clock import Now
from questpath.dependencies import RulesetDep, SessionDep
from questpath.downloads import attachment
from questpath.events.rules import local_date
from questpath.problems import Invalid, Problem
from questpath.progress.dependencies import RecorderDep
from questpath.ratelimit.limiter import IMPORTS
from questpath.tracks import items, reimport, service
from questpath.tracks.drafts import ItemState
from questpath.tracks.schemas import (
    ExportFormat,
    ItemChanged,
    ItemUpdate,
    ShareRead,
    Title,
    TrackUpdate,
)
from questpath.web import forms
from questpath.web.dependencies import verify_csrf
from questpath.web.flash import Toast, unlocked_toast
from questpath.web.formatting import block_markdown, inline_markdown, plain_text
from questpath.web.rendering import add_toast, redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

STATE_NAMES = {"todo": "to do", "in_progress": "in progress", "done": "done", "skipped": "skipped"}


class ImportForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    title: Title | None = None


class StateForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    state: ItemState


class RenameForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    title: Title


def _page(
    request: Request, template: str, context: dict[str, Any], *, status_code: int = 200
) -> Response:
    helpers = {"inline_md": inline_markdown, "block_md": block_markdown, "plain": plain_text}
    return render(request, template, {**helpers, **context}, status_code=status_code)


def _share_link(request: Request, share: ShareRead | None) -> str | None:
    """The page's address, known only right after the link was made."""
    return f"{request.base_url}shared/{share.token}" if share and share.token else None


def _achievement_toasts(changed: ItemChanged) -> list[Toast]:
    return [unlocked_toast(a.name, a.description, a.points) for a in changed.achievements_unlocked]


# The list, importing and adopting ------------------------------------------------------------


async def _tracks_page(
    request: Request,
    principal: Principal,
    session: SessionDep,
    ruleset: RulesetDep,
    *,
    form: dict[str, str] | None = None,
    errors: forms.Errors | None = None,
    status_code: int = 200,
) -> Response:
    tracks = await service.list_tracks(session, principal.user)
    return _page(
        request,
        "tracks/list.html",
        {
            "tracks": tracks.items,
            "templates": service.list_templates(ruleset),
            "form": form or {},
            "errors": errors or {},
        },
        status_code=status_code,
    )


@router.get("/tracks")
async def tracks_page(
    request: Request, principal: SignedIn, session: SessionDep, ruleset: RulesetDep
) -> Response:
    return await _tracks_page(request, principal, session, ruleset)


@router.get("/tracks/import")
async def import_page(request: Request, principal: SignedIn) -> Response:
    """The form lives on the list; this address is where a reloaded or bookmarked import lands."""
    return redirect(request, "/tracks#import")


async def _import_form(request: Request) -> tuple[dict[str, str], bytes]:
    """The import form's text fields as sent, and the bytes of the file uploaded (none: empty)."""
    async with forms.parse(request) as form:
        upload = form.get("file")
        uploaded = b""
        if isinstance(upload, UploadFile):
            uploaded = await upload.read(service.MAX_DOCUMENT_BYTES + 1)
        fields = {name: value for name, value in form.multi_items() if isinstance(value, str)}
    return fields, uploaded


def _document_errors(uploaded: bytes, pasted: str) -> forms.Errors:
    """Exactly one document is imported: a file uploaded, or Markdown pasted."""
    if uploaded and pasted.strip():
        return {"form": "upload a file or paste the Markdown, not both"}
    if not uploaded and not pasted.strip():
        return {"document": "upload a Markdown file, or paste the Markdown here"}
    return {}


@router.post("/tracks/import", dependencies=[Depends(LimitedPerPerson(IMPORTS))])
async def import_track(
    request: Request, principal: SignedIn, session: SessionDep, ruleset: RulesetDep, now: Now
) -> Response:
    fields, uploaded = await _import_form(request)
    pasted = fields.get("document", "")
    form, errors = forms.validate(ImportForm, {"title": fields.get("title", "").strip() or None})
    errors |= _document_errors(uploaded, pasted)
    status_code = 422
    if form is not None and not errors:
        source = "file" if uploaded else "document"
        document = uploaded or pasted.encode()
        try:
            track = await service.import_markdown(
                session, principal.user, document, form.title, now
            )
        except Problem as problem:
            # The service speaks of "the document"; here that is the file or the text pasted.
            errors = (
                forms.problem_errors(problem, {"document": source})
                if problem.errors
                else {source: problem.detail}
            )
            status_code = problem.status
        else:
            count = track.progress.total
            title = f"Imported “{plain_text(track.title)}”"
            add_toast(request, Toast("success", title, f"{count} item{'' if count == 1 else 's'}"))
            return redirect(request, f"/tracks/{track.id}")
    return await _tracks_page(
        request, principal, session, ruleset, form=fields, errors=errors, status_code=status_code
    )


@router.post("/track-templates/{template_id}/adopt")
async def adopt_template(
    template_id: str,
    request: Request,
    principal: SignedIn,
    session: SessionDep,
    ruleset: RulesetDep,
    now: Now,
) -> Response:
    track = await service.adopt_template(session, principal.user, template_id, ruleset, now)
    add_toast(request, Toast("success", f"“{plain_text(track.title)}” is now one of your tracks"))
    return redirect(request, f"/tracks/{track.id}")


# One track ----------------------------------------------------------------------------------


async def _track_page(
    request: Request,
    principal: Principal,
    session: SessionDep,
    track_id: uuid.UUID,
    now: datetime,
    *,
    rename_errors: forms.Errors | None = None,
    update: dict[str, Any] | None = None,
    new_share: tuple[ShareRead, str] | None = None,
    status_code: int = 200,
) -> Response:
    """`new_share`: a link made just now, the one time its address can be shown, and what to
    say about it."""
    track = await service.read_track(session, principal.user, track_id)
    return _page(
        request,
        "tracks/track.html",
        {
            "track": track,
            "share_link": _share_link(request, new_share[0]) if new_share else None,
            "share_note": new_share[1] if new_share else None,
            "today": local_date(now, principal.user.timezone, principal.user.day_start_hour),
            "rename_errors": rename_errors or {},
            "update": update,
        },
        status_code=status_code,
    )


@router.get("/tracks/{track_id}")
async def track_page(
    track_id: uuid.UUID, request: Request, principal: SignedIn, session: SessionDep, now: Now
) -> Response:
    return await _track_page(request, principal, session, track_id, now)


@router.post("/tracks/{track_id}/items/{item_id}/state")
async def change_state(
    track_id: uuid.UUID,
    item_id: uuid.UUID,
    request: Request,
    principal: SignedIn,
    session: SessionDep,
    recorder: RecorderDep,
    now: Now,
) -> Response:
    """The same change as PATCH /api/tracks/{id}/items/{item_id}. htmx gets the item back with
    the progress it moved and the achievements it unlocked; a plain form post goes back to the
    track."""
    form, errors = forms.validate(StateForm, await forms.fields(request))
    if form is None:
        raise Invalid.field("state", errors.get("state", "is invalid"))
    changed = await items.update_item(
        session, principal.user, track_id, item_id, ItemUpdate(state=form.state), now, recorder
    )
    unlocked = _achievement_toasts(changed)
    if request.headers.get("HX-Request"):
        track = await service.read_track(session, principal.user, track_id)
        return _page(
            request,
            "tracks/item_changed.html",
            {
                "item": changed.item,
                "track": track,
                "today": local_date(now, principal.user.timezone, principal.user.day_start_hour),
                "unlocked": unlocked,
            },
        )
    title = plain_text(changed.item.title)
    add_toast(request, Toast("success", f"“{title}” is {STATE_NAMES[changed.item.state]}"))
    for toast in unlocked:
        add_toast(request, toast)
    return redirect(request, f"/tracks/{track_id}#item-{item_id}")


@router.post("/tracks/{track_id}/rename")
async def rename_track(
    track_id: uuid.UUID, request: Request, principal: SignedIn, session: SessionDep, now: Now
) -> Response:
    form, errors = forms.validate(RenameForm, await forms.fields(request))
    if form is None:
        return await _track_page(
            request, principal, session, track_id, now, rename_errors=errors, status_code=422
        )
    await service.update_track(
        session, principal.user, track_id, TrackUpdate(title=form.title), now
    )
    add_toast(request, Toast("success", "The track is renamed"))
    return redirect(request, f"/tracks/{track_id}")


@router.post("/tracks/{track_id}/markdown/preview")
async def preview_update(
    track_id: uuid.UUID, request: Request, principal: SignedIn, session: SessionDep, now: Now
) -> Response:
    """What importing an edited document into the track would change, with the document kept
    in the form that applies it. htmx gets the preview alone; a plain post, the track page."""
    fields, uploaded = await _import_form(request)
    pasted = fields.get("document", "")
    errors = _document_errors(uploaded, pasted)
    update: dict[str, Any] = {"errors": errors, "document": pasted}
    status_code = 422
    if not errors:
        source = "file" if uploaded else "document"
        try:
            update["plan"] = await reimport.reimport_markdown(
                session,
                principal.user,
                track_id,
                uploaded or pasted.encode(),
                None,
                now,
                dry_run=True,
            )
        except Problem as problem:
            update["errors"] = (
                forms.problem_errors(problem, {"document": source})
                if problem.errors
                else {source: problem.detail}
            )
            status_code = problem.status
        else:
            update["document"] = service.decode_document(uploaded) if uploaded else pasted
            status_code = 200
    if request.headers.get("HX-Request"):
        # htmx swaps only successful answers: a refusal is shown in the preview's place.
        track = await service.read_track(session, principal.user, track_id)
        return _page(request, "tracks/update_preview.html", {"track": track, "update": update})
    return await _track_page(
        request, principal, session, track_id, now, update=update, status_code=status_code
    )


@router.post("/tracks/{track_id}/markdown")
async def apply_update(
    track_id: uuid.UUID, request: Request, principal: SignedIn, session: SessionDep, now: Now
) -> Response:
    """Apply the document a preview showed; the same change as PUT /api/tracks/{id}/markdown."""
    fields, uploaded = await _import_form(request)
    pasted = fields.get("document", "")
    if _document_errors(uploaded, pasted):
        raise Invalid.field("document", "paste the Markdown to update the track from")
    done = await reimport.reimport_markdown(
        session, principal.user, track_id, uploaded or pasted.encode(), None, now, dry_run=False
    )
    counts = (
        (len(done.added) + len(done.restored), "added"),
        (len(done.changed) + len(done.moved), "changed"),
        (len(done.removed), "archived"),
    )
    detail = ", ".join(f"{count} {what}" for count, what in counts)
    add_toast(request, Toast("success", "The track is updated from Markdown", detail))
    return redirect(request, f"/tracks/{track_id}")


@router.get("/tracks/{track_id}/export")
async def export_track(
    track_id: uuid.UUID,
    principal: SignedIn,
    session: SessionDep,
    fmt: Annotated[ExportFormat, Query(alias="format")] = "markdown",
) -> Response:
    text, file_name = await service.export_track(session, principal.user, track_id, fmt)
    return attachment(text, service.EXPORT_MEDIA_TYPES[fmt], file_name)


@router.post("/tracks/{track_id}/share")
async def share_track(
    track_id: uuid.UUID, request: Request, principal: SignedIn, session: SessionDep, now: Now
) -> Response:
    share, created = await service.share_track(session, principal.user, track_id, now)
    if not created:  # a second click: the link stays, and its address is not known any more
        return redirect(request, f"/tracks/{track_id}#share")
    note = "Sharing is on: anyone with the link sees the track, not your notes."
    return await _track_page(request, principal, session, track_id, now, new_share=(share, note))


@router.post("/tracks/{track_id}/share/replace")
async def replace_share(
    track_id: uuid.UUID, request: Request, principal: SignedIn, session: SessionDep, now: Now
) -> Response:
    share = await service.replace_share(session, principal.user, track_id, now)
    note = "A new link is made, and the old one no longer works."
    return await _track_page(request, principal, session, track_id, now, new_share=(share, note))


@router.post("/tracks/{track_id}/unshare")
async def unshare_track(
    track_id: uuid.UUID, request: Request, principal: SignedIn, session: SessionDep
) -> Response:
    await service.unshare_track(session, principal.user, track_id)
    add_toast(request, Toast("success", "Sharing is off", "The link no longer works."))
    return redirect(request, f"/tracks/{track_id}#share")


@router.get("/tracks/{track_id}/delete")
async def delete_track_page(
    track_id: uuid.UUID, request: Request, principal: SignedIn, session: SessionDep
) -> Response:
    track = await service.read_track(session, principal.user, track_id)
    return _page(request, "tracks/delete.html", {"track": track})


@router.post("/tracks/{track_id}/delete")
async def delete_track(
    track_id: uuid.UUID, request: Request, principal: SignedIn, session: SessionDep
) -> Response:
    await service.delete_track(session, principal.user, track_id)
    add_toast(request, Toast("success", "The track is deleted", "The XP you earned on it stays."))
    return redirect(request, "/tracks")


# Shared with a link ---------------------------------------------------------------------------


@router.get("/shared/{token}")
async def shared_track_page(
    token: str, request: Request, principal: MaybeSignedIn, session: SessionDep
) -> Response:
    """Read-only and open to anyone with the link; the owner's notes stay hidden. A signed-in
    visitor is looked up only so that the header shows their navigation."""
    track = await service.read_shared(session, token)
    return _page(request, "tracks/shared.html", {"track": track})
