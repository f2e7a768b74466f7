"""How the LRS reads its query parameters: timestamps, registrations, activity ids, agents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from questpath.xapi.errors import XapiBadRequest
from questpath.xapi.params import (
    activity_id_param,
    agent_param,
    known_params,
    registration_param,
    timestamp_param,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-04T19:00:00Z", datetime(2026, 12, 4, 19, tzinfo=UTC)),
        ("2026-12-04T19:00:00.123Z", datetime(2026, 12, 4, 19, 0, 0, 123000, tzinfo=UTC)),
        ("2026-12-04T19:00:00.123456789Z", datetime(2026, 12, 4, 19, 0, 0, 123456, tzinfo=UTC)),
        ("2026-12-04T19:00Z", datetime(2026, 12, 4, 19, tzinfo=UTC)),
        ("2026-12-04T20:00:00+01:00", datetime(2026, 12, 4, 19, tzinfo=UTC)),
        ("2026-12-04T20:00:00+0100", datetime(2026, 12, 4, 19, tzinfo=UTC)),
        ("2026-12-04T20:00:00+01", datetime(2026, 12, 4, 19, tzinfo=UTC)),
        ("2026-12-04T19:00:00", datetime(2026, 12, 4, 19, tzinfo=UTC)),
    ],
)
def test_a_timestamp_is_read_as_an_instant(text: str, expected: datetime) -> None:
    assert timestamp_param(text) == expected


@pytest.mark.parametrize("text", ["1", "true", "not a timestamp", "2026-13-01T00:00:00Z", ""])
def test_a_malformed_timestamp_is_refused(text: str) -> None:
    with pytest.raises(XapiBadRequest):
        timestamp_param(text)


@given(st.datetimes(timezones=st.just(UTC)), st.integers(-14 * 60, 14 * 60))
def test_any_iso_timestamp_round_trips(when: datetime, offset_minutes: int) -> None:
    local = when.astimezone(timezone(timedelta(minutes=offset_minutes)))
    assert timestamp_param(local.isoformat()) == when


@given(st.uuids())
def test_a_registration_is_any_uuid_in_lowercase(value: object) -> None:
    assert registration_param(str(value).upper()) == str(value)


@pytest.mark.parametrize("text", ["http://example.com/a", "urn:x:1", "tag:example.com,2026:a"])
def test_an_activity_id_is_an_iri_with_a_scheme(text: str) -> None:
    assert activity_id_param(text) == text


def test_repeated_and_unknown_parameters_are_refused() -> None:
    assert known_params([("a", "1")], {"a", "b"}) == {"a": "1"}
    with pytest.raises(XapiBadRequest):
        known_params([("a", "1"), ("a", "2")], {"a"})
    with pytest.raises(XapiBadRequest):
        known_params([("A", "1")], {"a"})


def test_an_agent_without_object_type_is_an_agent() -> None:
    assert agent_param('{"mbox": "mailto:a@example.com"}') == {"mbox": "mailto:a@example.com"}
