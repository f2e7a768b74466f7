"""Pages of identity: sign-up, sign-in, sign-out, and the learner's settings."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from questpath.auth import rules, service, verification
from questpath.auth.credentials import SESSION_COOKIE
from questpath.auth.dependencies import CredentialCacheDep, MaybeSignedIn, SignedIn
from questpath.auth.schemas import (
    ApiKeyCreate,
    DisplayName,
    Password,
    Timezone,
    UserCreate,
    UserUpdate,
)
from questpath.clock import Now, utc_now
from questpath.dependencies import SessionDep, SessionMakerDep, SettingsDep
from questpath.mail import send_after_commit
from questpath.problems import Problem, TooManyRequests
from questpath.ratelimit.dependencies import admission, client_address
from questpath.ratelimit.limiter import REGISTRATION
from questpath.web import csrf, forms
from questpath.web.dependencies import verify_csrf
from questpath.web.flash import Toast
from questpath.web.redirects import local_path
from questpath.web.rendering import add_toast, redirect, render, set_cookie

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])


async def _next_path(
    target: Annotated[str, Query(alias="next", max_length=2000)] = "/",
) -> str:
    """Where to go after signing in, checked once: a local path, never another site."""
    return local_path(target)


NextPath = Annotated[str, Depends(_next_path)]


class SignUpForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    email: EmailStr
    password: Password
    display_name: DisplayName | None = None
    timezone: Timezone = "UTC"
    invite: str | None = Field(default=None, max_length=100)


class SignInForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    email: str = Field(max_length=320)
    password: Password


class CodeForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    pending: str = Field(max_length=2000)
    code: str = Field(default="", max_length=64)


class ProfileForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    display_name: DisplayName
    timezone: Timezone


class ApiKeyForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: DisplayName
    scopes: list[str] = Field(min_length=1)
    expires_in_days: Literal[7, 30, 90, 365] | None = None


# The page's choices of lifetime; the API takes any moment up to ten years ahead.
EXPIRY_CHOICES = [
    (None, "Never"),
    (7, "In 7 days"),
    (30, "In 30 days"),
    (90, "In 90 days"),
    (365, "In a year"),
]


def _timezones() -> list[str]:
    return sorted(rules.known_timezones())


def _signed_in_redirect(request: Request, response_to: str, cookie: str) -> Response:
    response = redirect(request, response_to)
    set_cookie(request, response, SESSION_COOKIE, cookie, max_age=None)
    # A fresh CSRF secret with every sign-in, so a token learned before it is worthless after.
    set_cookie(request, response, csrf.COOKIE, csrf.new_secret())
    return response


def _sign_up_page(
    request: Request,
    registration: str,
    form: dict[str, str],
    errors: forms.Errors,
    status_code: int = 200,
) -> Response:
    """The sign-up form, or, when this browser may not sign up, why not (403)."""
    refused = registration == "closed" or (registration == "invite" and not form.get("invite"))
    return render(
        request,
        "auth/sign_up.html",
        {
            "form": form,
            "errors": errors,
            "timezones": _timezones(),
            "registration": registration,
            "refused": refused,
        },
        status_code=403 if refused else status_code,
    )


@router.get("/sign-up")
async def sign_up_page(
    request: Request,
    principal: MaybeSignedIn,
    settings: SettingsDep,
    invite: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    if principal is not None:
        return redirect(request, "/")
    form = {"invite": invite} if invite else {}
    return _sign_up_page(request, settings.registration, form, {})


@router.post("/sign-up")
async def sign_up(
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    settings: SettingsDep,
    now: Now,
) -> Response:
    data = await forms.fields(request)
    form, errors = forms.validate(SignUpForm, data)
    if form is not None:
        try:
            user = await service.register(
                session,
                UserCreate(**form.model_dump()),
                now,
                registration=settings.registration,
                admit=admission(request, None, REGISTRATION, client_address(request)),
            )
        except TooManyRequests:
            raise  # an error page, not a complaint about the form
        except Problem as problem:
            errors = forms.problem_errors(problem)
        else:
            cookie = await service.start_web_session(
                session, user, settings, now, request.headers.get("user-agent")
            )
            welcome = f"Welcome to QuestPath, {user.display_name}!"
            if settings.email_verification:
                mail = await verification.request_link(session, user, settings, now)
                send_after_commit(session, background, mail, settings)
                welcome += f" Please confirm your address with the link we mailed to {user.email}."
            add_toast(request, Toast("success", welcome))
            return _signed_in_redirect(request, "/", cookie)
    data.pop("password", None)
    return _sign_up_page(request, settings.registration, data, errors, status_code=422)


@router.get("/sign-in")
async def sign_in_page(
    request: Request, principal: MaybeSignedIn, settings: SettingsDep, next_path: NextPath
) -> Response:
    if principal is not None:
        return redirect(request, next_path)
    context = {
        "form": {},
        "errors": {},
        "next": next_path,
        "registration": settings.registration,
        "mail_on": settings.mail_configured,
    }
    return render(request, "auth/sign_in.html", context)


@router.post("/sign-in")
async def sign_in(
    request: Request,
    session: SessionDep,
    maker: SessionMakerDep,
    settings: SettingsDep,
    now: Now,
    next_path: NextPath,
) -> Response:
    data = await forms.fields(request)
    form, errors = forms.validate(SignInForm, data)
    status_code = 422
    if form is not None:
        client_ip = request.client.host if request.client else "unknown"
        try:
            signed_in = await service.sign_in(
                maker, form.email, form.password, client_ip, settings, now
            )
        except Problem as problem:
            errors, status_code = {"form": problem.detail}, problem.status
        else:
            if signed_in.code_needed:
                pending = service.pending_sign_in(signed_in.user, settings, now)
                return _code_page(request, pending, next_path)
            return await _start_session(request, session, settings, now, next_path, signed_in)
    data.pop("password", None)
    return render(
        request,
        "auth/sign_in.html",
        {
            "form": data,
            "errors": errors,
            "next": next_path,
            "registration": settings.registration,
            "mail_on": settings.mail_configured,
        },
        status_code=status_code,
    )


def _code_page(
    request: Request,
    pending: str,
    next_path: str,
    errors: forms.Errors | None = None,
    status_code: int = 200,
) -> Response:
    """The second step of signing in: the code of the app, for an account with two-factor
    sign-in on. The right password travels in `pending`, a signed token that ends soon."""
    context = {"pending": pending, "errors": errors or {}, "next": next_path}
    return render(request, "auth/sign_in_code.html", context, status_code=status_code)


async def _start_session(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: datetime,
    next_path: str,
    signed_in: service.SignIn,
) -> Response:
    cookie = await service.start_web_session(
        session, signed_in.user, settings, now, request.headers.get("user-agent")
    )
    if (left := signed_in.recovery_codes_left) is not None:
        codes = "recovery code remains" if left == 1 else "recovery codes remain"
        add_toast(request, Toast("success", f"You used a recovery code; {left} {codes}."))
    return _signed_in_redirect(request, next_path, cookie)


@router.post("/sign-in/code")
async def sign_in_code(
    request: Request,
    session: SessionDep,
    maker: SessionMakerDep,
    settings: SettingsDep,
    now: Now,
    next_path: NextPath,
) -> Response:
    form, errors = forms.validate(CodeForm, await forms.fields(request))
    if form is None:
        return redirect(request, "/sign-in")
    client_ip = request.client.host if request.client else "unknown"
    try:
        signed_in = await service.finish_sign_in(
            maker, form.pending, form.code, client_ip, settings, now
        )
    except Problem as problem:
        field = "code" if problem.errors else "form"
        return _code_page(
            request, form.pending, next_path, {field: problem.detail}, status_code=problem.status
        )
    if signed_in.code_needed:
        errors = {"code": "enter the code of your authenticator app, or a recovery code"}
        return _code_page(request, form.pending, next_path, errors, status_code=422)
    return await _start_session(request, session, settings, now, next_path, signed_in)


@router.post("/sign-out")
async def sign_out(request: Request, session: SessionDep, cache: CredentialCacheDep) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        await service.end_web_session(session, cache, cookie)
    add_toast(request, Toast("success", "You are signed out."))
    response = redirect(request, "/sign-in")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@dataclass(frozen=True)
class NewKeyShown:
    """A key just made, shown once; with the LRS's endpoint when it has an xapi scope, since
    xAPI clients sign in with the key's id and secret."""

    name: str
    secret: str
    id: str
    lrs_endpoint: str | None


async def _settings_page(
    request: Request,
    principal: SignedIn,
    session: SessionDep,
    *,
    profile_errors: forms.Errors | None = None,
    key_errors: forms.Errors | None = None,
    new_key: NewKeyShown | None = None,
    chosen_scopes: Sequence[str] | None = None,
    chosen_expiry: int | None = None,
    status_code: int = 200,
) -> Response:
    keys = await service.list_api_keys(session, principal.user)
    return render(
        request,
        "auth/settings.html",
        {
            "timezones": _timezones(),
            "profile_errors": profile_errors or {},
            "key_errors": key_errors or {},
            "keys": keys,
            "scope_groups": rules.scope_groups(),
            "chosen_scopes": rules.SUGGESTED_SCOPES if chosen_scopes is None else chosen_scopes,
            "new_key": new_key,
            "expiry_choices": EXPIRY_CHOICES,
            "chosen_expiry": chosen_expiry,
            "now": utc_now(),
        },
        status_code=status_code,
    )


@router.get("/settings")
async def settings_page(request: Request, principal: SignedIn, session: SessionDep) -> Response:
    return await _settings_page(request, principal, session)


@router.post("/settings/profile")
async def update_profile(
    request: Request, principal: SignedIn, session: SessionDep, cache: CredentialCacheDep, now: Now
) -> Response:
    form, errors = forms.validate(ProfileForm, await forms.fields(request))
    if form is None:
        return await _settings_page(
            request, principal, session, profile_errors=errors, status_code=422
        )
    update = UserUpdate(display_name=form.display_name, timezone=form.timezone)
    await service.update_profile(session, cache, principal.user.id, update, now)
    add_toast(request, Toast("success", "Settings saved."))
    return redirect(request, "/settings")


@router.post("/settings/api-keys")
async def create_api_key(
    request: Request, principal: SignedIn, session: SessionDep, now: Now
) -> Response:
    form_data = await request.form()
    scopes = [str(s) for s in form_data.getlist("scopes")]
    data: dict[str, object] = {"name": str(form_data.get("name") or "").strip(), "scopes": scopes}
    if expiry := str(form_data.get("expires_in_days") or ""):
        data["expires_in_days"] = int(expiry) if expiry.isdigit() else expiry
    form, errors = forms.validate(ApiKeyForm, data)
    if form is not None:
        days = form.expires_in_days
        create = ApiKeyCreate(
            name=form.name,
            scopes=form.scopes,
            expires_at=now + timedelta(days=days) if days else None,
        )
        try:
            key, secret = await service.create_api_key(session, principal, create, now)
        except Problem as problem:
            errors = forms.problem_errors(problem)
        else:
            lrs = any(scope.startswith("xapi:") for scope in key.scopes)
            endpoint = f"{request.app.state.settings.public_url}/xapi/" if lrs else None
            shown = NewKeyShown(key.name, secret, str(key.id), endpoint)
            return await _settings_page(request, principal, session, new_key=shown)
    return await _settings_page(
        request,
        principal,
        session,
        key_errors=errors,
        chosen_scopes=scopes,
        chosen_expiry=form.expires_in_days if form else None,
        status_code=422,
    )


@router.post("/settings/api-keys/{key_id}/revoke")
async def revoke_api_key(
    key_id: uuid.UUID,
    request: Request,
    principal: SignedIn,
    session: SessionDep,
    cache: CredentialCacheDep,
    now: Now,
) -> Response:
    await service.revoke_api_key(session, cache, principal, key_id, now)
    add_toast(request, Toast("success", "The API key is revoked."))
    return redirect(request, "/settings")
