"""The counters of the database storage: one row per rate-limit key and window."""

from __future__ import annotations

from sqlalchemy import Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from questpath.db import Base


class RateLimitCounter(Base):
    """Requests counted under `key` in the window that ends at `expires_at`.

    Times are seconds since the epoch, as `limits` counts them, so every server process (and
    machine, with synchronised clocks) agrees on when a window ends. A key holds a caller's id
    (learner, API key or client address) for one window only: rows past their window are
    reused by the next request or pruned.
    """

    __tablename__ = "rate_limits"
    __table_args__ = (Index("ix_rate_limits_expires_at", "expires_at"),)

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float)
