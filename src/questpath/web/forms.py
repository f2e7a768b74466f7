"""Form posts: read the fields, validate them with a Pydantic model, and report each problem
beside the field it concerns."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError
from starlette._utils import AwaitableOrContextManager
from starlette.datastructures import FormData

from questpath.config import Settings
from questpath.problems import Problem, field_path

Model = TypeVar("Model", bound=BaseModel)
Errors = dict[str, str]


def parse(request: Request) -> AwaitableOrContextManager[FormData]:
    """The posted form (await it, or use it with `async with` to close its uploads), each part
    capped at the body limit, QUESTPATH_MAX_BODY_BYTES."""
    settings: Settings = request.app.state.settings
    return request.form(max_part_size=settings.max_body_bytes)


async def fields(request: Request) -> dict[str, str]:
    """The form's text fields, stripped; empty ones are left out, so they read as "not given"."""
    form = await parse(request)
    values = {}
    for name, value in form.multi_items():
        if isinstance(value, str) and value.strip():
            values[name] = value.strip()
    return values


def validate(model: type[Model], data: Mapping[str, object]) -> tuple[Model | None, Errors]:
    try:
        return model.model_validate(data), {}
    except ValidationError as exc:
        errors: Errors = {}
        for error in exc.errors():
            name = field_path(("form", *error["loc"])) if error["loc"] else "form"
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "missing":
                message = "this field is required"
            errors.setdefault(name, message)
        return None, errors


def placed(
    errors: Iterable[tuple[str, str]],
    fields: Collection[str],
    renamed: Mapping[str, str] | None = None,
) -> Errors:
    """Errors ready to show again beside the form: each under the form field it concerns
    (one of `fields`, or the form field `renamed` maps its name to), or above the form
    ("form") when the form has no such field. The first message for a field wins."""
    renamed = renamed or {}
    shown: Errors = {}
    for name, message in errors:
        field = renamed.get(name, name if name in fields else "form")
        shown.setdefault(field, message)
    return shown


def problem_errors(problem: Problem, renamed: Mapping[str, str] | None = None) -> Errors:
    """A service's refusal as field errors; `renamed` maps service field names to form ones.

    A problem that names no field is reported under "form", shown above the form.
    """
    renamed = renamed or {}
    if not problem.errors:
        return {"form": problem.detail}
    errors: Errors = {}
    for error in problem.errors:
        errors.setdefault(renamed.get(error.field, error.field), error.message)
    return errors
