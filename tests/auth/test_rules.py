"""The pure rules of identity: password strength, sign-in throttling, timezones, scopes, when
an API key's use and a browser session's extension are due, and the credentials (access
tokens, API-key secrets) they are checked with. No database."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from questpath.auth import rules
from questpath.auth.credentials import (
    API_KEY_PREFIX,
    JWT_ALGORITHM,
    AccessClaims,
    InvalidToken,
    access_claims,
    create_access_token,
    hash_api_key,
    new_api_key,
)
from questpath.auth.rules import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    SCOPES,
    Attempts,
    account_sign_in_keys,
    api_key_use_due,
    email_token_problem,
    extended_session_end,
    is_known_timezone,
    mail_allowed,
    password_problem,
    sign_in_keys,
    sign_in_retry_after,
    sign_in_wait,
    unknown_scopes,
)

KEY = "unit-test-signing-key-" + "k" * 40
OTHER_KEY = "another-signing-key-" + "o" * 40
EMAIL = "alexander.the.great@example.com"
GOOD_PASSPHRASE = "correct horse battery staple"
NOW = datetime(2026, 3, 14, 15, 9, 26, tzinfo=UTC)

# Passwords


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        pytest.param("", "at least 10 characters", id="empty"),
        pytest.param("kq7vzm2pw", "at least 10 characters", id="9-chars"),
        pytest.param("x" * (MAX_PASSWORD_LENGTH + 1), "at most 256 characters", id="257-chars"),
        pytest.param("kq7vzm2pwx" * 26, "at most 256 characters", id="260-varied-chars"),
        pytest.param("password123", "most common passwords", id="password123"),
        pytest.param("qwertyuiop", "most common passwords", id="qwertyuiop"),
        pytest.param("PASSWORD123", "most common passwords", id="upper-case-common"),
        pytest.param("QwErTyUiOp", "most common passwords", id="mixed-case-common"),
        pytest.param(EMAIL, "e-mail address", id="the-email"),
        pytest.param(EMAIL.upper(), "e-mail address", id="the-email-upper-case"),
        pytest.param("alexander.the.great", "e-mail address", id="the-local-part"),
        pytest.param("Alexander.The.Great", "e-mail address", id="the-local-part-mixed-case"),
        pytest.param("aaaaaaaaaa", "more than three different characters", id="one-char"),
        pytest.param("xzqxzqxzqxzq", "more than three different characters", id="three-chars"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password: str, reason: str) -> None:
    problem = password_problem(password, EMAIL)

    assert problem is not None
    assert reason in problem


@pytest.mark.parametrize(
    "password",
    [
        pytest.param(GOOD_PASSPHRASE, id="passphrase"),
        pytest.param("a long and unusual passphrase", id="another-passphrase"),
        pytest.param("kq7vzm2pwx", id="exactly-10-chars"),
        pytest.param("xzqwxzqwxzqw", id="exactly-4-distinct-chars"),
        pytest.param(("kq7vzm2pwx" * 26)[:MAX_PASSWORD_LENGTH], id="exactly-256-chars"),
        pytest.param("alexander.the.great!", id="local-part-plus-more"),
    ],
)
def test_acceptable_passwords_pass(password: str) -> None:
    assert password_problem(password, EMAIL) is None


@given(st.text(max_size=MIN_PASSWORD_LENGTH - 1))
def test_any_password_under_ten_characters_is_too_short(password: str) -> None:
    assert password_problem(password, EMAIL) == "must be at least 10 characters long"


@given(st.text(min_size=MAX_PASSWORD_LENGTH + 1, max_size=MAX_PASSWORD_LENGTH + 50))
def test_any_password_over_256_characters_is_too_long(password: str) -> None:
    assert password_problem(password, EMAIL) == "must be at most 256 characters long"


@given(st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=3), st.integers(4, 20))
def test_repeating_three_or_fewer_characters_is_refused(chars: str, repeats: int) -> None:
    password = (chars * 40)[: MIN_PASSWORD_LENGTH + repeats]
    problem = password_problem(password, EMAIL)

    # A few such strings ("1111111111") are also common passwords, which is reported first.
    assert problem in {
        "must use more than three different characters",
        "is one of the most common passwords; choose one that is harder to guess",
    }


# Sign-in throttling

WINDOW_SECONDS = st.integers(min_value=1, max_value=24 * 3600)
LIMIT = st.integers(min_value=1, max_value=100)
START = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
OFFSET_US = st.integers(min_value=-(10**12), max_value=10**12)


@given(LIMIT, st.data(), START, OFFSET_US, WINDOW_SECONDS)
def test_sign_in_is_allowed_below_the_failure_limit(
    limit: int, data: st.DataObject, start: datetime, offset_us: int, window_s: int
) -> None:
    failures = data.draw(st.integers(min_value=0, max_value=limit - 1))
    now = start + timedelta(microseconds=offset_us)

    assert sign_in_retry_after(failures, start, now, timedelta(seconds=window_s), limit) is None


@given(LIMIT, st.data(), START, WINDOW_SECONDS, st.integers(min_value=0, max_value=10**12))
def test_sign_in_is_allowed_again_once_the_window_has_ended(
    limit: int, data: st.DataObject, start: datetime, window_s: int, after_us: int
) -> None:
    failures = data.draw(st.integers(min_value=limit, max_value=limit + 1000))
    window = timedelta(seconds=window_s)
    now = start + window + timedelta(microseconds=after_us)

    assert sign_in_retry_after(failures, start, now, window, limit) is None


@given(LIMIT, st.data(), START, WINDOW_SECONDS)
def test_a_locked_sign_in_waits_a_positive_whole_number_of_seconds_within_the_window(
    limit: int, data: st.DataObject, start: datetime, window_s: int
) -> None:
    failures = data.draw(st.integers(min_value=limit, max_value=limit + 1000))
    window = timedelta(seconds=window_s)
    elapsed_us = data.draw(st.integers(min_value=0, max_value=window_s * 10**6 - 1))
    now = start + timedelta(microseconds=elapsed_us)

    wait = sign_in_retry_after(failures, start, now, window, limit)

    assert isinstance(wait, int)
    assert 1 <= wait <= window_s
    # Waiting that long is enough, and it is not more than a second longer than needed.
    remaining = (start + window - now).total_seconds()
    assert remaining <= wait < remaining + 1
    later = now + timedelta(seconds=wait)
    assert sign_in_retry_after(failures, start, later, window, limit) is None


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        pytest.param(NOW, 900, id="window-start"),
        pytest.param(NOW + timedelta(seconds=899), 1, id="one-second-left"),
        pytest.param(NOW + timedelta(seconds=900, microseconds=-1), 1, id="one-microsecond-left"),
        pytest.param(NOW + timedelta(seconds=900), None, id="exactly-window-end"),
        pytest.param(NOW + timedelta(seconds=900, microseconds=1), None, id="just-after-end"),
    ],
)
def test_the_lock_ends_exactly_at_the_end_of_the_window(
    now: datetime, expected: int | None
) -> None:
    assert sign_in_retry_after(5, NOW, now, timedelta(seconds=900), 5) == expected


def test_the_limit_itself_locks_but_one_less_does_not() -> None:
    window = timedelta(seconds=900)
    now = NOW + timedelta(seconds=100)

    assert sign_in_retry_after(4, NOW, now, window, 5) is None
    assert sign_in_retry_after(5, NOW, now, window, 5) == 800


# Timezones


@pytest.mark.parametrize(
    "name", ["UTC", "Etc/UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Asia/Kolkata"]
)
def test_iana_timezone_names_are_known(name: str) -> None:
    assert is_known_timezone(name)


@pytest.mark.parametrize(
    "name",
    [
        "",
        "Mars/Olympus",
        "utc",
        "europe/berlin",
        "Europe/Berlin ",
        "Europe",
        "+02:00",
        "../etc",
        # Not an IANA name: a host-specific alias of the server's own zone found in some
        # /usr/share/zoneinfo directories (a symlink to /etc/localtime on Debian).
        "localtime",
    ],
)
def test_other_timezone_names_are_unknown(name: str) -> None:
    assert not is_known_timezone(name)


# Scopes


@pytest.mark.parametrize(
    ("scopes", "unknown"),
    [
        pytest.param([], [], id="none"),
        pytest.param(["events:read"], [], id="read"),
        pytest.param(["events:read", "events:write"], [], id="both"),
        pytest.param(["events:write", "events:write"], [], id="repeated"),
        pytest.param(["admin"], ["admin"], id="admin"),
        pytest.param(["EVENTS:READ"], ["EVENTS:READ"], id="case-matters"),
        pytest.param(
            ["events:delete", "events:read", "users:write", "tracks:read"],
            ["events:delete", "users:write"],
            id="mixed-keeps-order",
        ),
    ],
)
def test_unknown_scopes_are_the_ones_not_offered(scopes: list[str], unknown: list[str]) -> None:
    assert unknown_scopes(scopes) == unknown


@given(st.lists(st.one_of(st.sampled_from(sorted(SCOPES)), st.text(max_size=20))))
def test_unknown_scopes_keeps_exactly_the_unoffered_scopes_in_order(scopes: list[str]) -> None:
    result = unknown_scopes(scopes)

    assert result == [scope for scope in scopes if scope not in SCOPES]


# Access tokens


@given(st.uuids(), st.integers(min_value=0, max_value=2**31))
def test_an_access_token_carries_the_user_id_and_token_version(
    user_id: uuid.UUID, version: int
) -> None:
    token = create_access_token(user_id, version, KEY, datetime.now(UTC), timedelta(minutes=5))

    assert access_claims(token, KEY) == AccessClaims(user_id, version)


def test_a_token_from_before_versions_is_version_0() -> None:
    now = datetime.now(UTC)
    user_id = uuid.uuid4()
    claims = {"sub": str(user_id), "iat": now, "exp": now + timedelta(minutes=5), "typ": "access"}
    token = jwt.encode(claims, KEY, algorithm=JWT_ALGORITHM)

    assert access_claims(token, KEY) == AccessClaims(user_id, 0)


def test_an_expired_access_token_is_invalid_and_says_so() -> None:
    token = create_access_token(
        uuid.uuid4(), 0, KEY, datetime.now(UTC) - timedelta(hours=2), timedelta(hours=1)
    )

    with pytest.raises(InvalidToken, match="expired"):
        access_claims(token, KEY)


def test_an_access_token_signed_with_another_key_is_invalid() -> None:
    token = create_access_token(uuid.uuid4(), 0, OTHER_KEY, datetime.now(UTC), timedelta(minutes=5))

    with pytest.raises(InvalidToken, match="not valid"):
        access_claims(token, KEY)


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"typ": "refresh"}, id="not-an-access-token"),
        pytest.param({"typ": None}, id="no-type"),
        pytest.param({"sub": "not-a-uuid"}, id="subject-not-a-uuid"),
        pytest.param({"sub": None}, id="no-subject"),
        pytest.param({"ver": "1"}, id="version-not-a-number"),
        pytest.param({"ver": True}, id="version-a-boolean"),
    ],
)
def test_a_well_signed_token_with_the_wrong_claims_is_invalid(claims: dict[str, object]) -> None:
    now = datetime.now(UTC)
    base: dict[str, object] = {
        "sub": str(uuid.uuid4()),
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "typ": "access",
    }
    base.update(claims)
    token = jwt.encode(
        {k: v for k, v in base.items() if v is not None}, KEY, algorithm=JWT_ALGORITHM
    )

    with pytest.raises(InvalidToken):
        access_claims(token, KEY)


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "qp_notajwt"])
def test_garbage_is_not_an_access_token(token: str) -> None:
    with pytest.raises(InvalidToken):
        access_claims(token, KEY)


def test_a_tampered_access_token_is_invalid() -> None:
    token = create_access_token(uuid.uuid4(), 0, KEY, datetime.now(UTC), timedelta(minutes=5))
    header, payload, signature = token.split(".")
    other = create_access_token(uuid.uuid4(), 0, KEY, datetime.now(UTC), timedelta(minutes=5))
    other_payload = other.split(".")[1]
    assert other_payload != payload
    forged = ".".join([header, other_payload, signature])

    with pytest.raises(InvalidToken):
        access_claims(forged, KEY)


# API-key secrets


def test_a_new_api_key_has_the_prefix_and_its_hash() -> None:
    key = new_api_key()

    assert key.secret.startswith(API_KEY_PREFIX)
    assert API_KEY_PREFIX == "qp_"
    assert key.prefix == key.secret[:11]
    assert hash_api_key(key.secret) == key.secret_hash
    assert re.fullmatch(r"[0-9a-f]{64}", key.secret_hash)
    assert key.secret not in key.secret_hash


def test_new_api_keys_are_all_different() -> None:
    keys = [new_api_key() for _ in range(50)]

    assert len({key.secret for key in keys}) == 50
    assert len({key.secret_hash for key in keys}) == 50


def test_hashing_an_api_key_is_deterministic_and_tells_secrets_apart() -> None:
    key = new_api_key()

    assert hash_api_key(key.secret) == hash_api_key(key.secret)
    assert hash_api_key(key.secret + "x") != key.secret_hash


# API keys' last use and browser sessions' extension

NOON = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("last_used", "due"),
    [
        (None, True),
        (NOON - timedelta(seconds=1), False),
        (NOON - timedelta(seconds=59, microseconds=999_999), False),
        (NOON - timedelta(minutes=1), True),
        (NOON - timedelta(days=3), True),
    ],
)
def test_an_api_keys_use_is_worth_recording_once_a_minute(
    last_used: datetime | None, due: bool
) -> None:
    assert api_key_use_due(last_used, NOON) is due


@pytest.mark.parametrize(
    ("left", "extended"),
    [(timedelta(days=13), False), (timedelta(days=7), False), (timedelta(days=6, hours=23), True)],
)
def test_a_session_used_in_the_second_half_of_its_life_gets_its_whole_life_again(
    left: timedelta, extended: bool
) -> None:
    lifetime = timedelta(days=14)
    new_end = extended_session_end(NOON + left, NOON, lifetime)
    assert new_end == (NOON + lifetime if extended else None)


# Counting attempts by account and address


def _attempts(count: int) -> Attempts:
    return Attempts(count, NOW)


@pytest.mark.parametrize(
    ("pair", "address", "account", "waits"),
    [
        (1, 1, 1, False),
        (5, 5, 5, False),  # the fifth attempt is still checked
        (6, 6, 6, True),  # the sixth from this address for this account is not
        (1, 21, 1, True),  # twenty failures from this address, for any accounts
        (1, 2, 100, False),  # the owner from a clean address, however many guesses elsewhere
        (2, 2, 6, True),  # an address that failed for an account under attack
        (2, 2, 5, False),
    ],
)
def test_sign_in_waits_by_pair_address_and_account_under_attack(
    pair: int, address: int, account: int, waits: bool
) -> None:
    wait = sign_in_wait(
        _attempts(pair),
        _attempts(address),
        _attempts(account),
        NOW + timedelta(seconds=100),
        timedelta(seconds=900),
        per_account=5,
        per_address=20,
    )
    assert (wait == 800) if waits else (wait is None)


def test_the_keys_keep_accounts_and_addresses_apart() -> None:
    keys = sign_in_keys("ada@example.com", "198.51.100.7")
    assert len({keys.pair, keys.address, keys.account}) == 3
    assert sign_in_keys("ada@example.com", "198.51.100.8").account == keys.account


# Invites and the last admin -------------------------------------------------------------------

MOMENTS = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
)
ADDRESSES = st.sampled_from(["ada@example.com", "ADA@example.com", "bob@example.com"])


@given(
    used_at=st.none() | MOMENTS,
    expires_at=MOMENTS,
    bound_to=st.none() | st.sampled_from(["ada@example.com", "bob@example.com"]),
    email=ADDRESSES,
    now=MOMENTS,
)
def test_an_invite_signs_up_only_unused_unexpired_and_for_its_address(
    used_at: datetime | None,
    expires_at: datetime,
    bound_to: str | None,
    email: str,
    now: datetime,
) -> None:
    problem = rules.invite_problem(
        used_at=used_at, expires_at=expires_at, bound_to=bound_to, email=email, now=now
    )

    usable = used_at is None and now < expires_at and bound_to in (None, email.lower())
    assert (problem is None) == usable
    status = rules.invite_status(used_at, expires_at, now)
    assert status == ("used" if used_at else "expired" if now >= expires_at else "pending")
    if used_at is not None:
        assert problem == rules.INVITE_USED


@given(
    is_active_admin=st.booleans(),
    stays_active_admin=st.booleans(),
    other_admins=st.integers(min_value=0, max_value=3),
)
def test_a_change_is_refused_only_when_it_would_leave_no_active_admin(
    is_active_admin: bool, stays_active_admin: bool, other_admins: int
) -> None:
    admins_after = other_admins + (1 if stays_active_admin else 0)
    admins_before = other_admins + (1 if is_active_admin else 0)

    refused = rules.removes_last_admin(
        is_active_admin=is_active_admin,
        stays_active_admin=stays_active_admin,
        other_admins=other_admins,
    )

    assert refused == (admins_before > 0 and admins_after == 0)


MOMENTS = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
)


@given(expires_at=MOMENTS, used_at=st.none() | MOMENTS, now=MOMENTS)
def test_a_mailed_link_works_only_unused_and_before_it_expires(
    expires_at: datetime, used_at: datetime | None, now: datetime
) -> None:
    problem = email_token_problem(expires_at, used_at, now)
    assert (problem is None) == (used_at is None and now < expires_at)
    if used_at is not None:
        assert problem is not None
        assert "used already" in problem


@given(sent=st.integers(min_value=0, max_value=1000), per_hour=st.integers(1, 100))
def test_mails_stop_at_the_hourly_bound(sent: int, per_hour: int) -> None:
    assert mail_allowed(sent, per_hour) == (sent < per_hour)


@given(email=st.emails(), client_ip=st.ip_addresses().map(str))
def test_an_accounts_sign_in_keys_cover_its_failures_from_every_address(
    email: str, client_ip: str
) -> None:
    account, pair_prefix = account_sign_in_keys(email)
    keys = sign_in_keys(email, client_ip)
    assert keys.account == account
    assert keys.pair.startswith(pair_prefix)
    assert not sign_in_keys("x" + email, client_ip).pair.startswith(pair_prefix)
