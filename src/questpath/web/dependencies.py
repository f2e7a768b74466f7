"""The CSRF check every page form passes."""

from __future__ import annotations

from fastapi import Request

from questpath.dependencies import SettingsDep
from questpath.problems import Forbidden
from questpath.web import csrf, forms

CSRF_REFUSED = (
    "this form did not come from a QuestPath page, or it has expired: reload the page and try again"
)


async def verify_csrf(request: Request, settings: SettingsDep) -> None:
    """Refuse (403) a form or htmx request that does not carry this browser's CSRF token."""
    if request.method in csrf.SAFE_METHODS:
        return
    token = request.headers.get(csrf.HEADER)
    if token is None:
        value = (await forms.parse(request)).get(csrf.FORM_FIELD)
        token = value if isinstance(value, str) else None
    secret = request.cookies.get(csrf.COOKIE)
    if not csrf.is_valid(token, secret, settings.signing_key()):
        raise Forbidden(CSRF_REFUSED)
