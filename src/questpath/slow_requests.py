"""A warning for each request slower than a threshold, with the SQL it ran.

The line names the route template (`/api/tracks/{track_id}`), not the raw path, so that slow
requests group by endpoint and carry no ids or tokens from the path. Event streams are left
out: they stay open for as long as the client listens, which is no sign of slowness.
"""

from __future__ import annotations

import time
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from questpath.sql_timing import tallying

slow_log = structlog.get_logger("questpath.slow")

UNMATCHED_ROUTE = "<no route>"


def route_template(scope: Scope) -> str:
    """The path template of the route that answered, once routing has run."""
    path: Any = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) and path else UNMATCHED_ROUTE


def is_event_stream(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(
        name.lower() == b"content-type" and value.startswith(b"text/event-stream")
        for name, value in headers
    )


class SlowRequestMiddleware:
    def __init__(self, app: ASGIApp, threshold_ms: float) -> None:
        self.app = app
        self.threshold_ms = threshold_ms

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        event_stream = False

        async def send_with_status(message: Message) -> None:
            nonlocal status, event_stream
            if message["type"] == "http.response.start":
                status = message["status"]
                event_stream = is_event_stream(message.get("headers", []))
            await send(message)

        with tallying() as sql:
            try:
                await self.app(scope, receive, send_with_status)
            finally:
                duration_ms = (time.perf_counter() - started) * 1000
                if duration_ms >= self.threshold_ms and not event_stream:
                    slow_log.warning(
                        "slow request",
                        method=scope["method"],
                        route=route_template(scope),
                        status=status,
                        duration_ms=round(duration_ms, 2),
                        sql_statements=sql.statements,
                        sql_ms=sql.milliseconds,
                    )
