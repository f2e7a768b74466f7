"""The account page: a new password, where the learner is signed in, and deleting the account."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict

from questpath.auth import account, credentials
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


async def _page(
    request: Request,
    principal: SignedIn,
    session: SessionDep,
    now: Now,
    *,
    password_errors: forms.Errors | None = None,
    deletion_errors: forms.Errors | None = None,
    status_code: int = 200,
) -> Response:
    sessions = await account.browser_sessions(
        session, principal.user.id, now, current=_this_session(request)
    )
    return render(
        request,
        "auth/account.html",
        {
            "sessions": sessions,
            "grace_days": account.DELETION_GRACE.days,
            "password_errors": password_errors or {},
            "deletion_errors": deletion_errors or {},
        },
        status_code=status_code,
    )


@router.get("/settings/account")
async def account_page(
    request: Request, principal: SignedIn, session: SessionDep, now: Now
) -> Response:
    return await _page(request, principal, session, now)


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
    return await _page(request, principal, session, now, password_errors=errors, status_code=422)


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
    return await _page(request, principal, session, now, deletion_errors=errors, status_code=422)


@router.post("/settings/account/deletion/cancel")
async def cancel_deletion(
    request: Request, principal: SignedIn, session: SessionDep, cache: CredentialCacheDep, now: Now
) -> Response:
    await account.cancel_deletion(session, cache, principal.user.id, now)
    add_toast(request, Toast("success", "Your account stays."))
    return redirect(request, "/settings/account")
