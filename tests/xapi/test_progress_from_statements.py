"""Statements sent to the LRS become the learner's events as the mapping says: kind, grade,
time and topic; for a learner named by a linked identity; and as an operator's rules file says."""

from __future__ import annotations

from typing import Any

import httpx

from tests.helpers import Account, read_json
from tests.xapi.helpers import statement, xapi_headers

STATEMENTS = "/xapi/statements"
ADL = "http://adlnet.gov/expapi/verbs/"
CATEGORY = {
    "category": [
        {"id": "https://w3id.org/xapi/cmi5/context/categories/cmi5"},
        {"id": "http://example.com/topics/sql", "definition": {"name": {"en-US": "SQL"}}},
    ]
}


async def send(client: httpx.AsyncClient, headers: dict[str, str], *sent: dict[str, Any]) -> None:
    response = await client.post(STATEMENTS, json=list(sent), headers=headers)
    assert response.status_code == 200, response.text


async def xapi_events(client: httpx.AsyncClient, learner: Account) -> list[dict[str, Any]]:
    events = (await read_json(client, "/api/events", learner.headers))["items"]
    return sorted((e for e in events if e["id"].startswith("xapi:")), key=lambda e: str(e["kind"]))


async def test_a_statement_s_score_duration_and_category_become_the_event_s(
    client: httpx.AsyncClient, learner: Account
) -> None:
    headers = await xapi_headers(client, learner)
    await send(
        client,
        headers,
        statement(
            learner.email,
            verb=ADL + "passed",
            result={"score": {"scaled": 0.87}, "duration": "PT12M30S"},
            context={"contextActivities": CATEGORY},
        ),
        statement(learner.email, verb=ADL + "experienced", result={"duration": "PT1H"}),
        statement(learner.email, verb=ADL + "experienced"),
        statement(learner.email, verb=ADL + "answered", result={"score": {"scaled": 1}}),
        statement(learner.email, verb=ADL + "launched"),
    )
    events = await xapi_events(client, learner)
    assert [(e["kind"], e["grade"], e["time_spent_seconds"], e["topic"]) for e in events] == [
        ("check_in", None, None, None),
        ("exercise_completed", 87, 750, "SQL"),
        ("study_session", None, 3600, None),
    ]


async def test_a_statement_by_a_linked_lms_account_counts_for_its_learner(
    client: httpx.AsyncClient, learner: Account
) -> None:
    account = {"homePage": "https://lms.example.com", "name": "u-1234"}
    linked = await client.post(
        "/api/xapi/identities", json={"account": account}, headers=learner.headers
    )
    assert linked.status_code == 201, linked.text
    sent = statement(learner.email)
    sent["actor"] = {"objectType": "Agent", "account": account}
    await send(client, await xapi_headers(client, learner), sent)
    assert [e["kind"] for e in await xapi_events(client, learner)] == ["exercise_completed"]
