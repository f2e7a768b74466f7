"""Use cases of identity: sign-up, sign-in, profiles, API keys and browser sessions.

Checking the credentials of a request is authentication.py's; what changes one here drops it
from this process's credential cache once the change commits."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from anyio import to_thread
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from questpath.auth import credentials, rules, two_factor
from questpath.auth import repository as repo
from questpath.auth.cache import CredentialCache
from questpath.auth.models import ROLES, ApiKey, User, WebSession
from questpath.auth.principal import Principal, UserLike
from questpath.auth.schemas import ApiKeyCreate, TokenRead, UserCreate, UserUpdate
from questpath.config import Settings
from questpath.db import after_commit, transaction
from questpath.metrics.instruments import SIGN_INS_THROTTLED
from questpath.problems import (
    Conflict,
    FieldError,
    Forbidden,
    Invalid,
    NotFound,
    TooManyRequests,
    Unauthorized,
)
from questpath.ratelimit.rules import Usage, rate_limit_headers

MAX_ACTIVE_API_KEYS = 50
WRONG_CREDENTIALS = "the e-mail address or password is wrong"
EMAIL_TAKEN = "an account with this e-mail already exists"
ACCOUNT_DISABLED = "this account is disabled; ask an admin to enable it"
REGISTRATION_CLOSED = "sign-up is closed on this server; an admin creates accounts"
INVITE_REQUIRED = "sign-up on this server is by invitation: open an admin's invite link"
INVITE_UNKNOWN = "this invite is not valid; check the link, or ask an admin for a new one"
CODE_NEEDED = (
    "a two-factor code is required: send the code of the authenticator app, or a recovery code, "
    "as `code`"
)
WRONG_CODE = "the two-factor code is not a current code of the app or an unused recovery code"
# The problem type of a sign-in that lacks its two-factor code, or has a wrong one: a client
# asks the person for a code on seeing it.
TWO_FACTOR_PROBLEM = "urn:questpath:problem:two-factor-code"
# How long the sign-in pages wait for the code after a right password.
PENDING_SIGN_IN = timedelta(minutes=5)


async def register(
    session: AsyncSession,
    data: UserCreate,
    now: datetime,
    *,
    registration: str,
    admit: Callable[[], Awaitable[None]] | None = None,
) -> User:
    """Sign someone up as `registration` (the setting) allows: anyone, with an invite, or nobody.
    An invite is used in the same transaction that creates the account.

    `admit` (the registration rate limit) is awaited once the checks that cost nothing have
    passed, before the database is asked and the password hashed: a sign-up that gets that far
    counts, a mistyped form does not. It runs before the session's first statement, so its own
    write never waits for this transaction's."""
    if registration == "closed":
        raise Forbidden(REGISTRATION_CLOSED)
    if registration == "invite" and not data.invite:
        raise Invalid.field("invite", INVITE_REQUIRED)
    email = str(data.email).lower()
    problem = rules.password_problem(data.password, email)
    if problem:
        raise Invalid.field("password", problem)
    if admit is not None:
        await admit()
    if await repo.get_user_by_email(session, email):
        raise email_taken()
    role = await _use_invite(session, data.invite, email, now) if data.invite else "learner"
    return await _new_user(session, data, role, now)


async def _use_invite(session: AsyncSession, token: str, email: str, now: datetime) -> str:
    """Use up the invite `token` for `email`; returns the role it grants."""
    invite = await repo.get_invite_by_hash(session, credentials.hash_secret(token))
    if invite is None:
        raise Invalid.field("invite", INVITE_UNKNOWN)
    problem = rules.invite_problem(
        used_at=invite.used_at,
        expires_at=invite.expires_at,
        bound_to=invite.email,
        email=email,
        now=now,
    )
    if problem is None and not await repo.claim_invite(session, invite.id, now):
        problem = rules.INVITE_USED  # a concurrent sign-up used it first
    if problem:
        raise Invalid.field("invite", problem)
    return invite.role


async def _new_user(session: AsyncSession, data: UserCreate, role: str, now: datetime) -> User:
    email = str(data.email).lower()
    user = User(
        email=email,
        password_hash=await to_thread.run_sync(credentials.hash_password, data.password),
        display_name=data.display_name or email.split("@")[0],
        timezone=data.timezone,
        day_start_hour=0,
        role=role,
        created_at=now,
        updated_at=now,
    )
    try:
        await repo.add(session, user)
    except IntegrityError as exc:  # a concurrent sign-up with the same address won the race
        raise email_taken() from exc
    return user


def email_taken() -> Conflict:
    """Says that the address has an account, without repeating it: the README's security notes
    say why registration answers 409 at all."""
    return Conflict(f"email: {EMAIL_TAKEN}", errors=[FieldError("email", EMAIL_TAKEN)])


@dataclass(frozen=True)
class SignIn:
    """A sign-in whose password was right. `code_needed`: two-factor sign-in is on and no
    code came, so no one is signed in yet; `recovery_codes_left` when a recovery code was used."""

    user: User
    code_needed: bool = False
    recovery_codes_left: int | None = None


async def sign_in(
    maker: async_sessionmaker[AsyncSession],
    email: str,
    password: str,
    client_ip: str,
    settings: Settings,
    now: datetime,
    code: str | None = None,
) -> SignIn:
    """Check a password, and the two-factor code when the account asks for one, counting
    attempts per account and client, and per client; raise 401 or 429.

    The attempt is counted before the password is checked, in one atomic statement per key, so
    parallel guesses cannot all slip under the limit; a success takes it back, and so does a
    right password that awaits its code, so that the two steps of one sign-in count once. A
    wrong code stays counted like a wrong password. It runs its own transactions because a
    failed attempt must be stored even though the request ends in an error.
    """
    email = email.strip().lower()
    keys, user = await _count_attempt(maker, email, client_ip, settings, now)
    stored_hash = user.password_hash if user else credentials.decoy_hash()
    valid = await to_thread.run_sync(credentials.verify_password, password, stored_hash)
    if user is None or not valid:
        raise Unauthorized(WRONG_CREDENTIALS)
    return await _second_factor(maker, user, keys, code, now)


async def finish_sign_in(
    maker: async_sessionmaker[AsyncSession],
    pending: str,
    code: str,
    client_ip: str,
    settings: Settings,
    now: datetime,
) -> SignIn:
    """The second step of a sign-in on the pages: the code, with the token `pending_sign_in`
    gave for the right password. The attempt counts like one with a password."""
    try:
        claims = credentials.pending_sign_in_claims(pending, settings.signing_key(), now)
    except credentials.InvalidToken as exc:
        raise Unauthorized(str(exc)) from exc
    async with maker() as session:
        found = await repo.get_user(session, claims.user_id)
    if found is None or found.token_version != claims.version:
        raise Unauthorized("the sign-in is no longer valid; enter your password again")
    keys, user = await _count_attempt(maker, found.email, client_ip, settings, now)
    if user is None or user.id != found.id:
        raise Unauthorized("the sign-in is no longer valid; enter your password again")
    return await _second_factor(maker, user, keys, code, now)


def pending_sign_in(user: User, settings: Settings, now: datetime) -> str:
    """A token that carries a right password to the page asking for the code, for a while."""
    return credentials.create_pending_sign_in(
        user.id, user.token_version, settings.signing_key(), now, PENDING_SIGN_IN
    )


async def _count_attempt(
    maker: async_sessionmaker[AsyncSession],
    email: str,
    client_ip: str,
    settings: Settings,
    now: datetime,
) -> tuple[rules.SignInKeys, User | None]:
    """Count a sign-in attempt under each of its keys, raising 429 when one is over its limit;
    returns the keys and the account, if there is one."""
    window = timedelta(seconds=settings.login_window_seconds)
    keys = rules.sign_in_keys(email, client_ip)
    async with transaction(maker) as session:
        pair, address, account = [
            rules.Attempts(*await repo.count_login_attempt(session, key, now, window))
            for key in (keys.pair, keys.address, keys.account)
        ]
        user = await repo.get_user_by_email(session, email)
    wait = rules.sign_in_wait(
        pair,
        address,
        account,
        now,
        window,
        per_account=settings.login_max_failures_per_email,
        per_address=settings.login_max_failures_per_ip,
    )
    if wait is not None:
        SIGN_INS_THROTTLED.inc()
        raise TooManyRequests(
            f"too many failed sign-ins; try again in {wait} seconds",
            headers=_sign_in_limit_headers(address, now, window, wait, settings),
        )
    return keys, user


def _sign_in_limit_headers(
    address: rules.Attempts, now: datetime, window: timedelta, wait: int, settings: Settings
) -> dict[str, str]:
    """The RateLimit fields of a refused sign-in: the client address's limit when that one is
    spent, else the account's."""
    per_address = settings.login_max_failures_per_ip
    spent = rules.sign_in_retry_after(
        address.count - 1, address.window_started_at, now, window, per_address
    )
    name, quota = (
        ("sign-in-address", per_address)
        if spent == wait
        else ("sign-in-account", settings.login_max_failures_per_email)
    )
    usage = Usage(name, quota, int(window.total_seconds()), remaining=0, reset_seconds=wait)
    return rate_limit_headers([usage], refused=True)


async def _second_factor(
    maker: async_sessionmaker[AsyncSession],
    user: User,
    keys: rules.SignInKeys,
    code: str | None,
    now: datetime,
) -> SignIn:
    async with transaction(maker) as session:
        checked = await two_factor.check(session, user.id, code, now)
        if checked.outcome is two_factor.Outcome.MISSING:
            for key in (keys.pair, keys.address, keys.account):
                await repo.uncount_login_attempt(session, key)
            return SignIn(user, code_needed=True)
        if checked.outcome is not two_factor.Outcome.WRONG:
            await repo.clear_login_failures(session, [keys.pair, keys.account])
            await repo.uncount_login_attempt(session, keys.address)
            if user.disabled_at is None:
                await repo.note_sign_in(session, user.id, now)
                return SignIn(user, recovery_codes_left=checked.recovery_codes_left)
    if checked.outcome is two_factor.Outcome.WRONG:
        raise TwoFactorCodeProblem(WRONG_CODE, "is not a current code or an unused recovery code")
    # Said only to whoever knows the password (and code): to anyone else it is the usual 401.
    raise Forbidden(ACCOUNT_DISABLED)


class TwoFactorCodeProblem(Unauthorized):
    """The password was right, and the account asks for a two-factor code: none came, or a
    wrong one."""

    type = TWO_FACTOR_PROBLEM

    def __init__(self, detail: str, message: str) -> None:
        super().__init__(detail, errors=[FieldError("code", message)])


def code_required() -> TwoFactorCodeProblem:
    return TwoFactorCodeProblem(CODE_NEEDED, "is required")


def issue_token(user: User, settings: Settings, now: datetime) -> TokenRead:
    lifetime = timedelta(minutes=settings.access_token_minutes)
    token = credentials.create_access_token(
        user.id, user.token_version, settings.signing_key(), now, lifetime
    )
    return TokenRead(access_token=token, expires_in=int(lifetime.total_seconds()))


async def update_profile(
    session: AsyncSession,
    cache: CredentialCache,
    user_id: uuid.UUID,
    data: UserUpdate,
    now: datetime,
) -> User:
    user = await repo.get_user(session, user_id)
    if user is None:
        raise NotFound("this account no longer exists")
    if data.display_name is not None:
        user.display_name = data.display_name
    if data.timezone is not None:
        # Past events keep the local date they were given; only new events use the new zone.
        user.timezone = data.timezone
    user.updated_at = now
    await session.flush()
    after_commit(session, partial(cache.forget_user, user_id))
    return user


async def create_admin(
    session: AsyncSession, email: str, password: str, display_name: str | None, now: datetime
) -> tuple[User, bool]:
    """Create an admin account, or promote (and enable) an existing account; returns (user,
    created). The way back in for an operator whose admins are all locked out."""
    existing = await repo.get_user_by_email(session, email)
    if existing is not None:
        existing.role = "admin"
        existing.disabled_at = None
        existing.updated_at = now
        await session.flush()
        return existing, False
    return await create_account(session, email, password, display_name, "admin", now), True


async def create_account(
    session: AsyncSession,
    email: str,
    password: str,
    display_name: str | None,
    role: str,
    now: datetime,
) -> User:
    """An account made by an operator (the command line), whatever the registration setting."""
    if role not in ROLES:
        raise Invalid.field("role", f"must be one of {', '.join(ROLES)}")
    data = UserCreate(email=email, password=password, display_name=display_name)
    if problem := rules.password_problem(password, str(data.email).lower()):
        raise Invalid.field("password", problem)
    if await repo.get_user_by_email(session, str(data.email)):
        raise email_taken()
    return await _new_user(session, data, role, now)


async def create_api_key(
    session: AsyncSession, principal: Principal, data: ApiKeyCreate, now: datetime
) -> tuple[ApiKey, str]:
    unknown = rules.unknown_scopes(data.scopes)
    if unknown:
        allowed = ", ".join(sorted(rules.SCOPES))
        raise Invalid(
            [FieldError("scopes", f"unknown scope {s!r}; allowed: {allowed}") for s in unknown]
        )
    if problem := rules.api_key_expiry_problem(data.expires_at, now):
        raise Invalid.field("expires_at", problem)
    if await repo.count_active_api_keys(session, principal.user.id, now) >= MAX_ACTIVE_API_KEYS:
        raise Conflict(f"at most {MAX_ACTIVE_API_KEYS} API keys may be active; revoke one first")
    new = credentials.new_api_key()
    key = ApiKey(
        user_id=principal.user.id,
        name=data.name,
        prefix=new.prefix,
        secret_hash=new.secret_hash,
        scopes=sorted(set(data.scopes)),
        created_at=now,
        expires_at=data.expires_at,
    )
    await repo.add(session, key)
    return key, new.secret


async def list_api_keys(session: AsyncSession, user: UserLike) -> list[ApiKey]:
    """The learner's API keys, revoked ones too, newest first."""
    return await repo.list_api_keys(session, user.id)


async def revoke_api_key(
    session: AsyncSession,
    cache: CredentialCache,
    principal: Principal,
    key_id: uuid.UUID,
    now: datetime,
) -> None:
    key = await repo.get_api_key(session, principal.user.id, key_id)
    if key is None:
        raise NotFound(f"no API key {key_id}")
    if key.revoked_at is None:
        key.revoked_at = now
        await session.flush()
        # Other server processes stop accepting it when their cache entry ends (within a second).
        after_commit(session, partial(cache.forget_api_key, key.secret_hash))


async def start_web_session(
    session: AsyncSession,
    user: User,
    settings: Settings,
    now: datetime,
    user_agent: str | None = None,
) -> str:
    """Sign a browser in; returns the cookie value. Expired sessions of the user are swept."""
    await repo.delete_expired_web_sessions(session, user.id, now)
    new = credentials.new_session(user.id)
    row = WebSession(
        user_id=user.id,
        token_hash=new.token_hash,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(days=settings.session_days),
        user_agent=user_agent[:200] if user_agent else None,
    )
    await repo.add_web_session(session, row)
    return new.cookie


async def end_web_session(session: AsyncSession, cache: CredentialCache, cookie: str) -> None:
    key = credentials.parse_session_cookie(cookie)
    if key is not None:
        await repo.delete_web_session(session, *key)
        after_commit(session, partial(cache.forget_web_session, key[1]))


def require_person(principal: Principal) -> None:
    if principal.api_key is not None:
        raise Forbidden("API keys cannot do this; sign in as a person")
