"""The event log: every write that affects progress, append-only."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from questpath.db import Base, UTCDateTime


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_user_occurred", "user_id", "occurred_at", "event_id"),
        Index("ix_events_user_local_date", "user_id", "local_date"),
    )

    # The primary key is the idempotency guarantee: one row per (learner, client event id).
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The learner's calendar day when it happened, fixed at ingestion in their timezone then.
    local_date: Mapped[date] = mapped_column(Date)
    topic: Mapped[str | None] = mapped_column(String(100))
    grade: Mapped[float | None] = mapped_column(Float)
    time_spent_seconds: Mapped[int | None] = mapped_column(BigInteger)
    hints_used: Mapped[int | None] = mapped_column(Integer)
    meta: Mapped[dict[str, Any] | None] = mapped_column(
        "metadata", JSON().with_variant(JSONB(), "postgresql")
    )
    recorded_by_api_key: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # The id of the `event_voided` event that voided this one, set in the same transaction as
    # that event: a voided event stays in the log and counts for nothing. The only column ever
    # written after insertion, and only from null to a value.
    voided_by: Mapped[str | None] = mapped_column(String(128))
