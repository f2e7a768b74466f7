"""Errors on pages: the same problems the API reports, shown as a page a person can act on."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from questpath.problems import Problem, TooManyRequests, Unauthorized
from questpath.web.rendering import redirect, render

Handler = Callable[[Request, Exception], Awaitable[Response]]
ApiHandler = Callable[[Request, Any], Response | Awaitable[Response]]
# /badges/ serves Open Badges documents to validators and backpacks, not pages.
NOT_PAGES = ("/api/", "/badges/", "/static/", "/health", "/docs", "/openapi.json")


class SignInRequired(Unauthorized):
    """A page that needs a signed-in learner; pages answer it with a redirect to the sign-in."""

    def __init__(self) -> None:
        super().__init__("sign in to see this page")


def is_page(request: Request) -> bool:
    return not request.url.path.startswith(NOT_PAGES)


def describe(exc: Exception) -> tuple[int, str]:
    if isinstance(exc, Problem):
        return exc.status, exc.detail
    if isinstance(exc, RequestValidationError):
        messages = [str(e.get("msg", "is invalid")) for e in exc.errors()]
        return HTTPStatus.UNPROCESSABLE_ENTITY, "; ".join(messages)
    if isinstance(exc, StarletteHTTPException):
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        return exc.status_code, detail
    return HTTPStatus.INTERNAL_SERVER_ERROR, "something went wrong on our side"


def sign_in_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/sign-in" if target == "/" else f"/sign-in?next={quote(target, safe='')}"


def _for_pages(api_handler: ApiHandler) -> Handler:
    async def handle(request: Request, exc: Exception) -> Response:
        if not is_page(request):
            response = api_handler(request, exc)
            return await response if inspect.isawaitable(response) else response
        if isinstance(exc, SignInRequired):
            return redirect(request, sign_in_url(request))
        status, detail = describe(exc)
        # A 429's Retry-After and RateLimit fields say when to try again: pages keep them too.
        headers = dict(exc.headers) if isinstance(exc, TooManyRequests) else None
        if request.headers.get("HX-Request"):
            return PlainTextResponse(detail, status_code=status, headers=headers)
        return render(
            request,
            "error.html",
            {"status": status, "title": HTTPStatus(status).phrase, "detail": detail},
            status_code=status,
            headers=headers,
        )

    return handle


def install_page_errors(app: FastAPI) -> None:
    """Wrap the API's problem handlers so that page requests get HTML instead of JSON."""
    for exc_type in (Problem, RequestValidationError, StarletteHTTPException):
        app.add_exception_handler(exc_type, _for_pages(app.exception_handlers[exc_type]))
