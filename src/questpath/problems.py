"""Errors as RFC 9457 problem details: one exception family, one set of handlers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
log = structlog.get_logger("questpath.errors")


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    rule: str | None = None  # the specification's rule broken, where a standard names them


class Problem(Exception):
    """An error the client can act on. Services raise these; the handler renders them."""

    status = HTTPStatus.BAD_REQUEST
    # A URI naming the kind of problem, for the few a client handles by kind; "about:blank"
    # says the status code is all there is to know.
    type = "about:blank"

    def __init__(
        self,
        detail: str,
        *,
        errors: Sequence[FieldError] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors)
        self.headers = dict(headers or {})


class Unauthorized(Problem):
    status = HTTPStatus.UNAUTHORIZED

    def __init__(self, detail: str, *, errors: Sequence[FieldError] = ()) -> None:
        super().__init__(detail, errors=errors, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(Problem):
    status = HTTPStatus.FORBIDDEN


class NotFound(Problem):
    status = HTTPStatus.NOT_FOUND


class Conflict(Problem):
    status = HTTPStatus.CONFLICT


class UnsupportedMediaType(Problem):
    status = HTTPStatus.UNSUPPORTED_MEDIA_TYPE


class Invalid(Problem):
    """422 for input that parsed but breaks a rule; each FieldError names the field."""

    status = HTTPStatus.UNPROCESSABLE_ENTITY

    def __init__(self, errors: Sequence[FieldError]) -> None:
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
        super().__init__(detail, errors=errors)

    @classmethod
    def field(cls, field: str, message: str) -> Invalid:
        return cls([FieldError(field, message)])


class TooManyRequests(Problem):
    status = HTTPStatus.TOO_MANY_REQUESTS

    def __init__(
        self,
        detail: str,
        retry_after: int | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """`headers` carry the RateLimit fields of the limit that refused, when there is one."""
        merged = dict(headers or {})
        if retry_after is not None:
            merged["Retry-After"] = str(retry_after)
        super().__init__(detail, headers=merged)


# What `problem_response` renders, as the OpenAPI document declares it for every 4xx.
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; `errors` names each field that was refused.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "always `about:blank`"},
        "title": {"type": "string", "description": "the status code's phrase"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/FieldError"},
            "minItems": 1,
        },
    },
}
FIELD_ERROR_SCHEMA: dict[str, Any] = {
    "title": "FieldError",
    "type": "object",
    "required": ["field", "message"],
    "properties": {
        "field": {"type": "string", "description": "e.g. `events[3].grade`, `cursor`, `body`"},
        "message": {"type": "string"},
        "rule": {"type": "string", "description": "the xAPI rule broken (/xapi only)"},
    },
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route's own errors, e.g. `problem_responses(404, 409)`.

    `responses={409: {"description": "when"}}` does the same with a reason: the OpenAPI document
    (questpath.openapi) gives every 4xx a route declares the problem+json body.
    """
    return {status: {"description": HTTPStatus(status).phrase} for status in statuses}


def problem_response(
    status: int,
    detail: str,
    *,
    errors: Iterable[FieldError] = (),
    headers: Mapping[str, str] | None = None,
    problem_type: str = "about:blank",
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": problem_type,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    error_list = [
        {"field": e.field, "message": e.message} | ({"rule": e.rule} if e.rule else {})
        for e in errors
    ]
    if error_list:
        body["errors"] = error_list
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def field_path(location: Sequence[int | str]) -> str:
    """("body", "events", 3, "grade") -> "events[3].grade".

    The first part says where the value came from (body, query, path); parts starting with "@" are
    the tags of tagged unions, which name a schema, not a field.
    """
    if not location:
        return "request"
    path = ""
    for part in location[1:]:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not part.startswith("@"):
            path += f".{part}" if path else part
    return path or str(location[0])


def _validation_errors(exc: RequestValidationError) -> list[FieldError]:
    errors = []
    for error in exc.errors():
        message = str(error.get("msg", "is invalid")).removeprefix("Value error, ")
        location = error.get("loc", ())
        if error.get("type") == "json_invalid":
            # Its location is ("body", <character offset>): the offset is not a field.
            message = "is not valid JSON: " + str(error.get("ctx", {}).get("error", message))
            location = ("body",)
        errors.append(FieldError(field_path(location), message))
    return errors


async def _on_problem(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return problem_response(
        exc.status, exc.detail, errors=exc.errors, headers=exc.headers, problem_type=exc.type
    )


async def _on_validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _validation_errors(exc)
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
    return problem_response(HTTPStatus.UNPROCESSABLE_ENTITY, detail, errors=errors)


def allowed_methods(request: Request) -> str:
    """Every method of the path the request matched (`/api/tracks/{track_id}`, not also
    `/api/tracks/import`'s). Starlette's 405 names only the methods of the first route that
    matched, where GET and POST of one path are often two routes."""
    contexts = [c for c in iter_route_contexts(request.app.routes) if hasattr(c, "path_regex")]
    matched = next((c for c in contexts if c.path_regex.match(request.url.path)), None)
    if matched is None:
        return ""
    methods: set[str] = set()
    for context in contexts:
        if context.path_format == matched.path_format:
            methods |= set(getattr(context, "methods", None) or ())
    return ", ".join(sorted(methods))


async def _on_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    headers = dict(exc.headers or {})
    if exc.status_code == HTTPStatus.METHOD_NOT_ALLOWED:
        headers["Allow"] = allowed_methods(request)
    return problem_response(exc.status_code, detail, headers=headers)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)
