"""The badges page: publish unlocked achievements as Open Badges, one by one or all as they
unlock, and revoke them."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from questpath.auth.dependencies import SignedIn
from questpath.badges import service
from questpath.badges.rules import BadgeUrls
from questpath.clock import Now
from questpath.dependencies import RulesetDep, SessionDep, SettingsDep
from questpath.progress.dependencies import RecorderDep
from questpath.web import forms
from questpath.web.dependencies import verify_csrf
from questpath.web.flash import Toast
from questpath.web.rendering import add_toast, redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

PAGE = "/settings/badges"


@router.get(PAGE)
async def badges_page(
    request: Request,
    principal: SignedIn,
    session: SessionDep,
    ruleset: RulesetDep,
    settings: SettingsDep,
) -> Response:
    urls = BadgeUrls(settings.public_url)
    return render(
        request,
        "badges/settings.html",
        {
            "nav": "/settings",
            "settings": await service.settings_of(session, principal.user),
            "rows": await service.unlocked_with_badges(session, principal.user, ruleset, urls),
            "issuer_url": urls.issuer,
        },
    )


@router.post(f"{PAGE}/publish-all")
async def update_publish_all(
    request: Request, principal: SignedIn, session: SessionDep, recorder: RecorderDep, now: Now
) -> Response:
    posted = await forms.fields(request)
    on = posted.get("publish_all") == "on"
    await service.update_settings(session, recorder, principal.user, on, now)
    message = (
        "Every achievement you unlock is now published as a badge."
        if on
        else "New achievements are no longer published; published badges stay until revoked."
    )
    add_toast(request, Toast("success", message))
    return redirect(request, PAGE)


@router.post(f"{PAGE}/publish")
async def publish(
    request: Request,
    principal: SignedIn,
    session: SessionDep,
    recorder: RecorderDep,
    settings: SettingsDep,
    now: Now,
) -> Response:
    posted = await forms.fields(request)
    urls = BadgeUrls(settings.public_url)
    badge, _ = await service.publish(
        session, recorder, principal.user, posted.get("achievement", ""), urls, now
    )
    add_toast(request, Toast("success", f"'{badge.name}' is published as a badge."))
    return redirect(request, PAGE)


@router.post(PAGE + "/{badge_id}/revoke")
async def revoke(
    badge_id: uuid.UUID, request: Request, principal: SignedIn, session: SessionDep, now: Now
) -> Response:
    await service.revoke(session, principal.user, badge_id, now)
    add_toast(request, Toast("success", "The badge is revoked: its link no longer shows it."))
    return redirect(request, PAGE)
