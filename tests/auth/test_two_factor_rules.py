"""The pure rules of two-factor sign-in: which time step a code belongs to, and the shape of
recovery codes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
from hypothesis import given
from hypothesis import strategies as st

from questpath.auth import two_factor_rules as rules

SECRET = pyotp.random_base32()
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


@given(moment=moments, offset=st.integers(min_value=-1, max_value=1))
def test_a_code_within_one_step_of_now_matches_its_step(moment: datetime, offset: int) -> None:
    step = rules.time_step(moment) + offset
    code = pyotp.TOTP(SECRET).at(step * rules.STEP_SECONDS)

    found = rules.matching_step(SECRET, code, moment, after=None)

    # Another step of the three may share the code (one in a million); it is never outside them.
    assert found is not None
    assert abs(found - rules.time_step(moment)) <= rules.DRIFT_STEPS
    assert pyotp.TOTP(SECRET).at(found * rules.STEP_SECONDS) == code


@given(moment=moments, offset=st.integers(min_value=-1, max_value=1))
def test_no_code_of_a_step_already_used_or_earlier_matches(moment: datetime, offset: int) -> None:
    step = rules.time_step(moment) + offset
    code = pyotp.TOTP(SECRET).at(step * rules.STEP_SECONDS)

    found = rules.matching_step(SECRET, code, moment, after=step)

    assert found is None or found > step


@given(moment=moments)
def test_the_code_of_two_steps_ago_is_too_old(moment: datetime) -> None:
    old = moment - timedelta(seconds=2 * rules.STEP_SECONDS)
    code = pyotp.TOTP(SECRET).at(old)
    near = [
        pyotp.TOTP(SECRET).at(moment, counter_offset=offset)
        for offset in range(-rules.DRIFT_STEPS, rules.DRIFT_STEPS + 1)
    ]

    assert (rules.matching_step(SECRET, code, moment, after=None) is None) == (code not in near)


def test_recovery_codes_are_ten_distinct_codes_that_never_look_like_a_code_of_the_app() -> None:
    codes = rules.new_recovery_codes()

    assert len(set(codes)) == rules.RECOVERY_CODE_COUNT
    assert not [c for c in codes if rules.is_time_code(rules.normalised(c))]


@given(code=st.sampled_from(rules.new_recovery_codes()), spaced=st.booleans())
def test_a_recovery_code_hashes_alike_however_it_is_typed(code: str, spaced: bool) -> None:
    typed = code.upper().replace("-", " " if spaced else "")

    assert rules.recovery_code_hash(f" {typed} ") == rules.recovery_code_hash(code)


def test_the_uri_names_the_issuer_and_the_account() -> None:
    uri = rules.provisioning_uri(SECRET, "ada@example.com")

    assert uri.startswith("otpauth://totp/QuestPath:ada%40example.com?")
    assert f"secret={SECRET}" in uri
    assert "issuer=QuestPath" in uri
