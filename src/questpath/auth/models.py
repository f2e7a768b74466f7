"""Tables of people and their credentials."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ColumnElement,
    CompoundSelect,
    ForeignKey,
    Index,
    Integer,
    String,
    Uuid,
    and_,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from questpath.db import Base, UTCDateTime

ROLES = ("learner", "mentor", "admin")


def mailto_sha1(email: str) -> str:
    """The hex SHA-1 of "mailto:" and the address: how xAPI statements may name a learner
    without showing the address (`mbox_sha1sum`)."""
    return hashlib.sha1(f"mailto:{email}".encode()).hexdigest()  # noqa: S324


def _email_sha1(context: Any) -> str:
    """Filled in from the address on every insert that gives one, whoever inserts the user."""
    return mailto_sha1(context.get_current_parameters()["email"])


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('learner', 'mentor', 'admin')", name="role"),
        # The ids of the few accounts hidden from the leaderboards, without reading every account.
        *(
            Index(
                f"ix_users_{column}",
                "id",
                sqlite_where=text(f"{column} IS NOT NULL"),
                postgresql_where=text(f"{column} IS NOT NULL"),
            )
            for column in ("deletion_due_at", "disabled_at")
        ),
        # The reminder sweep works through the learners one timezone and day start at a time.
        Index("ix_users_timezone_day_start", "timezone", "day_start_hour"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-cased
    # mailto_sha1(email), so that an xAPI statement naming the learner by it finds them by index.
    # An address is never changed once stored; if it ever is, this must change with it.
    email_sha1: Mapped[str | None] = mapped_column(String(40), default=_email_sha1, index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # The local hour at which the learner's day starts (0 = midnight); set through the recorder,
    # which logs each change as a `day_start_changed` event.
    day_start_hour: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    role: Mapped[str] = mapped_column(String(16), default="learner")
    # Raised to revoke every access token issued before (a new password, signing out everywhere).
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Set while a deletion the learner asked for waits out its grace period.
    deletion_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Set while an admin has disabled the account: it cannot sign in, nor its API keys work.
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # When the owner followed a verification link sent to `email`; null: not verified.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


def account_in_use() -> ColumnElement[bool]:
    """Neither disabled nor waiting to be deleted: an account others see on the boards, and
    that QuestPath reminds."""
    return and_(User.deletion_due_at.is_(None), User.disabled_at.is_(None))


def accounts_out_of_use() -> CompoundSelect[uuid.UUID]:
    """The ids of the accounts disabled or waiting to be deleted, each read from its partial
    index rather than from every account."""
    return (
        select(User.id)
        .where(User.deletion_due_at.is_not(None))
        .union_all(select(User.id).where(User.disabled_at.is_not(None)))
    )


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)  # null: never


class LoginFailures(Base):
    """Failed sign-ins per e-mail address or client address within the current window."""

    __tablename__ = "login_failures"

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(Integer)


class WebSession(Base):
    """A browser's sign-in. The cookie holds the user id and a random token; the table keeps only
    the token's SHA-256, so a copy of the database signs no one in."""

    __tablename__ = "web_sessions"

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_agent: Mapped[str | None] = mapped_column(String(200), default=None)


class Invite(Base):
    """A single-use link to sign up, made by an admin. Only the token's SHA-256 is kept.

    It has no `user_id`: it belongs to nobody's data. Erasing the admin who made it leaves it
    without a maker; erasing the account of the address it names erases it.
    """

    __tablename__ = "invites"
    __table_args__ = (CheckConstraint("role IN ('learner', 'mentor', 'admin')", name="role"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(320), default=None)  # null: anyone
    role: Mapped[str] = mapped_column(String(16), default="learner")
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class TwoFactor(Base):
    """An account's authenticator secret. Until `enabled_at` is set the learner is still
    setting it up, and sign-in does not ask for codes."""

    __tablename__ = "two_factor"

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    # Kept readable: checking a code needs the secret itself, not a hash of it.
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The 30-second time step of the last code accepted: a code is good once, not for its window.
    last_used_step: Mapped[int | None] = mapped_column(BigInteger, default=None)


class RecoveryCode(Base):
    """An unused recovery code of an account, by its SHA-256; a code is deleted when used."""

    __tablename__ = "recovery_codes"

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)


class EmailToken(Base):
    """A single-use link mailed to an account: a password reset or an address verification.
    Only the token's SHA-256 is kept, so a copy of the database resets no one's password. The
    rows of the last hour also bound how many mails an address gets."""

    __tablename__ = "email_tokens"
    __table_args__ = (
        CheckConstraint("purpose IN ('password_reset', 'verify_email')", name="purpose"),
        Index("ix_email_tokens_user_id_purpose_created_at", "user_id", "purpose", "created_at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True, unique=True)
    purpose: Mapped[str] = mapped_column(String(16))
    email: Mapped[str] = mapped_column(String(320))  # the address it was sent to
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
