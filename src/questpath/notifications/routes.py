"""Notifications API: the list, marking read, reminders' settings, and the event stream."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from sse_starlette import EventSourceResponse

from questpath.auth.dependencies import CanReadProgress, CanWriteNotifications, ReaderOrBrowser
from questpath.auth.limits import WriteLimitedRoute
from questpath.clock import Now
from questpath.dependencies import EngineDep, RulesetDep, SessionDep, SettingsDep
from questpath.fields import Moment
from questpath.metrics.instruments import counted_stream
from questpath.notifications import service, stream
from questpath.notifications.schemas import (
    NotificationSettingsRead,
    NotificationSettingsUpdate,
    NotificationsMarkRead,
    NotificationsPage,
    ReadResult,
)
from questpath.pagination import Cursor, Limit
from questpath.ratelimit.dependencies import LimiterDep
from questpath.ratelimit.openapi import RATE_LIMITED

router = APIRouter(
    prefix="/api/notifications", tags=["notifications"], route_class=WriteLimitedRoute
)
stream_router = APIRouter(prefix="/api/progress", tags=["progress"])


@router.get("", responses={422: {"description": "a cursor that this endpoint did not return"}})
async def list_notifications(
    principal: CanReadProgress,
    session: SessionDep,
    cursor: Cursor = None,
    limit: Limit = 50,
    unread: Annotated[bool, Query(description="only the unread ones")] = False,
) -> NotificationsPage:
    """The learner's notifications, newest first, with the unread count."""
    return await service.page(session, principal.user.id, cursor, limit, unread)


@router.post(
    "/read",
    responses={422: {"description": "an id that is not one of the caller's notifications"}},
)
async def mark_notifications_read(
    body: NotificationsMarkRead, principal: CanWriteNotifications, session: SessionDep, now: Now
) -> ReadResult:
    """Mark the notifications of `ids` read, or every unread one when `ids` is left out. The
    caller's open event streams get the new unread count."""
    return await service.mark_read(session, principal.user.id, body.ids, now)


@router.get("/settings")
async def read_notification_settings(
    principal: CanReadProgress, session: SessionDep
) -> NotificationSettingsRead:
    """Which reminders the learner gets, and whether a daily e-mail digest is sent."""
    return await service.settings_of(session, principal.user.id)


@router.put(
    "/settings",
    responses={422: {"description": "a field is not a boolean, or the digest needs mail"}},
)
async def update_notification_settings(
    body: NotificationSettingsUpdate,
    principal: CanWriteNotifications,
    session: SessionDep,
    settings: SettingsDep,
) -> NotificationSettingsRead:
    """Change the fields given; the others stay. The e-mail digest can be turned on only on a
    server that sends mail."""
    return await service.update_settings(session, principal.user.id, body, settings.mail_configured)


@stream_router.get(
    "/stream",
    response_class=EventSourceResponse,
    responses={
        200: {
            "description": "A text/event-stream of named events. `achievement`: one per "
            "achievement as it unlocks, `data` JSON {id, name, description, icon, points, "
            "unlocked_at}. `notification`: one per notification as it is made, `data` as in "
            "GET /api/notifications. `unread`: {unread}, the unread count, sent first and "
            "whenever it changes. An event's `id` is its time, so a client that reconnects "
            "with `Last-Event-ID` misses nothing. A comment line is sent every 15 s to keep "
            "proxies from closing the connection. A stream ends after a few minutes "
            "(QUESTPATH_RATE_LIMIT_STREAM_SECONDS); EventSource clients reconnect by themselves.",
            "content": {"text/event-stream": {}},
        },
        429: {**RATE_LIMITED, "description": "the learner has as many streams open as allowed"},
    },
)
async def stream_progress(
    principal: ReaderOrBrowser,
    limiter: LimiterDep,
    engine: EngineDep,
    ruleset: RulesetDep,
    settings: SettingsDep,
    now: Now,
    since: Annotated[
        Moment | None,
        Query(description="send achievements unlocked after this time; default: from now on"),
    ] = None,
    last_event_id: Annotated[str | None, Header()] = None,
) -> EventSourceResponse:
    """Achievements, notifications and the unread count, pushed as server-sent events.

    Accepts a bearer token or API key with `progress:read`, or a signed-in browser's session.
    """
    start = stream.stream_start(stream.parse_last_event_id(last_event_id), since, now)
    release = await limiter.open_stream(str(principal.user.id))
    events = stream.progress_events(
        engine, ruleset, principal.user.id, start, lasting=settings.rate_limit_stream_seconds
    )
    return EventSourceResponse(
        counted_stream(stream.releasing(events, release)),
        ping=15,
        headers={"Cache-Control": "no-store"},
    )
