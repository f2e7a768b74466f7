"""Pages of e-mail: asking for a reset link, setting a new password with it, confirming an
address, and asking for another confirmation link. Each works without JavaScript."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from questpath.auth import password_reset, verification
from questpath.auth.credentials import SESSION_COOKIE
from questpath.auth.dependencies import CredentialCacheDep, SignedIn
from questpath.auth.email_routes import mail_configured, verification_on
from questpath.auth.schemas import Password
from questpath.clock import Now
from questpath.dependencies import SessionDep, SettingsDep
from questpath.mail import send_after_commit
from questpath.problems import Problem
from questpath.web import forms
from questpath.web.dependencies import verify_csrf
from questpath.web.flash import Toast
from questpath.web.rendering import add_toast, redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
MailOn = [Depends(mail_configured)]
VerificationOn = [Depends(verification_on)]
Token = Annotated[str, Query(max_length=200)]


class ForgotForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    email: str = Field(max_length=320)


class ResetForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    token: str = Field(max_length=200)
    new_password: Password


class VerifyForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    token: str = Field(max_length=200)


@router.get("/forgot-password", dependencies=MailOn)
async def forgot_password_page(request: Request) -> Response:
    return render(request, "auth/forgot_password.html", {"form": {}, "errors": {}})


@router.post("/forgot-password", dependencies=MailOn)
async def forgot_password(
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    settings: SettingsDep,
    now: Now,
) -> Response:
    data = await forms.fields(request)
    form, errors = forms.validate(ForgotForm, data)
    if form is None:
        return render(
            request, "auth/forgot_password.html", {"form": data, "errors": errors}, status_code=422
        )
    mail = await password_reset.request_link(session, form.email, settings, now)
    send_after_commit(session, background, mail, settings)
    context = {"email": form.email, "minutes": settings.password_reset_minutes}
    return render(request, "auth/reset_link_sent.html", context)


@router.get("/reset-password", dependencies=MailOn)
async def reset_password_page(request: Request, token: Token = "") -> Response:
    return render(request, "auth/reset_password.html", {"token": token, "errors": {}})


@router.post("/reset-password", dependencies=MailOn)
async def reset_password(
    request: Request, session: SessionDep, cache: CredentialCacheDep, now: Now
) -> Response:
    data = await forms.fields(request)
    form, errors = forms.validate(ResetForm, data)
    if form is not None:
        try:
            await password_reset.reset(session, cache, form.token, form.new_password, now)
        except Problem as problem:
            errors = forms.problem_errors(problem)
        else:
            add_toast(request, Toast("success", "Your password is changed; sign in with it."))
            response = redirect(request, "/sign-in")
            response.delete_cookie(SESSION_COOKIE, path="/")  # every session ended
            return response
    context = {"token": data.get("token", ""), "errors": errors}
    return render(request, "auth/reset_password.html", context, status_code=422)


@router.get("/verify-email", dependencies=VerificationOn)
async def verify_email_page(request: Request, token: Token = "") -> Response:
    # A button, not the link itself, verifies: mail scanners open links, and a GET changes
    # nothing.
    return render(request, "auth/verify_email.html", {"token": token, "errors": {}})


@router.post("/verify-email", dependencies=VerificationOn)
async def verify_email(
    request: Request, session: SessionDep, cache: CredentialCacheDep, now: Now
) -> Response:
    data = await forms.fields(request)
    form, errors = forms.validate(VerifyForm, data)
    if form is not None:
        try:
            await verification.verify(session, cache, form.token, now)
        except Problem as problem:
            errors = forms.problem_errors(problem)
        else:
            add_toast(request, Toast("success", "Your e-mail address is verified. Thank you!"))
            return redirect(request, "/")
    context = {"token": data.get("token", ""), "errors": errors}
    return render(request, "auth/verify_email.html", context, status_code=422)


@router.post("/settings/account/verification", dependencies=VerificationOn)
async def resend_verification(
    request: Request,
    principal: SignedIn,
    background: BackgroundTasks,
    session: SessionDep,
    settings: SettingsDep,
    now: Now,
) -> Response:
    try:
        mail = await verification.resend(session, principal.user.id, settings, now)
    except Problem as problem:
        add_toast(request, Toast("error", problem.detail[:1].upper() + problem.detail[1:] + "."))
    else:
        send_after_commit(session, background, mail, settings)
        add_toast(request, Toast("success", f"A new link is on its way to {principal.user.email}."))
    return redirect(request, "/settings/account")
