"""Use cases of address verification, asked for when the operator turns it on: a link mailed
at sign-up (and again on request) that records the address as the owner's.

An unverified account signs in and works as any other; pages ask its owner to verify.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth import email_links, rules
from questpath.auth import repository as repo
from questpath.auth.cache import CredentialCache
from questpath.auth.models import User
from questpath.config import Settings
from questpath.db import after_commit
from questpath.mail import Mail
from questpath.problems import Conflict, NotFound, TooManyRequests

VERIFY_PATH = "/verify-email"


async def request_link(
    session: AsyncSession, user: User, settings: Settings, now: datetime
) -> Mail | None:
    """The mail with a verification link for `user`; None when the account had its links for
    this hour."""
    lifetime = timedelta(hours=settings.email_verification_hours)
    token = await email_links.issue(
        session, user, "verify_email", lifetime, settings.mails_per_hour, now
    )
    if token is None:
        return None
    url = email_links.link(settings.public_url, VERIFY_PATH, token)
    body = (
        f"Hello {user.display_name},\n\n"
        f"please confirm that {user.email} is your address for QuestPath by opening this link "
        f"within {settings.email_verification_hours} hours:\n\n"
        f"{url}\n\n"
        "If you did not sign up for QuestPath, ignore this mail.\n"
    )
    return Mail(user.email, "Confirm your e-mail address for QuestPath", body, "verify_email")


async def resend(
    session: AsyncSession, user_id: uuid.UUID, settings: Settings, now: datetime
) -> Mail:
    """Another verification link for an account that is not verified yet."""
    user = await repo.get_user(session, user_id, for_update=True)
    if user is None:
        raise NotFound("this account no longer exists")
    if user.email_verified_at is not None:
        raise Conflict("this account's e-mail address is verified already")
    mail = await request_link(session, user, settings, now)
    if mail is None:
        wait = int(rules.MAIL_WINDOW.total_seconds())
        raise TooManyRequests(
            f"at most {settings.mails_per_hour} verification mails an hour; try again later",
            retry_after=wait,
        )
    return mail


async def verify(session: AsyncSession, cache: CredentialCache, token: str, now: datetime) -> User:
    """Record the account's address as verified with a mailed link."""
    user = await email_links.holder(session, token, "verify_email", now)
    await email_links.use(session, user, "verify_email", now)
    if user.email_verified_at is None:
        user.email_verified_at = now
        user.updated_at = now
        await session.flush()
        after_commit(session, partial(cache.forget_user, user.id))
    return user
