"""Auth API: sign-up, sign-in, the caller's profile, and API keys."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, BackgroundTasks, Request, Response, status

from questpath.auth import service, verification
from questpath.auth.dependencies import (
    CanReadProfile,
    CanWriteAndReadProfile,
    CredentialCacheDep,
    CurrentPerson,
)
from questpath.auth.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyList,
    ApiKeyRead,
    LoginRequest,
    RegistrationRead,
    SignInRead,
    UserCreate,
    UserRead,
    UserUpdate,
)
from questpath.clock import Now
from questpath.dependencies import SessionDep, SessionMakerDep, SettingsDep
from questpath.mail import send_after_commit
from questpath.ratelimit.dependencies import admission, client_address
from questpath.ratelimit.limiter import REGISTRATION
from questpath.ratelimit.openapi import RATE_LIMITED

router = APIRouter(prefix="/api", tags=["auth"])


@router.post(
    "/auth/register",
    status_code=status.HTTP_201_CREATED,
    responses={
        409: {"description": "the e-mail address has an account"},
        429: RATE_LIMITED,
    },
)
async def register(
    data: UserCreate,
    request: Request,
    response: Response,
    background: BackgroundTasks,
    session: SessionDep,
    settings: SettingsDep,
    now: Now,
) -> RegistrationRead:
    """Create an account. Where the server verifies addresses, a verification link is mailed;
    the account works meanwhile. Sign-ups from one client address are rate limited."""
    admit = admission(request, response, REGISTRATION, client_address(request))
    user = await service.register(
        session, data, now, registration=settings.registration, admit=admit
    )
    if settings.email_verification:
        mail = await verification.request_link(session, user, settings, now)
        send_after_commit(session, background, mail, settings)
    token = service.issue_token(user, settings, now)
    return RegistrationRead(**token.model_dump(), user=UserRead.model_validate(user))


@router.post(
    "/auth/login",
    responses={
        401: {"description": "the e-mail address or password is wrong"},
        429: {"description": "too many failed attempts; Retry-After says when to try again"},
    },
)
async def login(
    data: LoginRequest, request: Request, maker: SessionMakerDep, settings: SettingsDep, now: Now
) -> SignInRead:
    """Sign in with a password, and a two-factor `code` when the account has that on."""
    client_ip = request.client.host if request.client else "unknown"
    signed_in = await service.sign_in(
        maker, data.email, data.password, client_ip, settings, now, data.code
    )
    if signed_in.code_needed:
        raise service.code_required()
    token = service.issue_token(signed_in.user, settings, now)
    return SignInRead(**token.model_dump(), recovery_codes_left=signed_in.recovery_codes_left)


@router.get("/users/me")
async def read_me(principal: CanReadProfile) -> UserRead:
    return UserRead.model_validate(principal.user)


@router.patch("/users/me")
async def update_me(
    data: UserUpdate,
    principal: CanWriteAndReadProfile,
    session: SessionDep,
    cache: CredentialCacheDep,
    now: Now,
) -> UserRead:
    user = await service.update_profile(session, cache, principal.user.id, data, now)
    return UserRead.model_validate(user)


@router.post(
    "/api-keys",
    status_code=status.HTTP_201_CREATED,
    tags=["api keys"],
    responses={409: {"description": "the most API keys an account may have are active"}},
)
async def create_api_key(
    data: ApiKeyCreate, principal: CurrentPerson, session: SessionDep, now: Now
) -> ApiKeyCreated:
    key, secret = await service.create_api_key(session, principal, data, now)
    return ApiKeyCreated(**ApiKeyRead.model_validate(key).model_dump(), secret=secret)


@router.get("/api-keys", tags=["api keys"])
async def list_api_keys(principal: CurrentPerson, session: SessionDep) -> ApiKeyList:
    keys = await service.list_api_keys(session, principal.user)
    return ApiKeyList(items=[ApiKeyRead.model_validate(key) for key in keys])


@router.delete("/api-keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["api keys"])
async def revoke_api_key(
    key_id: uuid.UUID,
    principal: CurrentPerson,
    session: SessionDep,
    cache: CredentialCacheDep,
    now: Now,
) -> Response:
    await service.revoke_api_key(session, cache, principal, key_id, now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
