"""Use cases of two-factor sign-in: setting up an authenticator app, confirming it with a
code (which turns it on and hands out recovery codes), new recovery codes, turning it off, and
checking the code of a sign-in.

Turning it on or off leaves the account's other sessions and access tokens alone: they were
signed in by its owner, and "sign out everywhere" is one click away for a learner who doubts it.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime

from anyio import to_thread
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth import credentials
from questpath.auth import repository as repo
from questpath.auth import two_factor_rules as rules
from questpath.auth.models import TwoFactor
from questpath.auth.principal import UserLike
from questpath.problems import Conflict, Invalid, NotFound

ALREADY_ON = "two-factor sign-in is already on; turn it off first to set up another app"
NOT_ON = "two-factor sign-in is not on for this account"


@dataclass(frozen=True)
class Status:
    enabled: bool
    enabled_at: datetime | None
    setting_up: bool  # an app is being set up and waits for its first code
    recovery_codes_left: int


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str  # otpauth://, for the QR code


class Outcome(enum.Enum):
    NOT_NEEDED = "not needed"  # two-factor sign-in is off
    MISSING = "missing"
    WRONG = "wrong"
    ACCEPTED = "accepted"


@dataclass(frozen=True)
class CodeCheck:
    outcome: Outcome
    recovery_codes_left: int | None = None  # when a recovery code was used


async def status(session: AsyncSession, user_id: uuid.UUID) -> Status:
    row = await repo.get_two_factor(session, user_id)
    enabled = row is not None and row.enabled_at is not None
    return Status(
        enabled=enabled,
        enabled_at=row.enabled_at if row else None,
        setting_up=row is not None and not enabled,
        recovery_codes_left=await repo.count_recovery_codes(session, user_id) if enabled else 0,
    )


async def is_enabled(session: AsyncSession, user_id: uuid.UUID) -> bool:
    row = await repo.get_two_factor(session, user_id)
    return row is not None and row.enabled_at is not None


async def start(session: AsyncSession, user: UserLike, now: datetime) -> Enrolment:
    """A new secret for an authenticator app; it takes effect once confirmed with a code.
    Starting again replaces a secret that was never confirmed."""
    row = await repo.get_two_factor(session, user.id, for_update=True)
    if row is not None and row.enabled_at is not None:
        raise Conflict(ALREADY_ON)
    secret = rules.new_secret()
    if row is None:
        try:
            await repo.add(session, TwoFactor(user_id=user.id, secret=secret, created_at=now))
        except IntegrityError as exc:  # a concurrent start of the same account went first
            raise Conflict("two-factor sign-in is being set up in another request") from exc
    else:
        row.secret, row.created_at, row.last_used_step = secret, now, None
        await session.flush()
    return Enrolment(secret=secret, uri=rules.provisioning_uri(secret, user.email))


async def enrolment(session: AsyncSession, user: UserLike) -> Enrolment | None:
    """The secret being set up, if the learner started and has not confirmed it yet."""
    row = await repo.get_two_factor(session, user.id)
    if row is None or row.enabled_at is not None:
        return None
    return Enrolment(secret=row.secret, uri=rules.provisioning_uri(row.secret, user.email))


async def confirm(session: AsyncSession, user_id: uuid.UUID, code: str, now: datetime) -> list[str]:
    """Turn two-factor sign-in on with a current code from the app; returns the recovery codes,
    which are shown this once."""
    row = await repo.get_two_factor(session, user_id, for_update=True)
    if row is None:
        raise Conflict("start setting up two-factor sign-in first (POST /api/users/me/two-factor)")
    if row.enabled_at is not None:
        raise Conflict(ALREADY_ON)
    step = rules.matching_step(row.secret, rules.normalised(code), now, row.last_used_step)
    if step is None:
        raise Invalid.field("code", "is not the current code of the authenticator app")
    row.enabled_at, row.last_used_step = now, step
    return await _new_recovery_codes(session, user_id)


async def new_recovery_codes(session: AsyncSession, user_id: uuid.UUID, password: str) -> list[str]:
    """Replace the recovery codes: the old ones stop working."""
    await _check_password(session, user_id, password)
    if not await is_enabled(session, user_id):
        raise Conflict(NOT_ON)
    return await _new_recovery_codes(session, user_id)


async def turn_off(session: AsyncSession, user_id: uuid.UUID, password: str) -> None:
    """Turn two-factor sign-in off (or give up setting it up): the secret and the recovery
    codes are forgotten."""
    await _check_password(session, user_id, password)
    await reset(session, user_id)


async def reset(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Turn two-factor sign-in off without the password: for an operator (`questpath
    two-factor-off`), when its owner lost both the app and the recovery codes."""
    if await repo.get_two_factor(session, user_id) is None:
        raise Conflict(NOT_ON)
    await repo.delete_two_factor(session, user_id)


async def check(
    session: AsyncSession, user_id: uuid.UUID, code: str | None, now: datetime
) -> CodeCheck:
    """Check a sign-in's second factor: a code of the app, good once, or a recovery code,
    which is used up."""
    row = await repo.get_two_factor(session, user_id)
    if row is None or row.enabled_at is None:
        return CodeCheck(Outcome.NOT_NEEDED)
    typed = rules.normalised(code or "")
    if not typed:
        return CodeCheck(Outcome.MISSING)
    if rules.is_time_code(typed):
        step = rules.matching_step(row.secret, typed, now, row.last_used_step)
        if step is not None and await repo.use_time_step(session, user_id, step):
            return CodeCheck(Outcome.ACCEPTED)
        return CodeCheck(Outcome.WRONG)
    if await repo.use_recovery_code(session, user_id, rules.recovery_code_hash(typed)):
        left = await repo.count_recovery_codes(session, user_id)
        return CodeCheck(Outcome.ACCEPTED, recovery_codes_left=left)
    return CodeCheck(Outcome.WRONG)


async def _new_recovery_codes(session: AsyncSession, user_id: uuid.UUID) -> list[str]:
    codes = rules.new_recovery_codes()
    await repo.replace_recovery_codes(
        session, user_id, [rules.recovery_code_hash(c) for c in codes]
    )
    return codes


async def _check_password(session: AsyncSession, user_id: uuid.UUID, password: str) -> None:
    user = await repo.get_user(session, user_id)
    if user is None:
        raise NotFound("this account no longer exists")
    if not await to_thread.run_sync(credentials.verify_password, password, user.password_hash):
        raise Invalid.field("password", "is not this account's password")
