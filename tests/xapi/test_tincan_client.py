"""A real xAPI client from PyPI (TinCanPython) against a real server over HTTP."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import timedelta

from tincan import (
    Activity,
    ActivityDefinition,
    Agent,
    LanguageMap,
    RemoteLRS,
    Result,
    Score,
    StateDocument,
    Statement,
    Verb,
)

from tests.helpers import register_account
from tests.servers import Server

COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
EXPERIENCED = "http://adlnet.gov/expapi/verbs/experienced"


def _statement(email: str, verb: str, activity: str, scaled: float | None = None) -> Statement:
    return Statement(
        actor=Agent(name="Ada", mbox=f"mailto:{email}"),
        verb=Verb(id=verb, display=LanguageMap({"en-US": verb.rsplit("/", 1)[-1]})),
        object=Activity(
            id=activity,
            definition=ActivityDefinition(name=LanguageMap({"en-US": "SQL joins"})),
        ),
        result=Result(
            score=Score(scaled=scaled) if scaled is not None else None,
            duration=timedelta(minutes=25),
        ),
    )


async def test_tincan_saves_and_queries_statements_that_become_progress_and_keeps_state(
    serve: Callable[..., Server], migrated_url: str
) -> None:
    server = serve(migrated_url)
    async with server.client() as client:
        learner = await register_account(client, "ada@example.com")
        key = (
            await client.post(
                "/api/api-keys",
                json={"name": "authoring tool", "scopes": ["xapi:read", "xapi:write"]},
                headers=learner.headers,
            )
        ).json()
    lrs = RemoteLRS(
        endpoint=f"{server.base_url}/xapi/",
        version="1.0.3",
        username=key["id"],
        password=key["secret"],
    )

    def talk() -> tuple[str, list[str], list[str], list[str]]:
        about = lrs.about()
        assert about.success, about.data
        assert "1.0.3" in about.content.version
        saved = lrs.save_statement(
            _statement(learner.email, COMPLETED, "http://example.com/sql/joins", 0.85)
        )
        assert saved.success, saved.data
        batch = lrs.save_statements(
            [
                _statement(learner.email, EXPERIENCED, f"http://example.com/sql/{n}")
                for n in range(3)
            ]
        )
        assert batch.success, batch.data
        retrieved = lrs.retrieve_statement(saved.content.id)
        assert retrieved.success, retrieved.data
        assert retrieved.content.verb.id == COMPLETED
        assert retrieved.content.result.score.scaled == 0.85
        query = lrs.query_statements(
            {
                "agent": Agent(mbox=f"mailto:{learner.email}"),
                "verb": Verb(id=EXPERIENCED),
                "limit": 2,
            }
        )
        assert query.success, query.data
        first_page = [str(s.id) for s in query.content.statements]
        more = lrs.more_statements(query.content)
        assert more.success, more.data
        second_page = [str(s.id) for s in more.content.statements]

        course = Activity(id="http://example.com/sql")
        learner_agent = Agent(mbox=f"mailto:{learner.email}")
        bookmark = StateDocument(
            id="bookmark",
            content='{"page": 3}',
            content_type="application/json",
            activity=course,
            agent=learner_agent,
        )
        stored_state = lrs.save_state(bookmark)
        assert stored_state.success, stored_state.data
        state = lrs.retrieve_state(course, learner_agent, "bookmark")
        assert state.success, state.data
        assert json.loads(state.content.content) == {"page": 3}
        ids = lrs.retrieve_state_ids(course, learner_agent)
        assert ids.success, ids.data
        assert ids.content == ["bookmark"]
        return str(saved.content.id), [str(s.id) for s in batch.content], first_page, second_page

    completed_id, experienced_ids, first_page, second_page = await asyncio.to_thread(talk)

    assert first_page + second_page == list(reversed(experienced_ids))
    async with server.client() as client:
        events = (await client.get("/api/events", headers=learner.headers)).json()["items"]
    recorded = {e["id"]: e for e in events}
    assert recorded[f"xapi:{completed_id}"]["kind"] == "exercise_completed"
    assert recorded[f"xapi:{completed_id}"]["grade"] == 85
