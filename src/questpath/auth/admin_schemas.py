"""Request and response bodies of the admin API: accounts and invites."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from questpath.auth.rules import DEFAULT_INVITE_DAYS, MAX_INVITE_DAYS
from questpath.auth.schemas import Role, Strict


class AdminUserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    display_name: str
    role: Role
    created_at: datetime
    disabled: bool = Field(description="an admin disabled the account: it cannot sign in")
    disabled_at: datetime | None
    last_sign_in_at: datetime | None = Field(
        description="its last sign-in with a password; null: none since this was recorded"
    )
    deletion_due_at: datetime | None = Field(
        description="when the account is erased, if its owner asked for that"
    )


class AdminUserPage(BaseModel):
    items: list[AdminUserRead]
    next_cursor: str | None


class AdminUserUpdate(Strict):
    role: Role | None = None
    disabled: bool | None = Field(
        default=None,
        description="true signs the account out everywhere and refuses its sign-ins and API "
        "keys until it is false again",
    )


class InviteCreate(Strict):
    email: EmailStr | None = Field(
        default=None, description="only this address may use the invite; null: anyone"
    )
    role: Role = "learner"
    expires_in_days: int = Field(default=DEFAULT_INVITE_DAYS, ge=1, le=MAX_INVITE_DAYS)


class InviteRead(BaseModel):
    id: uuid.UUID
    email: str | None
    role: Role
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    status: Literal["pending", "used", "expired"]


class InviteCreated(InviteRead):
    token: str = Field(description="shown once; the database keeps only its hash")
    url: str = Field(description="the sign-up link that carries the token")


class InvitePage(BaseModel):
    items: list[InviteRead]
    next_cursor: str | None
