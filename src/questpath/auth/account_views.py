"""The account page: a new password, two-factor sign-in, where the learner is signed in, and
deleting the account."""

from __future__ import annotations

import segno
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict

from questpath.auth import account, credentials, two_factor
from questpath.auth.credentials import SESSION_COOKIE
from questpath.auth.dependencies import CredentialCacheDep, SignedIn
from questpath.auth.schemas import Password
from questpath.clock import Now
from questpath.dependencies import SessionDep
from questpath.problems import Problem
from questpath.web import forms
from questpath.web.dependencies import verify_csrf
from questpath.web.flash import Toast
from questpath.web.rendering import add_toast, redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])


class PasswordForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    current_password: Password
    new_password: Password


class DeletionForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    password: Password


def _this_session(request: Request) -> str | None:
    """The token hash of the browser's own session."""
    parsed = credentials.parse_session_cookie(request.cookies.get(SESSION_COOKIE, ""))
    return parsed[1] if parsed else None


async def account_page_response(
    request: Request,
    principal: SignedIn,
    session: SessionDep,
    now: Now,
    *,
    password_errors: forms.Errors | None = None,
    deletion_errors: forms.Errors | None = None,
    two_factor_errors: forms.Errors | None = None,
    recovery_codes: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    """The account page; `recovery_codes` are new ones, shown this once."""
    sessions = await account.browser_sessions(
        session, principal.user.id, now, current=_this_session(request)
    )
    enrolment = await two_factor.enrolment(session, principal.user)
    return render(
        request,
        "auth/account.html",
        {
            "sessions": sessions,
            "grace_days": account.DELETION_GRACE.days,
            "password_errors": password_errors or {},
            "deletion_errors": deletion_errors or {},
            "two_factor": await two_factor.status(session, principal.user.id),
            "enrolment": enrolment,
            "qr_code": qr_code_svg(enrolment.uri) if enrolment else None,
            "two_factor_errors": two_factor_errors or {},
            "recovery_codes": recovery_codes,
        },
        status_code=status_code,
    )


def qr_code_svg(uri: str) -> Markup:
    """The URI as a QR code, an inline SVG for an authenticator app's camera."""
    svg = segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    return Markup(svg)  # noqa: S704  (segno draws it from our own URI: paths, no markup of ours)


@router.get("/settings/account")
async def account_page(
    request: Request, principal: SignedIn, session: SessionDep, now: Now
) -> Response:
    return await account_page_response(request, principal, session, now)


@router.post("/settings/account/password")
async def change_password(
    request: Request, principal: SignedIn, session: SessionDep, cache: CredentialCacheDep, now: Now
) -> Response:
    form, errors = forms.validate(PasswordForm, await forms.fields(request))
    if form is not None:
        try:
            await account.change_password(
                session,
                cache,
                principal.user.id,
                form.current_password,
                form.new_password,
                now,
                keep_session=_this_session(request),
            )
        except Problem as problem:
            errors = forms.problem_errors(problem)
        else:
            add_toast(request, Toast("success", "Password changed; other browsers are signed out."))
            return redirect(request, "/settings/account")
    return await account_page_response(
        request, principal, session, now, password_errors=errors, status_code=422
    )


@router.post("/settings/account/sessions/{session_id}/end")
async def end_session(
    session_id: str,
    request: Request,
    principal: SignedIn,
    session: SessionDep,
    cache: CredentialCacheDep,
) -> Response:
    await account.end_browser_session(session, cache, principal.user.id, session_id)
    add_toast(request, Toast("success", "That browser is signed out."))
    return redirect(request, "/settings/account")


@router.post("/settings/account/sign-out-everywhere")
async def sign_out_everywhere(
    request: Request, principal: SignedIn, session: SessionDep, cache: CredentialCacheDep, now: Now
) -> Response:
    await account.sign_out_everywhere(session, cache, principal.user.id, now)
    add_toast(request, Toast("success", "You are signed out everywhere."))
    response = redirect(request, "/sign-in")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/settings/account/deletion")
async def schedule_deletion(
    request: Request, principal: SignedIn, session: SessionDep, cache: CredentialCacheDep, now: Now
) -> Response:
    form, errors = forms.validate(DeletionForm, await forms.fields(request))
    if form is not None:
        try:
            await account.schedule_deletion(session, cache, principal.user.id, form.password, now)
        except Problem as problem:
            errors = forms.problem_errors(problem)
        else:
            add_toast(
                request, Toast("success", "Your account will be deleted; you can still keep it.")
            )
            return redirect(request, "/settings/account")
    return await account_page_response(
        request, principal, session, now, deletion_errors=errors, status_code=422
    )


@router.post("/settings/account/deletion/cancel")
async def cancel_deletion(
    request: Request, principal: SignedIn, session: SessionDep, cache: CredentialCacheDep, now: Now
) -> Response:
    await account.cancel_deletion(session, cache, principal.user.id, now)
    add_toast(request, Toast("success", "Your account stays."))
    return redirect(request, "/settings/account")
