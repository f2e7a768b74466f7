"""Spaced repetition: FSRS card states as plain values, and the due-date forecast.

Pure: the review times and the rules come in. Fuzzing is off, so replaying a card's reviews from
the event log gives exactly the state stored incrementally.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import fsrs

from questpath.events.rules import LocalDays
from questpath.quizzes.rules import AGAIN
from questpath.ruleset import ReviewRules

FORECAST_DAYS = 14
RETENTION_DAYS = 30


@dataclass(frozen=True)
class CardState:
    state: int
    step: int | None
    stability: float
    difficulty: float
    due: datetime
    last_review: datetime
    reviews: int
    lapses: int


def _steps(minutes: int) -> tuple[timedelta, ...]:
    return (timedelta(minutes=minutes),) if minutes else ()


@cache
def _scheduler(rules: ReviewRules) -> fsrs.Scheduler:
    return fsrs.Scheduler(
        desired_retention=rules.desired_retention,
        maximum_interval=rules.maximum_interval_days,
        learning_steps=_steps(rules.learning_step_minutes),
        relearning_steps=_steps(rules.relearning_step_minutes),
        enable_fuzzing=False,
    )


def review(card: CardState | None, rating: int, at: datetime, rules: ReviewRules) -> CardState:
    """The card after a review rated `rating` at `at`; `None` is a card never reviewed."""
    scheduler = _scheduler(rules)
    if card is None:
        before = fsrs.Card(card_id=0, due=at)
        reviews = lapses = 0
    else:
        at = max(at, card.last_review)  # a clock a little behind must not run time backwards
        before = fsrs.Card(
            card_id=0,
            state=fsrs.State(card.state),
            step=card.step,
            stability=card.stability,
            difficulty=card.difficulty,
            due=card.due,
            last_review=card.last_review,
        )
        reviews, lapses = card.reviews, card.lapses
    lapsed = rating == AGAIN and before.state == fsrs.State.Review
    after, _ = scheduler.review_card(before, fsrs.Rating(rating), review_datetime=at)
    assert after.stability is not None
    assert after.difficulty is not None
    return CardState(
        state=int(after.state),
        step=after.step,
        stability=after.stability,
        difficulty=after.difficulty,
        due=after.due,
        last_review=at,
        reviews=reviews + 1,
        lapses=lapses + int(lapsed),
    )


def replay(reviews: Iterable[tuple[datetime, int]], rules: ReviewRules) -> CardState | None:
    """A card's state from its reviews (time, rating), taken in time order; reviews at the same
    moment in the order given."""
    card = None
    for at, rating in sorted(reviews, key=lambda review: review[0]):
        card = review(card, rating, at, rules)
    return card


def forecast(dues: Iterable[datetime], today: date, days: LocalDays) -> list[tuple[date, int]]:
    """How many cards fall due on each of the learner's next FORECAST_DAYS days, today first
    (days as the learner's timezone and day start make them). Cards already overdue count for
    today; cards due later are left out."""
    last = today + timedelta(days=FORECAST_DAYS - 1)
    counts: Counter[date] = Counter()
    for due in dues:
        day = max(days.date_of(due), today)
        if day <= last:
            counts[day] += 1
    window = [today + timedelta(days=n) for n in range(FORECAST_DAYS)]
    return [(day, counts[day]) for day in window]


def forecast_end(today: date, days: LocalDays) -> datetime:
    """The first moment after the forecast window: the cards due before it are the ones counted."""
    end = today + timedelta(days=FORECAST_DAYS)
    zone = ZoneInfo(days.timezone)
    return datetime(end.year, end.month, end.day, days.day_start_hour, tzinfo=zone)


def retention(passed: int, reviews: int) -> float | None:
    """The share of reviews recalled, 0-1 to three decimals; None with no review."""
    return round(passed / reviews, 3) if reviews else None


def logged_reviews(
    kind: str, metadata: Mapping[str, Any] | None, at: datetime
) -> list[tuple[str, datetime, int]]:
    """The reviews (question id, time, rating) one event of the log records: every answer of a
    submitted quiz, or one review."""
    if not metadata:
        return []
    if kind == "quiz_completed":
        return [(qid, at, int(rating)) for qid, rating in metadata.get("ratings", {}).items()]
    if kind == "quiz_reviewed":
        return [(str(metadata["question_id"]), at, int(metadata["rating"]))]
    return []


def project_cards(
    events: Iterable[tuple[str, Mapping[str, Any] | None, datetime]], rules: ReviewRules
) -> dict[str, CardState]:
    """Every card's state from the quiz and review events (kind, metadata, time) of a log."""
    by_question: dict[str, list[tuple[datetime, int]]] = {}
    for kind, metadata, at in events:
        for question_id, when, rating in logged_reviews(kind, metadata, at):
            by_question.setdefault(question_id, []).append((when, rating))
    cards = {qid: replay(reviews, rules) for qid, reviews in by_question.items()}
    return {qid: card for qid, card in cards.items() if card is not None}
