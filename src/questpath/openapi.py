"""The OpenAPI document declares every error an operation can give, as problem details.

Errors every operation of a kind can give are read from the route, so a new route inherits them:
- signed in (any `CurrentPerson` / `CanRead…` / `CanWrite…` dependency): 401 and 403;
- a path parameter: 404, for an id that names nothing the caller may see;
- any parameter or a body: 422, for input that breaks the schema or a rule;
- a body: 400, for a body that cannot be read as its Content-Type says (JSON that is not
  UTF-8), and 413, the body-size limit.
Errors particular to a route (409, 429, 415, a 404 without a path parameter, ...) are declared
on the route: `responses=problem_responses(409)` or `responses={409: {"description": "why"}}`.
Every 4xx, either way, is given the problem+json body; FastAPI's own 422 schema is replaced.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI

from questpath.auth.access import api_routes, route_access
from questpath.problems import FIELD_ERROR_SCHEMA, PROBLEM_JSON, PROBLEM_SCHEMA

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
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
                    declare_problems(document["paths"][path][method.lower()], signed_in=signed_in)
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            for name in FASTAPI_VALIDATION_SCHEMAS:
                schemas.pop(name, None)
            schemas["Problem"] = PROBLEM_SCHEMA
            schemas["FieldError"] = FIELD_ERROR_SCHEMA
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]
