"""Tables of the question bank, the quizzes taken and the spaced-repetition cards.

Every table leads its primary key with user_id, so a learner's rows sit together and shard by
learner. A card is a projection of the learner's review events: `questpath verify` recomputes it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from questpath.db import Base, UTCDateTime


def _user_key() -> Mapped[uuid.UUID]:
    return mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class Question(Base):
    __tablename__ = "questions"
    __table_args__ = (
        Index("ix_questions_topic", "user_id", "topic"),
        Index("ix_questions_item", "user_id", "item_id"),
        Index("ix_questions_created", "user_id", "created_at", "id"),
    )

    user_id: Mapped[uuid.UUID] = _user_key()
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    type: Mapped[str] = mapped_column(String(20))
    prompt: Mapped[str] = mapped_column(Text)
    answer: Mapped[dict[str, Any]] = mapped_column(JSON)  # see quizzes/drafts.py
    explanation: Mapped[str] = mapped_column(Text)
    topic: Mapped[str | None] = mapped_column(String(100))
    # The track item the question is about. A loose reference: the question outlives the item.
    item_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    source: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Quiz(Base):
    """A quiz as it was asked: its questions are copied in, so later edits of the bank change
    neither how it is graded nor what its results show."""

    __tablename__ = "quizzes"
    __table_args__ = (Index("ix_quizzes_created", "user_id", "created_at", "id"),)

    user_id: Mapped[uuid.UUID] = _user_key()
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    track_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    topic: Mapped[str | None] = mapped_column(String(100))
    generator: Mapped[str] = mapped_column(String(16))  # the one that made its new questions
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    warnings: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[float | None] = mapped_column(Float)
    results: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    time_spent_seconds: Mapped[int | None] = mapped_column(Integer)


class ReviewCard(Base):
    """A question's FSRS state for its learner, from the quiz answer and reviews of it."""

    __tablename__ = "review_cards"
    __table_args__ = (
        ForeignKeyConstraint(
            ["user_id", "question_id"],
            ["questions.user_id", "questions.id"],
            ondelete="CASCADE",
            name="fk_review_cards_question_id",
        ),
        Index("ix_review_cards_due", "user_id", "due"),
    )

    user_id: Mapped[uuid.UUID] = _user_key()
    question_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    state: Mapped[int] = mapped_column(SmallInteger)  # fsrs.State: learning, review, relearning
    step: Mapped[int | None] = mapped_column(Integer)
    stability: Mapped[float] = mapped_column(Float)
    difficulty: Mapped[float] = mapped_column(Float)
    due: Mapped[datetime] = mapped_column(UTCDateTime)
    last_review: Mapped[datetime] = mapped_column(UTCDateTime)
    reviews: Mapped[int] = mapped_column(Integer)
    lapses: Mapped[int] = mapped_column(Integer)
