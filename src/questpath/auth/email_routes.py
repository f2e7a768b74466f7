"""E-mail API: password reset by a mailed link, and address verification.

While the server has no SMTP settings these operations answer 404, as if they did not exist:
they cannot work, and an operator turns them on by configuring e-mail.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Response, status

from questpath.auth import password_reset, verification
from questpath.auth.dependencies import CredentialCacheDep, CurrentPerson
from questpath.auth.schemas import EmailVerification, PasswordReset, PasswordResetRequest
from questpath.clock import Now
from questpath.config import Settings
from questpath.dependencies import SessionDep, SettingsDep, get_settings
from questpath.mail import send_after_commit
from questpath.problems import NotFound

MAIL_OFF = "this server sends no e-mail (QUESTPATH_SMTP_HOST is unset), so {} is off"


async def mail_configured(settings: Annotated[Settings, Depends(get_settings)]) -> None:
    if not settings.mail_configured:
        raise NotFound(MAIL_OFF.format("password reset"))


async def verification_on(settings: Annotated[Settings, Depends(get_settings)]) -> None:
    require_verification(settings)


def require_verification(settings: Settings) -> None:
    if not settings.email_verification:
        raise NotFound("address verification is off on this server (QUESTPATH_EMAIL_VERIFICATION)")


MAIL_RESPONSES: dict[int | str, dict[str, object]] = {
    404: {"description": "e-mail is not configured on this server"}
}
router = APIRouter(prefix="/api", tags=["auth"])


@router.post(
    "/auth/password-reset",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[Depends(mail_configured)],
    responses=MAIL_RESPONSES,
)
async def request_password_reset(
    data: PasswordResetRequest,
    background: BackgroundTasks,
    session: SessionDep,
    settings: SettingsDep,
    now: Now,
) -> Response:
    """Mail a single-use link to reset the password to the account with this address. The
    answer is the same whether or not there is one, and no more than a few links an hour go to
    one address."""
    mail = await password_reset.request_link(session, data.email, settings, now)
    send_after_commit(session, background, mail, settings)
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.post(
    "/auth/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[Depends(mail_configured)],
    responses=MAIL_RESPONSES,
)
async def reset_password(
    data: PasswordReset, session: SessionDep, cache: CredentialCacheDep, now: Now
) -> Response:
    """Set a new password with the token of a mailed link. Every access token and browser
    session of the account is revoked, and every reset link it has stops working; API keys
    stay valid. A used, expired or unknown token is a 422 naming `token`."""
    await password_reset.reset(session, cache, data.token, data.new_password, now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/auth/verify-email",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[Depends(verification_on)],
    responses={404: {"description": "address verification is off on this server"}},
)
async def verify_email(
    data: EmailVerification, session: SessionDep, cache: CredentialCacheDep, now: Now
) -> Response:
    """Record the account's address as verified with the token of a mailed link."""
    await verification.verify(session, cache, data.token, now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/users/me/verification",
    status_code=status.HTTP_202_ACCEPTED,
    tags=["account"],
    responses={
        404: {"description": "address verification is off on this server"},
        409: {"description": "the address is verified already"},
        429: {"description": "too many verification mails within the hour"},
    },
)
async def resend_verification(
    principal: CurrentPerson,
    background: BackgroundTasks,
    session: SessionDep,
    settings: SettingsDep,
    now: Now,
) -> Response:
    """Mail another verification link to the account's address."""
    require_verification(settings)  # after the caller is known: a key is refused first
    mail = await verification.resend(session, principal.user.id, settings, now)
    send_after_commit(session, background, mail, settings)
    return Response(status_code=status.HTTP_202_ACCEPTED)
