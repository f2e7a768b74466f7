"""Single-use links mailed to an account's address: password resets and address verification.

A link carries a random token; the database keeps its SHA-256 only. Links expire, are bounded
per account and hour (the rows of the last hour are the count, so every server process shares
it), and using one link of a kind ends every other link of that kind the account has.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Literal
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth import credentials, rules
from questpath.auth import repository as repo
from questpath.auth.models import EmailToken, User
from questpath.problems import Invalid

Purpose = Literal["password_reset", "verify_email"]
NOT_VALID = "this link is not valid; ask for a new one"


async def issue(
    session: AsyncSession,
    user: User,
    purpose: Purpose,
    lifetime: timedelta,
    per_hour: int,
    now: datetime,
) -> str | None:
    """A new token for `user`, or None when the account had `per_hour` links of this kind
    within the last hour already."""
    await repo.delete_email_tokens_before(session, user.id, now - rules.MAIL_WINDOW)
    sent = await repo.count_email_tokens(session, user.id, purpose, now - rules.MAIL_WINDOW)
    if not rules.mail_allowed(sent, per_hour):
        return None
    token = secrets.token_urlsafe(32)
    await repo.add(
        session,
        EmailToken(
            user_id=user.id,
            token_hash=credentials.hash_secret(token),
            purpose=purpose,
            email=user.email,
            created_at=now,
            expires_at=now + lifetime,
        ),
    )
    return token


async def holder(session: AsyncSession, token: str, purpose: Purpose, now: datetime) -> User:
    """The account a link was sent to, locked; a problem naming `token` when the link is
    unknown, used, expired, or sent to an address the account no longer has. Nothing is
    written, so a caller may still refuse the request (then `use` the links)."""
    row = await repo.get_email_token(session, credentials.hash_secret(token), purpose)
    if row is None:
        raise Invalid.field("token", NOT_VALID)
    if problem := rules.email_token_problem(row.expires_at, row.used_at, now):
        raise Invalid.field("token", problem)
    user = await repo.get_user(session, row.user_id, for_update=True)
    if user is None or user.email != row.email:
        raise Invalid.field("token", NOT_VALID)
    return user


async def use(session: AsyncSession, user: User, purpose: Purpose, now: datetime) -> None:
    """End every link of `purpose` the account has: one use ends them all."""
    await repo.use_email_tokens(session, user.id, purpose, now)


def link(public_url: str, path: str, token: str) -> str:
    return f"{public_url}{path}?{urlencode({'token': token})}"
