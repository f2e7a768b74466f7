"""Who calls the LRS and what they may see.

xAPI clients authenticate with HTTP Basic: the API key's id as the username and its secret as
the password (a `Bearer` API key or access token works too). Scopes: `xapi:write` stores
statements and documents; `xapi:read` reads what the account's keys stored, or, with an admin's
key, everything; `xapi:read-mine` reads only what this key stored.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Annotated

from fastapi import BackgroundTasks, Depends, Request, Response

from questpath.auth.dependencies import AuthenticatorDep, require_scopes
from questpath.auth.limits import caller_key
from questpath.auth.principal import Principal
from questpath.problems import Forbidden, Problem
from questpath.ratelimit.dependencies import enforce
from questpath.ratelimit.limiter import WRITES

READ, READ_MINE, WRITE = "xapi:read", "xapi:read-mine", "xapi:write"
CHALLENGE = {"WWW-Authenticate": 'Basic realm="QuestPath xAPI", charset="UTF-8"'}


class BasicUnauthorized(Problem):
    status = HTTPStatus.UNAUTHORIZED

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers=CHALLENGE)


@dataclass(frozen=True)
class Caller:
    principal: Principal

    @property
    def user_id(self) -> uuid.UUID:
        return self.principal.user.id

    @property
    def key_id(self) -> uuid.UUID | None:
        return self.principal.api_key.id if self.principal.api_key else None

    @property
    def reads_everything(self) -> bool:
        return self.principal.is_admin and self.principal.has_scope(READ)

    @property
    def reads_only_its_own(self) -> bool:
        """A key with `xapi:read-mine` and not `xapi:read`: what this key stored, no more."""
        return not self.principal.has_scope(READ) and self.principal.has_scope(READ_MINE)


def basic_credentials(header: str) -> tuple[str, str] | None:
    """The (username, password) of a `Basic` Authorization header, or None if it is not one."""
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, colon, password = decoded.partition(":")
    return (username, password) if colon else None


async def current_caller(
    request: Request, authenticator: AuthenticatorDep, background: BackgroundTasks
) -> Caller:
    header = request.headers.get("authorization", "")
    if not header:
        raise BasicUnauthorized("send HTTP Basic auth: the API key's id and secret")
    scheme = header.partition(" ")[0].lower()
    if scheme == "bearer":
        token = header.partition(" ")[2].strip()
        return Caller(await _authenticated(authenticator.bearer(token, background.add_task)))
    credentials = basic_credentials(header)
    if credentials is None:
        raise BasicUnauthorized("the Authorization header is not valid HTTP Basic auth")
    key_id, secret = credentials
    principal = await _authenticated(authenticator.bearer(secret, background.add_task))
    if principal.api_key is None or str(principal.api_key.id) != key_id.strip().lower():
        raise BasicUnauthorized("the username must be the id of the API key whose secret is sent")
    return Caller(principal)


async def _authenticated(check: Awaitable[Principal]) -> Principal:
    """The principal, with a refused credential answered by a Basic challenge."""
    try:
        return await check
    except Problem as exc:
        if exc.status == 401:
            raise BasicUnauthorized(exc.detail) from exc
        raise


async def reader(caller: Annotated[Caller, Depends(current_caller)]) -> Caller:
    if not (caller.principal.has_scope(READ) or caller.principal.has_scope(READ_MINE)):
        raise Forbidden(f"this API key lacks the scope '{READ}' (or '{READ_MINE}')")
    return caller


async def writer(
    request: Request, response: Response, caller: Annotated[Caller, Depends(current_caller)]
) -> Caller:
    """A caller with `xapi:write`, its call counted under the writes rate limit (as /api's)."""
    require_scopes(caller.principal, [WRITE])
    await enforce(request, response, WRITES, caller_key(caller.principal))
    return caller


Reader = Annotated[Caller, Depends(reader)]
Writer = Annotated[Caller, Depends(writer)]
