"""The LRS's errors: problem details, with a 400 (not 422) for whatever breaks the spec."""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from questpath.problems import FieldError, Problem, field_path, problem_response


class XapiBadRequest(Problem):
    """400: the request breaks a rule of the xAPI specification; each error names the rule and
    the field."""

    status = HTTPStatus.BAD_REQUEST

    def __init__(self, errors: Sequence[FieldError]) -> None:
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
        super().__init__(detail, errors=errors)

    @classmethod
    def of(cls, rule: str, field: str, message: str) -> XapiBadRequest:
        return cls([FieldError(field, message, rule)])


class PreconditionFailed(Problem):
    status = HTTPStatus.PRECONDITION_FAILED


async def _on_validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        FieldError(field_path(e.get("loc", ())), str(e.get("msg", "is invalid")), "parameter")
        for e in exc.errors()
    ]
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
    return problem_response(HTTPStatus.BAD_REQUEST, detail, errors=errors)


def install_xapi_errors(app: FastAPI) -> None:
    """After the common problem handlers: parameters that fail validation are a 400."""
    app.add_exception_handler(RequestValidationError, _on_validation_error)
