"""FSRS scheduling as pure values: due dates move out after Good and in after Again, replaying
the log gives the stored state, and the forecast counts every card due in its window."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from questpath.events.rules import LocalDays
from questpath.quizzes import scheduling as s
from questpath.quizzes.rules import AGAIN, EASY, GOOD, HARD
from questpath.ruleset import default_ruleset

RULES = default_ruleset().reviews
START = datetime(2026, 1, 1, 9, tzinfo=UTC)


def reviewed(ratings: list[int], start: datetime = START) -> list[s.CardState]:
    """The card after each review, each taken when the card fell due."""
    states: list[s.CardState] = []
    card, at = None, start
    for rating in ratings:
        card = s.review(card, rating, at, RULES)
        states.append(card)
        at = card.due
    return states


def test_good_reviews_push_the_due_date_further_out_each_time() -> None:
    states = reviewed([GOOD] * 6)
    gaps = [b.due - a.due for a, b in itertools.pairwise(states)]
    assert all(later > earlier for earlier, later in itertools.pairwise(gaps))
    assert states[-1].stability > states[1].stability
    assert [c.reviews for c in states] == [1, 2, 3, 4, 5, 6]


def test_again_brings_a_learned_card_back_soon_and_counts_a_lapse() -> None:
    learned = reviewed([GOOD] * 5)
    last = learned[-1]
    forgot = s.review(last, AGAIN, last.due, RULES)
    assert forgot.due - last.due < timedelta(days=1)
    assert forgot.due - last.due < last.due - learned[-2].due
    assert forgot.stability < last.stability
    assert forgot.lapses == last.lapses + 1


def test_easy_schedules_further_out_than_good_and_hard_sooner() -> None:
    base = reviewed([GOOD, GOOD])[-1]
    outcomes = {r: s.review(base, r, base.due, RULES).due for r in (AGAIN, HARD, GOOD, EASY)}
    assert outcomes[AGAIN] < outcomes[HARD] < outcomes[GOOD] < outcomes[EASY]


@given(
    ratings=st.lists(st.sampled_from([AGAIN, HARD, GOOD, EASY]), min_size=1, max_size=12),
    waits=st.lists(st.integers(1, 60 * 24 * 90), min_size=12, max_size=12),
)
def test_replaying_the_reviews_gives_the_incremental_state(ratings, waits) -> None:
    card, at, log = None, START, []
    for rating, wait in zip(ratings, waits, strict=False):
        card = s.review(card, rating, at, RULES)
        log.append((at, rating))
        at += timedelta(minutes=wait)
    assert s.replay(reversed(log), RULES) == card


def test_cards_are_projected_from_quiz_and_review_events() -> None:
    events = [
        ("quiz_completed", {"ratings": {"q1": GOOD, "q2": AGAIN}}, START),
        ("quiz_reviewed", {"question_id": "q1", "rating": EASY}, START + timedelta(days=3)),
        ("exercise_completed", None, START),
    ]
    cards = s.project_cards(events, RULES)
    assert set(cards) == {"q1", "q2"}
    assert cards["q1"].reviews == 2
    assert cards["q1"] == s.replay([(START, GOOD), (START + timedelta(days=3), EASY)], RULES)
    assert cards["q2"] == s.review(None, AGAIN, START, RULES)


@given(
    offsets=st.lists(st.integers(-30 * 24, 40 * 24), max_size=60),
    timezone=st.sampled_from(["UTC", "Europe/Berlin", "Pacific/Kiritimati", "America/Adak"]),
    day_start_hour=st.integers(0, 6),
)
def test_the_forecast_counts_each_card_due_in_the_window_once(
    offsets, timezone, day_start_hour
) -> None:
    today = date(2026, 3, 28)  # a week with daylight-saving changes
    local_days = LocalDays(timezone, day_start_hour)
    now = s.forecast_end(today, local_days) - timedelta(days=s.FORECAST_DAYS, hours=-12)
    dues = [now + timedelta(hours=h) for h in offsets]
    days = s.forecast(dues, today, local_days)
    assert [d for d, _ in days] == [today + timedelta(days=n) for n in range(s.FORECAST_DAYS)]
    end = s.forecast_end(today, local_days)
    assert sum(n for _, n in days) == sum(due < end for due in dues)
    for day, count in days[1:]:  # each later day counts the cards due on that learner's day
        assert count == sum(local_days.date_of(due) == day for due in dues)


def test_retention_is_a_share_or_nothing() -> None:
    assert s.retention(0, 0) is None
    assert s.retention(3, 4) == 0.75
    assert s.retention(2, 3) == 0.667


def test_a_first_answer_right_waits_days_and_wrong_comes_back_after_the_learning_step() -> None:
    step = timedelta(minutes=RULES.learning_step_minutes)
    wrong = s.review(None, AGAIN, START, RULES)
    good = s.review(None, GOOD, START, RULES)
    easy = s.review(None, EASY, START, RULES)
    assert wrong.due - START == step
    assert good.due - START >= timedelta(days=1)
    assert easy.due > good.due


def test_without_steps_a_wrong_first_answer_is_scheduled_by_fsrs_alone() -> None:
    no_steps = RULES.model_copy(update={"learning_step_minutes": 0})
    assert s.review(None, AGAIN, START, no_steps).due - START >= timedelta(days=1)
