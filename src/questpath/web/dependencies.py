"""Who is browsing (the cookie session), and the CSRF check every page form passes."""

from __future__ import annotations

from typing import Annotated

from fastapi import BackgroundTasks, Depends, Request

from questpath.auth.credentials import SESSION_COOKIE
from questpath.auth.dependencies import AuthenticatorDep
from questpath.auth.principal import Principal
from questpath.auth.schemas import UserRead
from questpath.dependencies import SettingsDep
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
    request: Request, authenticator: AuthenticatorDep, background: BackgroundTasks
) -> Principal | None:
    """The signed-in browser's person, checked without the page's unit of work (see
    auth/authentication.py), so a page that waits on an outside service holds no database."""
    cookie = request.cookies.get(SESSION_COOKIE)
    principal = await authenticator.browser(cookie, background.add_task) if cookie else None
    request.state.page_user = UserRead.model_validate(principal.user) if principal else None
    return principal


MaybeSignedIn = Annotated[Principal | None, Depends(page_principal)]


async def signed_in(principal: MaybeSignedIn) -> Principal:
    if principal is None:
        raise SignInRequired
    return principal


SignedIn = Annotated[Principal, Depends(signed_in)]


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
