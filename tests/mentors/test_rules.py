"""The pure rules of mentorship: when an invite may be accepted, and what metadata shows."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from questpath.mentors import rules

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)
MENTEE, OTHER = uuid.UUID(int=1), uuid.UUID(int=2)


@given(
    age=st.integers(min_value=0, max_value=30 * 24 * 3600),
    accepter=st.sampled_from([MENTEE, OTHER]),
    already=st.booleans(),
)
def test_an_invite_is_accepted_only_in_time_by_someone_new(
    age: int, accepter: uuid.UUID, already: bool
) -> None:
    expires_at = rules.invite_expiry(NOW - timedelta(seconds=age))
    in_time = timedelta(seconds=age) < rules.INVITE_LIFETIME
    acceptable = in_time and accepter == OTHER and not already

    def accepting() -> None:
        rules.check_acceptance(
            expires_at=expires_at,
            now=NOW,
            mentee_id=MENTEE,
            accepter_id=accepter,
            already_mentor=already,
        )

    if acceptable:
        accepting()
        return
    with pytest.raises(rules.InviteRefused) as refused:
        accepting()
    # A late link tells nothing of who made it; a link in time says what stands in the way.
    assert refused.value.conflict == in_time


@pytest.mark.parametrize("allow", [True, False])
def test_metadata_shows_only_when_notes_are_allowed(allow: bool) -> None:
    metadata = {"title": "my own words"}

    assert rules.shown_metadata(metadata, allow) == (metadata if allow else None)
