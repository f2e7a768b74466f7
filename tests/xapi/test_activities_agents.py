"""The activities resource (canonical definitions from statements) and the agents resource
(Person objects)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from questpath.db import transaction
from questpath.xapi.documents import remember_activities
from tests.helpers import Account
from tests.xapi.helpers import query, xapi_headers

ACTIVITY = "http://www.example.com/verify/complete/34534"


@pytest.fixture
async def lrs(client: httpx.AsyncClient, learner: Account) -> dict[str, str]:
    return await xapi_headers(client, learner, ("xapi:read",))


async def remember(app: FastAPI, activities: list[dict[str, Any]]) -> None:
    async with transaction(app.state.sessionmaker) as session:
        await remember_activities(session, activities)


async def activity(client: httpx.AsyncClient, headers: dict[str, str], activity_id: str) -> Any:
    got = await client.get(f"/xapi/activities?{query(activityId=activity_id)}", headers=headers)
    assert got.status_code == 200, got.text
    return got.json()


async def test_an_unknown_activity_is_still_an_activity_object(
    client: httpx.AsyncClient, lrs: dict[str, str]
) -> None:
    assert await activity(client, lrs, ACTIVITY) == {"objectType": "Activity", "id": ACTIVITY}


async def test_an_activity_comes_back_with_the_definition_statements_gave_it(
    app: FastAPI, client: httpx.AsyncClient, lrs: dict[str, str]
) -> None:
    definition = {
        "name": {"en-US": "Example Activity"},
        "description": {"en-US": "An example"},
        "type": "http://adlnet.gov/expapi/activities/media",
    }
    await remember(app, [{"objectType": "Activity", "id": ACTIVITY, "definition": definition}])
    assert await activity(client, lrs, ACTIVITY) == {
        "objectType": "Activity",
        "id": ACTIVITY,
        "definition": definition,
    }


async def test_later_definitions_win_and_language_maps_merge_key_by_key(
    app: FastAPI, client: httpx.AsyncClient, lrs: dict[str, str]
) -> None:
    first = {"name": {"en-US": "Walk", "fr": "Marche"}, "type": "http://example.com/a"}
    await remember(app, [{"id": ACTIVITY, "definition": first}])
    second = {"name": {"en-US": "Stroll", "de": "Spaziergang"}, "type": "http://example.com/b"}
    await remember(app, [{"id": ACTIVITY, "definition": second}, {"id": ACTIVITY}])
    await remember(app, [{"id": "http://example.com/undefined"}, {"definition": {}}])
    assert (await activity(client, lrs, ACTIVITY))["definition"] == {
        "name": {"en-US": "Stroll", "fr": "Marche", "de": "Spaziergang"},
        "type": "http://example.com/b",
    }
    assert "definition" not in await activity(client, lrs, "http://example.com/undefined")


async def test_one_batch_may_define_an_activity_twice(
    app: FastAPI, client: httpx.AsyncClient, lrs: dict[str, str]
) -> None:
    await remember(
        app,
        [
            {"id": ACTIVITY, "definition": {"name": {"en-US": "A"}}},
            {"id": ACTIVITY, "definition": {"name": {"fr": "B"}}},
        ],
    )
    assert (await activity(client, lrs, ACTIVITY))["definition"] == {
        "name": {"en-US": "A", "fr": "B"}
    }


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "activityId"),
        ({"activityId": "1"}, "activityId"),
        ({"activityId": ACTIVITY, "since": "1"}, "since"),
    ],
)
async def test_the_activities_resource_refuses_a_bad_parameter_naming_it(
    client: httpx.AsyncClient, lrs: dict[str, str], params: dict[str, Any], field: str
) -> None:
    refused = await client.get(f"/xapi/activities?{query(**params)}", headers=lrs)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == field


@pytest.mark.parametrize(
    ("agent", "person"),
    [
        (
            {"objectType": "Agent", "name": "Rick James", "mbox": "mailto:rick@example.com"},
            {"objectType": "Person", "name": ["Rick James"], "mbox": ["mailto:rick@example.com"]},
        ),
        (
            {"mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"},
            {"objectType": "Person", "mbox_sha1sum": ["ebd31e95054c018b10727ccffd2ef2ec3a016ee9"]},
        ),
        (
            {"openid": "http://openid.example.com/rick"},
            {"objectType": "Person", "openid": ["http://openid.example.com/rick"]},
        ),
        (
            {"account": {"homePage": "http://www.example.com", "name": "rick"}},
            {
                "objectType": "Person",
                "account": [{"homePage": "http://www.example.com", "name": "rick"}],
            },
        ),
    ],
)
async def test_an_agent_is_answered_as_a_person_with_arrays(
    client: httpx.AsyncClient, lrs: dict[str, str], agent: dict[str, Any], person: dict[str, Any]
) -> None:
    got = await client.get(f"/xapi/agents?{query(agent=agent)}", headers=lrs)
    assert got.status_code == 200, got.text
    assert got.json() == person


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "agent"),
        ({"agent": "not JSON"}, "agent"),
        ({"agent": {"objectType": "Agent"}}, "agent"),
        ({"agent": {"objectType": "Group", "mbox": "mailto:g@example.com"}}, "agent"),
        ({"agent": {"account": {"homePage": "http://x"}}}, "agent.account.name"),
        ({"agent": {"mbox_sha1sum": "abc"}}, "agent.mbox_sha1sum"),
        ({"agent": {"mbox": "mailto:a@example.com", "name": 3}}, "agent.name"),
        ({"agent": {"mbox": "mailto:a@example.com"}, "profileId": "x"}, "profileId"),
    ],
)
async def test_the_agents_resource_refuses_a_bad_agent_naming_it(
    client: httpx.AsyncClient, lrs: dict[str, str], params: dict[str, Any], field: str
) -> None:
    refused = await client.get(f"/xapi/agents?{query(**params)}", headers=lrs)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == field


async def test_both_resources_need_a_read_scope(
    client: httpx.AsyncClient, learner: Account
) -> None:
    writer = await xapi_headers(client, learner, ("xapi:write",))
    agent = {"mbox": "mailto:a@example.com"}
    assert (
        await client.get(f"/xapi/agents?{query(agent=agent)}", headers=writer)
    ).status_code == 403
    got = await client.get(f"/xapi/activities?{query(activityId=ACTIVITY)}", headers=writer)
    assert got.status_code == 403
    mine = await xapi_headers(client, learner, ("xapi:read-mine",))
    assert (await client.get(f"/xapi/agents?{query(agent=agent)}", headers=mine)).status_code == 200
