"""Quiz APIs: the question bank, quizzes (generated, submitted, graded) and FSRS reviews."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from starlette.datastructures import UploadFile

from questpath.auth.dependencies import CanReadQuizzes, CanWriteAndReadQuizzes, CanWriteQuizzes
from questpath.auth.limits import LimitedPerCaller, WriteLimitedRoute
from questpath.clock import Now
from questpath.dependencies import EngineDep, SessionDep, SettingsDep, unit_of_work
from questpath.pagination import Cursor, Limit
from questpath.problems import Invalid, UnsupportedMediaType, problem_responses
from questpath.progress.dependencies import RecorderDep, shown_unlocks
from questpath.quizzes import bank, reviews, service
from questpath.quizzes.drafts import Source
from questpath.quizzes.schemas import (
    DueList,
    Forecast,
    QuestionCreate,
    QuestionPage,
    QuestionRead,
    QuestionsImported,
    QuestionUpdate,
    QuizCreate,
    QuizPage,
    QuizRead,
    QuizResult,
    QuizSubmit,
    ReviewIn,
    ReviewResult,
)
from questpath.ratelimit.limiter import IMPORTS, QUIZ_GENERATION

router = APIRouter(prefix="/api", tags=["quizzes"], route_class=WriteLimitedRoute)
CSV_TYPES = {"text/csv", "text/plain", "application/csv"}


# Question bank --------------------------------------------------------------------------------


@router.post("/questions", status_code=status.HTTP_201_CREATED)
async def create_question(
    body: QuestionCreate,
    principal: CanWriteAndReadQuizzes,
    session: SessionDep,
    response: Response,
    now: Now,
) -> QuestionRead:
    """Add a question to the bank."""
    question = await bank.create(session, principal.user, body, now)
    response.headers["Location"] = f"/api/questions/{question.id}"
    return question


@router.get("/questions")
async def list_questions(
    principal: CanReadQuizzes,
    session: SessionDep,
    cursor: Cursor = None,
    limit: Limit = 50,
    topic: Annotated[str | None, Query(max_length=100, description="only this topic")] = None,
    source: Annotated[Source | None, Query(description="only questions from here")] = None,
) -> QuestionPage:
    """The question bank, newest first, each question with its review card."""
    return await bank.page(session, principal.user, cursor, limit, topic, source)


async def _csv(request: Request) -> bytes:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in CSV_TYPES:
        return await request.body()
    if content_type == "multipart/form-data":
        async with request.form(max_files=1, max_fields=5) as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise Invalid.field("file", "is required: the CSV file to import")
            return await upload.read(bank.MAX_CSV_BYTES + 1)
    raise UnsupportedMediaType(
        "send the CSV as a text/csv body or as the 'file' field of a multipart/form-data upload"
    )


@router.post(
    "/questions/import",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(LimitedPerCaller(IMPORTS))],
    responses=problem_responses(415),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                },
            },
        }
    },
)
async def import_questions(
    request: Request, principal: CanWriteAndReadQuizzes, session: SessionDep, now: Now
) -> QuestionsImported:
    """Import questions from CSV with a header row: prompt, answer, and optionally explanation,
    topic, type and options. All or nothing: each bad row is reported as `rows[N].column`, N
    being its line in the file."""
    return await bank.import_csv(session, principal.user, await _csv(request), now)


@router.get("/questions/{question_id:uuid}")
async def read_question(
    question_id: uuid.UUID, principal: CanReadQuizzes, session: SessionDep
) -> QuestionRead:
    return await bank.read(session, principal.user, question_id)


@router.patch("/questions/{question_id:uuid}")
async def update_question(
    question_id: uuid.UUID,
    body: QuestionUpdate,
    principal: CanWriteAndReadQuizzes,
    session: SessionDep,
    now: Now,
) -> QuestionRead:
    """Change a question. Its review card and past answers stay."""
    return await bank.update(session, principal.user, question_id, body, now)


@router.delete("/questions/{question_id:uuid}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_question(
    question_id: uuid.UUID, principal: CanWriteQuizzes, session: SessionDep
) -> None:
    """Remove a question and its review card. Quizzes keep their copy; the log keeps its events."""
    await bank.delete(session, principal.user, question_id)


# Quizzes --------------------------------------------------------------------------------------


@router.post(
    "/quizzes",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(LimitedPerCaller(QUIZ_GENERATION))],
    responses={404: {"description": "no track of the caller's has this `track_id`"}},
)
async def create_quiz(
    body: QuizCreate,
    principal: CanWriteAndReadQuizzes,
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    response: Response,
    now: Now,
) -> QuizRead:
    """Make a quiz about a track's items or a topic: new questions from the generator (the LLM
    when configured, with the offline generator as its fallback), topped up from the bank.
    The questions come without their answers."""

    work = partial(unit_of_work, request)
    quiz = await service.create(engine, work, settings, principal.user, body, now)
    response.headers["Location"] = f"/api/quizzes/{quiz.id}"
    return quiz


@router.get("/quizzes")
async def list_quizzes(
    principal: CanReadQuizzes, session: SessionDep, cursor: Cursor = None, limit: Limit = 50
) -> QuizPage:
    """The learner's quizzes, newest first."""
    return await service.page(session, principal.user, cursor, limit)


@router.get("/quizzes/{quiz_id}")
async def read_quiz(quiz_id: uuid.UUID, principal: CanReadQuizzes, session: SessionDep) -> QuizRead:
    """A quiz; once submitted, with its score and each question's result."""
    return await service.read(session, principal.user, quiz_id)


@router.post("/quizzes/{quiz_id}/submit", responses={409: {"description": "already submitted"}})
async def submit_quiz(
    quiz_id: uuid.UUID,
    body: QuizSubmit,
    principal: CanWriteAndReadQuizzes,
    session: SessionDep,
    recorder: RecorderDep,
    now: Now,
) -> QuizResult:
    """Grade a quiz (once) and record it as a `quiz_completed` event graded by its score."""
    result = await service.submit(session, recorder, principal.user, quiz_id, body, now)
    unlocked = shown_unlocks(principal, result.achievements_unlocked)
    return result.model_copy(update={"achievements_unlocked": unlocked})


# Reviews --------------------------------------------------------------------------------------


@router.get("/reviews/due")
async def due_reviews(
    principal: CanReadQuizzes,
    session: SessionDep,
    now: Now,
    limit: Annotated[int, Query(ge=1, le=200, description="at most this many")] = 20,
) -> DueList:
    """The questions due for review now, most overdue first."""
    return await reviews.due(session, principal.user, limit, now)


@router.get("/reviews/forecast")
async def review_forecast(principal: CanReadQuizzes, session: SessionDep, now: Now) -> Forecast:
    """Reviews due on each of the next 14 local days (overdue ones today), and retention."""
    return await reviews.forecast(session, principal.user, now)


@router.post("/reviews/{question_id:uuid}")
async def review_question(
    question_id: uuid.UUID,
    body: ReviewIn,
    principal: CanWriteAndReadQuizzes,
    session: SessionDep,
    recorder: RecorderDep,
    now: Now,
) -> ReviewResult:
    """Review a question: answer it, rate it, or both. Reschedules its card and records a
    `quiz_reviewed` event (2 XP, at most 50 XP of reviews a day)."""
    result = await reviews.review(session, recorder, principal.user, question_id, body, now)
    unlocked = shown_unlocks(principal, result.achievements_unlocked)
    return result.model_copy(update={"achievements_unlocked": unlocked})
