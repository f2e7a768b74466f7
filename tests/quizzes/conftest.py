"""Fixtures for the quiz tests: a fake OpenAI-compatible LLM server on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.quizzes.fake_llm import FakeLlm, running_fake_llm


@pytest.fixture(scope="module")
def llm_server_for_module() -> Iterator[FakeLlm]:
    """One fake LLM server per test module (starting uvicorn for every test would be slow)."""
    with running_fake_llm() as server:
        yield server


@pytest.fixture
def llm_server(llm_server_for_module: FakeLlm) -> Iterator[FakeLlm]:
    """The fake LLM server with an empty script and no requests yet: `.base_url`,
    `.script(*behaviours)`, `.requests`. Stalls still running are ended after the test."""
    llm_server_for_module.reset()
    yield llm_server_for_module
    llm_server_for_module.reset()
