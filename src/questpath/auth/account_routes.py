"""Account security API: a new password, browser sessions, signing out everywhere, and
deleting the account. People only: an API key can do none of it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from questpath.auth import account, service
from questpath.auth.dependencies import CredentialCacheDep, CurrentPerson
from questpath.auth.schemas import (
    BrowserSessionList,
    BrowserSessionRead,
    DeletionRead,
    PasswordChange,
    PasswordConfirmation,
    TokenRead,
)
from questpath.clock import Now
from questpath.dependencies import SessionDep, SettingsDep

router = APIRouter(prefix="/api/users/me", tags=["account"])

SessionId = Annotated[str, Path(pattern="^[0-9a-f]{16}$", description="a session's id")]


@router.post("/password")
async def change_password(
    data: PasswordChange,
    principal: CurrentPerson,
    session: SessionDep,
    cache: CredentialCacheDep,
    settings: SettingsDep,
    now: Now,
) -> TokenRead:
    """Set a new password. Every access token (this one too) and every browser session is
    revoked; the response holds a new access token. API keys stay valid."""
    user = await account.change_password(
        session, cache, principal.user.id, data.current_password, data.new_password, now
    )
    return service.issue_token(user, settings, now)


@router.post("/sign-out-everywhere", status_code=status.HTTP_204_NO_CONTENT)
async def sign_out_everywhere(
    principal: CurrentPerson, session: SessionDep, cache: CredentialCacheDep, now: Now
) -> Response:
    """Revoke every access token, this one too, and end every browser session. API keys stay
    valid: revoke them one by one."""
    await account.sign_out_everywhere(session, cache, principal.user.id, now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/sessions")
async def list_sessions(
    principal: CurrentPerson, session: SessionDep, now: Now
) -> BrowserSessionList:
    """The browsers signed in to this account, last used first."""
    found = await account.browser_sessions(session, principal.user.id, now, current=None)
    return BrowserSessionList(items=[BrowserSessionRead.model_validate(s) for s in found])


@router.delete("/sessions/{session_id}", status_code=status.HTTP_204_NO_CONTENT)
async def end_session(
    session_id: SessionId, principal: CurrentPerson, session: SessionDep, cache: CredentialCacheDep
) -> Response:
    """Sign one browser out."""
    await account.end_browser_session(session, cache, principal.user.id, session_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/deletion", status_code=status.HTTP_202_ACCEPTED)
async def schedule_deletion(
    data: PasswordConfirmation,
    principal: CurrentPerson,
    session: SessionDep,
    cache: CredentialCacheDep,
    now: Now,
) -> DeletionRead:
    """Delete the account after a grace period of seven days, during which it works as before
    and DELETE takes the request back. Then the account and every record of it are erased.
    Export it first (GET /api/progress/export). Asking again keeps the first date."""
    user = await account.schedule_deletion(session, cache, principal.user.id, data.password, now)
    assert user.deletion_due_at is not None
    return DeletionRead(deletion_due_at=user.deletion_due_at)


@router.delete(
    "/deletion",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={409: {"description": "no deletion is pending, or it is under way"}},
)
async def cancel_deletion(
    principal: CurrentPerson, session: SessionDep, cache: CredentialCacheDep, now: Now
) -> Response:
    """Take back a deletion that is still in its grace period."""
    await account.cancel_deletion(session, cache, principal.user.id, now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
