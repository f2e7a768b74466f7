"""All SQL of the auth domain."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import case, delete, func, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth.models import (
    ApiKey,
    EmailToken,
    Invite,
    LoginFailures,
    RecoveryCode,
    TwoFactor,
    User,
    WebSession,
    mailto_sha1,
)
from questpath.auth.principal import UserLike
from questpath.db import dialect_of, insert_for


async def get_user(
    session: AsyncSession, user_id: uuid.UUID, *, for_update: bool = False
) -> User | None:
    # FOR NO KEY UPDATE, as recorder.lock takes: an event insert's key share need not wait.
    lock = {"key_share": True} if for_update else None
    return await session.get(User, user_id, with_for_update=lock)


async def get_users(session: AsyncSession, user_ids: set[uuid.UUID]) -> dict[uuid.UUID, UserLike]:
    """Learners by id, to read (a change to a user loads its row with get_user)."""
    rows = await session.scalars(select(User).where(User.id.in_(user_ids)))
    return {user.id: user for user in rows}


async def get_user_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email == email.lower()))


async def add(session: AsyncSession, row: User | ApiKey | Invite | TwoFactor | EmailToken) -> None:
    session.add(row)
    await session.flush()


async def get_api_key_by_hash(session: AsyncSession, secret_hash: str) -> ApiKey | None:
    return await session.scalar(select(ApiKey).where(ApiKey.secret_hash == secret_hash))


async def record_api_key_use(
    session: AsyncSession, key_id: uuid.UUID, now: datetime, unless_since: datetime
) -> None:
    """Set the key's last use to `now`, unless another request or process already recorded one
    at or after `unless_since`."""
    await session.execute(
        update(ApiKey)
        .where(
            ApiKey.id == key_id,
            or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < unless_since),
        )
        .values(last_used_at=now)
    )


async def get_api_key(
    session: AsyncSession, user_id: uuid.UUID, key_id: uuid.UUID
) -> ApiKey | None:
    return await session.scalar(
        select(ApiKey).where(ApiKey.user_id == user_id, ApiKey.id == key_id)
    )


async def list_api_keys(session: AsyncSession, user_id: uuid.UUID) -> list[ApiKey]:
    rows = await session.scalars(
        select(ApiKey).where(ApiKey.user_id == user_id).order_by(ApiKey.created_at.desc())
    )
    return list(rows)


async def count_active_api_keys(session: AsyncSession, user_id: uuid.UUID, now: datetime) -> int:
    """Keys neither revoked nor expired at `now`."""
    count = await session.scalar(
        select(func.count())
        .select_from(ApiKey)
        .where(
            ApiKey.user_id == user_id,
            ApiKey.revoked_at.is_(None),
            or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > now),
        )
    )
    return count or 0


async def count_login_attempt(
    session: AsyncSession, key: str, now: datetime, window: timedelta
) -> tuple[int, datetime]:
    """Add one attempt to `key`, starting a new window when the old one has ended; returns the
    count with this attempt and the window's start.

    One upsert statement, so concurrent attempts from several server processes all count, and
    each sees a different count.
    """
    stmt = insert_for(dialect_of(session), LoginFailures).values(
        key=key, window_started_at=now, failures=1
    )
    window_over = LoginFailures.window_started_at <= now - window
    stmt = stmt.on_conflict_do_update(
        index_elements=[LoginFailures.key],
        set_={
            "failures": case((window_over, 1), else_=LoginFailures.failures + 1),
            "window_started_at": case(
                (window_over, stmt.excluded.window_started_at),
                else_=LoginFailures.window_started_at,
            ),
        },
    ).returning(LoginFailures.failures, LoginFailures.window_started_at)
    row = (await session.execute(stmt)).one()
    return row.failures, row.window_started_at


async def uncount_login_attempt(session: AsyncSession, key: str) -> None:
    """Take back one attempt of `key`: it succeeded, so it was no failure."""
    await session.execute(
        update(LoginFailures)
        .where(LoginFailures.key == key, LoginFailures.failures > 0)
        .values(failures=LoginFailures.failures - 1)
    )


async def clear_login_failures(session: AsyncSession, keys: list[str]) -> None:
    await session.execute(delete(LoginFailures).where(LoginFailures.key.in_(keys)))


async def list_users(session: AsyncSession, email: str | None = None) -> list[User]:
    """Every account by e-mail address, or the one with `email`."""
    stmt = select(User).order_by(User.email)
    if email is not None:
        stmt = stmt.where(User.email == email.strip().lower())
    return list(await session.scalars(stmt))


async def get_web_session(
    session: AsyncSession, user_id: uuid.UUID, token_hash: str
) -> WebSession | None:
    return await session.get(WebSession, (user_id, token_hash))


async def touch_web_session(
    session: AsyncSession,
    user_id: uuid.UUID,
    token_hash: str,
    now: datetime,
    since: datetime,
    expires_at: datetime | None,
) -> None:
    """Note a session's use at `now` unless one since `since` is noted already, and move its end
    to `expires_at` (later, never earlier)."""
    this = (WebSession.user_id == user_id, WebSession.token_hash == token_hash)
    await session.execute(
        update(WebSession).where(*this, WebSession.last_seen_at < since).values(last_seen_at=now)
    )
    if expires_at is not None:
        await session.execute(
            update(WebSession)
            .where(*this, WebSession.expires_at < expires_at)
            .values(expires_at=expires_at, last_seen_at=now)
        )


async def add_web_session(session: AsyncSession, row: WebSession) -> None:
    session.add(row)
    await session.flush()


async def delete_web_session(session: AsyncSession, user_id: uuid.UUID, token_hash: str) -> None:
    await session.execute(
        delete(WebSession).where(WebSession.user_id == user_id, WebSession.token_hash == token_hash)
    )


async def delete_web_sessions(
    session: AsyncSession, user_id: uuid.UUID, keep: str | None = None
) -> list[str]:
    """End the user's browser sessions but `keep` (a token hash); returns the ended ones."""
    stmt = delete(WebSession).where(WebSession.user_id == user_id)
    if keep is not None:
        stmt = stmt.where(WebSession.token_hash != keep)
    rows = await session.execute(stmt.returning(WebSession.token_hash))
    return list(rows.scalars())


async def live_web_sessions(
    session: AsyncSession, user_id: uuid.UUID, now: datetime | None
) -> list[WebSession]:
    """The user's browser sessions that have not expired at `now` (None: all of them)."""
    stmt = select(WebSession).where(WebSession.user_id == user_id)
    if now is not None:
        stmt = stmt.where(WebSession.expires_at > now)
    return list(await session.scalars(stmt))


async def delete_expired_web_sessions(
    session: AsyncSession, user_id: uuid.UUID, now: datetime
) -> None:
    await session.execute(
        delete(WebSession).where(WebSession.user_id == user_id, WebSession.expires_at <= now)
    )


async def day_start_hour(session: AsyncSession, user_id: uuid.UUID) -> int | None:
    """The hour the learner's day starts, as stored now (not as a cached snapshot has it)."""
    return await session.scalar(select(User.day_start_hour).where(User.id == user_id))


async def set_day_start_hour(
    session: AsyncSession, user_id: uuid.UUID, hour: int, now: datetime | None = None
) -> None:
    values: dict[str, object] = {"day_start_hour": hour}
    if now is not None:
        values["updated_at"] = now
    await session.execute(
        update(User)
        .where(User.id == user_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


async def email_sha1(session: AsyncSession, user_id: uuid.UUID) -> tuple[str | None, str | None]:
    """(the stored `email_sha1`, the one the stored address gives), as stored now."""
    row = (
        await session.execute(select(User.email_sha1, User.email).where(User.id == user_id))
    ).first()
    return (row[0], mailto_sha1(row[1])) if row else (None, None)


async def rewrite_email_sha1(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Make `email_sha1` the SHA-1 of the stored address again."""
    _, expected = await email_sha1(session, user_id)
    await session.execute(
        update(User)
        .where(User.id == user_id)
        .values(email_sha1=expected)
        .execution_options(synchronize_session=False)
    )


async def note_sign_in(session: AsyncSession, user_id: uuid.UUID, now: datetime) -> None:
    await session.execute(
        update(User)
        .where(User.id == user_id)
        .values(last_sign_in_at=now)
        .execution_options(synchronize_session=False)
    )


async def list_users_page(
    session: AsyncSession,
    *,
    email_prefix: str | None,
    role: str | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[User]:
    """Accounts newest first, `limit` of them after `after`; filtered by the start of the
    e-mail address and by role."""
    stmt = select(User)
    if after is not None:
        stmt = stmt.where(tuple_(User.created_at, User.id) < after)
    if email_prefix:
        stmt = stmt.where(User.email.startswith(email_prefix.strip().lower(), autoescape=True))
    if role is not None:
        stmt = stmt.where(User.role == role)
    stmt = stmt.order_by(User.created_at.desc(), User.id.desc()).limit(limit)
    return list(await session.scalars(stmt))


async def lock_active_admins(session: AsyncSession) -> list[uuid.UUID]:
    """The enabled admins, locked until the transaction ends, so that two admins demoting each
    other at once cannot both succeed (the second one sees the first one's change)."""
    stmt = (
        select(User.id)
        .where(User.role == "admin", User.disabled_at.is_(None))
        .order_by(User.id)
        .with_for_update()
    )
    return list(await session.scalars(stmt))


async def get_invite_by_hash(session: AsyncSession, token_hash: str) -> Invite | None:
    return await session.scalar(select(Invite).where(Invite.token_hash == token_hash))


async def claim_invite(session: AsyncSession, invite_id: uuid.UUID, now: datetime) -> bool:
    """Mark the invite used, unless a concurrent sign-up used it first; True when this one did.
    One conditional statement: on PostgreSQL the loser waits for the winner's commit and then
    finds it used."""
    claimed = await session.scalar(
        update(Invite)
        .where(Invite.id == invite_id, Invite.used_at.is_(None), Invite.expires_at > now)
        .values(used_at=now)
        .returning(Invite.id)
        .execution_options(synchronize_session=False)
    )
    return claimed is not None


async def list_invites(
    session: AsyncSession, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> list[Invite]:
    stmt = select(Invite).order_by(Invite.created_at.desc(), Invite.id.desc()).limit(limit)
    if after is not None:
        stmt = stmt.where(tuple_(Invite.created_at, Invite.id) < after)
    return list(await session.scalars(stmt))


async def delete_invite(session: AsyncSession, invite_id: uuid.UUID) -> bool:
    deleted = await session.scalar(
        delete(Invite).where(Invite.id == invite_id).returning(Invite.id)
    )
    return deleted is not None


async def get_two_factor(
    session: AsyncSession, user_id: uuid.UUID, *, for_update: bool = False
) -> TwoFactor | None:
    return await session.get(TwoFactor, user_id, with_for_update=for_update)


async def delete_two_factor(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Forget the account's secret and its recovery codes."""
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    await session.execute(delete(TwoFactor).where(TwoFactor.user_id == user_id))


async def use_time_step(session: AsyncSession, user_id: uuid.UUID, step: int) -> bool:
    """Note `step` as the last one whose code was used, unless a code of it or a later step
    already was; one statement, so of two requests with the same code only one wins."""
    result = await session.execute(
        update(TwoFactor)
        .where(
            TwoFactor.user_id == user_id,
            or_(TwoFactor.last_used_step.is_(None), TwoFactor.last_used_step < step),
        )
        .values(last_used_step=step)
        .returning(TwoFactor.user_id)
    )
    return result.first() is not None


async def replace_recovery_codes(
    session: AsyncSession, user_id: uuid.UUID, code_hashes: list[str]
) -> None:
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    session.add_all(RecoveryCode(user_id=user_id, code_hash=h) for h in code_hashes)
    await session.flush()


async def use_recovery_code(session: AsyncSession, user_id: uuid.UUID, code_hash: str) -> bool:
    """Delete the code if it is one of the account's; whether it was (and so is now used)."""
    result = await session.execute(
        delete(RecoveryCode)
        .where(RecoveryCode.user_id == user_id, RecoveryCode.code_hash == code_hash)
        .returning(RecoveryCode.code_hash)
    )
    return result.first() is not None


async def count_recovery_codes(session: AsyncSession, user_id: uuid.UUID) -> int:
    count = await session.scalar(
        select(func.count()).select_from(RecoveryCode).where(RecoveryCode.user_id == user_id)
    )
    return count or 0


async def count_email_tokens(
    session: AsyncSession, user_id: uuid.UUID, purpose: str, since: datetime
) -> int:
    """The links of `purpose` made for the user at or after `since`."""
    count = await session.scalar(
        select(func.count())
        .select_from(EmailToken)
        .where(
            EmailToken.user_id == user_id,
            EmailToken.purpose == purpose,
            EmailToken.created_at >= since,
        )
    )
    return count or 0


async def get_email_token(
    session: AsyncSession, token_hash: str, purpose: str
) -> EmailToken | None:
    return await session.scalar(
        select(EmailToken)
        .where(EmailToken.token_hash == token_hash, EmailToken.purpose == purpose)
        .with_for_update()
    )


async def use_email_tokens(
    session: AsyncSession, user_id: uuid.UUID, purpose: str, now: datetime
) -> None:
    """Mark every unused link of `purpose` of the user used: one use ends them all."""
    await session.execute(
        update(EmailToken)
        .where(
            EmailToken.user_id == user_id,
            EmailToken.purpose == purpose,
            EmailToken.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )


async def delete_email_tokens_before(
    session: AsyncSession, user_id: uuid.UUID, before: datetime
) -> None:
    """Forget the user's links that ended before `before`: they no longer count for anything."""
    await session.execute(
        delete(EmailToken).where(EmailToken.user_id == user_id, EmailToken.expires_at < before)
    )


async def clear_account_login_failures(
    session: AsyncSession, account_key: str, pair_prefix: str
) -> None:
    """Forget the failed sign-ins of one account, from every client address."""
    await session.execute(
        delete(LoginFailures).where(
            or_(
                LoginFailures.key == account_key,
                LoginFailures.key.startswith(pair_prefix, autoescape=True),
            )
        )
    )
