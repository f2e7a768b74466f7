"""Pure quiz rules: answer data, grading by normalised match, scores, ratings and topics."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from questpath.quizzes import rules as r
from questpath.quizzes.drafts import QuestionDraft


@pytest.mark.parametrize(
    ("given_answer", "accepted", "correct"),
    [
        ("Structured Query Language", ["structured query language"], True),
        ("  structured   query language. ", ["Structured Query Language"], True),
        ("STRUCTURED-QUERY-LANGUAGE!", ["structured query language"], True),
        ("C++", ["C++"], True),
        ("C", ["C++"], False),
        ("C#", ["C++"], False),
        ("ＳＱＬ", ["sql"], True),  # full-width letters are the same letters
        ("sequel", ["SQL", "sequel"], True),
        ("", ["sql"], False),
    ],
)
def test_short_answers_match_ignoring_case_spacing_and_punctuation(
    given_answer, accepted, correct
) -> None:
    assert r.is_correct("short_answer", {"accepted": accepted}, given_answer) is correct


@given(st.text(), st.sampled_from(["", " ", "  ", "\t"]), st.booleans())
def test_normalising_ignores_outer_spacing_and_case(text, padding, upper) -> None:
    shown = text.upper() if upper else text
    assert r.normalise(padding + shown + padding) == r.normalise(r.normalise(shown))


def test_choices_and_truth_values_are_graded_exactly() -> None:
    question = {"options": ["a", "b", "c"], "correct": 2}
    assert r.is_correct("multiple_choice", question, 2)
    assert not r.is_correct("multiple_choice", question, 1)
    assert r.is_correct("true_false", {"correct": False}, False)
    assert not r.is_correct("true_false", {"correct": False}, True)


@pytest.mark.parametrize(
    ("kind", "given_answer", "problem"),
    [
        ("multiple_choice", "b", "index"),
        ("multiple_choice", True, "index"),  # a bool is not an index
        ("true_false", "true", "true or false"),
        ("true_false", 1, "true or false"),
        ("short_answer", 42, "text"),
        ("cloze", None, "text"),
    ],
)
def test_answers_of_the_wrong_shape_are_named(kind, given_answer, problem) -> None:
    found = r.answer_shape_problem(kind, given_answer)
    assert found is not None
    assert problem in found


def test_well_shaped_answers_pass() -> None:
    assert r.answer_shape_problem("multiple_choice", 0) is None
    assert r.answer_shape_problem("true_false", True) is None
    assert r.answer_shape_problem("cloze", "word") is None


@pytest.mark.parametrize(
    ("draft", "problem"),
    [
        (QuestionDraft("short_answer", "Is SQL a language?", {"accepted": ["SQL"]}), "away"),
        (
            QuestionDraft(
                "multiple_choice",
                "Pick PostgreSQL",
                {"options": ["Redis", "PostgreSQL"], "correct": 1},
            ),
            "away",
        ),
        (QuestionDraft("cloze", "No blank here", {"accepted": ["x"]}), "blank"),
        (QuestionDraft("cloze", "Two ___ blanks ___", {"accepted": ["x"]}), "blank"),
        (QuestionDraft("short_answer", "   ", {"accepted": ["x"]}), "blank"),
        (QuestionDraft("short_answer", "Q?", {"accepted": ["x" * 501]}), "longer"),
        (QuestionDraft("true_false", "Q?", {"correct": "yes"}), "true or false"),
    ],
)
def test_drafts_that_cannot_be_asked_are_refused(draft, problem) -> None:
    found = r.draft_problem(draft)
    assert found is not None
    assert problem in found


def test_a_word_inside_another_does_not_give_the_answer_away() -> None:
    draft = QuestionDraft(
        "short_answer", "Which database is SQLite's bigger cousin?", {"accepted": ["SQL"]}
    )
    assert r.draft_problem(draft) is None


@given(st.lists(st.booleans(), min_size=1, max_size=50))
def test_the_score_is_the_share_answered_right(results) -> None:
    score = r.score(results)
    assert 0 <= score <= 100
    assert score == pytest.approx(100 * sum(results) / len(results), abs=0.005)
    assert (score == 100) == all(results)


@given(
    correct=st.booleans(),
    seconds=st.none() | st.integers(0, 10_000),
    fast=st.integers(0, 100),
    extra=st.integers(1, 100),
)
def test_ratings_follow_correctness_and_time(correct, seconds, fast, extra) -> None:
    slow = fast + extra
    rating = r.rating_for(correct, seconds, fast, slow)
    if not correct:
        assert rating == r.AGAIN
    elif seconds is None:
        assert rating == r.GOOD
    elif seconds <= fast:
        assert rating == r.EASY
    elif seconds >= slow:
        assert rating == r.HARD
    else:
        assert rating == r.GOOD


def test_a_quiz_counts_for_the_topic_asked_or_its_most_common_one() -> None:
    assert r.quiz_topic("sql", ["python", "python"]) == "sql"
    assert r.quiz_topic(None, ["python", "sql", "python", None]) == "python"
    assert r.quiz_topic(None, ["sql", "python"]) == "python"  # a tie goes to the first by name
    assert r.quiz_topic(None, [None, None]) is None
