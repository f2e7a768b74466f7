"""Toasts that survive one redirect: a signed cookie read by the next page and then cleared."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass
from typing import Literal

COOKIE = "qp_flash"
MAX_TOASTS = 8

ToastKind = Literal["success", "achievement", "error"]


@dataclass(frozen=True)
class Toast:
    kind: ToastKind
    title: str
    body: str = ""


def unlocked_toast(name: str, description: str, points: int) -> Toast:
    """The toast of an achievement just unlocked."""
    return Toast("achievement", name, f"{description} (+{points} points)")


def _signature(payload: str, key: str) -> str:
    return hmac.new(key.encode(), f"flash:{payload}".encode(), hashlib.sha256).hexdigest()[:32]


def encode(toasts: list[Toast], key: str) -> str:
    data = json.dumps([asdict(t) for t in toasts[:MAX_TOASTS]], separators=(",", ":"))
    payload = base64.urlsafe_b64encode(data.encode()).decode()
    return f"{payload}.{_signature(payload, key)}"


def decode(cookie: str | None, key: str) -> list[Toast]:
    """The toasts a cookie carries; none when it is missing, altered or malformed."""
    if not cookie:
        return []
    payload, _, signature = cookie.rpartition(".")
    if not hmac.compare_digest(signature, _signature(payload, key)):
        return []
    try:
        items = json.loads(base64.urlsafe_b64decode(payload))
        return [Toast(kind=i["kind"], title=i["title"], body=i.get("body", "")) for i in items]
    except (ValueError, KeyError, TypeError):
        return []
