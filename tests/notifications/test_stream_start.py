"""Where an achievement stream starts: pure, at the edges of the calendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from questpath.notifications.stream import (
    EARLIEST_START,
    LATE_COMMIT_WINDOW,
    LATEST_START,
    stream_start,
)

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)
offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))


def test_a_stream_starts_now_unless_told_otherwise() -> None:
    assert stream_start(None, None, NOW) == NOW


def test_the_last_event_id_wins_over_since() -> None:
    seen = datetime(2026, 4, 1, tzinfo=UTC)
    assert stream_start(seen, datetime(2000, 1, 1, tzinfo=UTC), NOW) == seen


@given(st.datetimes(timezones=offsets))
def test_any_start_leaves_room_to_look_back(moment: datetime) -> None:
    start = stream_start(None, moment, NOW)
    assert EARLIEST_START <= start <= LATEST_START
    assert start.tzinfo == UTC
    assert start - LATE_COMMIT_WINDOW < start  # never overflows
