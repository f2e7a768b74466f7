"""Admin API: accounts (list, change role, disable) and invites. People only: an admin signs in
to administer; API keys are refused, whatever their scopes."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from questpath.auth import admin
from questpath.auth.admin_schemas import (
    AdminUserPage,
    AdminUserRead,
    AdminUserUpdate,
    InviteCreate,
    InviteCreated,
    InvitePage,
)
from questpath.auth.dependencies import CredentialCacheDep, CurrentAdmin
from questpath.auth.schemas import Role
from questpath.clock import Now
from questpath.dependencies import SessionDep
from questpath.pagination import Cursor, Limit

router = APIRouter(prefix="/api/admin", tags=["admin"])
EmailPrefix = Annotated[
    str | None, Query(max_length=320, description="only addresses that start with this")
]


def sign_up_link(request: Request, token: str) -> str:
    return str(request.url_for("sign_up_page").include_query_params(invite=token))


@router.get("/users")
async def list_users(
    _admin: CurrentAdmin,
    session: SessionDep,
    cursor: Cursor = None,
    limit: Limit = 100,
    email: EmailPrefix = None,
    role: Role | None = None,
) -> AdminUserPage:
    """Every account, newest first."""
    return await admin.users_page(
        session, email_prefix=email, role=role, cursor=cursor, limit=limit
    )


@router.patch(
    "/users/{user_id}",
    responses={409: {"description": "the change would leave no active admin"}},
)
async def update_user(
    user_id: uuid.UUID,
    change: AdminUserUpdate,
    _admin: CurrentAdmin,
    session: SessionDep,
    cache: CredentialCacheDep,
    now: Now,
) -> AdminUserRead:
    user = await admin.update_user(session, cache, user_id, change, now)
    return admin.user_read(user)


@router.post(
    "/invites",
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "the e-mail address has an account already"}},
)
async def create_invite(
    data: InviteCreate, request: Request, principal: CurrentAdmin, session: SessionDep, now: Now
) -> InviteCreated:
    """A single-use sign-up link; its token is shown only in this answer."""
    invite, token = await admin.create_invite(session, principal, data, now)
    read = admin.invite_read(invite, now)
    return InviteCreated(**read.model_dump(), token=token, url=sign_up_link(request, token))


@router.get("/invites")
async def list_invites(
    _admin: CurrentAdmin, session: SessionDep, now: Now, cursor: Cursor = None, limit: Limit = 100
) -> InvitePage:
    """Every invite, newest first, used and expired ones too (never their tokens)."""
    return await admin.invites_page(session, cursor, limit, now)


@router.delete("/invites/{invite_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_invite(
    invite_id: uuid.UUID, _admin: CurrentAdmin, session: SessionDep
) -> Response:
    await admin.revoke_invite(session, invite_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
