"""The OpenAPI document declares every error an operation can give, as problem details.

Errors every operation of a kind can give are read from the route, so a new route inherits them:
- signed in (any `CurrentPerson` / `CanRead…` / `CanWrite…` dependency): 401 and 403;
- a path parameter: 404, for an id that names nothing the caller may see;
- any parameter or a body: 422, for input that breaks the schema or a rule;
- a body: 400, for a body that cannot be read as its Content-Type says (JSON that is not
  UTF-8), and 413, the body-size limit.
- a rate limit per caller (`LimitedPerCaller`): 429, with its header fields.
Errors particular to a route (409, 429, 415, a 404 without a path parameter, ...) are declared
on the route: `responses=problem_responses(409)` or `responses={409: {"description": "why"}}`.
Every 4xx, either way, is given the problem+json body; FastAPI's own 422 schema is replaced.

It also links what creating operations answer to the operations their ids open (`CREATED_IDS`).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI

from questpath.auth.access import api_routes, route_access
from questpath.auth.limits import rate_limited
from questpath.problems import FIELD_ERROR_SCHEMA, PROBLEM_JSON, PROBLEM_SCHEMA
from questpath.ratelimit.openapi import RATE_LIMITED

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

# Where a created resource's id goes next, as OpenAPI links: generated clients document them, and
# the conformance run follows them to chain requests (create, then read, change and delete).
# (operation that creates, its success status, where the id is in its answer, path it opens)
CREATED_IDS = (
    ("POST /api/tracks/import", "201", "$response.body#/id", "/api/tracks/{track_id}"),
    ("POST /api/tracks/import", "201", "$response.body#/id", "/api/tracks/{track_id}/export"),
    ("POST /api/tracks/import", "201", "$response.body#/id", "/api/tracks/{track_id}/share"),
    ("POST /api/goals", "201", "$response.body#/id", "/api/goals/{goal_id}"),
    ("POST /api/questions", "201", "$response.body#/id", "/api/questions/{question_id}"),
    ("POST /api/questions", "201", "$response.body#/id", "/api/reviews/{question_id}"),
    ("POST /api/events", "201", "$response.body#/results/0/id", "/api/events/{event_id}"),
    ("POST /api/events", "201", "$response.body#/results/0/id", "/api/events/{event_id}/void"),
    ("POST /api/vacations", "201", "$response.body#/id", "/api/vacations/{vacation_id}"),
    ("POST /api/quizzes", "201", "$response.body#/id", "/api/quizzes/{quiz_id}"),
    ("POST /api/quizzes", "201", "$response.body#/id", "/api/quizzes/{quiz_id}/submit"),
    ("POST /api/api-keys", "201", "$response.body#/id", "/api/api-keys/{key_id}"),
)
FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def systematic_errors(operation: dict[str, Any], *, signed_in: bool) -> set[int]:
    """The errors an operation can give because of what it takes and who may call it."""
    statuses: set[int] = set()
    parameters = operation.get("parameters", [])
    has_body = "requestBody" in operation
    if signed_in:
        statuses |= {HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN}
    if any(parameter["in"] == "path" for parameter in parameters):
        statuses.add(HTTPStatus.NOT_FOUND)
    if parameters or has_body:
        statuses.add(HTTPStatus.UNPROCESSABLE_ENTITY)
    if has_body:
        statuses |= {HTTPStatus.BAD_REQUEST, HTTPStatus.REQUEST_ENTITY_TOO_LARGE}
    return statuses


def declare_problems(operation: dict[str, Any], *, signed_in: bool) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for status in systematic_errors(operation, signed_in=signed_in):
        responses.setdefault(str(status), {})
    for code, response in responses.items():
        if code.startswith("4"):
            response.setdefault("description", HTTPStatus(int(code)).phrase)
            if response["description"] == "Validation Error":
                response["description"] = HTTPStatus.UNPROCESSABLE_ENTITY.phrase
            response["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF}}


def declare_links(document: dict[str, Any]) -> None:
    """Link each creating operation's answer to every operation on the paths its id opens."""
    paths = document["paths"]
    for creator, status, id_at, target in CREATED_IDS:
        method, path = creator.split(" ")
        parameter = target.split("{")[1].split("}")[0]
        links = paths[path][method.lower()]["responses"][status].setdefault("links", {})
        for operation in paths[target].values():
            links[operation["operationId"]] = {
                "operationId": operation["operationId"],
                "parameters": {parameter: id_at},
            }


def install_problem_docs(app: FastAPI) -> None:
    """Wrap `app.openapi` so that the document declares each operation's problem responses."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = build()
            for path, route in api_routes(app):
                if not route.include_in_schema:
                    continue
                signed_in = route_access(route) is not None
                for method in route.methods or ():
                    operation = document["paths"][path][method.lower()]
                    if rate_limited(route):
                        operation.setdefault("responses", {}).setdefault("429", dict(RATE_LIMITED))
                    declare_problems(operation, signed_in=signed_in)
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            for name in FASTAPI_VALIDATION_SCHEMAS:
                schemas.pop(name, None)
            schemas["Problem"] = PROBLEM_SCHEMA
            schemas["FieldError"] = FIELD_ERROR_SCHEMA
            declare_links(document)
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]
