"""Who is making a request: a person signed in with a token, or an integration's API key."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from questpath.auth.models import ApiKey, User
from questpath.problems import Forbidden


@dataclass(frozen=True)
class Principal:
    user: User
    api_key: ApiKey | None = None

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
