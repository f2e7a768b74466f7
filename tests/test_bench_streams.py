"""The stream benchmark's client reads event names from a body that arrives in pieces."""

from __future__ import annotations

import itertools

from bench.stream_client import PING, EventParser
from hypothesis import given
from hypothesis import strategies as st

# As sse-starlette sends them: CRLF line ends, a comment line as the keep-alive.
BODY = (
    b'event: unread\r\ndata: {"unread": 0}\r\n\r\n'
    b": ping - 2026-12-04 17:00:00+00:00\r\n\r\n"
    b"event: achievement\r\nid: 2026-12-04T17:00:01+00:00\r\ndata: {}\r\n\r\n"
    b"data: no name\n\n"
    b"event: notification\ndata: {}\n\n"
)
NAMES = ["unread", PING, "achievement", "message", "notification"]


@given(st.lists(st.integers(min_value=0, max_value=len(BODY)), max_size=12))
def test_the_same_events_are_read_wherever_the_body_is_cut(cuts: list[int]) -> None:
    parser = EventParser()
    bounds = [0, *sorted(cuts), len(BODY)]

    names = [name for a, b in itertools.pairwise(bounds) for name in parser.feed(BODY[a:b])]

    assert names == NAMES


def test_an_event_is_read_only_once_its_blank_line_arrives() -> None:
    parser = EventParser()

    assert parser.feed(b"event: achievement\r\ndata: {}\r\n") == []
    assert parser.feed(b"\r\n") == ["achievement"]
