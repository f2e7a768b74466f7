"""Fixtures of the webhook tests: a real endpoint on loopback that records what it receives."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.webhooks.receiver import Receiver, receiver


@pytest.fixture
def endpoint() -> Iterator[Receiver]:
    with receiver() as state:
        yield state
