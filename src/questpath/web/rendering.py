"""Rendering pages and redirects, with the cookies every page needs (CSRF secret, toasts)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from questpath import __version__
from questpath.clock import utc_now
from questpath.config import Settings
from questpath.web import csrf, flash, formatting
from questpath.web.flash import Toast

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

templates = Jinja2Templates(directory=TEMPLATES_DIR)
templates.env.filters.update(
    duration=formatting.duration,
    number=formatting.number,
    amount=formatting.amount,
    grade=formatting.grade,
    day=formatting.day,
    moment=formatting.moment,
)
templates.env.globals.update(version=__version__)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def set_cookie(request: Request, response: Response, name: str, value: str, **kw: Any) -> None:
    """Every QuestPath cookie is HttpOnly and SameSite=Lax, and Secure when served over HTTPS."""
    response.set_cookie(
        name, value, httponly=True, samesite="lax", secure=is_https(request), path="/", **kw
    )


def csrf_secret(request: Request) -> str:
    """The browser's CSRF secret: its cookie, or a new one this response will set."""
    secret: str | None = getattr(request.state, "csrf_secret", None)
    if secret is None:
        secret = request.cookies.get(csrf.COOKIE) or csrf.new_secret()
        request.state.csrf_secret = secret
    return secret


def _finish(request: Request, response: Response) -> Response:
    secret = csrf_secret(request)
    if request.cookies.get(csrf.COOKIE) != secret:
        set_cookie(request, response, csrf.COOKIE, secret)
    toasts: list[Toast] = getattr(request.state, "toasts", [])
    if toasts:
        set_cookie(
            request, response, flash.COOKIE, flash.encode(toasts, _settings(request).signing_key())
        )
    elif flash.COOKIE in request.cookies and getattr(request.state, "flash_read", False):
        response.delete_cookie(flash.COOKIE, path="/")
    return response


def add_toast(request: Request, toast: Toast) -> None:
    """Show `toast` on the next page this browser renders (after a redirect, say)."""
    request.state.toasts = [*getattr(request.state, "toasts", []), toast]


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    token = csrf.token_for(csrf_secret(request), _settings(request).signing_key())
    shown: list[Toast] = []
    if not request.headers.get("HX-Request"):
        shown = flash.decode(request.cookies.get(flash.COOKIE), _settings(request).signing_key())
        request.state.flash_read = True
    page = {
        "user": getattr(request.state, "page_user", None),
        "csrf_token": token,
        "csrf_input": Markup('<input type="hidden" name="{}" value="{}">').format(
            csrf.FORM_FIELD, escape(token)
        ),
        "toasts": shown,
        "rendered_at": utc_now().isoformat(),
        "unread_notifications": getattr(request.state, "unread_notifications", 0),
        "email_verification": _settings(request).email_verification,
        **(context or {}),
    }
    response = templates.TemplateResponse(
        request, template, page, status_code=status_code, headers=headers
    )
    return _finish(request, response)


def render_public(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """A page for anyone, signed in or not, that holds no form: rendered as a visitor sees it,
    with no CSRF token, no toasts and no Set-Cookie, so a shared page leaves no trace."""
    page = {"user": None, "csrf_token": "", "csrf_input": "", "toasts": [], **(context or {})}
    return templates.TemplateResponse(
        request, template, page, status_code=status_code, headers=headers
    )


def redirect(request: Request, url: str) -> Response:
    """303 See Other, so that reloading the next page never re-sends a form.

    For htmx requests it is an HX-Redirect instead, which makes the browser load `url`.
    """
    response: Response
    if request.headers.get("HX-Request"):
        response = HTMLResponse("", headers={"HX-Redirect": url})
    else:
        response = RedirectResponse(url, status_code=303)
    return _finish(request, response)
