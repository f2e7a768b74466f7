"""Pure quiz rules: valid answer data, grading, scores and the rating a review earns.

No database, no clock: question data, answers and times come in, values go out.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from questpath.quizzes.drafts import (
    BLANK,
    MAX_ANSWER_TEXT,
    MAX_EXPLANATION,
    MAX_OPTIONS,
    MAX_PROMPT,
    MIN_OPTIONS,
    QuestionDraft,
)

AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
RATINGS = {"again": AGAIN, "hard": HARD, "good": GOOD, "easy": EASY}
RATING_NAMES = {number: name for name, number in RATINGS.items()}

_BLANK_RUN = re.compile(r"_{3,}")
_SPACES = re.compile(r"\s+")
# Punctuation that names things in programming ("C#", "C++" is symbols already) is kept.
_KEPT_PUNCTUATION = frozenset("#%&@")


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char).startswith("P") and char not in _KEPT_PUNCTUATION


def normalise(text: str) -> str:
    """The form two short answers are compared in: case, punctuation and spacing ignored.
    Symbols (C++, C#) and the marks of scripts that combine them stay."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(" " if _is_punctuation(char) else char for char in text)
    return _SPACES.sub(" ", text).strip()


def blank_count(prompt: str) -> int:
    return len(_BLANK_RUN.findall(prompt))


def answer_data_problem(kind: str, prompt: str, answer: Mapping[str, Any]) -> str | None:
    """Why `answer` cannot be the answer data of a `kind` question, or None when it can."""
    if kind == "multiple_choice":
        options = answer.get("options")
        if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
            return "options must be a list of texts"
        if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
            return f"options must hold {MIN_OPTIONS} to {MAX_OPTIONS} choices"
        if any(not normalise(o) for o in options):
            return "options must not be blank"
        if len({normalise(o) for o in options}) != len(options):
            return "options must be distinct"
        correct = answer.get("correct")
        if type(correct) is not int or not 0 <= correct < len(options):
            return "correct must be the index of the right option"
        return None
    if kind == "true_false":
        return None if type(answer.get("correct")) is bool else "correct must be true or false"
    if kind in ("short_answer", "cloze"):
        accepted = answer.get("accepted")
        if not isinstance(accepted, list) or not accepted:
            return "accepted must list at least one answer"
        if not all(isinstance(a, str) and normalise(a) for a in accepted):
            return "accepted answers must be non-blank texts"
        if kind == "cloze" and blank_count(prompt) != 1:
            return f"a cloze prompt must hold exactly one blank ({BLANK})"
        return None
    return f"unknown question type '{kind}'"


def answer_texts(kind: str, answer: Mapping[str, Any]) -> list[str]:
    """Every text of the answer data: the options, or the accepted answers."""
    if kind == "multiple_choice":
        return list(answer["options"])
    return list(answer.get("accepted", []))


def draft_problem(draft: QuestionDraft) -> str | None:
    """Why a draft cannot be stored: bad answer data, texts too long, or a prompt that gives its
    answer away."""
    if not draft.prompt.strip():
        return "the prompt is blank"
    if len(draft.prompt) > MAX_PROMPT:
        return f"the prompt is longer than {MAX_PROMPT} characters"
    if len(draft.explanation) > MAX_EXPLANATION:
        return f"the explanation is longer than {MAX_EXPLANATION} characters"
    if problem := answer_data_problem(draft.type, draft.prompt, draft.answer):
        return problem
    if any(len(text) > MAX_ANSWER_TEXT for text in answer_texts(draft.type, draft.answer)):
        return f"an answer is longer than {MAX_ANSWER_TEXT} characters"
    prompt = f" {normalise(draft.prompt)} "
    if draft.type in ("short_answer", "cloze"):
        answers = [normalise(a) for a in draft.answer["accepted"]]
    elif draft.type == "multiple_choice":
        answers = [normalise(draft.answer["options"][draft.answer["correct"]])]
    else:
        answers = []
    if any(f" {a} " in prompt for a in answers):
        return "the prompt gives its answer away"
    return None


def answer_shape_problem(kind: str, given: Any) -> str | None:
    """Why `given` is not an answer to a `kind` question, or None when it is one."""
    if kind == "multiple_choice":
        return None if type(given) is int else "must be the index of the chosen option"
    if kind == "true_false":
        return None if type(given) is bool else "must be true or false"
    if not isinstance(given, str):
        return "must be a text"
    return None


def is_correct(kind: str, answer: Mapping[str, Any], given: Any) -> bool:
    """Whether `given` (of the right shape) answers the question."""
    if kind in ("multiple_choice", "true_false"):
        return bool(given == answer["correct"])
    return normalise(given) in {normalise(a) for a in answer["accepted"]}


def expected_answer(kind: str, answer: Mapping[str, Any]) -> Any:
    """The answer shown after grading: the option index, the truth value, or the first text."""
    if kind in ("multiple_choice", "true_false"):
        return answer["correct"]
    return answer["accepted"][0]


def score(correct: Iterable[bool]) -> float:
    """The share answered correctly, 0-100, to two decimals."""
    results = list(correct)
    return round(100 * sum(results) / len(results), 2) if results else 0.0


def rating_for(correct: bool, seconds: int | None, fast_seconds: int, slow_seconds: int) -> int:
    """The FSRS rating an answer earns: wrong is Again; right is Easy when fast, Hard when slow,
    Good otherwise or when the time is unknown."""
    if not correct:
        return AGAIN
    if seconds is None:
        return GOOD
    if seconds <= fast_seconds:
        return EASY
    return HARD if seconds >= slow_seconds else GOOD


def quiz_topic(requested: str | None, topics: Iterable[str | None]) -> str | None:
    """The topic a quiz counts for: the one asked for, else its questions' most common topic."""
    if requested is not None:
        return requested
    counts = Counter(t for t in topics if t is not None)
    if not counts:
        return None
    return min(counts, key=lambda t: (-counts[t], t))
