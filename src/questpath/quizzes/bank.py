"""The question bank: a learner's questions, written by hand, imported or generated."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth.principal import UserLike
from questpath.pagination import created_cursor, decode_created_cursor
from questpath.problems import Invalid, NotFound
from questpath.quizzes import csv_import
from questpath.quizzes import repository as repo
from questpath.quizzes.drafts import QuestionDraft, Source
from questpath.quizzes.models import Question, ReviewCard
from questpath.quizzes.rules import answer_data_problem
from questpath.quizzes.schemas import (
    CardRead,
    QuestionAsked,
    QuestionCreate,
    QuestionPage,
    QuestionRead,
    QuestionsImported,
    QuestionUpdate,
)

MAX_CSV_BYTES = 1024 * 1024


def question_read(question: Question, card: ReviewCard | None) -> QuestionRead:
    return QuestionRead(
        id=question.id,
        type=question.type,
        prompt=question.prompt,
        answer=question.answer,
        explanation=question.explanation,
        topic=question.topic,
        item_id=question.item_id,
        source=question.source,
        created_at=question.created_at,
        updated_at=question.updated_at,
        card=CardRead(
            due=card.due,
            stability=card.stability,
            difficulty=card.difficulty,
            reviews=card.reviews,
            lapses=card.lapses,
        )
        if card
        else None,
    )


def asked(snapshot: dict[str, object]) -> QuestionAsked:
    """A question as shown before it is answered, from a quiz's copy or a stored question."""
    answer = snapshot["answer"]
    assert isinstance(answer, dict)
    return QuestionAsked.model_validate(
        {
            **snapshot,
            "options": answer.get("options") if snapshot["type"] == "multiple_choice" else None,
        }
    )


def snapshot_of(question: Question) -> dict[str, object]:
    return {
        "id": str(question.id),
        "type": question.type,
        "prompt": question.prompt,
        "answer": question.answer,
        "explanation": question.explanation,
        "topic": question.topic,
        "source": question.source,
    }


def new_question(user: UserLike, draft: QuestionDraft, source: Source, now: datetime) -> Question:
    return Question(
        user_id=user.id,
        id=uuid.uuid4(),
        type=draft.type,
        prompt=draft.prompt,
        answer=draft.answer,
        explanation=draft.explanation,
        topic=draft.topic,
        item_id=draft.item_id,
        source=source,
        created_at=now,
        updated_at=now,
    )


async def keep(
    session: AsyncSession,
    user: UserLike,
    drafts: Iterable[tuple[QuestionDraft, Source]],
    now: datetime,
) -> list[Question]:
    """Store generated drafts, reusing the stored question where one asks the same."""
    pending = list(drafts)
    existing = await repo.same_prompts(session, user.id, {(d.type, d.prompt) for d, _ in pending})
    kept: dict[tuple[str, str], Question] = {}
    new = []
    for draft, source in pending:
        key = (draft.type, draft.prompt)
        if key in existing or key in kept:
            kept.setdefault(key, existing.get(key) or kept[key])
            continue
        kept[key] = new_question(user, draft, source, now)
        new.append(kept[key])
    await repo.add(session, new)
    return list(kept.values())


async def own_question(session: AsyncSession, user: UserLike, question_id: uuid.UUID) -> Question:
    question = await repo.question(session, user.id, question_id)
    if question is None:
        raise NotFound(f"no question with the id {question_id}")
    return question


async def create(
    session: AsyncSession, user: UserLike, data: QuestionCreate, now: datetime
) -> QuestionRead:
    draft = QuestionDraft(
        data.type, data.prompt, data.answer, data.explanation, data.topic, data.item_id
    )
    question = new_question(user, draft, "authored", now)
    await repo.add(session, [question])
    return question_read(question, None)


async def read(session: AsyncSession, user: UserLike, question_id: uuid.UUID) -> QuestionRead:
    question = await own_question(session, user, question_id)
    cards = await repo.cards(session, user.id, [question.id])
    return question_read(question, cards.get(question.id))


async def update(
    session: AsyncSession,
    user: UserLike,
    question_id: uuid.UUID,
    data: QuestionUpdate,
    now: datetime,
) -> QuestionRead:
    question = await own_question(session, user, question_id)
    values = data.model_dump(exclude_unset=True)
    for name in ("type", "prompt", "answer", "explanation"):
        if name in values and values[name] is None:
            raise Invalid.field(name, "may not be null")
    kind = values.get("type", question.type)
    prompt = values.get("prompt", question.prompt)
    answer = values.get("answer", question.answer)
    if problem := answer_data_problem(kind, prompt, answer):
        field = "answer" if "answer" in values or "type" not in values else "type"
        raise Invalid.field(field, f"{problem} (for a {kind} question)")
    for name, value in values.items():
        setattr(question, name, value)
    question.updated_at = now
    await session.flush()
    cards = await repo.cards(session, user.id, [question.id])
    return question_read(question, cards.get(question.id))


async def delete(session: AsyncSession, user: UserLike, question_id: uuid.UUID) -> None:
    """Remove a question and its review card; its quiz answers and reviews stay in the log."""
    await own_question(session, user, question_id)
    await repo.delete_question(session, user.id, question_id)


async def page(
    session: AsyncSession,
    user: UserLike,
    cursor: str | None,
    limit: int,
    topic: str | None,
    source: str | None,
) -> QuestionPage:
    before = decode_created_cursor(cursor)
    rows = await repo.questions_page(session, user.id, before, limit + 1, topic, source)
    shown = rows[:limit]
    cards = await repo.cards(session, user.id, [q.id for q in shown])
    next_cursor = None
    if len(rows) > limit:
        last = shown[-1]
        next_cursor = created_cursor(last.created_at, last.id)
    return QuestionPage(
        items=[question_read(q, cards.get(q.id)) for q in shown], next_cursor=next_cursor
    )


async def everything(session: AsyncSession, user: UserLike) -> list[QuestionRead]:
    """The whole bank with its cards, oldest first: for the export."""
    questions = await repo.bank(session, user.id, None, None)
    cards = await repo.cards(session, user.id)
    return [question_read(q, cards.get(q.id)) for q in questions]


def decode_csv(data: bytes) -> str:
    if len(data) > MAX_CSV_BYTES:
        raise Invalid.field("file", f"is larger than {MAX_CSV_BYTES // 1024} KiB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid.field("file", "is not UTF-8 text") from exc


async def import_csv(
    session: AsyncSession, user: UserLike, data: bytes, now: datetime
) -> QuestionsImported:
    """Store every question of a CSV file, or none: each bad row is reported."""
    parsed = csv_import.parse(decode_csv(data))
    if parsed.errors:
        raise Invalid(parsed.errors)
    questions = [new_question(user, draft, "authored", now) for draft in parsed.drafts]
    await repo.add(session, questions)
    return QuestionsImported(
        created=len(questions), questions=[question_read(q, None) for q in questions]
    )
