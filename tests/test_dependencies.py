"""Every endpoint and dependency runs on the event loop.

FastAPI runs a plain `def` endpoint or dependency in its thread pool. On a busy server each such
call is a trip to another thread and back, and the threads fight the event loop for the GIL: a
request with three of them cost several times more CPU than one with none.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from questpath.app import create_app
from questpath.config import Settings


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    if dependant.call is not None:
        yield dependant.call
    for sub in dependant.dependencies:
        yield from _calls(sub)


def _runs_on_the_loop(call: Callable[..., Any]) -> bool:
    if inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call):
        return True
    method = getattr(call, "__call__", None)  # noqa: B004 - instances such as HTTPBearer
    return not inspect.isfunction(call) and (
        inspect.iscoroutinefunction(method) or inspect.isasyncgenfunction(method)
    )


def test_no_endpoint_or_dependency_runs_in_the_thread_pool(tmp_path: Path) -> None:
    app: FastAPI = create_app(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/q.db"))
    routes = [
        context.route
        for context in iter_route_contexts(app.routes)
        if isinstance(context.route, APIRoute)
    ]
    assert len(routes) > 50
    sync = {
        f"{route.path} {call.__qualname__}"
        for route in routes
        for call in _calls(route.dependant)
        if not _runs_on_the_loop(call)
    }
    assert sync == set()
