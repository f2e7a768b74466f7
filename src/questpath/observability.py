"""Logging, request ids, access logs, security headers, body limits and last-resort errors.

The middleware here is plain ASGI so that it wraps streaming responses without buffering them.
"""

from __future__ import annotations

import logging
import re
import sys
from http import HTTPStatus
from typing import Any, Literal

import sentry_sdk
import structlog
from asgi_correlation_id import CorrelationIdMiddleware, correlation_id
from sentry_sdk.utils import event_from_exception
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from questpath.finished_requests import FinishedRequest
from questpath.problems import problem_response

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]

# Responses may hold a learner's data (pages, API answers, exports, a new API key's secret):
# no browser or proxy keeps a copy unless a route says otherwise with its own Cache-Control
# (shared pages and badges do). Static files and the API's own description stay cacheable.
CACHEABLE_PREFIXES = ("/static/", "/docs", "/openapi.json")


def cache_control_for(path: str) -> bytes | None:
    """The Cache-Control a response to `path` gets when its route set none."""
    return None if path.startswith(CACHEABLE_PREFIXES) else b"no-store"


access_log = structlog.get_logger("questpath.access")
error_log = structlog.get_logger("questpath.errors")


def _add_request_id(_logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
    request_id = correlation_id.get()
    if request_id:
        event.setdefault("request_id", request_id)
    return event


LogFormat = Literal["auto", "json", "console"]


def resolve_log_format(setting: LogFormat, stderr_is_tty: bool) -> Literal["json", "console"]:
    """`auto` is for people at a terminal and for log collectors, which read a pipe or a file."""
    if setting == "auto":
        return "console" if stderr_is_tty else "json"
    return setting


def configure_logging(level: str = "INFO", log_format: LogFormat = "json") -> None:
    """Route structlog and the standard library (uvicorn, SQLAlchemy) through one renderer."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_request_id,
    ]
    tty = sys.stderr.isatty()
    renderer: list[Any] = (
        [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
        if resolve_log_format(log_format, tty) == "json"
        else [
            structlog.dev.ConsoleRenderer(
                colors=tty,
                # Local variables may hold passwords and tokens: tracebacks show code only.
                exception_formatter=structlog.dev.RichTracebackFormatter(
                    color_system="truecolor" if tty else None, show_locals=False
                ),
            )
        ]
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # Our own access log carries the request id and duration; uvicorn's would repeat it without.
    logging.getLogger("uvicorn.access").disabled = True


def request_id_middleware(app: ASGIApp) -> CorrelationIdMiddleware:
    """Honour a well-formed incoming X-Request-ID, generate one otherwise, echo it back."""
    return CorrelationIdMiddleware(
        app,
        header_name=REQUEST_ID_HEADER,
        validator=lambda value: bool(_REQUEST_ID.match(value)),
    )


def log_access(request: FinishedRequest) -> None:
    access_log.info(
        "request",
        method=request.method,
        path=request.path,
        status=request.status,
        duration_ms=round(request.seconds * 1000, 2),
    )


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in SECURITY_HEADERS if n not in present]
                if scope.get("scheme") == "https":
                    extra.append((b"strict-transport-security", b"max-age=31536000"))
                cache_control = cache_control_for(scope["path"])
                if cache_control is not None and b"cache-control" not in present:
                    extra.append((b"cache-control", cache_control))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            f"the request body is larger than the limit of {limit} bytes",
        )


class BodySizeLimitMiddleware:
    """413 before parsing: by Content-Length when given, else as soon as the stream passes it."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            too_large = BodyTooLarge(self.max_bytes)
            response = problem_response(too_large.status_code, too_large.detail)
            await response(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # An HTTPException passes through FastAPI's body parsing as itself.
                    raise BodyTooLarge(self.max_bytes)
            return message

        await self.app(scope, limited_receive, send)


def _report(error: Exception) -> None:
    """Send `error` to error tracking (when on) as what it is: unhandled. Log lines make no
    reports of their own (see error_tracking), and a re-raised error is not sent twice (the
    Sentry SDK drops an exception it has just sent)."""
    client = sentry_sdk.get_client()
    if not client.is_active():
        return
    event, hint = event_from_exception(
        error, client_options=client.options, mechanism={"type": "questpath", "handled": False}
    )
    sentry_sdk.capture_event(event, hint=hint)


class UnhandledErrorMiddleware:
    """Turn an unexpected exception into a 500 problem with the request id, never a traceback.

    It sits inside the header middleware so that the 500 still carries X-Request-ID and the
    security headers; the traceback goes to the log only.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:
            error_log.exception("unhandled error", path=scope["path"])
            _report(error)
            if started:
                raise
            detail = "An unexpected error occurred; quote the request id when reporting it: "
            response = problem_response(500, detail + (correlation_id.get() or "unknown"))
            await response(scope, receive, send)
