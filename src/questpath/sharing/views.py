"""Pages of progress sharing: the learner's sharing settings, and the public progress page and
badge, which anyone may open and which leave no cookie behind."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from questpath.auth.dependencies import SignedIn
from questpath.clock import Now
from questpath.dependencies import RulesetDep, SessionDep
from questpath.problems import NotFound, Problem
from questpath.sharing import rules, service
from questpath.sharing.schemas import PublicProgress, SharingRead, SharingUpdate
from questpath.tracks import service as tracks
from questpath.web import forms, heatmap
from questpath.web.dependencies import verify_csrf
from questpath.web.flash import Toast
from questpath.web.formatting import inline_markdown, plain_text
from questpath.web.rendering import add_toast, redirect, render, render_public

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

PUBLIC_HEADERS = {"Cache-Control": "no-cache"}
UNLISTED_HEADERS = {**PUBLIC_HEADERS, "X-Robots-Tag": "noindex"}
BADGE_HEADERS = {"Cache-Control": "public, max-age=300"}


# The learner's settings ------------------------------------------------------------------------


def _links(request: Request, shared: SharingRead) -> dict[str, str]:
    """The addresses to show: the page's only right after it was made (only its hash is kept),
    the profile's whenever there is a handle. The badge for a README prefers the profile, whose
    address survives a new link."""
    base = str(request.base_url).rstrip("/")
    links = {}
    if shared.url and shared.badge_url:
        links["page"] = base + shared.url
        links["badge"] = base + shared.badge_url
        links["badge_target"] = links["page"]
    if shared.profile_url and shared.profile_badge_url:
        links["profile"] = base + shared.profile_url
        links["badge"] = base + shared.profile_badge_url
        links["badge_target"] = links["profile"]
    if "badge" in links:
        links["markdown"] = f"[![QuestPath progress]({links['badge']})]({links['badge_target']})"
    return links


async def _settings_page(
    request: Request,
    principal: SignedIn,
    session: SessionDep,
    *,
    made: tuple[SharingRead, str] | None = None,
    errors: forms.Errors | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    """`made`: the answer that made a link, the one time its address can be shown, and what
    to say about it."""
    current = made[0] if made else await service.settings_of(session, principal.user)
    return render(
        request,
        "sharing/settings.html",
        {
            "nav": "/settings",
            "shared": current,
            "new_link": made[1] if made else None,
            "shown": values or current.model_dump(),
            "links": _links(request, current),
            "sections": rules.SECTION_NAMES,
            "tracks": (await tracks.list_tracks(session, principal.user)).items,
            "errors": errors or {},
            "inline_md": inline_markdown,
            "plain": plain_text,
        },
        status_code=status_code,
    )


@router.get("/settings/sharing")
async def sharing_page(request: Request, principal: SignedIn, session: SessionDep) -> Response:
    return await _settings_page(request, principal, session)


@router.post("/settings/sharing")
async def update_sharing(
    request: Request, principal: SignedIn, session: SessionDep, now: Now
) -> Response:
    posted = await forms.parse(request)
    data: dict[str, Any] = {
        "enabled": posted.get("enabled") == "on",
        "handle": str(posted.get("handle") or "").strip() or None,
        "sections": [str(s) for s in posted.getlist("sections")],
        "tracks": [str(t) for t in posted.getlist("tracks")],
    }
    errors: forms.Errors
    try:
        body = SharingUpdate.model_validate(data)
    except ValidationError:
        _, errors = forms.validate(SharingUpdate, data)
        errors = {name.split("[")[0]: message for name, message in reversed(errors.items())}
    else:
        try:
            saved = await service.update(session, principal.user, body, now)
        except Problem as problem:
            errors = {
                name.split("[")[0]: message
                for name, message in reversed(forms.problem_errors(problem).items())
            }
        else:
            if saved.url:  # the first save made the link: show it now, as it is never again
                made = (saved, "Sharing settings saved, and your link is made.")
                return await _settings_page(request, principal, session, made=made)
            add_toast(request, Toast("success", "Sharing settings saved."))
            return redirect(request, "/settings/sharing")
    shown = {**data, "tracks": [_uuid_or_none(t) for t in data["tracks"]]}
    return await _settings_page(
        request, principal, session, errors=errors, values=shown, status_code=422
    )


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@router.post("/settings/sharing/revoke")
async def revoke_link(
    request: Request, principal: SignedIn, session: SessionDep, now: Now
) -> Response:
    shared = await service.revoke(session, principal.user, now)
    made = (shared, "A new link is made, and the old one no longer works.")
    return await _settings_page(request, principal, session, made=made)


# The public page and badge ---------------------------------------------------------------------


def _not_shared(request: Request) -> Response:
    detail = service.NOT_SHARED
    context = {"status": 404, "title": "Not Found", "detail": detail}
    return render_public(request, "error.html", context, status_code=404, headers=UNLISTED_HEADERS)


def _public_page(request: Request, public: PublicProgress) -> Response:
    calendar = (
        heatmap.calendar(public.today, public.activity, service.CALENDAR_DAYS)
        if public.activity is not None
        else None
    )
    return render_public(
        request,
        "sharing/public.html",
        {"p": public, "calendar": calendar, "inline_md": inline_markdown, "plain": plain_text},
        headers=PUBLIC_HEADERS if public.indexable else UNLISTED_HEADERS,
    )


def _badge(public: PublicProgress) -> Response:
    headers = BADGE_HEADERS if public.indexable else {**BADGE_HEADERS, "X-Robots-Tag": "noindex"}
    return Response(service.badge_of(public), media_type="image/svg+xml", headers=headers)


@router.get("/p/{token}")
async def public_page(
    token: str, request: Request, session: SessionDep, ruleset: RulesetDep, now: Now
) -> Response:
    """Open to anyone with the link, and the same for a signed-in visitor, so it sets no
    cookie; 404 when sharing is off or the link was revoked."""
    try:
        public = await service.public_by_token(session, ruleset, token, now)
    except NotFound:
        return _not_shared(request)
    return _public_page(request, public)


@router.get("/u/{handle}")
async def public_profile(
    handle: str, request: Request, session: SessionDep, ruleset: RulesetDep, now: Now
) -> Response:
    try:
        public = await service.public_by_handle(session, ruleset, handle, now)
    except NotFound:
        return _not_shared(request)
    return _public_page(request, public)


@router.get("/p/{token}/badge.svg")
async def page_badge(
    token: str, request: Request, session: SessionDep, ruleset: RulesetDep, now: Now
) -> Response:
    try:
        return _badge(await service.public_by_token(session, ruleset, token, now))
    except NotFound:
        return _not_shared(request)


@router.get("/u/{handle}/badge.svg")
async def profile_badge(
    handle: str, request: Request, session: SessionDep, ruleset: RulesetDep, now: Now
) -> Response:
    try:
        return _badge(await service.public_by_handle(session, ruleset, handle, now))
    except NotFound:
        return _not_shared(request)
