"""Who is calling: the Principal behind the bearer token, and the checks routes declare."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from questpath.auth import service
from questpath.auth.credentials import SESSION_COOKIE
from questpath.auth.principal import Principal
from questpath.dependencies import SessionDep, SettingsDep, unit_of_work
from questpath.problems import Forbidden, Unauthorized

bearer = HTTPBearer(
    auto_error=False,
    description="An access token from /api/auth/login, or an API key starting with qp_.",
)


async def current_principal(
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if credentials is None or not credentials.credentials:
        raise Unauthorized("sign in: send 'Authorization: Bearer <access token or API key>'")
    return await service.authenticate(session, credentials.credentials, settings, datetime.now(UTC))


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def brief_writer(
    request: Request,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """Like EventWriter, but in a transaction of its own that ends before the route runs: for
    routes that wait on an outside service and must not hold the database meanwhile."""
    if credentials is None or not credentials.credentials:
        raise Unauthorized("sign in: send 'Authorization: Bearer <access token or API key>'")
    async with unit_of_work(request) as session:
        principal = await service.authenticate(
            session, credentials.credentials, settings, datetime.now(UTC)
        )
    if not principal.has_scope("events:write"):
        raise Forbidden("this API key lacks the scope 'events:write'")
    return principal


BriefWriter = Annotated[Principal, Depends(brief_writer)]


async def current_person(principal: CurrentPrincipal) -> Principal:
    service.require_person(principal)
    return principal


CurrentPerson = Annotated[Principal, Depends(current_person)]


def scoped(scope: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that admits people, and API keys that carry `scope`."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.has_scope(scope):
            raise Forbidden(f"this API key lacks the scope '{scope}'")
        return principal

    return check


EventReader = Annotated[Principal, Depends(scoped("events:read"))]
EventWriter = Annotated[Principal, Depends(scoped("events:write"))]


async def current_reader_or_browser(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """A bearer token or API key with `events:read`, or else a signed-in browser's session.

    For GET endpoints a browser opens directly (EventSource cannot send headers); they change
    nothing, so the session cookie needs no CSRF token.
    """
    now = datetime.now(UTC)
    if credentials is not None and credentials.credentials:
        principal = await service.authenticate(session, credentials.credentials, settings, now)
        if not principal.has_scope("events:read"):
            raise Forbidden("this API key lacks the scope 'events:read'")
        return principal
    cookie = request.cookies.get(SESSION_COOKIE)
    browser = (
        await service.web_session_principal(session, cookie, settings, now) if cookie else None
    )
    if browser is None:
        raise Unauthorized("sign in: send 'Authorization: Bearer <access token or API key>'")
    return browser


ReaderOrBrowser = Annotated[Principal, Depends(current_reader_or_browser)]
