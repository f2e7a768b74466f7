"""Use cases of administration: listing and changing accounts, and invites to sign up.

Disabling an account revokes every access token and browser session it has (as signing out
everywhere does) and refuses its API keys while it stays disabled; enabling it again lets it sign
in, and its keys work again unless revoked or expired.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth import account, credentials, rules, service
from questpath.auth import repository as repo
from questpath.auth.admin_schemas import (
    AdminUserPage,
    AdminUserRead,
    AdminUserUpdate,
    InviteCreate,
    InvitePage,
    InviteRead,
)
from questpath.auth.cache import CredentialCache
from questpath.auth.models import Invite, User
from questpath.auth.principal import Principal
from questpath.db import after_commit
from questpath.pagination import created_cursor, decode_created_cursor
from questpath.problems import Conflict, NotFound

LAST_ADMIN = (
    "this would leave no active admin; make another account an admin first, or use "
    "`questpath create-admin`"
)


def user_read(user: User) -> AdminUserRead:
    return AdminUserRead(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        role=user.role,
        created_at=user.created_at,
        disabled=user.disabled_at is not None,
        disabled_at=user.disabled_at,
        last_sign_in_at=user.last_sign_in_at,
        deletion_due_at=user.deletion_due_at,
    )


async def users_page(
    session: AsyncSession,
    *,
    email_prefix: str | None,
    role: str | None,
    cursor: str | None,
    limit: int,
) -> AdminUserPage:
    after = decode_created_cursor(cursor)
    rows = await repo.list_users_page(
        session, email_prefix=email_prefix, role=role, after=after, limit=limit + 1
    )
    shown = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        next_cursor = created_cursor(shown[-1].created_at, shown[-1].id)
    return AdminUserPage(items=[user_read(user) for user in shown], next_cursor=next_cursor)


async def update_user(
    session: AsyncSession,
    cache: CredentialCache,
    user_id: uuid.UUID,
    change: AdminUserUpdate,
    now: datetime,
) -> User:
    """Change an account's role or disable or enable it; 409 when no active admin would stay."""
    # The admins are locked first, in one order, by every change: two changes at once queue
    # rather than each seeing the other admin still active.
    admins = await repo.lock_active_admins(session)
    user = await repo.get_user(session, user_id, for_update=True)
    if user is None:
        raise NotFound(f"no account {user_id}")
    role = change.role or user.role
    disabled = user.disabled_at is not None if change.disabled is None else change.disabled
    if rules.removes_last_admin(
        is_active_admin=user.id in admins,
        stays_active_admin=role == "admin" and not disabled,
        other_admins=len([admin for admin in admins if admin != user.id]),
    ):
        raise Conflict(LAST_ADMIN)
    user.role = role
    if disabled and user.disabled_at is None:
        user.disabled_at = now
        await account.revoke_access(session, cache, user, now)
    elif not disabled:
        user.disabled_at = None
    user.updated_at = now
    await session.flush()
    after_commit(session, partial(cache.forget_user, user.id))
    return user


def invite_read(invite: Invite, now: datetime) -> InviteRead:
    return InviteRead(
        id=invite.id,
        email=invite.email,
        role=invite.role,
        created_at=invite.created_at,
        expires_at=invite.expires_at,
        used_at=invite.used_at,
        status=rules.invite_status(invite.used_at, invite.expires_at, now),
    )


async def create_invite(
    session: AsyncSession, principal: Principal, data: InviteCreate, now: datetime
) -> tuple[Invite, str]:
    """A new invite and its token, which is shown once."""
    email = str(data.email).lower() if data.email else None
    if email is not None and await repo.get_user_by_email(session, email):
        raise service.email_taken()
    new = credentials.new_invite_token()
    invite = Invite(
        token_hash=new.token_hash,
        email=email,
        role=data.role,
        created_by=principal.user.id,
        created_at=now,
        expires_at=now + timedelta(days=data.expires_in_days),
    )
    await repo.add(session, invite)
    return invite, new.token


async def invites_page(
    session: AsyncSession, cursor: str | None, limit: int, now: datetime
) -> InvitePage:
    rows = await repo.list_invites(session, decode_created_cursor(cursor), limit + 1)
    shown = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        next_cursor = created_cursor(shown[-1].created_at, shown[-1].id)
    return InvitePage(items=[invite_read(row, now) for row in shown], next_cursor=next_cursor)


async def revoke_invite(session: AsyncSession, invite_id: uuid.UUID) -> None:
    """Delete the invite: its link stops working at once."""
    if not await repo.delete_invite(session, invite_id):
        raise NotFound(f"no invite {invite_id}")
