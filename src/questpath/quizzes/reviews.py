"""Spaced-repetition reviews: what is due, recording a review, the forecast, and the cards as a
projection of the log (checked and rebuilt by `questpath verify`)."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth.principal import UserLike
from questpath.events import repository as log
from questpath.events.drafts import SystemEvent, system_event_id
from questpath.events.rules import LocalDays, local_date, occurred_at_problem
from questpath.events.schemas import AchievementUnlocked
from questpath.problems import Invalid
from questpath.progress import repository as progress_repo
from questpath.progress import rules as progress_rules
from questpath.progress.recording import Recorded, Recorder
from questpath.quizzes import bank, scheduling
from questpath.quizzes import repository as repo
from questpath.quizzes import rules as quiz_rules
from questpath.quizzes.models import Question, ReviewCard
from questpath.quizzes.scheduling import CardState
from questpath.quizzes.schemas import (
    DueList,
    DueQuestion,
    Forecast,
    ForecastDay,
    ReviewIn,
    ReviewResult,
)
from questpath.ruleset import Ruleset


def card_state(card: ReviewCard | None) -> CardState | None:
    if card is None:
        return None
    return CardState(
        state=card.state,
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
        reviews=card.reviews,
        lapses=card.lapses,
    )


async def advance_cards(
    session: AsyncSession,
    ruleset: Ruleset,
    user: UserLike,
    ratings: dict[uuid.UUID, int],
    now: datetime,
) -> dict[uuid.UUID, CardState]:
    """Review the cards of the questions still in the bank; return their new states."""
    questions = await repo.questions(session, user.id, ratings)
    stored = await repo.cards(session, user.id, questions)
    after = {
        qid: scheduling.review(card_state(stored.get(qid)), ratings[qid], now, ruleset.reviews)
        for qid in questions
    }
    await save(session, user, after, stored)
    return after


async def save(
    session: AsyncSession,
    user: UserLike,
    states: dict[uuid.UUID, CardState],
    stored: dict[uuid.UUID, ReviewCard],
) -> None:
    """Write card states over the cards loaded in `stored`."""
    values = [{"question_id": qid, **asdict(state)} for qid, state in states.items()]
    await repo.save_cards(session, user.id, values, stored)


async def record(
    session: AsyncSession,
    recorder: Recorder,
    user: UserLike,
    events: list[SystemEvent],
    now: datetime,
) -> tuple[Recorded, int, list[AchievementUnlocked]]:
    """Record quiz events; return what was stored, the XP they earned and what they
    unlocked. The caller holds the learner's lock."""
    before = (await progress_repo.totals(session, user.id)).standing().xp
    stored = await recorder.record(session, [e.draft(user.id) for e in events], now)
    changes = stored.changes.get(user.id)
    if changes is None:
        return stored, 0, []
    unlocked = [AchievementUnlocked(user_id=user.id, **a.model_dump()) for a in changes.unlocked]
    return stored, changes.totals.standing().xp - before, unlocked


def _review_id(question: Question, client_id: str | None) -> str:
    return f"review:{question.id}:{client_id or uuid.uuid4()}"


def review_event(question: Question, rating: int, data: ReviewIn, at: datetime) -> SystemEvent:
    recalled = rating != quiz_rules.AGAIN
    return SystemEvent(
        id=_review_id(question, data.id),
        kind="quiz_reviewed",
        topic=question.topic,
        grade=100.0 if recalled else 0.0,
        time_spent_seconds=data.time_spent_seconds,
        occurred_at=at,
        metadata={"question_id": str(question.id), "rating": rating},
    )


def _review_time(data: ReviewIn, card: CardState | None, now: datetime) -> datetime:
    """When the review happened: now, or the time a client reports for an offline review."""
    if data.at is None:
        return now
    if problem := occurred_at_problem(data.at, now):
        raise Invalid.field("at", problem)
    if data.at > now:
        return now  # within the allowed clock skew: it happened now
    if card is not None and data.at <= card.last_review:
        raise Invalid.field(
            "at", f"must be after the question's last review ({card.last_review.isoformat()})"
        )
    return data.at


async def review(
    session: AsyncSession,
    recorder: Recorder,
    user: UserLike,
    question_id: uuid.UUID,
    data: ReviewIn,
    now: datetime,
) -> ReviewResult:
    """Review one question: grade the answer (or take the rating), reschedule its card and
    record a `quiz_reviewed` event. A repeated idempotency key records nothing."""
    if data.answer is None and data.rating is None:
        raise Invalid.field(
            "answer", "give the answer, a rating (again, hard, good, easy), or both"
        )
    ruleset = recorder.ruleset
    await recorder.lock(session, user.id)
    question = await bank.own_question(session, user, question_id)
    correct: bool | None = None
    if data.answer is not None:
        if problem := quiz_rules.answer_shape_problem(question.type, data.answer):
            raise Invalid.field("answer", f"{problem} (a {question.type} question)")
        correct = quiz_rules.is_correct(question.type, question.answer, data.answer)
    if data.rating is not None:
        rating = quiz_rules.RATINGS[data.rating]
    else:
        assert correct is not None
        reviews = ruleset.reviews
        rating = quiz_rules.rating_for(
            correct, data.time_spent_seconds, reviews.fast_seconds, reviews.slow_seconds
        )
    cards = await repo.cards(session, user.id, [question.id])
    before = card_state(cards.get(question.id))
    # Checked first, under the learner's lock: a retried offline review repeats its `at`,
    # which the check against the card's last review would refuse.
    repeated = data.id is not None and await log.exists(
        session,
        user.id,
        system_event_id(SystemEvent(_review_id(question, data.id), "quiz_reviewed")),
    )
    xp, unlocked = 0, list[AchievementUnlocked]()
    if repeated:
        assert before is not None, "a recorded review always leaves a card"
        card = before
    else:
        at = _review_time(data, before, now)
        _, xp, unlocked = await record(
            session, recorder, user, [review_event(question, rating, data, at)], now
        )
        card = scheduling.review(before, rating, at, ruleset.reviews)
        await save(session, user, {question.id: card}, cards)
    return ReviewResult(
        question_id=question.id,
        status="duplicate" if repeated else "created",
        correct=correct if correct is not None else rating != quiz_rules.AGAIN,
        rating=quiz_rules.RATING_NAMES[rating],
        expected=quiz_rules.expected_answer(question.type, question.answer),
        explanation=question.explanation,
        next_due=card.due,
        stability=card.stability,
        difficulty=card.difficulty,
        reviews=card.reviews,
        xp_awarded=xp,
        achievements_unlocked=unlocked,
    )


async def due(session: AsyncSession, user: UserLike, limit: int, now: datetime) -> DueList:
    """The questions due now, most overdue first."""
    rows = await repo.due(session, user.id, now, limit)
    return DueList(
        items=[
            DueQuestion(
                question=bank.asked(bank.snapshot_of(question)), due=card.due, reviews=card.reviews
            )
            for card, question in rows
        ],
        total_due=await repo.count_due(session, user.id, now),
    )


async def count_due(session: AsyncSession, user: UserLike, now: datetime) -> int:
    return await repo.count_due(session, user.id, now)


async def forecast(session: AsyncSession, user: UserLike, now: datetime) -> Forecast:
    today = local_date(now, user.timezone, user.day_start_hour)
    local_days = LocalDays(user.timezone, user.day_start_hour)
    end = scheduling.forecast_end(today, local_days)
    days = scheduling.forecast(await repo.dues_before(session, user.id, end), today, local_days)
    first = today - timedelta(days=scheduling.RETENTION_DAYS - 1)
    recent = await progress_repo.days_between(session, user.id, first, today)
    window = progress_rules.total(row.tally for row in recent.values())
    return Forecast(
        days=[ForecastDay(date=day, due=count) for day, count in days],
        cards=await repo.count_cards(session, user.id),
        retention=scheduling.retention(window.quiz_reviews_passed, window.quiz_reviews),
        reviews_last_30_days=window.quiz_reviews,
        recalled_last_30_days=window.quiz_reviews_passed,
    )


# The cards as a projection of the log --------------------------------------------------------


async def expected_cards(
    session: AsyncSession, user: UserLike, ruleset: Ruleset
) -> dict[str, CardState]:
    """The cards the log gives, for the questions still in the bank."""
    events = await repo.review_events(session, user.id)
    cards = scheduling.project_cards(
        ((e.kind, e.meta, e.occurred_at) for e in events), ruleset.reviews
    )
    kept = await repo.questions(session, user.id, (uuid.UUID(qid) for qid in cards))
    return {qid: card for qid, card in cards.items() if uuid.UUID(qid) in kept}


async def stored_cards(session: AsyncSession, user: UserLike) -> dict[str, CardState]:
    stored = await repo.cards(session, user.id)
    return {str(qid): state for qid, card in stored.items() if (state := card_state(card))}


async def rebuild_cards(session: AsyncSession, user: UserLike, ruleset: Ruleset) -> None:
    """Rewrite the learner's cards from the log."""
    expected = await expected_cards(session, user, ruleset)
    await repo.delete_cards(session, user.id)
    await save(session, user, {uuid.UUID(qid): state for qid, state in expected.items()}, {})
