"""The admin page: accounts (role, disable, enable) and invites to sign up. Plain forms, so it
works without JavaScript."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from questpath.auth import admin
from questpath.auth.admin_routes import sign_up_link
from questpath.auth.admin_schemas import AdminUserUpdate, InviteCreate
from questpath.auth.dependencies import CredentialCacheDep, SignedInAdmin
from questpath.auth.models import ROLES
from questpath.auth.rules import DEFAULT_INVITE_DAYS, MAX_INVITE_DAYS
from questpath.auth.schemas import Role
from questpath.clock import Now
from questpath.dependencies import SessionDep, SettingsDep
from questpath.pagination import Cursor
from questpath.problems import Problem
from questpath.web import forms
from questpath.web.dependencies import verify_csrf
from questpath.web.flash import Toast
from questpath.web.rendering import add_toast, redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
PAGE_SIZE = 100
INVITE_DAY_CHOICES = (1, 3, DEFAULT_INVITE_DAYS, 14, 30, MAX_INVITE_DAYS)


class RoleForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: Role


class InviteForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    email: EmailStr | None = None
    role: Role = "learner"
    expires_in_days: int = Field(default=DEFAULT_INVITE_DAYS, ge=1, le=MAX_INVITE_DAYS)


async def _page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: Now,
    *,
    email: str | None = None,
    cursor: str | None = None,
    new_invite: str | None = None,
    invite_errors: forms.Errors | None = None,
    invite_form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    users = await admin.users_page(
        session, email_prefix=email, role=None, cursor=cursor, limit=PAGE_SIZE
    )
    invites = await admin.invites_page(session, None, PAGE_SIZE, now)
    return render(
        request,
        "auth/admin.html",
        {
            "users": users,
            "email": email or "",
            "roles": ROLES,
            "registration": settings.registration,
            "invites": invites.items,
            "new_invite": new_invite,
            "invite_errors": invite_errors or {},
            "invite_form": invite_form or {},
            "day_choices": INVITE_DAY_CHOICES,
            "default_days": DEFAULT_INVITE_DAYS,
        },
        status_code=status_code,
    )


@router.get("/admin")
async def admin_page(
    request: Request,
    _admin: SignedInAdmin,
    session: SessionDep,
    settings: SettingsDep,
    now: Now,
    cursor: Cursor = None,
    email: Annotated[str | None, Query(max_length=320)] = None,
) -> Response:
    return await _page(request, session, settings, now, email=email, cursor=cursor)


async def _change(
    request: Request,
    session: SessionDep,
    cache: CredentialCacheDep,
    user_id: uuid.UUID,
    change: AdminUserUpdate,
    done: str,
    now: Now,
) -> Response:
    try:
        user = await admin.update_user(session, cache, user_id, change, now)
    except Problem as problem:
        if problem.status == 404:
            raise
        add_toast(request, Toast("error", "Not changed", problem.detail))
    else:
        add_toast(request, Toast("success", done.format(user.email)))
    return redirect(request, "/admin")


@router.post("/admin/users/{user_id}/role")
async def change_role(
    user_id: uuid.UUID,
    request: Request,
    _admin: SignedInAdmin,
    session: SessionDep,
    cache: CredentialCacheDep,
    now: Now,
) -> Response:
    form, errors = forms.validate(RoleForm, await forms.fields(request))
    if form is None:
        add_toast(request, Toast("error", "Not changed", errors.get("role", "choose a role")))
        return redirect(request, "/admin")
    change = AdminUserUpdate(role=form.role)
    done = f"{{}} is now {'an' if form.role == 'admin' else 'a'} {form.role}."
    return await _change(request, session, cache, user_id, change, done, now)


@router.post("/admin/users/{user_id}/disable")
async def disable_user(
    user_id: uuid.UUID,
    request: Request,
    _admin: SignedInAdmin,
    session: SessionDep,
    cache: CredentialCacheDep,
    now: Now,
) -> Response:
    change = AdminUserUpdate(disabled=True)
    done = "{} is disabled and signed out everywhere."
    return await _change(request, session, cache, user_id, change, done, now)


@router.post("/admin/users/{user_id}/enable")
async def enable_user(
    user_id: uuid.UUID,
    request: Request,
    _admin: SignedInAdmin,
    session: SessionDep,
    cache: CredentialCacheDep,
    now: Now,
) -> Response:
    change = AdminUserUpdate(disabled=False)
    return await _change(request, session, cache, user_id, change, "{} can sign in again.", now)


@router.post("/admin/invites")
async def create_invite(
    request: Request,
    principal: SignedInAdmin,
    session: SessionDep,
    settings: SettingsDep,
    now: Now,
) -> Response:
    data = await forms.fields(request)
    if not data.get("email"):
        data.pop("email", None)
    form, errors = forms.validate(InviteForm, data)
    if form is not None:
        create = InviteCreate(**form.model_dump())
        try:
            _invite, token = await admin.create_invite(session, principal, create, now)
        except Problem as problem:
            errors = forms.problem_errors(problem)
        else:
            link = sign_up_link(request, token)
            return await _page(request, session, settings, now, new_invite=link)
    return await _page(
        request,
        session,
        settings,
        now,
        invite_errors=errors,
        invite_form=data,
        status_code=422,
    )


@router.post("/admin/invites/{invite_id}/revoke")
async def revoke_invite(
    invite_id: uuid.UUID, request: Request, _admin: SignedInAdmin, session: SessionDep
) -> Response:
    await admin.revoke_invite(session, invite_id)
    add_toast(request, Toast("success", "The invite is revoked; its link no longer works."))
    return redirect(request, "/admin")
