"""Use cases of a forgotten password: mail a single-use link, and set a new password with it.

Asking for a link answers the same whether or not the address has an account; only its owner's
mailbox learns the difference.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog
from anyio import to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth import credentials, email_links, rules
from questpath.auth import repository as repo
from questpath.auth.account import revoke_access
from questpath.auth.cache import CredentialCache
from questpath.auth.models import User
from questpath.config import Settings
from questpath.mail import Mail
from questpath.problems import Invalid

log = structlog.get_logger("questpath.auth")
RESET_PATH = "/reset-password"


async def request_link(
    session: AsyncSession, email: str, settings: Settings, now: datetime
) -> Mail | None:
    """The mail with a reset link for the account of `email`; None when there is no such
    account or it had its links for this hour."""
    user = await repo.get_user_by_email(session, email.strip().lower())
    if user is None:
        return None
    lifetime = timedelta(minutes=settings.password_reset_minutes)
    token = await email_links.issue(
        session, user, "password_reset", lifetime, settings.mails_per_hour, now
    )
    if token is None:
        log.info("password_reset_throttled", user_id=str(user.id))
        return None
    url = email_links.link(settings.public_url, RESET_PATH, token)
    minutes = settings.password_reset_minutes
    body = (
        f"Hello {user.display_name},\n\n"
        "someone (we hope you) asked to reset the password of your QuestPath account.\n"
        f"To choose a new password, open this link within {minutes} minutes:\n\n"
        f"{url}\n\n"
        "The link works once. Setting a new password signs out every browser and app signed "
        "in to your account.\n\n"
        "If you did not ask for this, ignore this mail: your password stays as it is.\n"
    )
    return Mail(user.email, "Reset your QuestPath password", body, "password_reset")


async def reset(
    session: AsyncSession, cache: CredentialCache, token: str, new_password: str, now: datetime
) -> User:
    """Set a new password with a mailed link. Every access token and browser session of the
    account is revoked, its failed sign-ins are forgotten, and every reset link it has ends.
    The mailbox answered, so the address counts as verified."""
    user = await email_links.holder(session, token, "password_reset", now)
    if problem := rules.password_problem(new_password, user.email):
        raise Invalid.field("new_password", problem)
    await email_links.use(session, user, "password_reset", now)
    user.password_hash = await to_thread.run_sync(credentials.hash_password, new_password)
    if user.email_verified_at is None:
        user.email_verified_at = now
    await revoke_access(session, cache, user, now)
    await repo.clear_account_login_failures(session, *rules.account_sign_in_keys(user.email))
    return user
