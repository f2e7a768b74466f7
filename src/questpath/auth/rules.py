"""Pure rules of identity: passwords, timezones, sign-in throttling, API keys, browser sessions."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib.resources import files

from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
# How precisely an API key's last use is kept: coarse, so that reads do not each become a write.
API_KEY_USE_RESOLUTION = timedelta(minutes=1)
SESSION_USE_RESOLUTION = timedelta(minutes=5)

# What an API key may do, by resource. A write needs `X:write`; when its answer shows the stored
# resource, it needs `X:read` as well, so a write-only key learns nothing it did not send
# (docs/api-keys.md). People's own sign-ins carry every scope.
SCOPES = {
    "events:read": "read the events in the learner's log",
    "events:write": "record and void events, check in, schedule vacations; an admin's key may "
    "record events for any learner",
    "progress:read": "read XP, levels, streaks, achievements, statistics, history, vacations and "
    "notifications",
    "tracks:read": "read tracks, their items, exports, the learning path and templates",
    "tracks:write": "import, change, share and delete tracks and their items",
    "quizzes:read": "read the question bank (with answers), quizzes and due reviews",
    "quizzes:write": "add, import, change and delete questions; make and submit quizzes; review",
    "goals:read": "read goals and their progress",
    "goals:write": "set, change and delete goals",
    "profile:read": (
        "read the profile (with the e-mail address), the public page's settings and published "
        "badges"
    ),
    "profile:write": (
        "change the display name, timezone, day start and public page settings; publish badges"
    ),
    "notifications:write": "mark notifications read and choose reminders and the e-mail digest "
    "(reading them needs progress:read)",
    "webhooks:read": "read webhook subscriptions and their deliveries",
    "webhooks:write": "subscribe webhooks (an admin's key: to every learner's signals), change, "
    "delete and redeliver them",
    "xapi:read": "read the xAPI statements and documents the account's keys stored (an admin's "
    "key: every statement in the LRS), with HTTP Basic auth",
    "xapi:read-mine": "read only the xAPI statements this key stored, with HTTP Basic auth",
    "xapi:write": "store xAPI statements and documents, with HTTP Basic auth; statements about "
    "the learner count as progress (an admin's key: about any learner)",
}
# What the full export needs: every read of the learner's own data (webhooks and the xAPI LRS
# are not exported).
READ_SCOPES = tuple(
    scope
    for scope in SCOPES
    if scope.endswith(":read") and scope not in ("webhooks:read", "xapi:read")
)
# What the API-key form ticks at first: record activity and read progress, nothing more.
SUGGESTED_SCOPES = ("events:write", "progress:read")


@dataclass(frozen=True)
class ScopeChoice:
    scope: str
    access: str  # "read" or "write"
    description: str


def scope_groups() -> list[tuple[str, list[ScopeChoice]]]:
    """The scopes by resource, in the order SCOPES lists them, for a form to offer."""
    groups: dict[str, list[ScopeChoice]] = {}
    for scope, description in SCOPES.items():
        resource, access = scope.split(":")
        choice = ScopeChoice(scope, access.replace("-", " "), description)
        groups.setdefault(resource, []).append(choice)
    return list(groups.items())


@cache
def _common_passwords() -> frozenset[str]:
    # The 30,000 most common passwords from leaked-password corpora, as ranked by zxcvbn.
    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, email: str) -> str | None:
    """Why a password is too weak to accept, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"must be at least {MIN_PASSWORD_LENGTH} characters long"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"must be at most {MAX_PASSWORD_LENGTH} characters long"
    lowered = password.lower()
    if lowered in _common_passwords():
        return "is one of the most common passwords; choose one that is harder to guess"
    if lowered == email.lower() or lowered == email.split("@")[0].lower():
        return "must not be your e-mail address"
    if len(set(password)) < 4:
        return "must use more than three different characters"
    return None


@cache
def known_timezones() -> frozenset[str]:
    """IANA zone names from the pinned tzdata package, so every machine accepts the same set.

    "Factory" is IANA's placeholder for an unset zone, not a place anyone lives.
    """
    zones = files("tzdata").joinpath("zones").read_text(encoding="utf-8").split()
    return frozenset(zones) - {"Factory"}


def is_known_timezone(name: str) -> bool:
    return name in known_timezones()


def sign_in_retry_after(
    failures: int, window_started_at: datetime, now: datetime, window: timedelta, limit: int
) -> int | None:
    """Seconds to wait before another sign-in attempt, or None when attempts are allowed."""
    window_ends = window_started_at + window
    if failures < limit or now >= window_ends:
        return None
    return max(1, math.ceil((window_ends - now).total_seconds()))


@dataclass(frozen=True)
class Attempts:
    """Sign-in attempts counted under one key in its current window, the one being made
    included (it is counted before the password is checked, so parallel guesses all count)."""

    count: int
    window_started_at: datetime


@dataclass(frozen=True)
class SignInKeys:
    """What sign-in attempts are counted by.

    `pair` (this account from this client address) and `address` (any account from it) always
    throttle. `account` (this account from anywhere) throttles only a client address that
    already failed for the account in the window: guesses spread over many addresses get one
    try each once the account is under attack, while its owner, signing in from an address with
    no failures, is never locked out by someone else's guesses.
    """

    pair: str
    address: str
    account: str


def sign_in_keys(email: str, client_ip: str) -> SignInKeys:
    return SignInKeys(
        pair=f"pair:{email}|{client_ip}", address=f"ip:{client_ip}", account=f"email:{email}"
    )


def account_sign_in_keys(email: str) -> tuple[str, str]:
    """The key of an account's failed sign-ins and the prefix of its keys per client address,
    to forget them all once its owner proved who they are another way."""
    keys = sign_in_keys(email, "")
    return keys.account, keys.pair


def sign_in_wait(
    pair: Attempts,
    address: Attempts,
    account: Attempts,
    now: datetime,
    window: timedelta,
    per_account: int,
    per_address: int,
) -> int | None:
    """Seconds to wait before this attempt may be checked, or None to check it now.

    `per_account` limits the failures of one account from one address, and from all addresses
    once this one has failed; `per_address` limits the failures from one address.
    """
    checks = [(pair, per_account), (address, per_address)]
    if pair.count > 1:  # this address failed for this account before, in this window
        checks.append((account, per_account))
    waits = [
        sign_in_retry_after(a.count - 1, a.window_started_at, now, window, limit)
        for a, limit in checks
    ]
    return max((wait for wait in waits if wait is not None), default=None)


def unknown_scopes(scopes: list[str]) -> list[str]:
    return [scope for scope in scopes if scope not in SCOPES]


MAX_API_KEY_LIFETIME = timedelta(days=3650)


def api_key_expiry_problem(expires_at: datetime | None, now: datetime) -> str | None:
    """Why an API key may not be made to expire at `expires_at`, or None when it may."""
    if expires_at is None:
        return None
    if expires_at <= now:
        return "must be in the future"
    if expires_at - now > MAX_API_KEY_LIFETIME:
        return "must be at most ten years ahead; leave it out for a key that never expires"
    return None


def api_key_use_due(last_used_at: datetime | None, now: datetime) -> bool:
    """Whether a use of an API key at `now` is worth recording: at most once a minute."""
    return last_used_at is None or now - last_used_at >= API_KEY_USE_RESOLUTION


def session_use_due(last_seen_at: datetime, now: datetime) -> bool:
    """Whether a browser session's use at `now` is worth noting, for its owner's list of
    sessions: at most once every few minutes."""
    return now - last_seen_at >= SESSION_USE_RESOLUTION


def extended_session_end(
    expires_at: datetime, now: datetime, lifetime: timedelta
) -> datetime | None:
    """The new end of a browser session used at `now`, or None to leave it: sessions slide,
    and one used within the last half of its lifetime gets the full lifetime again."""
    if expires_at - now < lifetime / 2:
        return now + lifetime
    return None


# Registration and administration ---------------------------------------------------------------

DEFAULT_INVITE_DAYS = 7
MAX_INVITE_DAYS = 90
INVITE_USED = "this invite has been used already; ask an admin for a new one"


def invite_problem(
    *,
    used_at: datetime | None,
    expires_at: datetime,
    bound_to: str | None,
    email: str,
    now: datetime,
) -> str | None:
    """Why an invite cannot sign `email` up at `now`, or None when it can. `bound_to` is the
    address the invite was made for (lower-cased), if any."""
    if used_at is not None:
        return INVITE_USED
    if expires_at <= now:
        return "this invite has expired; ask an admin for a new one"
    if bound_to is not None and bound_to != email.lower():
        return "this invite is for another e-mail address"
    return None


def invite_status(used_at: datetime | None, expires_at: datetime, now: datetime) -> str:
    if used_at is not None:
        return "used"
    return "expired" if expires_at <= now else "pending"


def removes_last_admin(
    *, is_active_admin: bool, stays_active_admin: bool, other_admins: int
) -> bool:
    """Whether a change to an account would leave no active (enabled) admin: it is one now, will
    not be after, and no other account is one."""
    return is_active_admin and not stays_active_admin and other_admins == 0


# How far back the mails of one kind to one account are counted against `mails_per_hour`.
MAIL_WINDOW = timedelta(hours=1)


def mail_allowed(sent_in_window: int, per_hour: int) -> bool:
    """Whether one more mail of a kind may go to an account that got `sent_in_window` of them
    within the last `MAIL_WINDOW`."""
    return sent_in_window < per_hour


def email_token_problem(
    expires_at: datetime, used_at: datetime | None, now: datetime
) -> str | None:
    """Why a mailed link no longer works, or None while it does."""
    if used_at is not None:
        return "this link was used already; ask for a new one"
    if now >= expires_at:
        return "this link has expired; ask for a new one"
    return None
