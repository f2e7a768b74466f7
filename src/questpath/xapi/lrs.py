"""The LRS as an application of its own, mounted at /xapi: its own error rules (400s naming the
spec's rule), CORS for browser-based content, the version header and the alternate syntax."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.datastructures import State
from starlette.middleware.cors import CORSMiddleware

from questpath.problems import install_problem_handlers
from questpath.xapi.about import router as about_router
from questpath.xapi.document_routes import router as document_router
from questpath.xapi.errors import install_xapi_errors
from questpath.xapi.protocol import VERSION, XapiProtocol
from questpath.xapi.statement_routes import router as statements_router

# What content in a browser sends and must read back (Communication 1.3 and 2.1).
CORS_HEADERS = [
    "Authorization",
    "Content-Type",
    "If-Match",
    "If-None-Match",
    "X-Experience-API-Version",
]
EXPOSED_HEADERS = [
    "ETag",
    "Last-Modified",
    "Location",
    "X-Experience-API-Consistent-Through",
    "X-Experience-API-Version",
]


def create_lrs(state: State) -> FastAPI:
    """The LRS, sharing the main application's state (database, authenticator, recorder)."""
    lrs = FastAPI(
        title="QuestPath xAPI LRS",
        version=VERSION,
        summary="xAPI 1.0.3: statements, documents, activities and agents; HTTP Basic auth "
        "with an API key's id and secret.",
        docs_url=None,
        redoc_url=None,
        # The xAPI specification is the LRS's contract, and xAPI clients are written to it;
        # a generated document would list the resources without the parameters they read.
        openapi_url=None,
    )
    lrs.state = state
    install_problem_handlers(lrs)
    install_xapi_errors(lrs)
    for router in (about_router, statements_router, document_router):
        lrs.include_router(router)
    lrs.add_middleware(XapiProtocol)
    lrs.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"],
        allow_headers=CORS_HEADERS,
        expose_headers=EXPOSED_HEADERS,
        max_age=86400,
    )
    return lrs
