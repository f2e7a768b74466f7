"""Pages of the question bank: the learner's questions, adding one by hand, importing a CSV file
and deleting.

The add form holds the answer fields of every question type, each type in its own fieldset, so
it works without script; the server reads only the fields of the type chosen.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from questpath.auth.dependencies import SignedIn
from questpath.auth.limits import LimitedPerPerson
from questpath.auth.principal import Principal
from questpath.clock import Now
from questpath.dependencies import SessionDep
from questpath.pagination import Cursor
from questpath.problems import Invalid
from questpath.quizzes import bank
from questpath.quizzes.drafts import MAX_OPTIONS
from questpath.quizzes.review_views import TYPE_NAMES, answer_text, due_text
from questpath.quizzes.schemas import QuestionCreate
from questpath.ratelimit.limiter import IMPORTS
from questpath.web import forms
from questpath.web.dependencies import verify_csrf
from questpath.web.flash import Toast
from questpath.web.rendering import add_toast, redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

PAGE_SIZE = 25
SOURCES: dict[str, str] = {"authored": "Yours", "offline": "Offline generator", "llm": "LLM"}
QUESTION_FIELDS = ("type", "prompt", "explanation", "topic")
ANSWER_FIELDS = ("correct_option", "options", "truth", "accepted")
ROW_ERROR = re.compile(r"rows\[(\d+)\](?:\.(\w+))?")


# Reading the add form -------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def answer_of(kind: str, data: dict[str, str]) -> dict[str, Any]:
    """The answer data the form describes for a question of `kind`."""
    if kind == "multiple_choice":
        answer: dict[str, Any] = {"options": _lines(data.get("options", ""))}
        number = data.get("correct_option", "")
        if number.isascii() and number.isdigit() and len(number) <= len(str(MAX_OPTIONS)):
            answer["correct"] = int(number) - 1
        return answer
    if kind == "true_false":
        truth = data.get("truth")
        return {"correct": truth == "true"} if truth in ("true", "false") else {}
    return {"accepted": _lines(data.get("accepted", ""))}


def form_errors(errors: forms.Errors, kind: str, data: dict[str, str]) -> forms.Errors:
    """Errors about the answer data renamed to the form field that holds it."""

    def beside_its_field(name: str, message: str) -> tuple[str, str]:
        if name != "answer":
            return (name if name in QUESTION_FIELDS else "form"), message
        if kind == "multiple_choice" and message.startswith("correct"):
            count = len(_lines(data.get("options", "")))
            return "correct_option", f"give a number from 1 to {count}"
        if kind == "multiple_choice":
            return "options", message
        if kind == "true_false":
            return "truth", "choose true or false"
        if kind == "cloze" and "blank" in message:
            return "prompt", message
        return "accepted", message

    shown = [beside_its_field(name, message) for name, message in errors.items()]
    return forms.placed(shown, (*QUESTION_FIELDS, *ANSWER_FIELDS))


# The bank -------------------------------------------------------------------------------------


def import_errors(problem: Invalid) -> list[str]:
    """A refused CSV file's problems, each naming its line and column."""
    shown = []
    for error in problem.errors:
        match = ROW_ERROR.fullmatch(error.field)
        if match:
            column = f", {match.group(2)}" if match.group(2) else ""
            shown.append(f"Line {match.group(1)}{column}: {error.message}")
        elif error.field == "header":
            shown.append(f"Header row: {error.message}")
        else:
            shown.append(f"The file {error.message}")
    return shown


async def _bank_page(
    request: Request,
    principal: Principal,
    session: SessionDep,
    now: datetime,
    *,
    cursor: str | None = None,
    form: dict[str, str] | None = None,
    errors: forms.Errors | None = None,
    file_errors: forms.Errors | None = None,
    rows_refused: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    user, now = principal.user, now
    questions = await bank.page(session, user, cursor, PAGE_SIZE, None, None)
    rows = [
        {
            "question": q,
            "type": TYPE_NAMES[q.type],
            "source": SOURCES.get(q.source, q.source),
            "answer": answer_text(
                q.type,
                q.answer.get("options") if q.type == "multiple_choice" else None,
                q.answer.get("correct") if "correct" in q.answer else q.answer["accepted"][0],
            ),
            "next_review": due_text(q.card.due, now, user.timezone) if q.card else None,
        }
        for q in questions.items
    ]
    return render(
        request,
        "quizzes/questions.html",
        {
            "nav": "/questions",
            "rows": rows,
            "cursor": cursor,
            "next_cursor": questions.next_cursor,
            "types": TYPE_NAMES,
            "form": form if form is not None else {"type": "multiple_choice", "truth": "true"},
            "errors": errors or {},
            "file_errors": file_errors or {},
            "rows_refused": rows_refused or [],
        },
        status_code=status_code,
    )


@router.get("/questions")
async def questions_page(
    request: Request, principal: SignedIn, session: SessionDep, now: Now, cursor: Cursor = None
) -> Response:
    return await _bank_page(request, principal, session, now, cursor=cursor)


@router.post("/questions")
async def create_question(
    request: Request, principal: SignedIn, session: SessionDep, now: Now
) -> Response:
    data = await forms.fields(request)
    kind = data.get("type", "")
    body = {name: data[name] for name in QUESTION_FIELDS if name in data}
    question, errors = forms.validate(QuestionCreate, {**body, "answer": answer_of(kind, data)})
    if question is not None:
        await bank.create(session, principal.user, question, now)
        add_toast(request, Toast("success", "Question added", "It joins your next quizzes."))
        return redirect(request, "/questions")
    return await _bank_page(
        request,
        principal,
        session,
        now,
        form=data,
        errors=form_errors(errors, kind, data),
        status_code=422,
    )


async def _uploaded(request: Request) -> bytes:
    """The bytes of the CSV file uploaded; none when no file was chosen."""
    async with forms.parse(request) as form:
        upload = form.get("file")
        if isinstance(upload, UploadFile):
            return await upload.read(bank.MAX_CSV_BYTES + 1)
    return b""


@router.post("/questions/import", dependencies=[Depends(LimitedPerPerson(IMPORTS))])
async def import_questions(
    request: Request, principal: SignedIn, session: SessionDep, now: Now
) -> Response:
    uploaded = await _uploaded(request)
    file_errors: forms.Errors = {}
    refused: list[str] = []
    if not uploaded:
        file_errors = {"file": "choose a CSV file to import"}
    else:
        try:
            imported = await bank.import_csv(session, principal.user, uploaded, now)
        except Invalid as problem:
            if all(error.field == "file" for error in problem.errors):
                file_errors = {"file": f"the file {problem.errors[0].message}"}
            else:
                refused = import_errors(problem)
        else:
            count = imported.created
            title = f"Imported {count} question{'' if count == 1 else 's'}"
            add_toast(request, Toast("success", title))
            return redirect(request, "/questions")
    return await _bank_page(
        request,
        principal,
        session,
        now,
        file_errors=file_errors,
        rows_refused=refused,
        status_code=422,
    )


@router.post("/questions/{question_id}/delete")
async def delete_question(
    question_id: uuid.UUID, request: Request, principal: SignedIn, session: SessionDep
) -> Response:
    await bank.delete(session, principal.user, question_id)
    add_toast(request, Toast("success", "Question deleted", "Quizzes you took keep their copy."))
    return redirect(request, "/questions")
