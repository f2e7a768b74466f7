"""Two-factor sign-in API: set up an authenticator app, confirm it, new recovery codes, turn it
off. People only: an API key can do none of it."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from questpath.auth import two_factor
from questpath.auth.dependencies import CurrentPerson
from questpath.auth.schemas import (
    PasswordConfirmation,
    RecoveryCodesRead,
    TwoFactorConfirmation,
    TwoFactorEnrolmentRead,
    TwoFactorRead,
)
from questpath.clock import Now
from questpath.dependencies import SessionDep

router = APIRouter(prefix="/api/users/me/two-factor", tags=["account"])


@router.get("")
async def read_two_factor(principal: CurrentPerson, session: SessionDep) -> TwoFactorRead:
    """Whether sign-in asks for a two-factor code, and how many recovery codes are unused."""
    found = await two_factor.status(session, principal.user.id)
    return TwoFactorRead.model_validate(found)


@router.post("", status_code=status.HTTP_201_CREATED)
async def start_two_factor(
    principal: CurrentPerson, session: SessionDep, now: Now
) -> TwoFactorEnrolmentRead:
    """Start setting up an authenticator app: put the secret (or the URI, as a QR code) into
    it, then confirm with a code. Sign-in does not ask for codes until then; starting again
    replaces an unconfirmed secret. 409 when two-factor sign-in is already on."""
    enrolment = await two_factor.start(session, principal.user, now)
    return TwoFactorEnrolmentRead(secret=enrolment.secret, otpauth_uri=enrolment.uri)


@router.post("/confirm")
async def confirm_two_factor(
    data: TwoFactorConfirmation, principal: CurrentPerson, session: SessionDep, now: Now
) -> RecoveryCodesRead:
    """Turn two-factor sign-in on with a current code of the app. The answer holds ten
    recovery codes, shown this once; each signs in once without the app. Other sessions and
    access tokens stay signed in."""
    codes = await two_factor.confirm(session, principal.user.id, data.code, now)
    return RecoveryCodesRead(recovery_codes=codes)


@router.post("/recovery-codes")
async def renew_recovery_codes(
    data: PasswordConfirmation, principal: CurrentPerson, session: SessionDep
) -> RecoveryCodesRead:
    """Ten new recovery codes, with the password; the old ones stop working."""
    codes = await two_factor.new_recovery_codes(session, principal.user.id, data.password)
    return RecoveryCodesRead(recovery_codes=codes)


@router.delete("", status_code=status.HTTP_204_NO_CONTENT)
async def turn_off_two_factor(
    data: PasswordConfirmation, principal: CurrentPerson, session: SessionDep
) -> Response:
    """Turn two-factor sign-in off (or stop setting it up), with the password: the secret and
    the recovery codes are forgotten. Other sessions and access tokens stay signed in."""
    await two_factor.turn_off(session, principal.user.id, data.password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
