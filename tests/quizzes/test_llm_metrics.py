"""LLM generations and offline fallbacks as GET /metrics counts them, over the app's API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from tests.helpers import Account
from tests.metrics.scrape import LOOPBACK, scrape, value
from tests.quizzes import fake_llm
from tests.quizzes.fake_llm import FakeLlm
from tests.quizzes.test_routes import import_track, new_quiz

GENERATIONS = "questpath_llm_generations_total"
FALLBACKS = "questpath_llm_fallbacks_total"


@pytest.fixture
async def local(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=LOOPBACK)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def test_generations_and_fallbacks_are_counted_by_outcome(
    client: httpx.AsyncClient, local: httpx.AsyncClient, learner: Account, llm: FakeLlm
) -> None:
    track_id = await import_track(client, learner)
    before = await scrape(local)

    llm.script(fake_llm.server_error(500))
    failed = await new_quiz(client, learner, track_id=track_id, count=2, generator="llm")
    llm.script(fake_llm.questions(fake_llm.true_false("Redis keeps data in memory.", True)))
    short = await new_quiz(client, learner, track_id=track_id, count=2, generator="llm")
    after = await scrape(local)

    assert failed["generator"] == "offline"
    assert [q["source"] for q in short["questions"]] == ["llm", "offline"]

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved(GENERATIONS, outcome="http_error") == 1
    assert moved(GENERATIONS, outcome="ok") == 1
    assert moved(FALLBACKS, part="all") == 1
    assert moved(FALLBACKS, part="top_up") == 1
