"""Credentials checked moments ago, so that most requests authenticate without the database.

An entry lives at most `ttl` seconds counted from the moment its read began, so a change made by
another server process (a revoked key, a new timezone, a signed-out browser) is seen within
`ttl`. Changes made by this process drop their entries as soon as they commit, and a read that
was under way meanwhile is not kept (see `Ticket`), so this process sees its own changes at once.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Generic, TypeVar

from cachetools import TLRUCache

from questpath.auth.principal import ApiKeySnapshot, UserSnapshot

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class WebSessionSnapshot:
    user_id: uuid.UUID
    token_hash: str
    expires_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True, slots=True)
class Ticket:
    """Taken before a read: when the read began, and which drops it may have missed."""

    read_at: float
    generation: int


@dataclass(frozen=True, slots=True)
class _Entry(Generic[V]):
    value: V
    read_at: float


class _Fresh(Generic[K, V]):
    def __init__(self, maxsize: int, ttl: float, timer: Callable[[], float]) -> None:
        self._entries: TLRUCache[K, _Entry[V]] = TLRUCache(
            maxsize, lambda _key, entry, _now: entry.read_at + ttl, timer=timer
        )

    def get(self, key: K) -> V | None:
        entry = self._entries.get(key)
        return entry.value if entry is not None else None

    def put(self, key: K, value: V, read_at: float) -> None:
        self._entries[key] = _Entry(value, read_at)

    def update(self, key: K, change: Callable[[V], V]) -> None:
        """Change a live entry in place, keeping its age."""
        entry = self._entries.get(key)
        if entry is not None:
            self._entries[key] = _Entry(change(entry.value), entry.read_at)

    def drop(self, key: K) -> None:
        self._entries.pop(key, None)


class CredentialCache:
    """API keys by secret hash, browser sessions by token hash, and people by id."""

    def __init__(
        self, ttl: float, maxsize: int = 10_000, timer: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self._timer = timer
        self._generation = 0
        self._api_keys: _Fresh[str, ApiKeySnapshot] = _Fresh(maxsize, ttl, timer)
        self._web_sessions: _Fresh[str, WebSessionSnapshot] = _Fresh(maxsize, ttl, timer)
        self._users: _Fresh[uuid.UUID, UserSnapshot] = _Fresh(maxsize, ttl, timer)

    def ticket(self) -> Ticket:
        return Ticket(read_at=self._timer(), generation=self._generation)

    def api_key(self, secret_hash: str) -> ApiKeySnapshot | None:
        return self._api_keys.get(secret_hash)

    def web_session(self, token_hash: str) -> WebSessionSnapshot | None:
        return self._web_sessions.get(token_hash)

    def user(self, user_id: uuid.UUID) -> UserSnapshot | None:
        return self._users.get(user_id)

    def keep(
        self,
        ticket: Ticket,
        user: UserSnapshot,
        api_key: ApiKeySnapshot | None = None,
        web_session: WebSessionSnapshot | None = None,
    ) -> None:
        """Remember what a read found, unless something was dropped while it ran: the read may
        have seen the state before that change."""
        if ticket.generation != self._generation:
            return
        self._users.put(user.id, user, ticket.read_at)
        if api_key is not None:
            self._api_keys.put(api_key.secret_hash, api_key, ticket.read_at)
        if web_session is not None:
            self._web_sessions.put(web_session.token_hash, web_session, ticket.read_at)

    def note_api_key_use(self, secret_hash: str, at: datetime) -> None:
        self._api_keys.update(secret_hash, lambda key: replace(key, last_used_at=at))

    def note_web_session_use(self, token_hash: str, at: datetime, expires_at: datetime) -> None:
        self._web_sessions.update(
            token_hash, lambda row: replace(row, last_seen_at=at, expires_at=expires_at)
        )

    def forget_user(self, user_id: uuid.UUID) -> None:
        self._generation += 1
        self._users.drop(user_id)

    def forget_api_key(self, secret_hash: str) -> None:
        self._generation += 1
        self._api_keys.drop(secret_hash)

    def forget_web_session(self, token_hash: str) -> None:
        self._generation += 1
        self._web_sessions.drop(token_hash)
