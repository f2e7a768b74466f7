"""One record per HTTP request once its last byte is sent, handed to whoever watches requests:
the access log, the request metrics and the slow-request warning.

Plain ASGI, so a streaming response is timed to its end without being buffered. The route is
the template that answered (`/api/tracks/{track_id}`), never the raw path, so that records group
by endpoint and carry no ids or tokens from the path.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from questpath.sql_timing import SqlTally, tallying

UNMATCHED = "<unmatched>"


@dataclass(frozen=True, slots=True)
class FinishedRequest:
    method: str
    path: str
    route: str
    status: int
    seconds: float
    event_stream: bool  # stays open for as long as the client listens
    sql: SqlTally


Listener = Callable[[FinishedRequest], None]


def route_template(scope: Scope) -> str:
    """The template of the route that answered, once routing has run; `<unmatched>` when none
    did. A mount (static files) is one template for everything under it."""
    template = getattr(scope.get("route"), "path_format", None)
    if isinstance(template, str):
        return template
    if "app_root_path" in scope:  # set by a mount only: its path is what root_path gained
        mount: str = scope["root_path"].removeprefix(scope["app_root_path"])
        return mount + "/{path}"
    return UNMATCHED


def is_event_stream(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(
        name.lower() == b"content-type" and value.startswith(b"text/event-stream")
        for name, value in headers
    )


class RequestFinishedMiddleware:
    def __init__(self, app: ASGIApp, listeners: Sequence[Listener]) -> None:
        self.app = app
        self.listeners = tuple(listeners)

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
                finished = FinishedRequest(
                    method=scope["method"],
                    path=scope["path"],
                    route=route_template(scope),
                    status=status,
                    seconds=time.perf_counter() - started,
                    event_stream=event_stream,
                    sql=sql,
                )
                for listener in self.listeners:
                    listener(finished)
