"""What the OpenAPI document promises about errors and inputs, read directly; the requests
themselves are checked against it by tests/test_openapi_conformance.py."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from questpath.app import create_app
from questpath.auth.rules import SCOPES, known_timezones
from questpath.config import Settings
from questpath.problems import PROBLEM_JSON
from tests.helpers import Account, assert_problem, field_errors

PROBLEM = {"schema": {"$ref": "#/components/schemas/Problem"}}


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('openapi') / 'q.db'}"
    app: FastAPI = create_app(Settings(database_url=url))
    return app.openapi()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def test_every_error_is_a_problem_document(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        for code, response in operation["responses"].items():
            if code.startswith("4"):
                assert response["content"] == {PROBLEM_JSON: PROBLEM}, (method, path, code)
    schemas = document["components"]["schemas"]
    assert schemas["Problem"]["required"] == ["type", "title", "status", "detail"]
    assert "HTTPValidationError" not in schemas


def test_errors_follow_from_what_an_operation_takes_and_who_may_call_it(
    document: dict[str, Any],
) -> None:
    for method, path, operation in operations(document):
        declared = set(operation["responses"])
        has_body = "requestBody" in operation
        parameters = operation.get("parameters", [])
        if "security" in operation:
            assert {"401", "403"} <= declared, (method, path)
        if any(parameter["in"] == "path" for parameter in parameters):
            assert "404" in declared, (method, path)
        if parameters or has_body:
            assert "422" in declared, (method, path)
        if has_body:
            assert {"400", "413"} <= declared, (method, path)


def test_route_specific_errors_are_declared(document: dict[str, Any]) -> None:
    login = document["paths"]["/api/auth/login"]["post"]["responses"]
    assert {"401", "429"} <= set(login)
    assert "409" in document["paths"]["/api/auth/register"]["post"]["responses"]
    assert "409" in document["paths"]["/api/api-keys"]["post"]["responses"]


def test_inputs_carry_the_constraints_the_code_enforces(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["ApiKeyCreate"]["properties"]["scopes"]["items"]["enum"] == list(SCOPES)
    timezone = schemas["UserCreate"]["properties"]["timezone"]
    assert set(timezone["enum"]) == known_timezones()
    assert schemas["UserCreate"]["properties"]["password"]["minLength"] == 10
    events = document["paths"]["/api/events"]["get"]["parameters"]
    cursor = next(p for p in events if p["name"] == "cursor")["schema"]["anyOf"][0]
    assert cursor["pattern"] == "^[A-Za-z0-9_-]+$"
    history = document["paths"]["/api/progress/history"]["get"]["parameters"]
    days = next(p for p in history if p["name"] == "days")["schema"]["anyOf"][0]
    assert (days["minimum"], days["maximum"]) == (1, 366)


async def test_a_refused_method_is_answered_with_every_method_of_the_path(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await client.put("/api/events", headers=learner.headers)

    assert_problem(response, 405)
    assert response.headers["allow"] == "GET, POST"


async def test_a_body_that_is_not_utf8_is_a_declared_400(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await client.post(
        "/api/goals",
        content=b"\xc3\x28",
        headers=learner.headers | {"Content-Type": "application/json"},
    )

    assert_problem(response, 400)


async def test_history_days_out_of_range_is_refused_naming_days(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await client.get("/api/progress/history?days=0", headers=learner.headers)

    assert "days" in field_errors(response)


def test_an_event_voided_before_is_declared_with_its_body(document: dict[str, Any]) -> None:
    void = document["paths"]["/api/events/{event_id}/void"]["post"]["responses"]
    assert void["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/EventRead"
    }


def test_imports_declare_that_they_refuse_other_media_types(document: dict[str, Any]) -> None:
    for method, path in (
        ("post", "/api/tracks/import"),
        ("put", "/api/tracks/{track_id}/markdown"),
        ("post", "/api/questions/import"),
    ):
        assert "415" in document["paths"][path][method]["responses"], path


async def test_a_refused_method_names_only_the_methods_of_the_path_it_matched(
    client: httpx.AsyncClient, learner: Account
) -> None:
    """/api/tracks/import also fits the pattern of /api/tracks/{track_id}: not its methods."""
    response = await client.request("OPTIONS", "/api/tracks/import", headers=learner.headers)

    assert_problem(response, 405)
    assert response.headers["allow"] == "POST"


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PATCH", "/api/tracks/import", "POST"),
        ("DELETE", "/api/questions/import", "POST"),
        ("POST", "/api/reviews/due", "GET"),
        ("POST", "/api/reviews/forecast", "GET"),
    ],
)
async def test_a_fixed_path_beside_an_id_pattern_refuses_other_methods_with_405(
    client: httpx.AsyncClient, learner: Account, method: str, path: str, allow: str
) -> None:
    """Ids are UUIDs, so `import` or `due` is never read as one (which gave a 422)."""
    response = await client.request(method, path, headers=learner.headers)

    assert_problem(response, 405)
    assert response.headers["allow"] == allow


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("PUT", "/api/users/me/day-start", {"day_start_hour": False}, "day_start_hour"),
        ("PUT", "/api/sharing", {"enabled": 0}, "enabled"),
        ("POST", "/api/progress/update-streak", {"at": 0}, "at"),
        ("POST", "/api/users/me/two-factor/confirm", {"code": "\ud800"}, "code"),
    ],
)
async def test_values_of_another_type_than_the_document_says_are_refused_naming_the_field(
    client: httpx.AsyncClient,
    learner: Account,
    method: str,
    path: str,
    body: dict[str, Any],
    field: str,
) -> None:
    response = await client.request(
        method,
        path,
        content=json.dumps(body),  # escapes a lone surrogate as JSON allows: "\ud800"
        headers=learner.headers | {"Content-Type": "application/json"},
    )

    assert field in field_errors(response)


async def test_a_number_is_not_a_moment_to_stream_from(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await client.get("/api/progress/stream?since=0.5", headers=learner.headers)

    assert "since" in field_errors(response)


async def test_a_whole_number_written_with_a_decimal_point_is_taken(
    client: httpx.AsyncClient, learner: Account
) -> None:
    """JSON has one number type: 2.0 is the whole number 2, as the document's `integer` says."""
    response = await client.put(
        "/api/users/me/day-start", json={"day_start_hour": 2.0}, headers=learner.headers
    )

    assert response.status_code == 200, response.text
    assert response.json()["day_start_hour"] == 2


def test_more_inputs_carry_their_constraints(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert "enum" in schemas["EventIn"]["properties"]["kind"]
    answer_time = schemas["QuizSubmit"]["properties"]["time_spent_seconds"]["anyOf"][0]
    assert (answer_time["minimum"], answer_time["maximum"]) == (0, 24 * 3600)
    deletion = document["paths"]["/api/users/me/deletion"]["delete"]["responses"]
    assert "409" in deletion
    assert "404" in document["paths"]["/api/quizzes"]["post"]["responses"]


def test_a_created_resource_links_to_what_its_id_opens(document: dict[str, Any]) -> None:
    created = document["paths"]["/api/tracks/import"]["post"]["responses"]["201"]["links"]
    track = document["paths"]["/api/tracks/{track_id}"]
    for operation in track.values():
        link = created[operation["operationId"]]
        assert link == {
            "operationId": operation["operationId"],
            "parameters": {"track_id": "$response.body#/id"},
        }
    recorded = document["paths"]["/api/events"]["post"]["responses"]["201"]["links"]
    read = document["paths"]["/api/events/{event_id}"]["get"]["operationId"]
    assert recorded[read]["parameters"] == {"event_id": "$response.body#/results/0/id"}
