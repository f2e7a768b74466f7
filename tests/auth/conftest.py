"""Fixtures of the auth tests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi import FastAPI


class Clock:
    """The authenticator's clock, moved on by hand."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(app: FastAPI) -> Clock:
    clock = Clock()
    app.state.authenticator.clock = clock
    return clock
