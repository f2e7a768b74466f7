"""Fixtures for the quiz tests: a fake OpenAI-compatible LLM server on loopback, and the app
configured to use it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from pydantic import SecretStr

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


@pytest.fixture
def llm(app: FastAPI, llm_server: FakeLlm) -> FakeLlm:
    """The app configured with the fake LLM server, with a short time limit."""
    app.state.settings = app.state.settings.model_copy(
        update={
            "llm_base_url": llm_server.base_url,
            "llm_model": "tutor-1",
            "llm_api_key": SecretStr("sk-secret-key-123"),
            "llm_timeout_seconds": 2.0,
        }
    )
    return llm_server
