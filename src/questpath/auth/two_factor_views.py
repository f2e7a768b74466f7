"""The account page's two-factor section: set up an authenticator app, confirm it, new recovery
codes, turn it off."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from questpath.auth import two_factor
from questpath.auth.account_views import account_page_response
from questpath.auth.dependencies import SignedIn
from questpath.auth.schemas import Password
from questpath.clock import Now
from questpath.dependencies import SessionDep
from questpath.problems import Problem
from questpath.web import forms
from questpath.web.dependencies import verify_csrf
from questpath.web.flash import Toast
from questpath.web.rendering import add_toast, redirect

router = APIRouter(
    prefix="/settings/account/two-factor",
    include_in_schema=False,
    dependencies=[Depends(verify_csrf)],
)
SECTION = "/settings/account#two-factor"


class ConfirmForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    code: str = Field(min_length=1, max_length=64)


class PasswordForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    password: Password


@router.post("")
async def start(request: Request, principal: SignedIn, session: SessionDep, now: Now) -> Response:
    try:
        await two_factor.start(session, principal.user, now)
    except Problem as problem:
        add_toast(request, Toast("error", problem.detail))
    return redirect(request, SECTION)


@router.post("/confirm")
async def confirm(request: Request, principal: SignedIn, session: SessionDep, now: Now) -> Response:
    form, errors = forms.validate(ConfirmForm, await forms.fields(request))
    if form is not None:
        try:
            codes = await two_factor.confirm(session, principal.user.id, form.code, now)
        except Problem as problem:
            errors = forms.problem_errors(problem)
        else:
            add_toast(request, Toast("success", "Two-factor sign-in is on."))
            return await account_page_response(
                request, principal, session, now, recovery_codes=codes
            )
    return await account_page_response(
        request, principal, session, now, two_factor_errors=errors, status_code=422
    )


@router.post("/recovery-codes")
async def renew_recovery_codes(
    request: Request, principal: SignedIn, session: SessionDep, now: Now
) -> Response:
    form, errors = forms.validate(PasswordForm, await forms.fields(request))
    if form is not None:
        try:
            codes = await two_factor.new_recovery_codes(session, principal.user.id, form.password)
        except Problem as problem:
            errors = forms.problem_errors(problem)
        else:
            return await account_page_response(
                request, principal, session, now, recovery_codes=codes
            )
    return await account_page_response(
        request, principal, session, now, two_factor_errors=errors, status_code=422
    )


@router.post("/off")
async def turn_off(
    request: Request, principal: SignedIn, session: SessionDep, now: Now
) -> Response:
    form, errors = forms.validate(PasswordForm, await forms.fields(request))
    if form is not None:
        try:
            await two_factor.turn_off(session, principal.user.id, form.password)
        except Problem as problem:
            errors = forms.problem_errors(problem)
        else:
            add_toast(request, Toast("success", "Two-factor sign-in is off."))
            return redirect(request, SECTION)
    return await account_page_response(
        request, principal, session, now, two_factor_errors=errors, status_code=422
    )
