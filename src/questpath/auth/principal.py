"""Who is making a request: a person signed in with a token, or an integration's API key."""

from __future__ import annotations

from dataclasses import dataclass

from questpath.auth.models import ApiKey, User


@dataclass(frozen=True)
class Principal:
    user: User
    api_key: ApiKey | None = None

    @property
    def is_admin(self) -> bool:
        return self.user.role == "admin"

    def has_scope(self, scope: str) -> bool:
        """People's tokens carry every scope; an API key only the ones it was created with."""
        return self.api_key is None or scope in self.api_key.scopes
