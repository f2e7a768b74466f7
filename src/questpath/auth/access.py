"""Who may call each API operation, read from the dependencies the route declares, and written
into the OpenAPI document where a client generator's user reads it: the operation description."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from questpath.auth.dependencies import (
    STREAM_SCOPES,
    Scoped,
    current_person,
    current_reader_or_browser,
)


@dataclass(frozen=True)
class Access:
    """`people_only`: API keys are refused; otherwise a key needs every one of `scopes`."""

    scopes: tuple[str, ...] = ()
    people_only: bool = False

    def sentence(self) -> str:
        if self.people_only:
            return "**People only**: API keys are refused (403)."
        names = ", ".join(f"`{scope}`" for scope in self.scopes)
        return f"**API key scopes**: {names}."


def _calls(dependant: Dependant) -> Iterator[Any]:
    if dependant.call is not None:
        yield dependant.call
    for sub in dependant.dependencies:
        yield from _calls(sub)


def route_access(route: APIRoute) -> Access | None:
    """What a route demands of its caller; None for a route anyone may call."""
    scopes: list[str] = []
    people_only = False
    signed_in = False
    for call in _calls(route.dependant):
        if isinstance(call, Scoped):
            scopes.extend(call.scopes)
            signed_in = True
        elif call is current_reader_or_browser:
            scopes.extend(STREAM_SCOPES)
            signed_in = True
        elif call is current_person:
            people_only = signed_in = True
    if not signed_in:
        return None
    return Access(scopes=tuple(dict.fromkeys(scopes)), people_only=people_only)


def api_routes(app: FastAPI) -> Iterator[tuple[str, APIRoute]]:
    """Each `/api` route with its full path."""
    for context in iter_route_contexts(app.routes):
        path = context.path_format or ""
        if isinstance(context.route, APIRoute) and path.startswith("/api/"):
            yield path, context.route


def install_access_docs(app: FastAPI) -> None:
    """End each signed-in operation's description with the scopes an API key needs, or with
    the note that keys are refused."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for path, route in api_routes(app):
                access = route_access(route)
                if access is None or not route.include_in_schema:
                    continue
                for method in route.methods or ():
                    operation = schema["paths"][path][method.lower()]
                    text = operation.get("description", "")
                    operation["description"] = f"{text}\n\n{access.sentence()}".lstrip()
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]
