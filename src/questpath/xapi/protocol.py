"""The LRS's request rules that come before any resource: the alternate request syntax, and the
`X-Experience-API-Version` header every request must send and every response carries."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from questpath.clock import utc_now
from questpath.problems import problem_response
from questpath.xapi.attachments import media_type
from questpath.xapi.errors import XapiBadRequest
from questpath.xapi.formats import iso

VERSION = "1.0.3"
VERSION_HEADER = "X-Experience-API-Version"
CONSISTENT_THROUGH = "X-Experience-API-Consistent-Through"
# 1.0.x: "1.0" stands for 1.0.0. Earlier versions and 2.0 are refused.
ACCEPTED_VERSION = re.compile(r"^1\.0(\.\d+)?$")
FORM = "application/x-www-form-urlencoded"
# What the alternate syntax may carry as form fields instead of headers (Communication 1.3).
FORM_HEADERS = (
    "authorization",
    "x-experience-api-version",
    "content-type",
    "content-length",
    "if-match",
    "if-none-match",
)
ALTERNATE_METHODS = ("GET", "PUT", "POST", "DELETE", "HEAD")
UNVERSIONED_PATHS = ("/about", "/about/")


class XapiProtocol:
    """Pure ASGI middleware, so a rewritten request reaches routing as if sent that way."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_versioned(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers[VERSION_HEADER] = VERSION
                # Every answer to a statements read, errors too: clients wait on it.
                if scope["method"] == "GET" and _route_path(scope).rstrip("/") == "/statements":
                    headers[CONSISTENT_THROUGH] = iso(utc_now())
            await send(message)

        if (
            "//" in scope["path"]
        ):  # an endpoint configured with a trailing slash, then "/statements"
            scope = {**scope, "path": re.sub("/{2,}", "/", scope["path"])}
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        if scope["method"] == "POST" and any(name == "method" for name, _ in query):
            if len(query) != 1:
                await _refuse(
                    scope,
                    receive,
                    send_versioned,
                    "alternate-syntax",
                    "method",
                    "a request in the alternate syntax may have no query parameter "
                    "but `method`; send the others as form fields",
                )
                return
            try:
                scope, receive = await _rewrite(scope, receive, query[0][1])
            except _Refusal as refusal:
                await _refuse(scope, receive, send_versioned, *refusal.args)
                return
        if scope["method"] != "OPTIONS" and _route_path(scope) not in UNVERSIONED_PATHS:
            version = Headers(scope=scope).get("x-experience-api-version")
            if version is None:
                await _refuse(
                    scope,
                    receive,
                    send_versioned,
                    "version-header",
                    VERSION_HEADER,
                    f"every request must send the {VERSION_HEADER} header (1.0.3)",
                )
                return
            if not ACCEPTED_VERSION.match(version.strip()):
                await _refuse(
                    scope,
                    receive,
                    send_versioned,
                    "version-header",
                    VERSION_HEADER,
                    f"version {version!r} is not supported; this LRS speaks 1.0.x (1.0.3)",
                )
                return
        if scope["method"] == "HEAD":  # as GET, without the body (Communication 1.1)
            scope = {**scope, "method": "GET"}

            async def send_head(message: Message) -> None:
                if message["type"] == "http.response.body":
                    message = {**message, "body": b""}
                await send_versioned(message)

            await self.app(scope, receive, send_head)
            return
        await self.app(scope, receive, send_versioned)


def _route_path(scope: Scope) -> str:
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


class _Refusal(Exception):
    """(rule, field, message) of a request in the alternate syntax that is not one."""


async def _rewrite(scope: Scope, receive: Receive, method: str) -> tuple[Scope, Receive]:
    """The request the alternate syntax stands for."""
    method = method.upper()
    if method not in ALTERNATE_METHODS:
        raise _Refusal(
            "alternate-syntax", "method", f"must be one of {', '.join(ALTERNATE_METHODS)}"
        )
    content_type = media_type(Headers(scope=scope).get("content-type"))
    if content_type != FORM:
        raise _Refusal(
            "alternate-syntax", "Content-Type", f"the alternate syntax is sent as {FORM}"
        )
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body", False):
            break
    form = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    headers = {
        k: v for k, v in scope["headers"] if k.lower() not in (b"content-type", b"content-length")
    }
    params: list[tuple[str, str]] = []
    content = ""
    for name, value in form:
        if name.lower() in FORM_HEADERS:
            headers[name.lower().encode("latin-1")] = value.encode("latin-1", "replace")
        elif name == "content":
            content = value
        else:
            params.append((name, value))
    payload = content.encode()
    headers[b"content-length"] = str(len(payload)).encode()
    if b"content-type" not in headers and _route_path(scope).rstrip("/") == "/statements":
        headers[b"content-type"] = b"application/json"  # statements' content is JSON
    rewritten = dict(scope)
    rewritten["method"] = method
    rewritten["query_string"] = urlencode(params).encode("latin-1")
    rewritten["headers"] = list(headers.items())
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": payload, "more_body": False}

    return rewritten, replay


async def _refuse(
    scope: Scope, receive: Receive, send: Send, rule: str, field: str, message: str
) -> None:
    refusal = XapiBadRequest.of(rule, field, message)
    response = problem_response(refusal.status, refusal.detail, errors=refusal.errors)
    await response(scope, receive, send)
