"""Request counts and latency by route template: `/api/tracks/{track_id}`, never the raw path."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from questpath.metrics.instruments import HTTP_DURATION, HTTP_REQUESTS

UNMATCHED = "<unmatched>"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_label(scope: Scope) -> str:
    """The template of the route that answered, once routing has run; `<unmatched>` when none
    did. A mount (static files) is one label for everything under it."""
    template = getattr(scope.get("route"), "path_format", None)
    if isinstance(template, str):
        return template
    if "app_root_path" in scope:  # set by a mount only: its path is what root_path gained
        mount: str = scope["root_path"].removeprefix(scope["app_root_path"])
        return mount + "/{path}"
    return UNMATCHED


def method_label(method: str) -> str:
    return method if method in METHODS else "other"


class HttpMetricsMiddleware:
    """Plain ASGI, so a streaming response is timed to its last byte without being buffered."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            route, method = route_label(scope), method_label(scope["method"])
            HTTP_REQUESTS.labels(route, method, str(status)).inc()
            HTTP_DURATION.labels(route, method).observe(time.perf_counter() - started)
