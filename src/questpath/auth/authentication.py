"""Who sends a request: a bearer token, an API key or a browser's session cookie, checked from
the credential cache when it can and otherwise in a brief read-only transaction, never in the
request's own unit of work.

A check may make a write due: an API key's last use (at most once a minute), a browser
session's extension. Those are handed to `later`, to run after the response, each in a brief
write transaction of its own, so that neither a read nor a request waiting for SQLite's write
lock is held up by them, and a request never waits for a lock it holds itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta
from functools import partial

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth import credentials, rules
from questpath.auth import repository as repo
from questpath.auth.cache import CredentialCache, WebSessionSnapshot
from questpath.auth.principal import ApiKeySnapshot, Principal, UserSnapshot
from questpath.clock import utc_now
from questpath.config import Settings
from questpath.problems import Forbidden, Unauthorized

Work = Callable[[], AbstractAsyncContextManager[AsyncSession]]
Later = Callable[[Callable[[], Awaitable[None]]], None]
Clock = Callable[[], datetime]

KEY_REFUSED = "the API key is not valid or has been revoked"
TOKEN_REVOKED = "the access token was revoked (a new password, or signed out everywhere)"  # noqa: S105
ACCOUNT_DISABLED = "the account is disabled; an admin can enable it again"
KEY_OF_DISABLED_ACCOUNT = "this API key's account is disabled; an admin can enable it again"
log = structlog.get_logger("questpath.auth")


class Authenticator:
    def __init__(
        self,
        cache: CredentialCache,
        read: Work,
        write: Work,
        settings: Settings,
        clock: Clock = utc_now,
    ) -> None:
        self.cache = cache
        self.clock = clock  # replaceable, so tests can move time on
        self._read = read
        self._write = write
        self._settings = settings

    async def bearer(self, token: str, later: Later) -> Principal:
        """The principal an access token or API key (`qp_…`) stands for; 401 when none."""
        if token.startswith(credentials.API_KEY_PREFIX):
            return await self._api_key(credentials.hash_api_key(token), later)
        try:
            claims = credentials.access_claims(token, self._settings.signing_key())
        except credentials.InvalidToken as exc:
            raise Unauthorized(str(exc)) from exc
        user = self.cache.user(claims.user_id) or await self._load_user(claims.user_id)
        if user is None:
            raise Unauthorized("the account behind this access token no longer exists")
        if claims.version != user.token_version:
            raise Unauthorized(TOKEN_REVOKED)
        if user.disabled_at is not None:  # its tokens were revoked too; this covers a race
            raise Unauthorized(ACCOUNT_DISABLED)
        return Principal(user=user)

    async def browser(self, cookie: str, later: Later) -> Principal | None:
        """The person a session cookie signs in, or None for a malformed, unknown, expired or
        ended session."""
        parsed = credentials.parse_session_cookie(cookie)
        if parsed is None:
            return None
        user_id, token_hash = parsed
        row = self.cache.web_session(token_hash)
        user = self.cache.user(user_id)
        found = (row, user) if row and user else await self._load_web_session(user_id, token_hash)
        if found is None:
            return None
        row, user = found
        now = self.clock()
        if row.user_id != user_id or row.expires_at <= now or user.disabled_at is not None:
            return None
        lifetime = timedelta(days=self._settings.session_days)
        new_end = rules.extended_session_end(row.expires_at, now, lifetime)
        if new_end or rules.session_use_due(row.last_seen_at, now):
            self.cache.note_web_session_use(token_hash, now, new_end or row.expires_at)
            later(partial(self._touch_web_session, user_id, token_hash, now, new_end))
        return Principal(user=user)

    async def _api_key(self, secret_hash: str, later: Later) -> Principal:
        key = self.cache.api_key(secret_hash)
        owner = self.cache.user(key.user_id) if key else None
        if key is None or owner is None:
            key, owner = await self._load_api_key(secret_hash)
        if owner.disabled_at is not None:
            raise Forbidden(KEY_OF_DISABLED_ACCOUNT)
        now = self.clock()
        if key.expires_at is not None and key.expires_at <= now:
            raise Unauthorized(f"the API key expired at {key.expires_at.isoformat()}")
        if rules.api_key_use_due(key.last_used_at, now):
            self.cache.note_api_key_use(secret_hash, now)
            later(partial(self._record_api_key_use, key.id, now))
        return Principal(user=owner, api_key=key)

    async def _load_user(self, user_id: uuid.UUID) -> UserSnapshot | None:
        ticket = self.cache.ticket()
        async with self._read() as session:
            row = await repo.get_user(session, user_id)
        if row is None:
            return None
        user = UserSnapshot.of(row)
        self.cache.keep(ticket, user)
        return user

    async def _load_api_key(self, secret_hash: str) -> tuple[ApiKeySnapshot, UserSnapshot]:
        ticket = self.cache.ticket()
        async with self._read() as session:
            row = await repo.get_api_key_by_hash(session, secret_hash)
            if row is None or row.revoked_at is not None:
                raise Unauthorized(KEY_REFUSED)
            owner_row = await repo.get_user(session, row.user_id)
        if owner_row is None:
            raise Unauthorized(KEY_REFUSED)
        key, owner = ApiKeySnapshot.of(row), UserSnapshot.of(owner_row)
        self.cache.keep(ticket, owner, api_key=key)
        return key, owner

    async def _load_web_session(
        self, user_id: uuid.UUID, token_hash: str
    ) -> tuple[WebSessionSnapshot, UserSnapshot] | None:
        ticket = self.cache.ticket()
        async with self._read() as session:
            row = await repo.get_web_session(session, user_id, token_hash)
            user_row = await repo.get_user(session, user_id) if row is not None else None
        if row is None or user_row is None:
            return None
        found = WebSessionSnapshot(row.user_id, row.token_hash, row.expires_at, row.last_seen_at)
        user = UserSnapshot.of(user_row)
        self.cache.keep(ticket, user, web_session=found)
        return found, user

    async def _record_api_key_use(self, key_id: uuid.UUID, now: datetime) -> None:
        try:
            async with self._write() as session:
                since = now - rules.API_KEY_USE_RESOLUTION
                await repo.record_api_key_use(session, key_id, now, since)
        except Exception as exc:  # noqa: BLE001  (bookkeeping; the next use tries again)
            log.warning("could not record an API key's use", key_id=str(key_id), error=repr(exc))

    async def _touch_web_session(
        self, user_id: uuid.UUID, token_hash: str, now: datetime, expires_at: datetime | None
    ) -> None:
        try:
            async with self._write() as session:
                since = now - rules.SESSION_USE_RESOLUTION
                await repo.touch_web_session(session, user_id, token_hash, now, since, expires_at)
        except Exception as exc:  # noqa: BLE001  (bookkeeping; the next use tries again)
            log.warning("could not note a browser session's use", error=repr(exc))
