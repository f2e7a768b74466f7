"""The pure rules of the event log: kinds, timing, the learner's local date, metadata size and who
may record for whom. No database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from questpath.events.rules import (
    CLIENT_KINDS,
    EARLIEST,
    EVENT_KINDS,
    MAX_FUTURE_SKEW,
    MAX_METADATA_BYTES,
    PROGRESS_KINDS,
    event_id_problem,
    json_depth,
    local_date,
    may_record_for_others,
    metadata_problem,
    metadata_size,
    missing_fields,
    occurred_at_problem,
    unknown_kind_message,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
ZONES = ["UTC", "Europe/Paris", "America/New_York", "Pacific/Auckland", "Asia/Kolkata"]

# Kinds


def test_the_three_first_kinds_exist() -> None:
    assert {"exercise_completed", "project_completed", "study_session"} <= set(EVENT_KINDS)


def test_a_study_session_needs_its_duration() -> None:
    assert missing_fields("study_session", {"kind", "topic"}) == ["time_spent_seconds"]
    assert missing_fields("study_session", {"kind", "time_spent_seconds"}) == []


@pytest.mark.parametrize("kind", ["exercise_completed", "project_completed"])
def test_completions_need_nothing_but_their_kind(kind: str) -> None:
    assert missing_fields(kind, {"kind"}) == []


def test_the_unknown_kind_message_names_the_kind_and_every_kind_a_client_may_post() -> None:
    message = unknown_kind_message("lesson_watched")
    assert "'lesson_watched'" in message
    assert all(kind in message for kind in CLIENT_KINDS)
    assert not any(kind in message for kind in set(EVENT_KINDS) - set(CLIENT_KINDS))


@pytest.mark.parametrize("kind", sorted(set(EVENT_KINDS) - set(CLIENT_KINDS)))
def test_kinds_questpath_records_itself_are_explained_not_called_unknown(kind: str) -> None:
    message = unknown_kind_message(kind)
    assert "recorded by QuestPath itself" in message
    assert "unknown" not in message


def test_kinds_that_only_record_what_happened_do_not_count_for_progress() -> None:
    assert "item_reopened" not in PROGRESS_KINDS
    assert "goal_achieved" not in PROGRESS_KINDS
    assert {"exercise_completed", "check_in", "item_completed"} <= set(PROGRESS_KINDS)


@pytest.mark.parametrize("event_id", ["questpath:item:1", "questpath:"])
def test_event_ids_with_the_reserved_prefix_are_refused(event_id: str) -> None:
    assert "reserves" in (event_id_problem(event_id) or "")


@pytest.mark.parametrize("event_id", ["item:1", "QuestPath-1", "x-questpath:1"])
def test_other_event_ids_are_accepted(event_id: str) -> None:
    assert event_id_problem(event_id) is None


# When it happened


def test_now_and_the_past_are_fine() -> None:
    assert occurred_at_problem(NOW, NOW) is None
    assert occurred_at_problem(NOW - timedelta(days=3650), NOW) is None


def test_up_to_five_minutes_ahead_is_clock_skew_and_allowed() -> None:
    assert occurred_at_problem(NOW + MAX_FUTURE_SKEW, NOW) is None


def test_more_than_five_minutes_ahead_is_refused_saying_why() -> None:
    problem = occurred_at_problem(NOW + MAX_FUTURE_SKEW + timedelta(seconds=1), NOW)
    assert problem is not None
    assert "5 minutes in the future" in problem


def test_before_1970_is_refused() -> None:
    assert occurred_at_problem(EARLIEST, NOW) is None
    assert occurred_at_problem(EARLIEST - timedelta(microseconds=1), NOW) == "is before 1970-01-01"


@given(offset=st.timedeltas(min_value=timedelta(days=-20000), max_value=timedelta(days=1)))
def test_a_time_is_refused_exactly_when_too_far_ahead_or_before_1970(offset: timedelta) -> None:
    occurred_at = NOW + offset
    refused = occurred_at > NOW + MAX_FUTURE_SKEW or occurred_at < EARLIEST
    assert (occurred_at_problem(occurred_at, NOW) is not None) == refused


# The learner's local date


@pytest.mark.parametrize(
    ("occurred_at", "timezone", "expected"),
    [
        # 23:30 in Paris (summer, UTC+2), sent as UTC: still that day in Paris.
        ("2026-07-01T21:30:00+00:00", "Europe/Paris", date(2026, 7, 1)),
        # The same instant is already the next day in Auckland.
        ("2026-07-01T21:30:00+00:00", "Pacific/Auckland", date(2026, 7, 2)),
        # Early morning UTC is still the previous evening in New York.
        ("2026-03-10T02:30:00+00:00", "America/New_York", date(2026, 3, 9)),
        # The offset the client sent does not matter, only the instant.
        ("2026-03-10T08:00:00+09:00", "UTC", date(2026, 3, 9)),
        # Half-hour zone.
        ("2026-01-31T18:29:59+00:00", "Asia/Kolkata", date(2026, 1, 31)),
        ("2026-01-31T18:30:00+00:00", "Asia/Kolkata", date(2026, 2, 1)),
    ],
)
def test_the_local_date_is_the_calendar_day_in_the_learners_zone(
    occurred_at: str, timezone: str, expected: date
) -> None:
    assert local_date(datetime.fromisoformat(occurred_at), timezone) == expected


def test_local_days_are_right_across_daylight_saving_changes() -> None:
    # New York springs forward on 2026-03-08 at 02:00 local (07:00 UTC) and falls back on
    # 2026-11-01 at 02:00 local (06:00 UTC): the day boundary moves between UTC-5 and UTC-4.
    assert local_date(datetime(2026, 3, 8, 4, 59, tzinfo=UTC), "America/New_York") == date(
        2026, 3, 7
    )
    assert local_date(datetime(2026, 3, 9, 3, 59, tzinfo=UTC), "America/New_York") == date(
        2026, 3, 8
    )
    assert local_date(datetime(2026, 3, 9, 4, 0, tzinfo=UTC), "America/New_York") == date(
        2026, 3, 9
    )
    assert local_date(datetime(2026, 11, 2, 4, 59, tzinfo=UTC), "America/New_York") == date(
        2026, 11, 1
    )
    assert local_date(datetime(2026, 11, 2, 5, 0, tzinfo=UTC), "America/New_York") == date(
        2026, 11, 2
    )


@given(
    instant=st.datetimes(
        min_value=datetime(1970, 1, 2), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    timezone=st.sampled_from(ZONES),
)
def test_the_local_date_is_within_a_day_of_the_utc_date_and_matches_local_midnights(
    instant: datetime, timezone: str
) -> None:
    day = local_date(instant, timezone)
    assert abs((day - instant.date()).days) <= 1
    zone = ZoneInfo(timezone)
    start_of_day = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    start_of_next = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    assert start_of_day <= instant < start_of_next


# Metadata


def test_metadata_size_is_its_compact_utf8_json_length() -> None:
    assert metadata_size({}) == 2
    assert metadata_size({"a": 1}) == len('{"a":1}')
    # Non-ASCII text is counted in UTF-8 bytes, not characters.
    assert metadata_size({"é": "€"}) == len('{"é":"€"}'.encode())


@pytest.mark.parametrize(
    ("metadata", "reason"),
    [
        ({"score": float("nan")}, "finite"),
        ({"scores": [1.0, float("inf")]}, "finite"),
        ({"deep": {"deeper": -float("inf")}}, "finite"),
        ({"note": "a\x00b"}, "NUL"),
        ({"a\x00": 1}, "NUL"),
        ({"list": [{"x": "\x00"}]}, "NUL"),
        ({"text": "x" * MAX_METADATA_BYTES}, f"{MAX_METADATA_BYTES} bytes"),
    ],
)
def test_metadata_every_database_cannot_store_is_refused_saying_why(
    metadata: dict[str, object], reason: str
) -> None:
    problem = metadata_problem(metadata)
    assert problem is not None
    assert reason in problem


def test_ordinary_metadata_up_to_the_limit_is_fine() -> None:
    assert (
        metadata_problem({"exercise": "fib", "attempts": [1, 2.5], "ok": True, "x": None}) is None
    )
    filler = "x" * (MAX_METADATA_BYTES - len('{"t":""}'))
    assert metadata_size({"t": filler}) == MAX_METADATA_BYTES
    assert metadata_problem({"t": filler}) is None


# Recording for other learners


@pytest.mark.parametrize(
    ("role", "has_write_scope", "allowed"),
    [
        ("admin", True, True),
        ("admin", False, False),
        ("mentor", True, False),
        ("learner", True, False),
        ("learner", False, False),
    ],
)
def test_only_admins_writing_events_may_record_for_others(
    role: str, has_write_scope: bool, allowed: bool
) -> None:
    assert may_record_for_others(role, has_write_scope) is allowed


def test_depth_is_counted_without_recursion_and_stops_early() -> None:
    assert json_depth(1, 32) == 0
    assert json_depth({}, 32) == 1
    assert json_depth({"a": [1, {"b": []}]}, 32) == 4
    deep: object = 1
    for _ in range(100_000):  # far past Python's recursion limit
        deep = [deep]
    assert json_depth(deep, 32) == 33
    assert metadata_problem({"a": deep}) == "must be nested at most 32 levels deep"


@given(st.recursive(st.none() | st.integers(), lambda inner: st.lists(inner, max_size=3)))
def test_depth_is_what_a_recursive_count_gives(value: object) -> None:
    def depth(item: object) -> int:
        if isinstance(item, list):
            return 1 + max((depth(child) for child in item), default=0)
        return 0

    assert json_depth(value, 1000) == depth(value)
