"""Pages of quizzes: the learner's quizzes, making one from a track or a topic, taking it, and
its graded results. The pages of reviews and of the question bank join this router.

Making a quiz may wait many seconds on an LLM server, so its form post holds no database session
meanwhile: the browser's session is checked in a short transaction of its own, and the service
opens another to store the quiz.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth.dependencies import SignedIn
from questpath.auth.limits import LimitedPerPerson
from questpath.auth.principal import Principal, UserLike
from questpath.clock import Now
from questpath.config import Settings
from questpath.dependencies import EngineDep, SessionDep, SettingsDep, unit_of_work
from questpath.pagination import Cursor
from questpath.problems import Conflict, Invalid, NotFound, Problem
from questpath.progress.dependencies import RecorderDep
from questpath.quizzes import bank_views, review_views, service
from questpath.quizzes.review_views import answer_text, due_text, given_value, prompt_html
from questpath.quizzes.schemas import QuizAnswer, QuizCreate, QuizRead, QuizSubmit
from questpath.ratelimit.limiter import QUIZ_GENERATION
from questpath.tracks import service as track_service
from questpath.web import formatting, forms
from questpath.web.dependencies import verify_csrf
from questpath.web.flash import Toast
from questpath.web.rendering import add_toast, redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
router.include_router(review_views.router)
router.include_router(bank_views.router)

PAGE_SIZE = 20
GENERATORS: dict[str, str] = {
    "auto": "Automatic",
    "offline": "Offline, from your tracks' items",
    "llm": "LLM server",
}
QUIZ_FIELDS = ("track_id", "topic", "count", "generator")
WHOLE_NUMBER = re.compile(r"[+-]?\d{1,9}")
ANSWER_ERROR = re.compile(r"answers\[(\d+)\]")


async def _track_titles(session: AsyncSession, user: UserLike) -> dict[uuid.UUID, str]:
    return {
        track.id: formatting.plain_text(track.title)
        for track in (await track_service.list_tracks(session, user)).items
    }


def quiz_label(quiz: QuizRead, tracks: dict[uuid.UUID, str]) -> str:
    """What a quiz is about: its track, its topic, or both."""
    track = (tracks.get(quiz.track_id) or "a deleted track") if quiz.track_id else None
    if track and quiz.topic:
        return f"{track} · {quiz.topic}"
    return track or quiz.topic or "All your tracks"


# The list and a new quiz ----------------------------------------------------------------------


async def _quizzes_page(
    request: Request,
    session: AsyncSession,
    user: UserLike,
    settings: Settings,
    *,
    cursor: str | None = None,
    form: dict[str, str] | None = None,
    errors: forms.Errors | None = None,
    status_code: int = 200,
) -> Response:
    quizzes = await service.page(session, user, cursor, PAGE_SIZE)
    tracks = await _track_titles(session, user)
    return render(
        request,
        "quizzes/list.html",
        {
            "nav": "/quizzes",
            "quizzes": [(quiz, quiz_label(quiz, tracks)) for quiz in quizzes.items],
            "cursor": cursor,
            "next_cursor": quizzes.next_cursor,
            "tracks": tracks,
            "generators": GENERATORS,
            "llm_configured": settings.llm_configured,
            "form": form if form is not None else {"count": "10", "generator": "auto"},
            "errors": errors or {},
        },
        status_code=status_code,
    )


@router.get("/quizzes")
async def quizzes_page(
    request: Request,
    principal: SignedIn,
    session: SessionDep,
    settings: SettingsDep,
    cursor: Cursor = None,
) -> Response:
    return await _quizzes_page(request, session, principal.user, settings, cursor=cursor)


def quiz_body(data: dict[str, str]) -> dict[str, Any]:
    """The new-quiz form as the quiz API takes it; a count that is not a whole number is passed
    on as typed, for the schema to refuse beside the field."""
    body: dict[str, Any] = {name: data[name] for name in QUIZ_FIELDS if name in data}
    count = body.get("count")
    if count is not None and WHOLE_NUMBER.fullmatch(count):
        body["count"] = int(count)
    return body


@router.post("/quizzes", dependencies=[Depends(LimitedPerPerson(QUIZ_GENERATION))])
async def create_quiz(
    request: Request, principal: SignedIn, engine: EngineDep, settings: SettingsDep, now: Now
) -> Response:
    """Make a quiz. No session is held while the questions are generated."""
    data = await forms.fields(request)
    body, errors = forms.validate(QuizCreate, quiz_body(data))
    work = partial(unit_of_work, request)
    if body is not None:
        try:
            quiz = await service.create(engine, work, settings, principal.user, body, now)
        except NotFound:
            errors = {"track_id": "is not one of your tracks: choose another"}
        except Problem as problem:
            errors = forms.problem_errors(problem)
        else:
            count = len(quiz.questions)
            body_text = f"{count} question{'' if count == 1 else 's'}"
            add_toast(request, Toast("success", "Your quiz is ready", body_text))
            return redirect(request, f"/quizzes/{quiz.id}")
    shown = forms.placed(errors.items(), QUIZ_FIELDS)
    async with work() as session:
        return await _quizzes_page(
            request, session, principal.user, settings, form=data, errors=shown, status_code=422
        )


# One quiz: taking it, and its results ---------------------------------------------------------


@dataclass(frozen=True)
class ResultRow:
    number: int
    prompt: Markup
    type: str
    given: str
    expected: str
    correct: bool
    explanation: str
    next_review: str


def result_rows(quiz: QuizRead, timezone: str, now: datetime) -> list[ResultRow]:
    asked = {q.id: q for q in quiz.questions}
    rows = []
    for number, result in enumerate(quiz.results or [], start=1):
        question = asked.get(result.question_id)
        kind = question.type if question else "short_answer"
        options = question.options if question else None
        rows.append(
            ResultRow(
                number=number,
                prompt=prompt_html(result.prompt, kind),
                type=kind,
                given=answer_text(kind, options, result.given),
                expected=answer_text(kind, options, result.expected),
                correct=result.correct,
                explanation=result.explanation,
                next_review=due_text(result.next_due, now, timezone)
                if result.next_due
                else "none: the question has left your bank",
            )
        )
    return rows


async def _quiz_page(
    request: Request,
    principal: Principal,
    session: AsyncSession,
    quiz: QuizRead,
    now: datetime,
    *,
    form: dict[str, str] | None = None,
    errors: forms.Errors | None = None,
    status_code: int = 200,
) -> Response:
    user = principal.user
    rows = result_rows(quiz, user.timezone, now) if quiz.results is not None else []
    return render(
        request,
        "quizzes/quiz.html",
        {
            **review_views.page_helpers(),
            "nav": "/quizzes",
            "quiz": quiz,
            "label": quiz_label(quiz, await _track_titles(session, user)),
            "rows": rows,
            "right": sum(row.correct for row in rows),
            "form": form or {},
            "errors": errors or {},
        },
        status_code=status_code,
    )


@router.get("/quizzes/{quiz_id}")
async def quiz_page(
    quiz_id: uuid.UUID, request: Request, principal: SignedIn, session: SessionDep, now: Now
) -> Response:
    quiz = await service.read(session, principal.user, quiz_id)
    return await _quiz_page(request, principal, session, quiz, now)


def _already_submitted(request: Request, quiz_id: uuid.UUID) -> Response:
    body = "Each quiz is graded once; its results are below."
    add_toast(request, Toast("success", "You have submitted this quiz already", body))
    return redirect(request, f"/quizzes/{quiz_id}")


def answer_errors(problem: Problem, answers: list[QuizAnswer]) -> forms.Errors:
    """The service's refusal of `answers[N]` shown beside the question it answers."""
    errors: forms.Errors = {}
    for error in problem.errors:
        match = ANSWER_ERROR.match(error.field)
        if match and int(match.group(1)) < len(answers):
            name = f"q-{answers[int(match.group(1))].question_id}"
            errors.setdefault(name, "this is not an answer to this question")
        else:
            errors.setdefault("form", error.message)
    return errors or {"form": problem.detail}


@router.post("/quizzes/{quiz_id}/submit")
async def submit_quiz(
    quiz_id: uuid.UUID,
    request: Request,
    principal: SignedIn,
    session: SessionDep,
    recorder: RecorderDep,
    now: Now,
) -> Response:
    data = await forms.fields(request)
    quiz = await service.read(session, principal.user, quiz_id)
    if quiz.submitted_at is not None:
        return _already_submitted(request, quiz_id)
    answers = [
        QuizAnswer(question_id=q.id, answer=given_value(q.type, data[f"q-{q.id}"]))
        for q in quiz.questions
        if f"q-{q.id}" in data
    ]
    try:
        result = await service.submit(
            session, recorder, principal.user, quiz_id, QuizSubmit(answers=answers), now
        )
    except Conflict:
        return _already_submitted(request, quiz_id)
    except Invalid as problem:
        return await _quiz_page(
            request,
            principal,
            session,
            quiz,
            now,
            form=data,
            errors=answer_errors(problem, answers),
            status_code=422,
        )
    xp = f" · +{result.xp_awarded} XP" if result.xp_awarded else ""
    title = f"Score {formatting.grade(result.score)}{xp}"
    add_toast(request, Toast("success", title, f"{result.correct} of {result.total} right"))
    review_views.achievement_toasts(request, result.achievements_unlocked)
    return redirect(request, f"/quizzes/{quiz_id}")
