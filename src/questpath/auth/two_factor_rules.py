"""Pure rules of two-factor sign-in: time-based codes (RFC 6238, as authenticator apps make
them) and recovery codes. No database, no clock: the time comes in."""

from __future__ import annotations

import hmac
import re
import secrets
from datetime import datetime

import pyotp

from questpath.auth.credentials import hash_secret

ISSUER = "QuestPath"
STEP_SECONDS = 30
# Codes one step early or late are accepted too, for a phone's clock that drifts.
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
# 12 characters of base32: 60 random bits, beyond guessing within the sign-in throttle.
RECOVERY_CODE_LENGTH = 12
_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"
_SEPARATORS = re.compile(r"[\s-]+")
_TOTP_CODE = re.compile(r"^[0-9]{6}$")


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    """The `otpauth://` URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def time_step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret).generate_otp(step)


def normalised(code: str) -> str:
    """A code as typed, without spaces or dashes and lower-cased."""
    return _SEPARATORS.sub("", code).lower()


def is_time_code(code: str) -> bool:
    """Whether a normalised code has the shape of an authenticator's six digits; a recovery
    code never has."""
    return bool(_TOTP_CODE.match(code))


def matching_step(secret: str, code: str, now: datetime, after: int | None) -> int | None:
    """The time step whose code `code` is, within the drift around `now` and later than
    `after` (the step of the last code used), or None when it matches none."""
    current = time_step(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(code_at(secret, step), code):
            return step
    return None


def new_recovery_codes() -> list[str]:
    """Fresh recovery codes, shown once, grouped in fours to read them out: `abcd-efgh-ijkl`."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_BASE32) for _ in range(RECOVERY_CODE_LENGTH))
        codes.append("-".join(raw[i : i + 4] for i in range(0, RECOVERY_CODE_LENGTH, 4)))
    return codes


def recovery_code_hash(code: str) -> str:
    """What the database keeps of a recovery code: the SHA-256 of its normalised form."""
    return hash_secret(normalised(code))
