"""Request and response bodies of the auth API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    computed_field,
)

from questpath.auth.rules import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    SCOPES,
    is_known_timezone,
    known_timezones,
)
from questpath.text import NoBidiControls


def _known_timezone(name: str) -> str:
    if not is_known_timezone(name):
        raise ValueError(f"'{name}' is not an IANA timezone name, such as 'Europe/Berlin' or 'UTC'")
    return name


# The names are listed in the schema so that generated clients offer exactly the accepted set;
# the validator stays for its clearer message.
Timezone = Annotated[
    str,
    Field(max_length=64, json_schema_extra={"enum": sorted(known_timezones())}),
    AfterValidator(_known_timezone),
]
ScopeName = Annotated[str, Field(json_schema_extra={"enum": list(SCOPES)})]
DisplayName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), NoBidiControls
]
Password = Annotated[str, Field(max_length=MAX_PASSWORD_LENGTH)]
# The shortest a new password may be is in the schema; the rules check it with a clearer message.
NewPassword = Annotated[Password, Field(json_schema_extra={"minLength": MIN_PASSWORD_LENGTH})]
Role = Literal["learner", "mentor", "admin"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UserCreate(Strict):
    email: EmailStr
    password: NewPassword
    display_name: DisplayName | None = None
    timezone: Timezone = "UTC"
    invite: str | None = Field(
        default=None,
        max_length=100,
        description="the token of an admin's invite link: required when registration is by "
        "invitation; it is used up, and gives the account the invite's role",
    )


class UserUpdate(Strict):
    display_name: DisplayName | None = None
    timezone: Timezone | None = None


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    display_name: str
    timezone: str
    day_start_hour: int = Field(
        description="the local hour the learner's day starts (PUT /api/users/me/day-start)"
    )
    role: Role
    created_at: datetime
    deletion_due_at: datetime | None = Field(
        default=None,
        description="when the account is erased, if its owner asked for that; until then "
        "DELETE /api/users/me/deletion takes the request back",
    )
    email_verified_at: datetime | None = Field(
        default=None,
        description="when the owner followed a verification link mailed to `email`; null: not "
        "verified",
    )

    @computed_field(description="whether the e-mail address is verified")  # type: ignore[prop-decorator]
    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None


TwoFactorCode = Annotated[
    str,
    Field(
        max_length=64,
        pattern=r"^[0-9A-Za-z -]*$",
        description="a current code of the authenticator app, or an unused recovery code",
    ),
]


class LoginRequest(Strict):
    email: str = Field(max_length=320)
    password: Password
    code: TwoFactorCode | None = Field(
        default=None,
        description="for an account with two-factor sign-in on: a code of its authenticator "
        "app or a recovery code. Without it such an account is answered 401 with the problem "
        "type `urn:questpath:problem:two-factor-code`",
    )


class TokenRead(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105
    expires_in: int = Field(description="seconds until the token expires")


class SignInRead(TokenRead):
    recovery_codes_left: int | None = Field(
        default=None,
        description="when the sign-in used a recovery code: how many unused ones remain",
    )


class RegistrationRead(TokenRead):
    user: UserRead


class ApiKeyCreate(Strict):
    name: DisplayName
    scopes: list[ScopeName] = Field(min_length=1, max_length=len(SCOPES))
    expires_at: AwareDatetime | None = Field(
        default=None,
        description="when the key stops working, at most ten years ahead; null: never",
    )


class ApiKeyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    expires_at: datetime | None = Field(description="when it stops working; null: never")


class ApiKeyCreated(ApiKeyRead):
    secret: str = Field(description="shown once; store it now")


class ApiKeyList(BaseModel):
    items: list[ApiKeyRead]


class PasswordChange(Strict):
    current_password: Password
    new_password: NewPassword


class PasswordConfirmation(Strict):
    password: Password = Field(description="the account's password, to confirm")


class BrowserSessionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="names the session; it cannot sign anyone in")
    created_at: datetime = Field(description="when the browser signed in")
    last_seen_at: datetime = Field(description="its last use, to within five minutes")
    expires_at: datetime
    user_agent: str | None = Field(description="the browser's User-Agent when it signed in")
    current: bool = Field(description="the session this request was made with")


class BrowserSessionList(BaseModel):
    items: list[BrowserSessionRead]


class DeletionRead(BaseModel):
    deletion_due_at: datetime = Field(description="when the account and all its data are erased")


class TwoFactorRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    enabled: bool = Field(description="sign-in asks for a code")
    enabled_at: datetime | None
    setting_up: bool = Field(
        description="an authenticator app is being set up: POST /api/users/me/two-factor/confirm"
    )
    recovery_codes_left: int


class TwoFactorEnrolmentRead(BaseModel):
    secret: str = Field(description="the base32 secret, to type into an authenticator app")
    otpauth_uri: str = Field(description="the same as an `otpauth://` URI, as QR codes carry it")


class TwoFactorConfirmation(Strict):
    code: str = Field(
        max_length=64,
        pattern=r"^[0-9A-Za-z -]*$",
        description="the current code of the authenticator app",
    )


class RecoveryCodesRead(BaseModel):
    recovery_codes: list[str] = Field(
        description="shown once: each signs in once in place of a code of the app"
    )


class PasswordResetRequest(Strict):
    email: str = Field(max_length=320, description="the account's e-mail address")


class PasswordReset(Strict):
    token: str = Field(max_length=200, description="the token of the link in the mail")
    new_password: Password


class EmailVerification(Strict):
    token: str = Field(max_length=200, description="the token of the link in the mail")
