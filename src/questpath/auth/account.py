"""Use cases of an account's security: a new password, its browser sessions, signing out
everywhere, and a deletion that waits out a grace period.

Access tokens are stateless, so they are revoked by raising the account's token version, which
each token carries; browser sessions are rows, and are deleted. Other server processes see both
within the credential cache's lifetime (a second).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from anyio import to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth import credentials, rules
from questpath.auth import repository as repo
from questpath.auth.cache import CredentialCache
from questpath.auth.models import User
from questpath.db import after_commit
from questpath.problems import Conflict, Invalid, NotFound

DELETION_GRACE = timedelta(days=7)


@dataclass(frozen=True)
class BrowserSession:
    id: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    user_agent: str | None
    current: bool


def session_id(token_hash: str) -> str:
    """A session's public id: part of its token's hash, which names it without letting anyone
    sign in with it."""
    return token_hash[:16]


async def _person(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await repo.get_user(session, user_id, for_update=True)
    if user is None:
        raise NotFound("this account no longer exists")
    return user


async def _check_password(user: User, password: str, field: str) -> None:
    if not await to_thread.run_sync(credentials.verify_password, password, user.password_hash):
        raise Invalid.field(field, "is not this account's password")


async def revoke_access(
    session: AsyncSession,
    cache: CredentialCache,
    user: User,
    now: datetime,
    keep_session: str | None = None,
) -> None:
    """Revoke every access token of `user` and end their browser sessions but `keep_session`
    (a token hash)."""
    user.token_version += 1
    user.updated_at = now
    ended = await repo.delete_web_sessions(session, user.id, keep=keep_session)
    await session.flush()

    def forget() -> None:
        cache.forget_user(user.id)
        for token_hash in ended:
            cache.forget_web_session(token_hash)

    after_commit(session, forget)


async def change_password(
    session: AsyncSession,
    cache: CredentialCache,
    user_id: uuid.UUID,
    current: str,
    new: str,
    now: datetime,
    keep_session: str | None = None,
) -> User:
    """Set a new password: every access token and every other browser session is revoked, and
    every password reset link stops working."""
    user = await _person(session, user_id)
    await _check_password(user, current, "current_password")
    if problem := rules.password_problem(new, user.email):
        raise Invalid.field("new_password", problem)
    if new == current:
        raise Invalid.field("new_password", "is the password you have now")
    user.password_hash = await to_thread.run_sync(credentials.hash_password, new)
    await revoke_access(session, cache, user, now, keep_session)
    # A reset link mailed before would undo the change: it ends with the old password.
    await repo.use_email_tokens(session, user.id, "password_reset", now)
    return user


async def sign_out_everywhere(
    session: AsyncSession, cache: CredentialCache, user_id: uuid.UUID, now: datetime
) -> None:
    await revoke_access(session, cache, await _person(session, user_id), now)


async def browser_sessions(
    session: AsyncSession, user_id: uuid.UUID, now: datetime, current: str | None
) -> list[BrowserSession]:
    """The account's live browser sessions, last used first; `current` is the caller's token
    hash, if the caller is a browser."""
    rows = await repo.live_web_sessions(session, user_id, now)
    return [
        BrowserSession(
            id=session_id(row.token_hash),
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            expires_at=row.expires_at,
            user_agent=row.user_agent,
            current=row.token_hash == current,
        )
        for row in sorted(rows, key=lambda row: row.last_seen_at, reverse=True)
    ]


async def end_browser_session(
    session: AsyncSession, cache: CredentialCache, user_id: uuid.UUID, public_id: str
) -> None:
    rows = await repo.live_web_sessions(session, user_id, None)
    found = [row for row in rows if session_id(row.token_hash) == public_id]
    if not found:
        raise NotFound(f"no session {public_id}")
    await repo.delete_web_session(session, user_id, found[0].token_hash)
    after_commit(session, partial(cache.forget_web_session, found[0].token_hash))


async def schedule_deletion(
    session: AsyncSession, cache: CredentialCache, user_id: uuid.UUID, password: str, now: datetime
) -> User:
    """Ask for the account to be erased once `DELETION_GRACE` has passed; until then it works
    as before and the request can be taken back."""
    user = await _person(session, user_id)
    await _check_password(user, password, "password")
    if user.deletion_due_at is None:
        user.deletion_due_at = now + DELETION_GRACE
        user.updated_at = now
        await session.flush()
        after_commit(session, partial(cache.forget_user, user.id))
    return user


async def cancel_deletion(
    session: AsyncSession, cache: CredentialCache, user_id: uuid.UUID, now: datetime
) -> User:
    user = await _person(session, user_id)
    if user.deletion_due_at is None:
        raise Conflict("this account is not scheduled for deletion")
    if user.deletion_due_at <= now:
        raise Conflict("this account's deletion is under way and can no longer be cancelled")
    user.deletion_due_at = None
    user.updated_at = now
    await session.flush()
    after_commit(session, partial(cache.forget_user, user.id))
    return user
