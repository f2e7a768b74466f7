"""Every query of the question bank, the quizzes and the review cards."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from questpath.events.models import Event
from questpath.quizzes.models import Question, Quiz, ReviewCard

REVIEW_KINDS = ("quiz_completed", "quiz_reviewed")


# Questions ------------------------------------------------------------------------------------


async def add(session: AsyncSession, rows: Iterable[Question | Quiz | ReviewCard]) -> None:
    session.add_all(list(rows))
    await session.flush()


async def question(
    session: AsyncSession, user_id: uuid.UUID, question_id: uuid.UUID
) -> Question | None:
    return await session.get(Question, (user_id, question_id))


async def questions(
    session: AsyncSession, user_id: uuid.UUID, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Question]:
    wanted = set(ids)
    if not wanted:
        return {}
    result = await session.scalars(
        select(Question).where(Question.user_id == user_id, Question.id.in_(wanted))
    )
    return {q.id: q for q in result}


async def questions_page(
    session: AsyncSession,
    user_id: uuid.UUID,
    before: tuple[datetime, uuid.UUID] | None,
    limit: int,
    topic: str | None,
    source: str | None,
) -> list[Question]:
    stmt = select(Question).where(Question.user_id == user_id)
    if topic is not None:
        stmt = stmt.where(Question.topic == topic)
    if source is not None:
        stmt = stmt.where(Question.source == source)
    if before is not None:
        stmt = stmt.where(tuple_(Question.created_at, Question.id) < before)
    stmt = stmt.order_by(Question.created_at.desc(), Question.id.desc()).limit(limit)
    return list(await session.scalars(stmt))


async def bank(
    session: AsyncSession,
    user_id: uuid.UUID,
    topic: str | None,
    item_ids: set[uuid.UUID] | None,
) -> list[Question]:
    """The questions a quiz may draw from: of `topic`, about one of `item_ids`, or all."""
    stmt = select(Question).where(Question.user_id == user_id)
    if topic is not None:
        stmt = stmt.where(Question.topic == topic)
    if item_ids is not None:
        stmt = stmt.where(Question.item_id.in_(item_ids))
    return list(await session.scalars(stmt.order_by(Question.created_at, Question.id)))


async def same_prompts(
    session: AsyncSession, user_id: uuid.UUID, keys: set[tuple[str, str]]
) -> dict[tuple[str, str], Question]:
    """The stored questions with one of these (type, prompt) pairs."""
    if not keys:
        return {}
    prompts = {prompt for _, prompt in keys}
    result = await session.scalars(
        select(Question).where(Question.user_id == user_id, Question.prompt.in_(prompts))
    )
    return {(q.type, q.prompt): q for q in result if (q.type, q.prompt) in keys}


async def delete_question(
    session: AsyncSession, user_id: uuid.UUID, question_id: uuid.UUID
) -> None:
    await session.execute(
        delete(Question).where(Question.user_id == user_id, Question.id == question_id)
    )


# Quizzes --------------------------------------------------------------------------------------


async def quiz(session: AsyncSession, user_id: uuid.UUID, quiz_id: uuid.UUID) -> Quiz | None:
    return await session.get(Quiz, (user_id, quiz_id))


async def quiz_for_update(
    session: AsyncSession, user_id: uuid.UUID, quiz_id: uuid.UUID
) -> Quiz | None:
    stmt = (
        select(Quiz)
        .where(Quiz.user_id == user_id, Quiz.id == quiz_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(stmt)).one_or_none()


async def all_quizzes(session: AsyncSession, user_id: uuid.UUID) -> list[Quiz]:
    stmt = select(Quiz).where(Quiz.user_id == user_id).order_by(Quiz.created_at, Quiz.id)
    return list(await session.scalars(stmt))


async def quizzes_page(
    session: AsyncSession,
    user_id: uuid.UUID,
    before: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Quiz]:
    stmt = select(Quiz).where(Quiz.user_id == user_id)
    if before is not None:
        stmt = stmt.where(tuple_(Quiz.created_at, Quiz.id) < before)
    stmt = stmt.order_by(Quiz.created_at.desc(), Quiz.id.desc()).limit(limit)
    return list(await session.scalars(stmt))


# Review cards ---------------------------------------------------------------------------------


async def cards(
    session: AsyncSession, user_id: uuid.UUID, question_ids: Iterable[uuid.UUID] | None = None
) -> dict[uuid.UUID, ReviewCard]:
    """The learner's cards, or those of `question_ids`."""
    stmt = select(ReviewCard).where(ReviewCard.user_id == user_id)
    if question_ids is not None:
        wanted = set(question_ids)
        if not wanted:
            return {}
        stmt = stmt.where(ReviewCard.question_id.in_(wanted))
    return {card.question_id: card for card in await session.scalars(stmt)}


async def save_cards(
    session: AsyncSession,
    user_id: uuid.UUID,
    values: list[dict[str, Any]],
    stored: dict[uuid.UUID, ReviewCard],
) -> None:
    """Write card states: each replaces its card in `stored` (the ones loaded) or adds one."""
    for value in values:
        card = stored.get(value["question_id"])
        if card is None:
            session.add(ReviewCard(user_id=user_id, **value))
        else:
            for name, field in value.items():
                setattr(card, name, field)
    await session.flush()


async def delete_cards(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.execute(delete(ReviewCard).where(ReviewCard.user_id == user_id))


async def due(
    session: AsyncSession, user_id: uuid.UUID, now: datetime, limit: int
) -> list[tuple[ReviewCard, Question]]:
    """Cards due by `now` with their questions, most overdue first."""
    stmt = (
        select(ReviewCard, Question)
        .join(
            Question,
            and_(Question.user_id == ReviewCard.user_id, Question.id == ReviewCard.question_id),
        )
        .where(ReviewCard.user_id == user_id, ReviewCard.due <= now)
        .order_by(ReviewCard.due, ReviewCard.question_id)
        .limit(limit)
    )
    return [(row[0], row[1]) for row in await session.execute(stmt)]


async def count_due(session: AsyncSession, user_id: uuid.UUID, by: datetime) -> int:
    stmt = select(func.count()).where(ReviewCard.user_id == user_id, ReviewCard.due <= by)
    return int(await session.scalar(stmt) or 0)


async def count_cards(session: AsyncSession, user_id: uuid.UUID) -> int:
    stmt = select(func.count()).where(ReviewCard.user_id == user_id)
    return int(await session.scalar(stmt) or 0)


async def dues_before(session: AsyncSession, user_id: uuid.UUID, end: datetime) -> list[datetime]:
    stmt = select(ReviewCard.due).where(ReviewCard.user_id == user_id, ReviewCard.due < end)
    return list(await session.scalars(stmt))


async def review_events(session: AsyncSession, user_id: uuid.UUID) -> list[Event]:
    """The learner's quiz and review events: the log the cards are projected from."""
    condition: ColumnElement[bool] = or_(*(Event.kind == kind for kind in REVIEW_KINDS))
    stmt = select(Event).where(Event.user_id == user_id, condition)
    return list(await session.scalars(stmt.order_by(Event.occurred_at, Event.event_id)))
