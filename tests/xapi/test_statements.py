"""The statements resource: store, read back, query, void, and the progress it makes."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import update

from questpath.xapi.models import XapiStatement
from tests.helpers import (
    Account,
    assert_problem,
    create_admin_account,
    projection_differences,
    register_account,
)
from tests.xapi.helpers import new_id, statement, voiding, xapi_headers

STATEMENTS = "/xapi/statements"


async def _progress(client: httpx.AsyncClient, account: Account) -> dict[str, Any]:
    response = await client.get("/api/progress", headers=account.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_posted_statement_is_stored_with_what_the_lrs_sets_and_read_back(
    client: httpx.AsyncClient, learner: Account
) -> None:
    headers = await xapi_headers(client, learner)
    sent = statement(learner.email)
    response = await client.post(STATEMENTS, json=sent, headers=headers)
    assert response.status_code == 200, response.text
    [statement_id] = response.json()
    assert response.headers["X-Experience-API-Version"] == "1.0.3"

    read = await client.get(STATEMENTS, params={"statementId": statement_id}, headers=headers)
    assert read.status_code == 200, read.text
    stored = read.json()
    assert stored["id"] == statement_id
    assert stored["actor"] == sent["actor"]
    assert stored["verb"] == sent["verb"]
    assert stored["version"] == "1.0.0"
    assert stored["timestamp"] == stored["stored"]
    assert stored["authority"]["objectType"] == "Agent"
    assert "X-Experience-API-Consistent-Through" in read.headers


async def test_put_stores_under_the_id_once_and_refuses_a_different_statement_there(
    client: httpx.AsyncClient, learner: Account
) -> None:
    headers = await xapi_headers(client, learner)
    statement_id = new_id()
    sent = statement(learner.email)
    first = await client.put(
        STATEMENTS, params={"statementId": statement_id}, json=sent, headers=headers
    )
    assert first.status_code == 204, first.text
    again = await client.put(
        STATEMENTS, params={"statementId": statement_id}, json=sent, headers=headers
    )
    assert again.status_code == 204, again.text
    other = statement(learner.email, activity="http://example.com/activities/other")
    conflict = await client.put(
        STATEMENTS, params={"statementId": statement_id}, json=other, headers=headers
    )
    assert_problem(conflict, 409)
    found = await client.get(STATEMENTS, params={"activity": sent["object"]["id"]}, headers=headers)
    assert [s["id"] for s in found.json()["statements"]] == [statement_id]


async def test_a_completed_statement_about_the_learner_becomes_an_event_and_voiding_takes_it_back(
    app: FastAPI, client: httpx.AsyncClient, learner: Account
) -> None:
    headers = await xapi_headers(client, learner)
    before = await _progress(client, learner)
    response = await client.post(
        STATEMENTS,
        json=statement(learner.email, result={"score": {"scaled": 0.9}}),
        headers=headers,
    )
    [statement_id] = response.json()
    events = await client.get("/api/events", headers=learner.headers)
    [event] = [e for e in events.json()["items"] if e["id"] == f"xapi:{statement_id}"]
    assert event["kind"] == "exercise_completed"
    assert event["grade"] == 90
    assert (await _progress(client, learner))["xp"] > before["xp"]

    voided = await client.post(
        STATEMENTS, json=voiding(statement_id, learner.email), headers=headers
    )
    assert voided.status_code == 200, voided.text
    assert (await _progress(client, learner))["xp"] == before["xp"]
    gone = await client.get(STATEMENTS, params={"statementId": statement_id}, headers=headers)
    assert_problem(gone, 404)
    kept = await client.get(STATEMENTS, params={"voidedStatementId": statement_id}, headers=headers)
    assert kept.status_code == 200
    assert kept.json()["id"] == statement_id
    assert await projection_differences(app, learner) == []


async def test_a_learners_key_makes_no_progress_for_another_learner(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    headers = await xapi_headers(client, learner)
    response = await client.post(STATEMENTS, json=statement(other_learner.email), headers=headers)
    assert response.status_code == 200, response.text
    events = await client.get("/api/events", headers=other_learner.headers)
    assert events.json()["items"] == []


async def test_an_admins_key_records_progress_for_the_learner_the_actor_names(
    app: FastAPI, client: httpx.AsyncClient, learner: Account
) -> None:
    admin = await create_admin_account(client, app)
    headers = await xapi_headers(client, admin)
    response = await client.post(STATEMENTS, json=statement(learner.email), headers=headers)
    [statement_id] = response.json()
    events = await client.get("/api/events", headers=learner.headers)
    assert [e["id"] for e in events.json()["items"]] == [f"xapi:{statement_id}"]


async def test_queries_filter_by_agent_verb_and_activity_and_page_with_more(
    client: httpx.AsyncClient, learner: Account
) -> None:
    headers = await xapi_headers(client, learner)
    batch = [
        statement(f"p{i % 2}@example.com", activity=f"http://example.com/a/{i % 3}")
        for i in range(12)
    ]
    response = await client.post(STATEMENTS, json=batch, headers=headers)
    assert response.status_code == 200, response.text
    ids = response.json()
    agent = '{"mbox": "mailto:p0@example.com"}'
    found = await client.get(STATEMENTS, params={"agent": agent}, headers=headers)
    assert {s["id"] for s in found.json()["statements"]} == {ids[i] for i in range(0, 12, 2)}
    by_activity = await client.get(
        STATEMENTS, params={"activity": "http://example.com/a/1"}, headers=headers
    )
    assert {s["id"] for s in by_activity.json()["statements"]} == {ids[i] for i in (1, 4, 7, 10)}

    seen: list[str] = []
    url: str | None = f"{STATEMENTS}?limit=5"
    while url:
        page = await client.get(url, headers=headers)
        assert page.status_code == 200, page.text
        seen += [s["id"] for s in page.json()["statements"]]
        url = page.json()["more"] or None
    assert seen == list(reversed(ids))


async def test_one_account_does_not_read_anothers_statements(
    client: httpx.AsyncClient, learner: Account
) -> None:
    headers = await xapi_headers(client, learner)
    stranger = await register_account(client, "stranger@example.com")
    theirs = await xapi_headers(client, stranger)
    [statement_id] = (await client.post(STATEMENTS, json=statement(), headers=headers)).json()
    response = await client.get(STATEMENTS, params={"statementId": statement_id}, headers=theirs)
    assert_problem(response, 404)
    listed = await client.get(STATEMENTS, headers=theirs)
    assert listed.json()["statements"] == []


async def test_requests_without_the_version_header_or_with_bad_auth_are_refused(
    client: httpx.AsyncClient, learner: Account
) -> None:
    headers = await xapi_headers(client, learner)
    no_version = {k: v for k, v in headers.items() if k != "X-Experience-API-Version"}
    response = await client.get(STATEMENTS, headers=no_version)
    body = assert_problem(response, 400)
    assert body["errors"][0]["rule"] == "version-header"
    old = await client.get(STATEMENTS, headers={**headers, "X-Experience-API-Version": "0.95"})
    assert_problem(old, 400)
    anonymous = await client.get(STATEMENTS, headers={"X-Experience-API-Version": "1.0.3"})
    assert_problem(anonymous, 401)
    assert anonymous.headers["WWW-Authenticate"].startswith("Basic")
    write_only = await xapi_headers(client, learner, ("xapi:write",))
    assert_problem(await client.get(STATEMENTS, headers=write_only), 403)


async def test_the_about_resource_needs_no_auth(client: httpx.AsyncClient) -> None:
    response = await client.get("/xapi/about")
    assert response.status_code == 200
    assert "1.0.3" in response.json()["version"]


async def test_the_alternate_request_syntax_reads_as_the_request_it_stands_for(
    client: httpx.AsyncClient, learner: Account
) -> None:
    headers = await xapi_headers(client, learner)
    [statement_id] = (await client.post(STATEMENTS, json=statement(), headers=headers)).json()
    response = await client.post(
        STATEMENTS,
        params={"method": "GET"},
        data={**headers, "statementId": statement_id},
    )
    assert response.status_code == 200, response.text
    assert response.json()["id"] == statement_id
    refused = await client.post(
        STATEMENTS, params={"method": "GET", "statementId": statement_id}, data=headers
    )
    assert assert_problem(refused, 400)["errors"][0]["rule"] == "alternate-syntax"


async def test_head_answers_as_get_without_a_body(
    client: httpx.AsyncClient, learner: Account
) -> None:
    headers = await xapi_headers(client, learner)
    [statement_id] = (await client.post(STATEMENTS, json=statement(), headers=headers)).json()
    get = await client.get(STATEMENTS, params={"statementId": statement_id}, headers=headers)
    head = await client.head(STATEMENTS, params={"statementId": statement_id}, headers=headers)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]
    assert head.headers["X-Experience-API-Version"] == "1.0.3"


async def test_a_key_without_xapi_write_cannot_store_and_one_with_read_mine_reads_only_its_own(
    client: httpx.AsyncClient, learner: Account
) -> None:
    read_only = await xapi_headers(client, learner, ("xapi:read",))
    refused = await client.post(STATEMENTS, json=statement(), headers=read_only)
    assert assert_problem(refused, 403)["detail"] == "this API key lacks the scope 'xapi:write'"

    first = await xapi_headers(client, learner, ("xapi:write", "xapi:read-mine"))
    second = await xapi_headers(client, learner)
    [own] = (await client.post(STATEMENTS, json=statement(), headers=first)).json()
    [other] = (await client.post(STATEMENTS, json=statement(), headers=second)).json()
    mine = await client.get(STATEMENTS, headers=first)
    assert [s["id"] for s in mine.json()["statements"]] == [own]
    everything = await client.get(STATEMENTS, headers=second)
    assert [s["id"] for s in everything.json()["statements"]] == [other, own]


async def test_verify_finds_a_statement_whose_event_was_left_unvoided(
    app: FastAPI, client: httpx.AsyncClient, learner: Account
) -> None:
    headers = await xapi_headers(client, learner)
    [statement_id] = (
        await client.post(STATEMENTS, json=statement(learner.email), headers=headers)
    ).json()
    assert await projection_differences(app, learner) == []
    async with app.state.engine.begin() as conn:
        await conn.execute(
            update(XapiStatement)
            .where(XapiStatement.user_id == uuid.UUID(learner.id))
            .values(voided=True)
        )
    [difference] = await projection_differences(app, learner)
    assert (difference.table, difference.key, difference.field) == (
        "xapi_statements",
        statement_id,
        "voided",
    )


async def test_since_until_and_ascending_select_and_order_by_the_time_stored(
    client: httpx.AsyncClient, learner: Account
) -> None:
    headers = await xapi_headers(client, learner)
    ids = []
    for n in range(3):
        [statement_id] = (
            await client.post(
                STATEMENTS, json=statement(activity=f"http://e.com/{n}"), headers=headers
            )
        ).json()
        ids.append(statement_id)
    stored = [
        (await client.get(STATEMENTS, params={"statementId": i}, headers=headers)).json()["stored"]
        for i in ids
    ]
    after_first = await client.get(STATEMENTS, params={"since": stored[0]}, headers=headers)
    assert [s["id"] for s in after_first.json()["statements"]] == [ids[2], ids[1]]
    up_to_second = await client.get(
        STATEMENTS, params={"until": stored[1], "ascending": "true"}, headers=headers
    )
    assert [s["id"] for s in up_to_second.json()["statements"]] == ids[:2]
    bad = await client.get(STATEMENTS, params={"since": "yesterday"}, headers=headers)
    assert assert_problem(bad, 400)["errors"][0]["field"] == "since"


async def test_browser_content_may_call_the_lrs_across_origins(client: httpx.AsyncClient) -> None:
    preflight = await client.options(
        STATEMENTS,
        headers={
            "Origin": "https://course.example.com",
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "authorization, x-experience-api-version",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "PUT" in preflight.headers["access-control-allow-methods"]
    about = await client.get("/xapi/about", headers={"Origin": "https://course.example.com"})
    exposed = about.headers["access-control-expose-headers"]
    assert "X-Experience-API-Consistent-Through" in exposed
    assert "ETag" in exposed


async def test_unknown_parameters_and_filters_beside_statement_id_are_refused(
    client: httpx.AsyncClient, learner: Account
) -> None:
    headers = await xapi_headers(client, learner)
    unknown = await client.get(STATEMENTS, params={"actor": "x"}, headers=headers)
    assert assert_problem(unknown, 400)["errors"][0]["rule"] == "parameter.unknown"
    both = await client.get(
        STATEMENTS, params={"statementId": new_id(), "verb": "http://e.com/v"}, headers=headers
    )
    assert assert_problem(both, 400)["errors"][0]["field"] == "verb"


async def test_the_activities_resource_knows_the_definitions_statements_carried(
    client: httpx.AsyncClient, learner: Account
) -> None:
    headers = await xapi_headers(client, learner)
    course = {"id": "http://example.com/courses/sql", "definition": {"name": {"en-US": "SQL"}}}
    sent = statement(
        activity="http://example.com/a/joins",
        context={"contextActivities": {"parent": [course]}},
    )
    sent["object"]["definition"] = {"name": {"en-US": "Joins"}}
    assert (await client.post(STATEMENTS, json=sent, headers=headers)).status_code == 200
    renamed = {**sent, "object": {**sent["object"], "definition": {"name": {"fr": "Jointures"}}}}
    assert (await client.post(STATEMENTS, json=renamed, headers=headers)).status_code == 200

    joins = await client.get(
        "/xapi/activities", params={"activityId": "http://example.com/a/joins"}, headers=headers
    )
    assert joins.json()["definition"]["name"] == {"en-US": "Joins", "fr": "Jointures"}
    parent = await client.get(
        "/xapi/activities", params={"activityId": course["id"]}, headers=headers
    )
    assert parent.json()["definition"]["name"] == {"en-US": "SQL"}


async def test_an_endpoint_given_with_a_trailing_slash_still_reaches_the_resources(
    client: httpx.AsyncClient, learner: Account
) -> None:
    headers = await xapi_headers(client, learner)
    response = await client.get("/xapi//statements", headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["statements"] == []


async def test_the_alternate_syntax_puts_a_statement_with_its_headers_as_form_fields(
    client: httpx.AsyncClient, learner: Account
) -> None:
    headers = await xapi_headers(client, learner)
    statement_id = new_id()
    response = await client.post(
        STATEMENTS,
        params={"method": "PUT"},
        data={**headers, "statementId": statement_id, "content": json.dumps(statement())},
    )
    assert response.status_code == 204, response.text
    read = await client.get(STATEMENTS, params={"statementId": statement_id}, headers=headers)
    assert read.status_code == 200


async def test_every_answer_to_a_statements_read_says_how_consistent_it_is(
    client: httpx.AsyncClient, learner: Account
) -> None:
    headers = await xapi_headers(client, learner)
    missing = await client.get(STATEMENTS, params={"statementId": new_id()}, headers=headers)
    refused = await client.get(STATEMENTS, params={"LIMIT": "1"}, headers=headers)
    for response in (missing, refused):
        assert response.status_code in (400, 404)
        assert response.headers["X-Experience-API-Consistent-Through"].endswith("Z")


async def test_a_single_context_activity_is_answered_as_a_list_of_one(
    client: httpx.AsyncClient, learner: Account
) -> None:
    headers = await xapi_headers(client, learner)
    parent = {"id": "http://example.com/courses/sql"}
    inner = {
        "objectType": "SubStatement",
        **statement(context={"contextActivities": {"category": parent}}),
    }
    sent = statement(context={"contextActivities": {"parent": parent}})
    nested = {**statement(), "object": inner}
    ids = (await client.post(STATEMENTS, json=[sent, nested], headers=headers)).json()
    first, second = [
        (await client.get(STATEMENTS, params={"statementId": i}, headers=headers)).json()
        for i in ids
    ]
    assert first["context"]["contextActivities"]["parent"] == [parent]
    assert second["object"]["context"]["contextActivities"]["category"] == [parent]


async def test_a_statement_voiding_a_voiding_statement_is_stored_and_voids_nothing(
    client: httpx.AsyncClient, learner: Account
) -> None:
    headers = await xapi_headers(client, learner)
    [target] = (await client.post(STATEMENTS, json=statement(), headers=headers)).json()
    [first] = (await client.post(STATEMENTS, json=voiding(target), headers=headers)).json()
    again = await client.post(STATEMENTS, json=voiding(first), headers=headers)
    assert again.status_code == 200, again.text
    still = await client.get(STATEMENTS, params={"statementId": first}, headers=headers)
    assert still.status_code == 200


async def test_a_voiding_statement_whose_target_never_came_voided_nothing_and_can_be_voided(
    client: httpx.AsyncClient, learner: Account
) -> None:
    headers = await xapi_headers(client, learner)
    [dangling] = (await client.post(STATEMENTS, json=voiding(new_id()), headers=headers)).json()
    assert (
        await client.post(STATEMENTS, json=voiding(dangling), headers=headers)
    ).status_code == 200
    gone = await client.get(STATEMENTS, params={"statementId": dangling}, headers=headers)
    assert_problem(gone, 404)
    kept = await client.get(STATEMENTS, params={"voidedStatementId": dangling}, headers=headers)
    assert kept.status_code == 200


async def test_the_ids_format_keeps_only_what_identifies_agents_verbs_and_activities(
    client: httpx.AsyncClient, learner: Account
) -> None:
    headers = await xapi_headers(client, learner)
    sent = statement()
    sent["actor"]["name"] = "Ada"
    sent["object"]["definition"] = {"name": {"en-US": "Joins"}}
    [statement_id] = (await client.post(STATEMENTS, json=sent, headers=headers)).json()
    read = await client.get(
        STATEMENTS, params={"statementId": statement_id, "format": "ids"}, headers=headers
    )
    body = read.json()
    assert body["actor"] == {"objectType": "Agent", "mbox": sent["actor"]["mbox"]}
    assert body["verb"] == {"id": sent["verb"]["id"]}
    assert body["object"] == {"id": sent["object"]["id"]}
