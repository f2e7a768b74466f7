"""Password hashes, access tokens, and the hashes of API keys, sessions and share links."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from questpath.config import Settings

API_KEY_PREFIX = "qp_"
SESSION_COOKIE = "qp_session"
JWT_ALGORITHM = "HS256"


_hasher = PasswordHash.recommended()  # Argon2id: 64 MiB, 3 passes


def configure_password_hashing(settings: Settings) -> None:
    """Set the Argon2id cost of new password hashes for this process. Each hash records its own
    cost, so hashes made at another cost still verify."""
    global _hasher
    argon2 = Argon2Hasher(
        time_cost=settings.password_hash_time_cost, memory_cost=settings.password_hash_memory_kib
    )
    _hasher = PasswordHash((argon2,))
    decoy_hash.cache_clear()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    return _hasher.verify(password, password_hash)


@cache
def decoy_hash() -> str:
    """Verified against when the e-mail is unknown, so both failures take the same time."""
    return hash_password(secrets.token_urlsafe(16))


def create_access_token(
    user_id: uuid.UUID, version: int, key: str, now: datetime, lifetime: timedelta
) -> str:
    """A signed access token; `version` is the account's token version, and a token whose
    version is no longer the account's is refused."""
    claims = {
        "sub": str(user_id),
        "ver": version,
        "iat": now,
        "exp": now + lifetime,
        "typ": "access",
    }
    return jwt.encode(claims, key, algorithm=JWT_ALGORITHM)


class InvalidToken(Exception):
    pass


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    version: int


def access_claims(token: str, key: str) -> AccessClaims:
    try:
        claims = jwt.decode(
            token, key, algorithms=[JWT_ALGORITHM], options={"require": ["sub", "exp", "iat"]}
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidToken("the access token has expired; sign in again") from exc
    except jwt.PyJWTError as exc:
        raise InvalidToken("the access token is not valid") from exc
    if claims.get("typ") != "access":
        raise InvalidToken("the access token is not valid")
    version = claims.get("ver", 0)  # tokens from before versions were version 0
    if not isinstance(version, int) or isinstance(version, bool):
        raise InvalidToken("the access token is not valid")
    try:
        return AccessClaims(uuid.UUID(claims["sub"]), version)
    except (TypeError, ValueError) as exc:
        raise InvalidToken("the access token is not valid") from exc


def create_pending_sign_in(
    user_id: uuid.UUID, version: int, key: str, now: datetime, lifetime: timedelta
) -> str:
    """A signed token that says the holder gave `user_id`'s password and owes a two-factor code.
    It is no access token (its type differs), and a new password (a new version) voids it."""
    claims = {"sub": str(user_id), "ver": version, "iat": now, "exp": now + lifetime}
    return jwt.encode({**claims, "typ": "pending-sign-in"}, key, algorithm=JWT_ALGORITHM)


def pending_sign_in_claims(token: str, key: str, now: datetime) -> AccessClaims:
    """The account and version a pending sign-in names; its end is checked against `now`, the
    request's time."""
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[JWT_ALGORITHM],
            options={"require": ["sub", "exp", "ver"], "verify_exp": False, "verify_iat": False},
        )
        if claims.get("typ") != "pending-sign-in" or type(claims["ver"]) is not int:
            raise InvalidToken("the sign-in is not valid; enter your password again")
        if now.timestamp() >= claims["exp"]:
            raise InvalidToken("the sign-in took too long; enter your password again")
        return AccessClaims(uuid.UUID(claims["sub"]), claims["ver"])
    except (jwt.PyJWTError, TypeError, ValueError) as exc:
        raise InvalidToken("the sign-in is not valid; enter your password again") from exc


@dataclass(frozen=True)
class NewApiKey:
    secret: str
    prefix: str
    secret_hash: str


def new_api_key() -> NewApiKey:
    secret = API_KEY_PREFIX + secrets.token_urlsafe(32)
    return NewApiKey(secret=secret, prefix=secret[:11], secret_hash=hash_api_key(secret))


def hash_secret(secret: str) -> str:
    """What the database keeps of an API key, a session token or a share link's token."""
    # The secrets carry 256 random bits, so a fast hash is enough to make a leaked table useless.
    return hashlib.sha256(secret.encode()).hexdigest()


def hash_api_key(secret: str) -> str:
    return hash_secret(secret)


@dataclass(frozen=True)
class NewShareToken:
    token: str  # goes into the link, shown once
    token_hash: str  # what the database keeps


def new_share_token() -> NewShareToken:
    """The secret of a share link (a track's or a progress page's) and its hash."""
    token = secrets.token_urlsafe(32)
    return NewShareToken(token=token, token_hash=hash_secret(token))


def new_invite_token() -> NewShareToken:
    """An invite link's secret and its hash, made and kept as a share link's are."""
    return new_share_token()


@dataclass(frozen=True)
class NewSession:
    cookie: str
    token_hash: str


def new_session(user_id: uuid.UUID) -> NewSession:
    """A browser session's cookie value, "<user id>.<random token>", and the token's hash."""
    token = secrets.token_urlsafe(32)
    return NewSession(cookie=f"{user_id}.{token}", token_hash=hash_api_key(token))


def parse_session_cookie(cookie: str) -> tuple[uuid.UUID, str] | None:
    """The user id and token hash a session cookie names, or None when it is malformed."""
    user_part, _, token = cookie.partition(".")
    if not token or len(cookie) > 200:
        return None
    try:
        return uuid.UUID(user_part), hash_api_key(token)
    except ValueError:
        return None
