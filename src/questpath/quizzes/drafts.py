"""Questions before they are stored: what every generator produces and the question bank takes.

Answer data by question type (the `answer` mapping of a draft and of a stored question):

- ``multiple_choice``: ``{"options": [str, ...], "correct": int}`` with 2-6 distinct options and
  ``correct`` the index of the one right option;
- ``true_false``: ``{"correct": bool}``;
- ``short_answer``: ``{"accepted": [str, ...]}``, at least one accepted answer, the first being
  the one shown as expected;
- ``cloze``: ``{"accepted": [str, ...]}``; the prompt holds exactly one blank, written ``BLANK``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

QuestionType = Literal["multiple_choice", "true_false", "short_answer", "cloze"]
QUESTION_TYPES: tuple[str, ...] = get_args(QuestionType)
Source = Literal["authored", "offline", "llm"]
SOURCES: tuple[str, ...] = get_args(Source)

BLANK = "_____"
MIN_OPTIONS, MAX_OPTIONS = 2, 6
MAX_PROMPT = 2000
MAX_ANSWER_TEXT = 500
MAX_EXPLANATION = 4000


@dataclass(frozen=True)
class QuestionDraft:
    type: QuestionType
    prompt: str
    answer: dict[str, Any]
    explanation: str = ""
    topic: str | None = None
    item_id: uuid.UUID | None = None


@dataclass(frozen=True)
class SourceItem:
    """A track item as the generators see it."""

    id: uuid.UUID
    title: str
    description: str
    category: str  # the title of the category holding it; "" when directly in the track
    topic: str | None = None
    resources: tuple[str, ...] = ()  # the titles of its links (an item written as a link)
    outer_categories: tuple[str, ...] = ()  # the categories around `category`, innermost first


@dataclass(frozen=True)
class SourceTrack:
    title: str
    items: tuple[SourceItem, ...] = field(default_factory=tuple)
