"""Who is browsing (the cookie session), and the CSRF check every page form passes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request

from questpath.auth import service as auth_service
from questpath.auth.credentials import SESSION_COOKIE
from questpath.auth.principal import Principal
from questpath.auth.schemas import UserRead
from questpath.dependencies import SessionDep, SettingsDep, unit_of_work
from questpath.problems import Forbidden, Unauthorized
from questpath.web import csrf

MAX_FORM_BYTES = 2 * 1024 * 1024
CSRF_REFUSED = (
    "this form did not come from a QuestPath page, or it has expired: reload the page and try again"
)


class SignInRequired(Unauthorized):
    """A page that needs a signed-in learner; pages answer it with a redirect to the sign-in."""

    def __init__(self) -> None:
        super().__init__("sign in to see this page")


async def page_principal(
    request: Request, session: SessionDep, settings: SettingsDep
) -> Principal | None:
    cookie = request.cookies.get(SESSION_COOKIE)
    principal = None
    if cookie:
        principal = await auth_service.web_session_principal(
            session, cookie, settings, datetime.now(UTC)
        )
    # Templates get a snapshot: a view that fails rolls the session back, which expires the row.
    request.state.page_user = UserRead.model_validate(principal.user) if principal else None
    return principal


MaybeSignedIn = Annotated[Principal | None, Depends(page_principal)]


async def signed_in(principal: MaybeSignedIn) -> Principal:
    if principal is None:
        raise SignInRequired
    return principal


SignedIn = Annotated[Principal, Depends(signed_in)]


async def brief_signed_in(request: Request, settings: SettingsDep) -> Principal:
    """Like SignedIn, but read in a transaction of its own that ends before the view runs: for
    pages that wait on an outside service and must not hold the database meanwhile."""
    cookie = request.cookies.get(SESSION_COOKIE)
    principal = None
    if cookie:
        async with unit_of_work(request) as session:
            principal = await auth_service.web_session_principal(
                session, cookie, settings, datetime.now(UTC)
            )
    request.state.page_user = UserRead.model_validate(principal.user) if principal else None
    if principal is None:
        raise SignInRequired
    return principal


BriefSignedIn = Annotated[Principal, Depends(brief_signed_in)]


async def verify_csrf(request: Request, settings: SettingsDep) -> None:
    """Refuse (403) a form or htmx request that does not carry this browser's CSRF token."""
    if request.method in csrf.SAFE_METHODS:
        return
    token = request.headers.get(csrf.HEADER)
    if token is None:
        form = await request.form(max_part_size=MAX_FORM_BYTES)
        value = form.get(csrf.FORM_FIELD)
        token = value if isinstance(value, str) else None
    secret = request.cookies.get(csrf.COOKIE)
    if not csrf.is_valid(token, secret, settings.signing_key()):
        raise Forbidden(CSRF_REFUSED)
