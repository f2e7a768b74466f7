"""A statement the database cancelled for taking too long answers 503, not 500."""

from __future__ import annotations

import structlog
from asgi_correlation_id import correlation_id
from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy.exc import DBAPIError

from questpath.problems import problem_response

QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for statement_timeout (and pg_cancel_backend)
RETRY_AFTER_SECONDS = 5

log = structlog.get_logger("questpath.database")


def is_statement_timeout(error: DBAPIError) -> bool:
    return getattr(error.orig, "sqlstate", None) == QUERY_CANCELED


async def _database_error(request: Request, error: Exception) -> Response:
    if not isinstance(error, DBAPIError) or not is_statement_timeout(error):
        raise error  # the unhandled-error middleware answers 500 and logs the traceback
    log.warning("statement timeout", path=request.url.path)
    detail = (
        "The database took too long to answer (QUESTPATH_DB_STATEMENT_TIMEOUT_MS); try again. "
        f"Request id: {correlation_id.get() or 'unknown'}"
    )
    return problem_response(503, detail, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def install_database_error_handler(app: FastAPI) -> None:
    app.add_exception_handler(DBAPIError, _database_error)
