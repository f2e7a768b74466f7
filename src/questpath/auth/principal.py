"""Who is making a request: a person signed in with a token, or an integration's API key.

A principal is a snapshot taken when the credential was checked, shared by every request that
reuses the cached check: nothing in it is a database row, and nothing changes it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from questpath.auth.models import ApiKey, User
from questpath.problems import Forbidden


class UserLike(Protocol):
    """What the domains read of a learner: the row (`User`) or a `UserSnapshot`, both read-only
    through this type. Code that changes a user loads the row in its own session."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def email(self) -> str: ...
    @property
    def display_name(self) -> str: ...
    @property
    def timezone(self) -> str: ...
    @property
    def day_start_hour(self) -> int: ...
    @property
    def role(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...


@dataclass(frozen=True, slots=True)
class UserSnapshot:
    id: uuid.UUID
    email: str
    display_name: str
    timezone: str
    day_start_hour: int
    role: str
    created_at: datetime
    updated_at: datetime
    token_version: int = 0
    deletion_due_at: datetime | None = None
    disabled_at: datetime | None = None
    email_verified_at: datetime | None = None

    @classmethod
    def of(cls, user: User) -> UserSnapshot:
        return cls(
            id=user.id,
            email=user.email,
            display_name=user.display_name,
            timezone=user.timezone,
            day_start_hour=user.day_start_hour,
            role=user.role,
            created_at=user.created_at,
            updated_at=user.updated_at,
            token_version=user.token_version,
            deletion_due_at=user.deletion_due_at,
            disabled_at=user.disabled_at,
            email_verified_at=user.email_verified_at,
        )


@dataclass(frozen=True, slots=True)
class ApiKeySnapshot:
    id: uuid.UUID
    user_id: uuid.UUID
    secret_hash: str
    scopes: frozenset[str]
    last_used_at: datetime | None
    expires_at: datetime | None = None

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeySnapshot:
        return cls(
            id=key.id,
            user_id=key.user_id,
            secret_hash=key.secret_hash,
            scopes=frozenset(key.scopes),
            last_used_at=key.last_used_at,
            expires_at=key.expires_at,
        )


@dataclass(frozen=True, slots=True)
class Principal:
    user: UserSnapshot
    api_key: ApiKeySnapshot | None = None

    @property
    def is_admin(self) -> bool:
        return self.user.role == "admin"

    def readable_user_id(self, user_id: uuid.UUID | None, what: str) -> uuid.UUID:
        """Whose `what` a read may see: the caller's own, or (admins) anyone's by `?user_id=`."""
        if user_id is None or user_id == self.user.id:
            return self.user.id
        if not self.is_admin:
            raise Forbidden(f"you may read only your own {what}")
        return user_id

    def has_scope(self, scope: str) -> bool:
        """People's tokens carry every scope; an API key only the ones it was created with."""
        return self.api_key is None or scope in self.api_key.scopes
