"""Who is calling: the Principal behind the bearer token, and the checks routes declare."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from questpath.auth import service
from questpath.auth.principal import Principal
from questpath.dependencies import SessionDep, SettingsDep
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
