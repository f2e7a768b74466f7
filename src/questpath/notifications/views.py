"""The notifications page, their settings page, and the unread count in every page's header."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from questpath.auth.dependencies import MaybeSignedIn, SignedIn
from questpath.clock import Now
from questpath.dependencies import SessionDep, SettingsDep, reading
from questpath.notifications import repository as repo
from questpath.notifications import service
from questpath.notifications.schemas import NotificationSettingsUpdate
from questpath.problems import Invalid
from questpath.web import forms
from questpath.web.dependencies import verify_csrf
from questpath.web.flash import Toast
from questpath.web.rendering import add_toast, redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
PAGE = 50


async def unread_for_page(request: Request, principal: MaybeSignedIn) -> None:
    """The unread count a page's header shows: one indexed count, for signed-in pages only."""
    if principal is None:
        return
    async with reading(request.app) as session:
        request.state.unread_notifications = await repo.unread_count(session, principal.user.id)


@router.get("/notifications")
async def notifications_page(
    request: Request, principal: SignedIn, session: SessionDep, cursor: str | None = None
) -> Response:
    try:
        page = await service.page(session, principal.user.id, cursor, PAGE, unread_only=False)
    except Invalid:
        return redirect(request, "/notifications")  # a stale or edited link: start over
    return render(
        request,
        "notifications/list.html",
        {"nav": "/notifications", "page": page, "timezone": principal.user.timezone},
    )


@router.post("/notifications/read")
async def mark_read(
    request: Request, principal: SignedIn, session: SessionDep, now: Now
) -> Response:
    posted = await forms.parse(request)
    raw = posted.get("id")
    ids = None
    if raw:
        try:
            ids = [uuid.UUID(str(raw))]
        except ValueError:
            ids = []
    try:
        await service.mark_read(session, principal.user.id, ids, now)
    except Invalid:
        add_toast(request, Toast("error", "That notification is not one of yours."))
    return redirect(request, "/notifications")


@router.get("/settings/notifications")
async def settings_page(
    request: Request, principal: SignedIn, session: SessionDep, settings: SettingsDep
) -> Response:
    return render(
        request,
        "notifications/settings.html",
        {
            "nav": "/settings",
            "choices": await service.settings_of(session, principal.user.id),
            "mail_on": settings.mail_configured,
            "evening": settings.notifications_evening_hour,
            "morning": settings.notifications_morning_hour,
        },
    )


@router.post("/settings/notifications")
async def update_settings(
    request: Request, principal: SignedIn, session: SessionDep, settings: SettingsDep
) -> Response:
    posted = await forms.parse(request)
    body = NotificationSettingsUpdate(
        streak_reminders=posted.get("streak_reminders") == "on",
        review_reminders=posted.get("review_reminders") == "on",
        email_digest=posted.get("email_digest") == "on" and settings.mail_configured,
    )
    await service.update_settings(session, principal.user.id, body, settings.mail_configured)
    add_toast(request, Toast("success", "Your notification settings are saved."))
    return redirect(request, "/settings/notifications")
