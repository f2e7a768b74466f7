"""CSRF protection by signed double submit.

Each browser holds a random secret in an HttpOnly cookie; forms and htmx requests carry an HMAC
of that secret under the server's key. A page of another site can make the browser send the
cookie, but it cannot read any page to learn the token, nor compute it without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

COOKIE = "qp_csrf"
FORM_FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def token_for(secret: str, key: str) -> str:
    return hmac.new(key.encode(), f"csrf:{secret}".encode(), hashlib.sha256).hexdigest()


def is_valid(token: str | None, secret: str | None, key: str) -> bool:
    if not token or not secret:
        return False
    return hmac.compare_digest(token, token_for(secret, key))
