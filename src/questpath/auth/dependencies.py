"""Who is calling: the Principal behind the bearer token, and the checks routes declare.

None of these takes the request's unit of work: a credential is checked from the cache or in a
brief read-only transaction (see authentication.py), so checking one never waits for a writer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import BackgroundTasks, Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from questpath.auth import rules, service
from questpath.auth.authentication import Authenticator
from questpath.auth.cache import CredentialCache
from questpath.auth.credentials import SESSION_COOKIE
from questpath.auth.principal import Principal
from questpath.auth.schemas import UserRead
from questpath.problems import Forbidden, Unauthorized
from questpath.web.errors import SignInRequired

bearer = HTTPBearer(
    auto_error=False,
    description="An access token from /api/auth/login, or an API key starting with qp_. "
    "A key may call an operation only with every scope its security requirement lists.",
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
SIGN_IN = "sign in: send 'Authorization: Bearer <access token or API key>'"


async def get_authenticator(request: Request) -> Authenticator:
    authenticator: Authenticator = request.app.state.authenticator
    return authenticator


AuthenticatorDep = Annotated[Authenticator, Depends(get_authenticator)]


async def get_credential_cache(authenticator: AuthenticatorDep) -> CredentialCache:
    return authenticator.cache


CredentialCacheDep = Annotated[CredentialCache, Depends(get_credential_cache)]


async def current_principal(
    authenticator: AuthenticatorDep, background: BackgroundTasks, credentials: Credentials
) -> Principal:
    if credentials is None or not credentials.credentials:
        raise Unauthorized(SIGN_IN)
    return await authenticator.bearer(credentials.credentials, background.add_task)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def current_person(principal: CurrentPrincipal) -> Principal:
    service.require_person(principal)
    return principal


CurrentPerson = Annotated[Principal, Depends(current_person)]


class Scoped:
    """A dependency that admits people, and API keys that carry every one of `scopes`.

    Routes declare it through `requires`, so the OpenAPI document lists the scopes in each
    operation's security requirement.
    """

    def __init__(self, *scopes: str) -> None:
        self.scopes = scopes

    async def __call__(self, principal: CurrentPrincipal) -> Principal:
        require_scopes(principal, self.scopes)
        return principal


def require_scopes(principal: Principal, scopes: Iterable[str]) -> None:
    for scope in scopes:
        if not principal.has_scope(scope):
            raise Forbidden(f"this API key lacks the scope '{scope}'")


def requires(*scopes: str) -> Any:
    """`Security(...)` of a Principal that has `scopes`, for use in `Annotated`."""
    return Security(Scoped(*scopes), scopes=list(scopes))


# One alias per combination the routes use. `…Write` alone is for writes whose answer shows
# nothing beyond what was sent (204s, the per-event status of POST /api/events).
CanReadEvents = Annotated[Principal, requires("events:read")]
CanWriteEvents = Annotated[Principal, requires("events:write")]
CanWriteAndReadEvents = Annotated[Principal, requires("events:write", "events:read")]
CanReadProgress = Annotated[Principal, requires("progress:read")]
# Check-ins, skill-level recalculations and vacations record events and answer with progress.
CanWriteEventsReadProgress = Annotated[Principal, requires("events:write", "progress:read")]
CanReadTracks = Annotated[Principal, requires("tracks:read")]
CanWriteTracks = Annotated[Principal, requires("tracks:write")]
CanWriteAndReadTracks = Annotated[Principal, requires("tracks:write", "tracks:read")]
CanReadQuizzes = Annotated[Principal, requires("quizzes:read")]
CanWriteQuizzes = Annotated[Principal, requires("quizzes:write")]
CanWriteAndReadQuizzes = Annotated[Principal, requires("quizzes:write", "quizzes:read")]
CanReadGoals = Annotated[Principal, requires("goals:read")]
CanWriteGoals = Annotated[Principal, requires("goals:write")]
CanWriteAndReadGoals = Annotated[Principal, requires("goals:write", "goals:read")]
CanReadProfile = Annotated[Principal, requires("profile:read")]
CanWriteProfile = Annotated[Principal, requires("profile:write")]
CanWriteAndReadProfile = Annotated[Principal, requires("profile:write", "profile:read")]
# Marking read answers with the unread count, and changing the settings with all of them.
CanWriteNotifications = Annotated[Principal, requires("notifications:write", "progress:read")]
# The full export holds everything a learner has, so it needs every read scope.
CanReadEverything = Annotated[Principal, requires(*rules.READ_SCOPES)]


async def _browser(
    request: Request, authenticator: Authenticator, background: BackgroundTasks
) -> Principal | None:
    """The person signed in with this browser's session cookie, if any."""
    cookie = request.cookies.get(SESSION_COOKIE)
    return await authenticator.browser(cookie, background.add_task) if cookie else None


STREAM_SCOPES = ("progress:read",)


async def current_reader_or_browser(
    request: Request,
    authenticator: AuthenticatorDep,
    background: BackgroundTasks,
    credentials: Credentials,
) -> Principal:
    """A bearer token or API key with `progress:read`, or else a signed-in browser's session.

    For GET endpoints a browser opens directly (EventSource cannot send headers); they change
    nothing, so the session cookie needs no CSRF token.
    """
    if credentials is not None and credentials.credentials:
        principal = await authenticator.bearer(credentials.credentials, background.add_task)
        require_scopes(principal, STREAM_SCOPES)
        return principal
    browser = await _browser(request, authenticator, background)
    if browser is None:
        raise Unauthorized(SIGN_IN)
    return browser


ReaderOrBrowser = Annotated[
    Principal, Security(current_reader_or_browser, scopes=list(STREAM_SCOPES))
]


async def page_principal(
    request: Request, authenticator: AuthenticatorDep, background: BackgroundTasks
) -> Principal | None:
    """The signed-in browser's person, checked without the page's unit of work (see
    authentication.py), so a page that waits on an outside service holds no database."""
    principal = await _browser(request, authenticator, background)
    request.state.page_user = UserRead.model_validate(principal.user) if principal else None
    return principal


MaybeSignedIn = Annotated[Principal | None, Depends(page_principal)]


async def signed_in(principal: MaybeSignedIn) -> Principal:
    """A page's signed-in person; without one, the page redirects to the sign-in."""
    if principal is None:
        raise SignInRequired
    return principal


SignedIn = Annotated[Principal, Depends(signed_in)]


ADMINS_ONLY = "only admins may do this"


async def current_admin(principal: CurrentPerson) -> Principal:
    """An admin signed in as a person: API keys never administer (see docs/admin.md)."""
    if not principal.is_admin:
        raise Forbidden(ADMINS_ONLY)
    return principal


CurrentAdmin = Annotated[Principal, Depends(current_admin)]


async def signed_in_admin(principal: SignedIn) -> Principal:
    """A page's signed-in admin; anyone else gets a 403 page."""
    if not principal.is_admin:
        raise Forbidden(ADMINS_ONLY)
    return principal


SignedInAdmin = Annotated[Principal, Depends(signed_in_admin)]
