"""The state, activity profile and agent profile resources through the real app."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import pytest

from questpath.xapi.document_rules import etag_of
from tests.helpers import Account, assert_problem
from tests.xapi.helpers import query, xapi_headers

ACTIVITY = "http://www.example.com/activityId/hashset"
AGENT = {
    "objectType": "Agent",
    "account": {"homePage": "http://www.example.com/agentId/1", "name": "Rick"},
}
STATE = "/xapi/activities/state"
ACTIVITY_PROFILE = "/xapi/activities/profile"
AGENT_PROFILE = "/xapi/agents/profile"


@pytest.fixture
async def lrs(client: httpx.AsyncClient, learner: Account) -> dict[str, str]:
    return await xapi_headers(client, learner)


def state(**extra: Any) -> dict[str, Any]:
    return {"activityId": ACTIVITY, "agent": AGENT, "stateId": str(uuid.uuid4()), **extra}


def activity_profile(**extra: Any) -> dict[str, Any]:
    return {"activityId": ACTIVITY, "profileId": str(uuid.uuid4()), **extra}


def agent_profile(**extra: Any) -> dict[str, Any]:
    return {"agent": AGENT, "profileId": str(uuid.uuid4()), **extra}


RESOURCES = [(STATE, state), (ACTIVITY_PROFILE, activity_profile), (AGENT_PROFILE, agent_profile)]
RESOURCE_IDS = ["state", "activity-profile", "agent-profile"]


async def send(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    params: dict[str, Any],
    headers: dict[str, str],
    body: Any = None,
    **extra_headers: str,
) -> httpx.Response:
    content = json.dumps(body).encode() if isinstance(body, dict | list) else body
    sent = {**headers, **extra_headers}
    if isinstance(body, dict | list):
        sent.setdefault("Content-Type", "application/json")
    return await client.request(method, f"{path}?{query(**params)}", content=content, headers=sent)


@pytest.mark.parametrize(("path", "params"), RESOURCES, ids=RESOURCE_IDS)
async def test_a_json_document_put_comes_back_with_its_etag_and_last_modified(
    client: httpx.AsyncClient, lrs: dict[str, str], path: str, params: Any
) -> None:
    where = params()
    document = {"name": "x", "location": {"name": "y"}}
    put = await send(client, "PUT", path, where, lrs, document, **{"If-None-Match": "*"})
    assert put.status_code == 204, put.text
    got = await send(client, "GET", path, where, lrs)
    assert got.status_code == 200
    assert got.json() == document
    assert got.headers["content-type"].startswith("application/json")
    assert got.headers["etag"] == f'"{etag_of(got.content)}"'
    modified = parsedate_to_datetime(got.headers["last-modified"])
    assert abs(modified - datetime.now(UTC)) < timedelta(minutes=1)
    assert got.headers["x-experience-api-version"] == "1.0.3"


@pytest.mark.parametrize(("path", "params"), RESOURCES, ids=RESOURCE_IDS)
async def test_a_binary_document_comes_back_byte_for_byte_with_its_type(
    client: httpx.AsyncClient, lrs: dict[str, str], path: str, params: Any
) -> None:
    where = params()
    content = bytes(range(256))
    put = await send(
        client,
        "PUT",
        path,
        where,
        lrs,
        content,
        **{"Content-Type": "image/png", "If-None-Match": "*"},
    )
    assert put.status_code == 204, put.text
    got = await send(client, "GET", path, where, lrs)
    assert got.content == content
    assert got.headers["content-type"] == "image/png"
    assert got.headers["etag"] == f'"{etag_of(content)}"'


@pytest.mark.parametrize(("path", "params"), RESOURCES, ids=RESOURCE_IDS)
async def test_a_post_merges_top_level_properties_into_the_json_object_there(
    client: httpx.AsyncClient, lrs: dict[str, str], path: str, params: Any
) -> None:
    where = params()
    first = {"car": {"make": "Ford", "model": "Escape"}, "driver": "Dale"}
    assert (await send(client, "POST", path, where, lrs, first)).status_code == 204
    second = {"car": {"make": "Dodge"}, "type": "Civic"}
    assert (await send(client, "POST", path, where, lrs, second)).status_code == 204
    got = await send(client, "GET", path, where, lrs)
    assert got.json() == {"car": {"make": "Dodge"}, "driver": "Dale", "type": "Civic"}


@pytest.mark.parametrize(("path", "params"), RESOURCES, ids=RESOURCE_IDS)
async def test_a_post_over_a_document_that_is_not_a_json_object_is_refused_unchanged(
    client: httpx.AsyncClient, lrs: dict[str, str], path: str, params: Any
) -> None:
    where = params()
    assert (await send(client, "POST", path, where, lrs, {"car": "MKX"})).status_code == 204
    refused = await send(
        client,
        "POST",
        path,
        where,
        lrs,
        b"abc",
        **{"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "content"
    assert (await send(client, "GET", path, where, lrs)).json() == {"car": "MKX"}


@pytest.mark.parametrize("content", [b"1", b"true"])
async def test_a_first_post_stores_any_document(
    client: httpx.AsyncClient, lrs: dict[str, str], content: bytes
) -> None:
    where = state()
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert (await send(client, "POST", STATE, where, lrs, content, **form)).status_code == 204
    assert (await send(client, "GET", STATE, where, lrs)).content == content


async def test_a_document_declared_json_must_be_json(
    client: httpx.AsyncClient, lrs: dict[str, str]
) -> None:
    refused = await send(
        client, "PUT", STATE, state(), lrs, b"{not json", **{"Content-Type": "application/json"}
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "content"


@pytest.mark.parametrize(("path", "params"), RESOURCES, ids=RESOURCE_IDS)
async def test_a_missing_document_is_not_found(
    client: httpx.AsyncClient, lrs: dict[str, str], path: str, params: Any
) -> None:
    assert (await send(client, "GET", path, params(), lrs)).status_code == 404


async def test_state_ids_list_the_context_and_since_excludes_older_ones(
    client: httpx.AsyncClient, lrs: dict[str, str]
) -> None:
    activity = f"{ACTIVITY}/{uuid.uuid4()}"
    older, newer = state(activityId=activity), state(activityId=activity)
    elsewhere = state()
    for where in (older, elsewhere):
        assert (await send(client, "PUT", STATE, where, lrs, {"a": 1})).status_code == 204
    listed = await send(client, "GET", STATE, {"activityId": activity, "agent": AGENT}, lrs)
    assert listed.json() == [older["stateId"]]
    assert listed.headers["etag"] == f'"{etag_of(listed.content)}"'
    between = datetime.now(UTC)
    assert (await send(client, "PUT", STATE, newer, lrs, {"a": 2})).status_code == 204
    context = {"activityId": activity, "agent": AGENT}
    everything = await send(client, "GET", STATE, context, lrs)
    assert sorted(everything.json()) == sorted([older["stateId"], newer["stateId"]])
    since = await send(client, "GET", STATE, {**context, "since": between.isoformat()}, lrs)
    assert since.json() == [newer["stateId"]]
    assert "last-modified" in since.headers
    later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
    assert (await send(client, "GET", STATE, {**context, "since": later}, lrs)).json() == []


async def test_a_registration_keeps_its_own_state_and_lists_without_one_cover_all(
    client: httpx.AsyncClient, lrs: dict[str, str]
) -> None:
    registration = str(uuid.uuid4())
    where = state(registration=registration.upper())
    assert (await send(client, "PUT", STATE, where, lrs, {"r": 1})).status_code == 204
    without = {k: v for k, v in where.items() if k != "registration"}
    assert (await send(client, "GET", STATE, without, lrs)).status_code == 404
    same = {**where, "registration": registration}
    assert (await send(client, "GET", STATE, same, lrs)).json() == {"r": 1}
    context = {"activityId": ACTIVITY, "agent": AGENT}
    assert where["stateId"] in (await send(client, "GET", STATE, context, lrs)).json()
    other = {**context, "registration": str(uuid.uuid4())}
    assert (await send(client, "GET", STATE, other, lrs)).json() == []


async def test_deleting_state_without_a_state_id_deletes_the_whole_context(
    client: httpx.AsyncClient, lrs: dict[str, str]
) -> None:
    activity = f"{ACTIVITY}/{uuid.uuid4()}"
    kept = state()
    for where in (state(activityId=activity), state(activityId=activity), kept):
        assert (await send(client, "PUT", STATE, where, lrs, {"a": 1})).status_code == 204
    context = {"activityId": activity, "agent": AGENT}
    assert (await send(client, "DELETE", STATE, context, lrs)).status_code == 204
    assert (await send(client, "GET", STATE, context, lrs)).json() == []
    assert (await send(client, "GET", STATE, kept, lrs)).status_code == 200


@pytest.mark.parametrize(("path", "params"), RESOURCES, ids=RESOURCE_IDS)
async def test_a_deleted_document_is_gone_and_deleting_none_is_no_error(
    client: httpx.AsyncClient, lrs: dict[str, str], path: str, params: Any
) -> None:
    where = params()
    assert (await send(client, "DELETE", path, where, lrs)).status_code == 204
    assert (
        await send(client, "PUT", path, where, lrs, {"a": 1}, **{"If-None-Match": "*"})
    ).status_code == 204
    assert (await send(client, "DELETE", path, where, lrs)).status_code == 204
    assert (await send(client, "GET", path, where, lrs)).status_code == 404


@pytest.mark.parametrize(
    ("path", "params", "context"),
    [
        (ACTIVITY_PROFILE, activity_profile, {"activityId": ACTIVITY}),
        (AGENT_PROFILE, agent_profile, {"agent": AGENT}),
    ],
    ids=["activity-profile", "agent-profile"],
)
async def test_profile_ids_list_the_context_with_since(
    client: httpx.AsyncClient, lrs: dict[str, str], path: str, params: Any, context: dict[str, Any]
) -> None:
    first = params()
    assert (await send(client, "POST", path, first, lrs, {"a": 1})).status_code == 204
    assert (await send(client, "GET", path, context, lrs)).json() == [first["profileId"]]
    between = datetime.now(UTC)
    second = params()
    assert (await send(client, "POST", path, second, lrs, {"a": 1})).status_code == 204
    since = await send(client, "GET", path, {**context, "since": between.isoformat()}, lrs)
    assert since.json() == [second["profileId"]]


@pytest.mark.parametrize(("path", "params"), RESOURCES, ids=RESOURCE_IDS)
async def test_preconditions_guard_every_write(
    client: httpx.AsyncClient, lrs: dict[str, str], path: str, params: Any
) -> None:
    where = params()
    create_only = {"If-None-Match": "*"}
    assert (await send(client, "PUT", path, where, lrs, {"v": 1}, **create_only)).status_code == 204
    again = await send(client, "PUT", path, where, lrs, {"v": 2}, **create_only)
    assert again.status_code == 412
    etag = (await send(client, "GET", path, where, lrs)).headers["etag"]
    stale = {"If-Match": f'"{"1" * 40}"'}
    for method, body in (("PUT", {"v": 3}), ("POST", {"w": 3}), ("DELETE", None)):
        refused = await send(client, method, path, where, lrs, body, **stale)
        assert refused.status_code == 412, method
    assert (await send(client, "GET", path, where, lrs)).json() == {"v": 1}
    assert (
        await send(client, "PUT", path, where, lrs, {"v": 4}, **{"If-Match": etag})
    ).status_code == 204
    newer = (await send(client, "GET", path, where, lrs)).headers["etag"]
    assert newer != etag
    assert (
        await send(client, "POST", path, where, lrs, {"w": 5}, **{"If-Match": newer})
    ).status_code == 204
    latest = (await send(client, "GET", path, where, lrs)).headers["etag"]
    post_new = await send(client, "POST", path, where, lrs, {"x": 1}, **create_only)
    assert post_new.status_code == 412
    assert (
        await send(client, "DELETE", path, where, lrs, **{"If-Match": latest})
    ).status_code == 204
    missing = await send(client, "PUT", path, where, lrs, {"v": 6}, **{"If-Match": latest})
    assert missing.status_code == 412
    assert (await send(client, "GET", path, where, lrs)).status_code == 404


@pytest.mark.parametrize(
    ("path", "params"),
    [(ACTIVITY_PROFILE, activity_profile), (AGENT_PROFILE, agent_profile)],
    ids=["activity-profile", "agent-profile"],
)
async def test_a_put_over_a_profile_without_either_header_conflicts(
    client: httpx.AsyncClient, lrs: dict[str, str], path: str, params: Any
) -> None:
    where = params()
    assert (
        await send(client, "PUT", path, where, lrs, {"v": 1}, **{"If-None-Match": "*"})
    ).status_code == 204
    conflict = await send(client, "PUT", path, where, lrs, {"v": 2})
    assert conflict.status_code == 409
    assert "If-Match" in conflict.json()["detail"]
    assert (await send(client, "GET", path, where, lrs)).json() == {"v": 1}


async def test_a_put_over_state_without_headers_replaces_it(
    client: httpx.AsyncClient, lrs: dict[str, str]
) -> None:
    where = state()
    assert (await send(client, "PUT", STATE, where, lrs, {"v": 1})).status_code == 204
    assert (await send(client, "PUT", STATE, where, lrs, {"w": 2})).status_code == 204
    assert (await send(client, "GET", STATE, where, lrs)).json() == {"w": 2}


BAD_STATE_PARAMS = [
    ("PUT", {"activityId": None}, "activityId"),
    ("PUT", {"activityId": "1"}, "activityId"),
    ("PUT", {"activityId": "true"}, "activityId"),
    ("PUT", {"activityId": "undefined"}, "activityId"),
    ("PUT", {"activityId": '{"key":"value"}'}, "activityId"),
    ("POST", {"agent": None}, "agent"),
    ("POST", {"agent": "not JSON"}, "agent"),
    ("POST", {"agent": "1"}, "agent"),
    ("GET", {"agent": {"objectType": "Agent"}}, "agent"),
    ("GET", {"agent": {"key": "value"}}, "agent.key"),
    ("GET", {"agent": {"mbox": "a@example.com"}}, "agent.mbox"),
    ("GET", {"agent": {"mbox": "mailto:a@example.com", "openid": "http://a"}}, "agent"),
    ("GET", {"agent": {"objectType": "Group", "mbox": "mailto:g@example.com"}}, "agent"),
    ("PUT", {"registration": "not UUID"}, "registration"),
    ("DELETE", {"registration": "1"}, "registration"),
    ("PUT", {"stateId": None}, "stateId"),
    ("POST", {"stateId": ""}, "stateId"),
    ("GET", {"since": "not a timestamp"}, "since"),
    ("GET", {"since": "1"}, "since"),
    ("DELETE", {"since": "2026-01-01T00:00:00Z"}, "since"),
    ("PUT", {"profileId": "p"}, "profileId"),
    ("GET", {"StateId": "x"}, "StateId"),
]


@pytest.mark.parametrize(("method", "change", "field"), BAD_STATE_PARAMS)
async def test_a_state_request_with_a_bad_parameter_is_a_400_naming_it(
    client: httpx.AsyncClient, lrs: dict[str, str], method: str, change: dict[str, Any], field: str
) -> None:
    params = {**state(), **change}
    body = {"a": 1} if method in ("PUT", "POST") else None
    refused = await send(client, method, STATE, params, lrs, body)
    assert refused.status_code == 400, refused.text
    assert refused.json()["errors"][0]["field"] == field


@pytest.mark.parametrize(
    ("path", "params", "change", "field"),
    [
        (ACTIVITY_PROFILE, activity_profile, {"activityId": None}, "activityId"),
        (ACTIVITY_PROFILE, activity_profile, {"profileId": None}, "profileId"),
        (ACTIVITY_PROFILE, activity_profile, {"agent": AGENT}, "agent"),
        (ACTIVITY_PROFILE, activity_profile, {"since": "true"}, "since"),
        (AGENT_PROFILE, agent_profile, {"agent": None}, "agent"),
        (AGENT_PROFILE, agent_profile, {"agent": "not Agent"}, "agent"),
        (AGENT_PROFILE, agent_profile, {"profileId": None}, "profileId"),
        (AGENT_PROFILE, agent_profile, {"activityId": ACTIVITY}, "activityId"),
        (AGENT_PROFILE, agent_profile, {"registration": str(uuid.uuid4())}, "registration"),
    ],
)
async def test_a_profile_request_with_a_bad_parameter_is_a_400_naming_it(
    client: httpx.AsyncClient,
    lrs: dict[str, str],
    path: str,
    params: Any,
    change: dict[str, Any],
    field: str,
) -> None:
    for method in ("PUT", "POST", "DELETE"):
        body = None if method == "DELETE" else {"a": 1}
        refused = await send(client, method, path, {**params(), **change}, lrs, body)
        assert refused.status_code == 400, (method, refused.text)
        assert refused.json()["errors"][0]["field"] == field


async def test_a_get_ignores_a_body_and_accepts_since_with_an_id(
    client: httpx.AsyncClient, lrs: dict[str, str]
) -> None:
    where = state()
    assert (await send(client, "POST", STATE, where, lrs, {"a": 1})).status_code == 204
    since = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    got = await send(client, "GET", STATE, {**where, "since": since}, lrs, {"ignored": True})
    assert got.json() == {"a": 1}


async def test_two_accounts_never_see_each_other_s_documents(
    client: httpx.AsyncClient, lrs: dict[str, str], other_learner: Account
) -> None:
    other = await xapi_headers(client, other_learner)
    where = state()
    assert (await send(client, "PUT", STATE, where, lrs, {"mine": 1})).status_code == 204
    assert (await send(client, "GET", STATE, where, other)).status_code == 404
    context = {"activityId": ACTIVITY, "agent": AGENT}
    assert (await send(client, "GET", STATE, context, other)).json() == []
    assert (await send(client, "PUT", STATE, where, other, {"theirs": 2})).status_code == 204
    assert (await send(client, "DELETE", STATE, context, other)).status_code == 204
    assert (await send(client, "GET", STATE, where, lrs)).json() == {"mine": 1}


async def test_a_key_of_the_same_account_sees_the_documents(
    client: httpx.AsyncClient, lrs: dict[str, str], learner: Account
) -> None:
    reader = await xapi_headers(client, learner, ("xapi:read",))
    where = agent_profile()
    assert (
        await send(client, "PUT", AGENT_PROFILE, where, lrs, {"a": 1}, **{"If-None-Match": "*"})
    ).status_code == 204
    assert (await send(client, "GET", AGENT_PROFILE, where, reader)).json() == {"a": 1}


@pytest.mark.parametrize(("path", "params"), RESOURCES, ids=RESOURCE_IDS)
async def test_writing_needs_the_write_scope_and_reading_a_read_scope(
    client: httpx.AsyncClient, learner: Account, path: str, params: Any
) -> None:
    reader = await xapi_headers(client, learner, ("xapi:read",))
    writer = await xapi_headers(client, learner, ("xapi:write",))
    other = await xapi_headers(client, learner, ("events:read",))
    where = params()
    for method in ("PUT", "POST", "DELETE"):
        body = None if method == "DELETE" else {"a": 1}
        assert (await send(client, method, path, where, reader, body)).status_code == 403
        assert (await send(client, method, path, where, other, body)).status_code == 403
    assert (await send(client, "GET", path, where, writer)).status_code == 403
    assert (await send(client, "GET", path, where, other)).status_code == 403
    unauthenticated = await client.get(
        f"{path}?{query(**where)}", headers={"X-Experience-API-Version": "1.0.3"}
    )
    assert unauthenticated.status_code == 401


async def test_the_alternate_syntax_stores_and_reads_a_document(
    client: httpx.AsyncClient, lrs: dict[str, str]
) -> None:
    where = state()
    form = {
        **{k: json.dumps(v) if isinstance(v, dict) else v for k, v in where.items()},
        "Authorization": lrs["Authorization"],
        "X-Experience-API-Version": "1.0.3",
        "Content-Type": "application/json",
        "content": json.dumps({"via": "form"}),
    }
    put = await client.post(f"{STATE}?method=PUT", data=form)
    assert put.status_code == 204, put.text
    assert (await send(client, "GET", STATE, where, lrs)).json() == {"via": "form"}
    read = {k: v for k, v in form.items() if k not in ("content", "Content-Type")}
    got = await client.post(f"{STATE}?method=GET", data=read)
    assert got.json() == {"via": "form"}


@pytest.mark.parametrize(("path", "params"), RESOURCES, ids=RESOURCE_IDS)
async def test_head_answers_a_document_s_headers_without_its_body(
    client: httpx.AsyncClient, lrs: dict[str, str], path: str, params: Any
) -> None:
    where = params()
    assert (
        await send(client, "PUT", path, where, lrs, {"a": 1}, **{"If-None-Match": "*"})
    ).status_code == 204
    got = await send(client, "GET", path, where, lrs)
    head = await send(client, "HEAD", path, where, lrs)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == got.headers["etag"]
    assert head.headers["last-modified"] == got.headers["last-modified"]


@pytest.mark.parametrize(("path", "params"), RESOURCES, ids=RESOURCE_IDS)
async def test_a_new_profile_document_is_put_with_if_none_match_and_a_state_without(
    client: httpx.AsyncClient, lrs: dict[str, str], path: str, params: Any
) -> None:
    response = await send(client, "PUT", path, params(), lrs, {"a": 1})
    if path == STATE:
        assert response.status_code == 204, response.text
    else:
        error = assert_problem(response, 400)["errors"][0]
        assert (error["rule"], error["field"]) == ("precondition.required", "If-None-Match")
