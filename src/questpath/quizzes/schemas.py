"""Request and response bodies of the question bank, quiz and review APIs."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo
from pydantic import field_validator as validates

from questpath.events.schemas import AchievementUnlocked, EventId, Topic
from questpath.fields import whole_number
from questpath.quizzes.drafts import (
    MAX_EXPLANATION,
    MAX_PROMPT,
    QuestionType,
    Source,
)
from questpath.quizzes.rules import answer_data_problem

Prompt = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_PROMPT)
]
Explanation = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_EXPLANATION)]
RatingName = Literal["again", "hard", "good", "easy"]
AnswerTime = Annotated[int, Field(ge=0, le=24 * 3600), whole_number]

ANSWER_DATA = (
    "multiple_choice: {options: [2-6 distinct texts], correct: index}; true_false: {correct: "
    "bool}; short_answer: {accepted: [texts]}; cloze: {accepted: [texts]} with the prompt holding "
    "one blank (_____)"
)
GIVEN_ANSWER = (
    "multiple_choice: the chosen option's index; true_false: true or false; short_answer and "
    "cloze: text"
)


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class QuestionCreate(_Input):
    type: QuestionType
    prompt: Prompt
    answer: dict[str, Any] = Field(description=ANSWER_DATA)
    explanation: Explanation = ""
    topic: Topic | None = None
    item_id: uuid.UUID | None = Field(None, description="the track item the question is about")

    @validates("answer")
    @classmethod
    def _answer_fits_the_type(cls, answer: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        kind, prompt = info.data.get("type"), info.data.get("prompt")
        problem = kind and prompt is not None and answer_data_problem(kind, prompt, answer)
        if problem:
            raise ValueError(problem)
        return answer


class QuestionUpdate(_Input):
    """Only the fields given change; the answer is checked against the resulting question."""

    type: QuestionType | None = None
    prompt: Prompt | None = None
    answer: dict[str, Any] | None = Field(None, description=ANSWER_DATA)
    explanation: Explanation | None = None
    topic: Topic | None = None
    item_id: uuid.UUID | None = None


class CardRead(BaseModel):
    due: datetime
    stability: float
    difficulty: float
    reviews: int
    lapses: int


class QuestionRead(BaseModel):
    id: uuid.UUID
    type: QuestionType
    prompt: str
    answer: dict[str, Any]
    explanation: str
    topic: str | None
    item_id: uuid.UUID | None
    source: Source
    created_at: datetime
    updated_at: datetime
    card: CardRead | None = Field(description="its spaced-repetition schedule, once answered")


class QuestionPage(BaseModel):
    items: list[QuestionRead]
    next_cursor: str | None


class QuestionsImported(BaseModel):
    created: int
    questions: list[QuestionRead]


class QuestionAsked(BaseModel):
    """A question as a learner sees it before answering: no answer, no explanation."""

    id: uuid.UUID
    type: QuestionType
    prompt: str
    options: list[str] | None = Field(description="multiple_choice only: answer with an index")
    topic: str | None = Field(
        description="a track's topics follow its categories: show it only after answering, or "
        "it answers questions about which category an item belongs to"
    )
    source: Source


# Quizzes --------------------------------------------------------------------------------------


class QuizCreate(_Input):
    track_id: uuid.UUID | None = Field(None, description="questions about this track's items")
    topic: Topic | None = Field(None, description="questions in this topic")
    count: int = Field(10, ge=1, le=50, strict=True)
    generator: Literal["auto", "offline", "llm"] = Field(
        "auto", description="auto: the LLM when one is configured, else offline"
    )


class QuizAnswer(_Input):
    question_id: uuid.UUID
    answer: Any = Field(None, description=GIVEN_ANSWER + "; null or left out: not answered")
    time_spent_seconds: AnswerTime | None = Field(None, description="rates the first review")
    rating: RatingName | None = Field(
        None, description="the review's rating, instead of one from correctness and time"
    )


class QuizSubmit(_Input):
    answers: list[QuizAnswer] = Field(max_length=50)
    time_spent_seconds: AnswerTime | None = Field(
        None, description="the whole quiz; default the sum of the answers' times"
    )


class QuestionResult(BaseModel):
    question_id: uuid.UUID
    prompt: str
    given: Any
    correct: bool
    expected: Any
    explanation: str
    rating: RatingName
    next_due: datetime | None = Field(description="None when the question left the bank")


class QuizRead(BaseModel):
    id: uuid.UUID
    track_id: uuid.UUID | None
    topic: str | None
    generator: Literal["offline", "llm", "bank"]
    questions: list[QuestionAsked]
    warnings: list[str]
    created_at: datetime
    submitted_at: datetime | None
    score: float | None
    results: list[QuestionResult] | None


class QuizPage(BaseModel):
    items: list[QuizRead]
    next_cursor: str | None


class QuizResult(BaseModel):
    id: uuid.UUID
    score: float = Field(description="0-100")
    correct: int
    total: int
    results: list[QuestionResult]
    xp_awarded: int
    achievements_unlocked: list[AchievementUnlocked]


# Reviews --------------------------------------------------------------------------------------


class ReviewIn(_Input):
    id: Annotated[EventId, StringConstraints(max_length=64)] | None = Field(
        None, description="the client's idempotency key: a repeat records nothing"
    )
    answer: Any = Field(None, description=GIVEN_ANSWER)
    rating: RatingName | None = Field(None, description="instead of, or overriding, the answer's")
    time_spent_seconds: AnswerTime | None = None
    at: AwareDatetime | None = Field(
        None, description="when the review happened, for reviews made offline; default now"
    )


class ReviewResult(BaseModel):
    question_id: uuid.UUID
    status: Literal["created", "duplicate"]
    correct: bool
    rating: RatingName
    expected: Any
    explanation: str
    next_due: datetime
    stability: float
    difficulty: float
    reviews: int
    xp_awarded: int
    achievements_unlocked: list[AchievementUnlocked]


class DueQuestion(BaseModel):
    question: QuestionAsked
    due: datetime
    reviews: int


class DueList(BaseModel):
    items: list[DueQuestion]
    total_due: int


class ForecastDay(BaseModel):
    date: date
    due: int


class Forecast(BaseModel):
    days: list[ForecastDay] = Field(description="cards due on each of the next 14 local days")
    cards: int
    retention: float | None = Field(description="share of reviews recalled, last 30 days")
    reviews_last_30_days: int
    recalled_last_30_days: int
