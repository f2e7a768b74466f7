"""The event log API through the real app: recording events one at a time and in batches,
idempotency by event id (also under concurrency and across a restart), validation that rejects
whole submissions, local dates fixed at ingestion, keyset pagination, and per-learner isolation."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI

from questpath.app import create_app
from questpath.auth import service as auth_service
from questpath.config import Settings
from questpath.db import transaction
from tests.helpers import (
    Account,
    all_events,
    assert_problem,
    field_errors,
    post_events,
    read_json,
    register_account,
)

EVENT_FIELDS = {
    "id",
    "user_id",
    "kind",
    "occurred_at",
    "recorded_at",
    "local_date",
    "topic",
    "grade",
    "time_spent_seconds",
    "hints_used",
    "metadata",
    "voided_by",
}
KNOWN_KINDS = ("check_in", "exercise_completed", "project_completed", "study_session")
MAX_METADATA_BYTES = 4096
# The compact JSON of {"note": ""} is 11 bytes; the note fills the rest.
METADATA_OVERHEAD = len('{"note":""}')
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "an admin's own long passphrase"


def spaced_times(start: datetime, step: timedelta, count: int) -> list[str]:
    """`count` ISO 8601 times, `step` apart from `start`, oldest first."""
    return [(start + step * i).isoformat() for i in range(count)]


def recorded(response: httpx.Response) -> dict[str, Any]:
    """The body of a 201 from POST /api/events."""
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert body.keys() == {"created", "duplicates", "results", "achievements_unlocked"}
    return body


def statuses(response: httpx.Response) -> list[str]:
    return [result["status"] for result in recorded(response)["results"]]


def instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


def iso_in(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat()


def make_cursor(values: Any) -> str:
    raw = json.dumps(values).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def read_event(
    client: httpx.AsyncClient, headers: dict[str, str], event_id: str, **params: str
) -> httpx.Response:
    return await client.get(f"/api/events/{event_id}", params=params, headers=headers)


async def list_page(
    client: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> httpx.Response:
    return await client.get("/api/events", params=params, headers=headers)


def ids(events: list[dict[str, Any]]) -> list[str]:
    return [event["id"] for event in events]


@pytest.fixture
async def admin(client: httpx.AsyncClient, app: FastAPI) -> Account:
    """An admin made the way `questpath create-admin` makes one, signed in through the API."""
    async with transaction(app.state.sessionmaker) as session:
        user, created = await auth_service.create_admin(
            session, ADMIN_EMAIL, ADMIN_PASSWORD, None, datetime.now(UTC)
        )
        assert created
        admin_id = str(user.id)
    response = await client.post(
        "/api/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return Account(id=admin_id, email=ADMIN_EMAIL, token=response.json()["access_token"])


# Recording one event


async def test_a_single_event_is_created_and_readable_with_the_fields_posted(
    client: httpx.AsyncClient, learner: Account
) -> None:
    metadata = {"exercise": "fibonacci", "attempt": 3, "tags": ["recursion", "memo"], "ok": True}
    event = {
        "id": "exercise-42",
        "kind": "exercise_completed",
        "occurred_at": "2025-05-04T09:15:30+02:00",
        "topic": "Recursion",
        "grade": 87.5,
        "time_spent_seconds": 1200,
        "hints_used": 2,
        "metadata": metadata,
    }

    response = await post_events(client, learner.headers, event)

    body = recorded(response)
    assert {k: v for k, v in body.items() if k != "achievements_unlocked"} == {
        "created": 1,
        "duplicates": 0,
        "results": [{"index": 0, "id": "exercise-42", "user_id": learner.id, "status": "created"}],
    }
    assert [(a["id"], a["user_id"]) for a in body["achievements_unlocked"]] == [
        ("first-exercise", learner.id)
    ]
    read = await read_event(client, learner.headers, "exercise-42")
    assert read.status_code == 200, read.text
    stored = read.json()
    assert stored.keys() == EVENT_FIELDS
    assert stored["id"] == "exercise-42"
    assert stored["user_id"] == learner.id
    assert stored["kind"] == "exercise_completed"
    assert instant(stored["occurred_at"]) == datetime(2025, 5, 4, 7, 15, 30, tzinfo=UTC)
    assert instant(stored["occurred_at"]).utcoffset() == timedelta(0)
    assert stored["local_date"] == "2025-05-04"
    assert stored["topic"] == "Recursion"
    assert stored["grade"] == 87.5
    assert stored["time_spent_seconds"] == 1200
    assert stored["hints_used"] == 2
    assert stored["metadata"] == metadata
    assert abs(datetime.now(UTC) - instant(stored["recorded_at"])) < timedelta(minutes=1)
    assert await all_events(client, learner.headers) == [stored]


async def test_an_event_without_id_or_time_gets_a_generated_id_and_happens_now(
    client: httpx.AsyncClient, learner: Account
) -> None:
    first = recorded(await post_events(client, learner.headers, {"kind": "project_completed"}))
    second = recorded(await post_events(client, learner.headers, {"kind": "project_completed"}))

    generated = [first["results"][0]["id"], second["results"][0]["id"]]
    assert [first["created"], second["created"]] == [1, 1]
    assert generated[0] != generated[1]
    for event_id in generated:
        assert uuid.UUID(event_id)
    read = await read_event(client, learner.headers, generated[0])
    assert read.status_code == 200, read.text
    stored = read.json()
    assert stored["kind"] == "project_completed"
    assert abs(datetime.now(UTC) - instant(stored["occurred_at"])) < timedelta(minutes=1)
    assert stored["local_date"] == instant(stored["occurred_at"]).date().isoformat()
    assert [stored["topic"], stored["grade"], stored["metadata"]] == [None, None, None]
    assert sorted(ids(await all_events(client, learner.headers))) == sorted(generated)


async def test_a_study_session_with_its_time_spent_is_recorded(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await post_events(
        client,
        learner.headers,
        {"id": "session-1", "kind": "study_session", "time_spent_seconds": 0, "topic": "  SQL  "},
    )

    assert statuses(response) == ["created"]
    stored = (await read_event(client, learner.headers, "session-1")).json()
    assert stored["kind"] == "study_session"
    assert stored["time_spent_seconds"] == 0
    assert stored["topic"] == "SQL"


# Idempotency


async def test_reposting_an_id_is_a_duplicate_and_the_first_version_is_kept(
    client: httpx.AsyncClient, learner: Account
) -> None:
    event = {"id": "retry-me", "kind": "exercise_completed", "grade": 70}
    assert statuses(await post_events(client, learner.headers, event)) == ["created"]

    response = await post_events(client, learner.headers, {**event, "grade": 95})

    assert recorded(response) == {
        "created": 0,
        "duplicates": 1,
        "achievements_unlocked": [],
        "results": [{"index": 0, "id": "retry-me", "user_id": learner.id, "status": "duplicate"}],
    }
    events = await all_events(client, learner.headers)
    assert [(e["id"], e["grade"]) for e in events] == [("retry-me", 70)]


async def test_a_batch_reports_new_and_already_stored_events(
    client: httpx.AsyncClient, learner: Account
) -> None:
    assert statuses(
        await post_events(client, learner.headers, {"id": "old", "kind": "exercise_completed"})
    ) == ["created"]

    response = await post_events(
        client,
        learner.headers,
        {
            "events": [
                {"id": "new", "kind": "project_completed"},
                {"id": "old", "kind": "exercise_completed"},
            ]
        },
    )

    body = recorded(response)
    assert (body["created"], body["duplicates"]) == (1, 1)
    assert [(r["index"], r["id"], r["user_id"], r["status"]) for r in body["results"]] == [
        (0, "new", learner.id, "created"),
        (1, "old", learner.id, "duplicate"),
    ]
    assert sorted(ids(await all_events(client, learner.headers))) == ["new", "old"]


async def test_an_id_repeated_inside_one_batch_is_stored_once_from_its_first_appearance(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await post_events(
        client,
        learner.headers,
        {
            "events": [
                {"id": "twice", "kind": "exercise_completed", "grade": 50},
                {"id": "once", "kind": "exercise_completed"},
                {"id": "twice", "kind": "exercise_completed", "grade": 60},
            ]
        },
    )

    body = recorded(response)
    assert (body["created"], body["duplicates"]) == (2, 1)
    assert [(r["id"], r["status"]) for r in body["results"]] == [
        ("twice", "created"),
        ("once", "created"),
        ("twice", "duplicate"),
    ]
    events = {e["id"]: e for e in await all_events(client, learner.headers)}
    assert sorted(events) == ["once", "twice"]
    assert events["twice"]["grade"] == 50


async def test_the_same_event_id_from_two_learners_is_two_events(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    event = {"id": "lesson-1", "kind": "exercise_completed"}

    mine = await post_events(client, learner.headers, {**event, "grade": 80})
    theirs = await post_events(client, other_learner.headers, {**event, "grade": 40})

    assert recorded(mine)["results"] == [
        {"index": 0, "id": "lesson-1", "user_id": learner.id, "status": "created"}
    ]
    assert recorded(theirs)["results"] == [
        {"index": 0, "id": "lesson-1", "user_id": other_learner.id, "status": "created"}
    ]
    my_events = await all_events(client, learner.headers)
    their_events = await all_events(client, other_learner.headers)
    assert [(e["id"], e["user_id"], e["grade"]) for e in my_events] == [
        ("lesson-1", learner.id, 80)
    ]
    assert [(e["id"], e["user_id"], e["grade"]) for e in their_events] == [
        ("lesson-1", other_learner.id, 40)
    ]


# Validation: a submission is stored whole or not at all


async def test_a_batch_with_one_invalid_event_is_refused_and_stores_nothing(
    client: httpx.AsyncClient, learner: Account
) -> None:
    assert statuses(
        await post_events(client, learner.headers, {"id": "kept", "kind": "project_completed"})
    ) == ["created"]
    before = await all_events(client, learner.headers)

    response = await post_events(
        client,
        learner.headers,
        {
            "events": [
                {"id": "first", "kind": "exercise_completed", "grade": 90},
                {"id": "second", "kind": "exercise_completed", "grade": 101},
                {"id": "third", "kind": "exercise_completed", "grade": 75},
            ]
        },
    )

    errors = field_errors(response)
    assert list(errors) == ["events[1].grade"]
    assert "100" in errors["events[1].grade"]
    assert await all_events(client, learner.headers) == before
    assert ids(before) == ["kept"]


async def test_a_batch_names_every_invalid_event_by_its_index(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await post_events(
        client,
        learner.headers,
        {
            "events": [
                {"id": "a", "kind": "exercise_completed", "grade": -3},
                {"id": "b", "kind": "exercise_completed"},
                {"id": "c", "kind": "exercise_finished"},
                {"id": "d", "kind": "exercise_completed", "xp": 10},
            ]
        },
    )

    errors = field_errors(response)
    assert set(errors) == {"events[0].grade", "events[2].kind", "events[3].xp"}
    assert await all_events(client, learner.headers) == []


async def test_a_batch_with_one_event_in_the_future_names_its_occurred_at(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await post_events(
        client,
        learner.headers,
        {
            "events": [
                {"id": "past", "kind": "exercise_completed", "occurred_at": iso_in(-timedelta(1))},
                {"id": "now", "kind": "exercise_completed"},
                {
                    "id": "later",
                    "kind": "exercise_completed",
                    "occurred_at": iso_in(timedelta(hours=1)),
                },
            ]
        },
    )

    errors = field_errors(response)
    assert list(errors) == ["events[2].occurred_at"]
    assert "future" in errors["events[2].occurred_at"]
    assert await all_events(client, learner.headers) == []


def _event(**fields: Any) -> dict[str, Any]:
    return {"id": "invalid-1", "kind": "exercise_completed", **fields}


@pytest.mark.parametrize(
    ("event", "field", "hint"),
    [
        pytest.param(
            _event(occurred_at="2025-01-01T10:00:00"), "occurred_at", "timezone", id="naive"
        ),
        pytest.param(_event(occurred_at="yesterday"), "occurred_at", None, id="not-a-date"),
        pytest.param(
            _event(occurred_at="1969-12-31T23:59:59Z"), "occurred_at", "1970", id="before-1970"
        ),
        pytest.param(_event(grade=-1), "grade", "0", id="grade-negative"),
        pytest.param(_event(grade=100.5), "grade", "100", id="grade-over-100"),
        pytest.param(_event(grade="90"), "grade", None, id="grade-string"),
        pytest.param(_event(grade=True), "grade", None, id="grade-boolean"),
        pytest.param(_event(hints_used=-1), "hints_used", "0", id="hints-negative"),
        pytest.param(_event(hints_used="2"), "hints_used", None, id="hints-string"),
        pytest.param(_event(time_spent_seconds=-5), "time_spent_seconds", "0", id="time-negative"),
        pytest.param(_event(time_spent_seconds=1.5), "time_spent_seconds", None, id="time-float"),
        pytest.param(_event(topic="t" * 101), "topic", "100", id="topic-too-long"),
        pytest.param(_event(topic="   "), "topic", None, id="topic-blank"),
        pytest.param(_event(id="i" * 129), "id", "128", id="id-too-long"),
        pytest.param(_event(id=""), "id", None, id="id-empty"),
        pytest.param(_event(id="line\nbreak"), "id", None, id="id-control-character"),
        pytest.param(_event(id=42), "id", None, id="id-number"),
        pytest.param({"id": "invalid-1"}, "kind", None, id="kind-missing"),
        pytest.param(_event(user_id="not-a-uuid"), "user_id", None, id="user-id-not-a-uuid"),
        pytest.param(_event(xp=10), "xp", None, id="unknown-field"),
        pytest.param(_event(metadata=["a", "list"]), "metadata", None, id="metadata-not-object"),
        pytest.param(
            _event(metadata={"note": "x" * (MAX_METADATA_BYTES - METADATA_OVERHEAD + 1)}),
            "metadata",
            "4096",
            id="metadata-4097-bytes",
        ),
        pytest.param(
            # 2,054 characters, but 4,097 bytes of UTF-8: the limit is in bytes.
            _event(metadata={"note": "é" * ((MAX_METADATA_BYTES - METADATA_OVERHEAD + 1) // 2)}),
            "metadata",
            "4096",
            id="metadata-4097-bytes-multibyte",
        ),
    ],
)
async def test_an_invalid_event_is_refused_naming_the_field_and_nothing_is_stored(
    client: httpx.AsyncClient, learner: Account, event: dict[str, Any], field: str, hint: str | None
) -> None:
    response = await post_events(client, learner.headers, event)

    errors = field_errors(response)
    assert list(errors) == [field]
    if hint is not None:
        assert hint in errors[field]
    assert await all_events(client, learner.headers) == []


async def test_an_unknown_kind_is_refused_listing_the_known_kinds(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await post_events(client, learner.headers, {"kind": "quiz_passed"})

    errors = field_errors(response)
    assert list(errors) == ["kind"]
    assert "quiz_passed" in errors["kind"]
    for kind in KNOWN_KINDS:
        assert kind in errors["kind"]
    assert await all_events(client, learner.headers) == []


@pytest.mark.parametrize(
    "time_spent",
    [pytest.param({}, id="absent"), pytest.param({"time_spent_seconds": None}, id="null")],
)
async def test_a_study_session_without_time_spent_is_refused(
    client: httpx.AsyncClient, learner: Account, time_spent: dict[str, Any]
) -> None:
    single = await post_events(client, learner.headers, {"kind": "study_session", **time_spent})
    in_batch = await post_events(
        client,
        learner.headers,
        {"events": [{"kind": "project_completed"}, {"kind": "study_session", **time_spent}]},
    )

    assert field_errors(single) == {"time_spent_seconds": "is required for study_session events"}
    assert field_errors(in_batch) == {
        "events[1].time_spent_seconds": "is required for study_session events"
    }
    assert await all_events(client, learner.headers) == []


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [
        pytest.param(timedelta(minutes=10), False, id="10-minutes-ahead"),
        pytest.param(timedelta(hours=30), False, id="30-hours-ahead"),
        pytest.param(timedelta(minutes=4), True, id="4-minutes-ahead"),
        pytest.param(-timedelta(days=400), True, id="400-days-ago"),
    ],
)
async def test_occurred_at_may_be_at_most_five_minutes_in_the_future(
    client: httpx.AsyncClient, learner: Account, offset: timedelta, accepted: bool
) -> None:
    occurred_at = datetime.now(UTC) + offset

    response = await post_events(
        client,
        learner.headers,
        {"id": "timed", "kind": "exercise_completed", "occurred_at": occurred_at.isoformat()},
    )

    if accepted:
        assert statuses(response) == ["created"]
        events = await all_events(client, learner.headers)
        assert [instant(e["occurred_at"]) for e in events] == [occurred_at]
    else:
        errors = field_errors(response)
        assert list(errors) == ["occurred_at"]
        assert "5 minutes in the future" in errors["occurred_at"]
        assert await all_events(client, learner.headers) == []


async def test_metadata_of_exactly_the_byte_limit_is_accepted_unchanged(
    client: httpx.AsyncClient, learner: Account
) -> None:
    note = "é" * 10 + "x" * (MAX_METADATA_BYTES - METADATA_OVERHEAD - 20)
    metadata = {"note": note}
    assert len(json.dumps(metadata, separators=(",", ":"), ensure_ascii=False).encode()) == 4096

    response = await post_events(
        client,
        learner.headers,
        {"id": "big-notes", "kind": "project_completed", "metadata": metadata},
    )

    assert statuses(response) == ["created"]
    stored = (await read_event(client, learner.headers, "big-notes")).json()
    assert stored["metadata"] == metadata


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"events": []}, id="empty"),
        pytest.param({"events": {"kind": "exercise_completed"}}, id="not-a-list"),
        pytest.param(
            {"events": [{"kind": "exercise_completed"} for _ in range(1001)]}, id="1001-events"
        ),
    ],
)
async def test_a_batch_must_hold_1_to_1000_events(
    client: httpx.AsyncClient, learner: Account, body: dict[str, Any]
) -> None:
    response = await post_events(client, learner.headers, body)

    assert list(field_errors(response)) == ["events"]
    assert await all_events(client, learner.headers) == []


async def test_a_batch_with_an_unknown_top_level_field_is_refused(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await post_events(
        client,
        learner.headers,
        {"events": [{"kind": "exercise_completed"}], "source": "grader"},
    )

    assert list(field_errors(response)) == ["source"]
    assert await all_events(client, learner.headers) == []


async def test_a_batch_of_1000_events_is_recorded_whole(
    client: httpx.AsyncClient, learner: Account
) -> None:
    batch = [
        {"id": f"bulk-{i:04d}", "kind": "exercise_completed", "grade": i % 101} for i in range(1000)
    ]

    response = await post_events(client, learner.headers, {"events": batch})

    body = recorded(response)
    assert (body["created"], body["duplicates"]) == (1000, 0)
    assert [r["index"] for r in body["results"]] == list(range(1000))
    assert {r["status"] for r in body["results"]} == {"created"}
    events = await all_events(client, learner.headers)
    assert len(events) == 1000
    assert sorted(ids(events)) == [f"bulk-{i:04d}" for i in range(1000)]


# Values the backends cannot all store must be refused, the same way on each backend


async def test_a_topic_with_a_nul_character_is_refused_naming_topic(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await post_events(
        client, learner.headers, {"id": "nul", "kind": "exercise_completed", "topic": "SQL\u0000"}
    )

    assert list(field_errors(response)) == ["topic"]
    assert await all_events(client, learner.headers) == []


async def test_metadata_with_a_nul_character_is_refused_naming_metadata(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await post_events(
        client,
        learner.headers,
        {"id": "nul", "kind": "exercise_completed", "metadata": {"note": "a\u0000b"}},
    )

    assert list(field_errors(response)) == ["metadata"]
    assert await all_events(client, learner.headers) == []


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
async def test_metadata_with_a_non_finite_number_is_refused(
    client: httpx.AsyncClient, learner: Account, number: str
) -> None:
    # Not JSON, but Python's parser reads it; stored, it would not come back as it was sent.
    content = f'{{"id": "odd", "kind": "exercise_completed", "metadata": {{"score": {number}}}}}'

    response = await client.post(
        "/api/events",
        content=content.encode(),
        headers={**learner.headers, "content-type": "application/json"},
    )

    assert set(field_errors(response)) <= {"metadata", "body"}
    assert await all_events(client, learner.headers) == []


# Local dates


@pytest.mark.parametrize(
    ("timezone", "occurred_at", "local_date"),
    [
        pytest.param("Pacific/Auckland", "2025-03-10T23:30:00+00:00", "2025-03-11", id="auckland"),
        pytest.param("America/New_York", "2025-03-10T02:30:00Z", "2025-03-09", id="new-york"),
        pytest.param("Europe/Paris", "2025-07-01T21:30:00Z", "2025-07-01", id="paris-utc"),
        pytest.param("Europe/Paris", "2025-07-01T23:30:00+02:00", "2025-07-01", id="paris-local"),
        pytest.param("Europe/Paris", "2025-07-01T22:30:00Z", "2025-07-02", id="paris-midnight"),
        pytest.param("UTC", "2025-07-01T23:59:59-00:30", "2025-07-02", id="utc"),
    ],
)
async def test_local_date_is_the_day_in_the_learners_timezone(
    client: httpx.AsyncClient, timezone: str, occurred_at: str, local_date: str
) -> None:
    account = await register_account(client, "zoned@example.com", timezone=timezone)

    response = await post_events(
        client,
        account.headers,
        {"id": "zoned-1", "kind": "exercise_completed", "occurred_at": occurred_at},
    )

    assert statuses(response) == ["created"]
    stored = (await read_event(client, account.headers, "zoned-1")).json()
    assert stored["local_date"] == local_date
    assert instant(stored["occurred_at"]) == instant(occurred_at)
    assert [e["local_date"] for e in await all_events(client, account.headers)] == [local_date]


async def test_changing_the_timezone_keeps_past_local_dates_and_applies_to_new_events(
    client: httpx.AsyncClient,
) -> None:
    account = await register_account(client, "traveller@example.com", timezone="America/New_York")
    occurred_at = "2025-03-10T02:30:00Z"
    assert statuses(
        await post_events(
            client,
            account.headers,
            {"id": "before-move", "kind": "exercise_completed", "occurred_at": occurred_at},
        )
    ) == ["created"]

    moved = await client.patch(
        "/api/users/me", json={"timezone": "Asia/Tokyo"}, headers=account.headers
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["timezone"] == "Asia/Tokyo"
    response = await post_events(
        client,
        account.headers,
        {"id": "after-move", "kind": "exercise_completed", "occurred_at": occurred_at},
    )

    assert statuses(response) == ["created"]
    events = {e["id"]: e for e in await all_events(client, account.headers)}
    assert events["before-move"]["local_date"] == "2025-03-09"
    assert events["after-move"]["local_date"] == "2025-03-10"
    # Re-posting the old event is a duplicate and does not re-date it either.
    repost = await post_events(
        client,
        account.headers,
        {"id": "before-move", "kind": "exercise_completed", "occurred_at": occurred_at},
    )
    assert statuses(repost) == ["duplicate"]
    old = (await read_event(client, account.headers, "before-move")).json()
    assert old["local_date"] == "2025-03-09"


# Reading the log


async def test_pages_list_every_event_once_newest_first_with_ties_broken_by_id(
    client: httpx.AsyncClient, learner: Account
) -> None:
    events = [
        {"id": "e-oldest", "occurred_at": "2025-03-30T08:00:00Z"},
        {"id": "e-older", "occurred_at": "2025-03-31T08:00:00Z"},
        # One instant written with three offsets: ordered by id among themselves.
        {"id": "tie2", "occurred_at": "2025-04-01T12:00:00Z"},
        {"id": "tie1", "occurred_at": "2025-04-01T14:00:00+02:00"},
        {"id": "tie3", "occurred_at": "2025-04-01T08:00:00-04:00"},
        {"id": "e-newer", "occurred_at": "2025-04-01T12:00:00.000001Z"},
        {"id": "e-newest", "occurred_at": "2025-04-02T00:00:00+05:30"},
    ]
    body = {"events": [{**event, "kind": "exercise_completed"} for event in events]}
    assert recorded(await post_events(client, learner.headers, body))["created"] == 7
    expected = [
        "e-newest",
        "e-newer",
        "tie3",
        "tie2",
        "tie1",
        "e-older",
        "e-oldest",
    ]

    pages: list[list[str]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3}
        if cursor is not None:
            params["cursor"] = cursor
        response = await list_page(client, learner.headers, **params)
        assert response.status_code == 200, response.text
        page = response.json()
        assert page.keys() == {"items", "next_cursor"}
        pages.append(ids(page["items"]))
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert len(pages) < 10, "the cursor never ran out"

    assert pages == [expected[0:3], expected[3:6], expected[6:7]]
    # Without a limit, one page of at most 50 holds them all.
    whole = (await list_page(client, learner.headers)).json()
    assert ids(whole["items"]) == expected
    assert whole["next_cursor"] is None


async def test_a_full_last_page_has_no_next_cursor(
    client: httpx.AsyncClient, learner: Account
) -> None:
    body = {"events": [{"id": f"e{i}", "kind": "project_completed"} for i in range(4)]}
    assert recorded(await post_events(client, learner.headers, body))["created"] == 4

    first = (await list_page(client, learner.headers, limit=2)).json()
    second = (await list_page(client, learner.headers, limit=2, cursor=first["next_cursor"])).json()
    exact = (await list_page(client, learner.headers, limit=4)).json()

    assert len(first["items"]) == 2
    assert first["next_cursor"] is not None
    assert len(second["items"]) == 2
    assert second["next_cursor"] is None
    assert len(exact["items"]) == 4
    assert exact["next_cursor"] is None


async def test_the_default_page_holds_50_events(
    client: httpx.AsyncClient, learner: Account
) -> None:
    batch = [
        {
            "id": f"daily-{i:02d}",
            "kind": "study_session",
            "time_spent_seconds": 600,
            "occurred_at": at,
        }
        for i, at in enumerate(
            spaced_times(datetime(2025, 1, 1, tzinfo=UTC), timedelta(days=1), 51)
        )
    ]
    assert recorded(await post_events(client, learner.headers, {"events": batch}))["created"] == 51

    first = (await list_page(client, learner.headers)).json()
    rest = (await list_page(client, learner.headers, cursor=first["next_cursor"])).json()

    assert ids(first["items"]) == [f"daily-{i:02d}" for i in range(50, 0, -1)]
    assert ids(rest["items"]) == ["daily-00"]
    assert rest["next_cursor"] is None


async def test_events_recorded_while_paging_neither_repeat_nor_hide_older_ones(
    client: httpx.AsyncClient, learner: Account
) -> None:
    batch = [
        {"id": f"p{i}", "kind": "exercise_completed", "occurred_at": at}
        for i, at in enumerate(
            spaced_times(datetime(2025, 6, 1, tzinfo=UTC), timedelta(hours=1), 6)
        )
    ]
    assert recorded(await post_events(client, learner.headers, {"events": batch}))["created"] == 6
    first = (await list_page(client, learner.headers, limit=3)).json()

    # A newer event arrives between two page requests.
    assert statuses(
        await post_events(client, learner.headers, {"id": "late", "kind": "project_completed"})
    ) == ["created"]
    second = (await list_page(client, learner.headers, limit=3, cursor=first["next_cursor"])).json()

    assert ids(first["items"]) == ["p5", "p4", "p3"]
    assert ids(second["items"]) == ["p2", "p1", "p0"]
    assert second["next_cursor"] is None
    assert ids(await all_events(client, learner.headers))[0] == "late"


@pytest.mark.parametrize(
    "cursor",
    [
        pytest.param("not a cursor", id="garbage"),
        pytest.param("!!!!", id="not-base64"),
        pytest.param(make_cursor({"at": "2025-01-01T00:00:00+00:00"}), id="not-a-list"),
        pytest.param(make_cursor(["2025-01-01T00:00:00+00:00"]), id="too-short"),
        pytest.param(make_cursor(["2025-01-01T00:00:00+00:00", "x", "y"]), id="too-long"),
        pytest.param(make_cursor(["yesterday", "x"]), id="not-a-date"),
        pytest.param(make_cursor([20250101, "x"]), id="a-number"),
        pytest.param(make_cursor(["2025-01-01T00:00:00", "x"]), id="naive-date"),
        pytest.param("A" * 513, id="over-512-characters"),
    ],
)
async def test_an_invalid_cursor_is_refused_naming_cursor(
    client: httpx.AsyncClient, learner: Account, cursor: str
) -> None:
    response = await list_page(client, learner.headers, cursor=cursor)

    assert list(field_errors(response)) == ["cursor"]


@pytest.mark.parametrize(
    "occurred_at",
    [
        pytest.param("9999-12-31T23:59:59-14:00", id="after-9999"),
        pytest.param("0001-01-01T00:00:00+14:00", id="before-year-1"),
    ],
)
async def test_a_cursor_whose_date_is_out_of_range_in_utc_is_refused_naming_cursor(
    client: httpx.AsyncClient, learner: Account, occurred_at: str
) -> None:
    response = await list_page(client, learner.headers, cursor=make_cursor([occurred_at, "x"]))

    assert list(field_errors(response)) == ["cursor"]


@pytest.mark.parametrize("limit", ["0", "-1", "501", "ten"])
async def test_a_limit_outside_1_to_500_is_refused_naming_limit(
    client: httpx.AsyncClient, learner: Account, limit: str
) -> None:
    response = await list_page(client, learner.headers, limit=limit)

    assert list(field_errors(response)) == ["limit"]


async def test_limit_500_is_allowed(client: httpx.AsyncClient, learner: Account) -> None:
    response = await list_page(client, learner.headers, limit=500)

    assert response.status_code == 200, response.text
    assert response.json() == {"items": [], "next_cursor": None}


async def test_reading_an_unknown_event_id_is_not_found(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await read_event(client, learner.headers, "never-recorded")

    body = assert_problem(response, 404)
    assert "never-recorded" in body["detail"]


async def test_an_event_id_the_api_accepts_can_be_read_back_by_id(
    client: httpx.AsyncClient, learner: Account
) -> None:
    # Event ids are the client's own keys; ones shaped like paths are common.
    event_id = "course/unit-3/exercise 7?try=2#done"

    response = await post_events(
        client, learner.headers, {"id": event_id, "kind": "project_completed"}
    )

    if response.status_code == 422:
        # Refusing such ids up front would also be consistent.
        assert list(field_errors(response)) == ["id"]
        return
    assert statuses(response) == ["created"]
    read = await client.get("/api/events/" + quote(event_id, safe=""), headers=learner.headers)
    assert read.status_code == 200, read.text
    assert read.json()["id"] == event_id


# Isolation between learners


async def test_learners_see_only_their_own_events(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    assert statuses(
        await post_events(client, learner.headers, {"id": "mine", "kind": "exercise_completed"})
    ) == ["created"]
    assert statuses(
        await post_events(
            client, other_learner.headers, {"id": "theirs", "kind": "exercise_completed"}
        )
    ) == ["created"]

    assert ids(await all_events(client, learner.headers)) == ["mine"]
    assert ids(await all_events(client, other_learner.headers)) == ["theirs"]
    # Naming oneself explicitly is allowed.
    own = await list_page(client, learner.headers, user_id=learner.id)
    assert own.status_code == 200, own.text
    assert ids(own.json()["items"]) == ["mine"]


async def test_a_learner_cannot_list_another_learners_events(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    assert statuses(
        await post_events(client, learner.headers, {"id": "private", "kind": "exercise_completed"})
    ) == ["created"]

    response = await list_page(client, other_learner.headers, user_id=learner.id)

    body = assert_problem(response, 403)
    assert "private" not in response.text
    assert "own" in body["detail"]


async def test_a_learner_cannot_read_another_learners_event(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    assert statuses(
        await post_events(client, learner.headers, {"id": "private", "kind": "exercise_completed"})
    ) == ["created"]

    by_id = await read_event(client, other_learner.headers, "private")
    naming_the_owner = await read_event(
        client, other_learner.headers, "private", user_id=learner.id
    )

    assert_problem(by_id, 404)
    assert_problem(naming_the_owner, 403)
    assert (await read_event(client, learner.headers, "private")).status_code == 200


async def test_a_learner_cannot_record_an_event_for_another_learner(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    single = await post_events(
        client,
        learner.headers,
        {"id": "forged", "kind": "exercise_completed", "user_id": other_learner.id},
    )
    batch = await post_events(
        client,
        learner.headers,
        {
            "events": [
                {"id": "honest", "kind": "exercise_completed"},
                {"id": "forged", "kind": "exercise_completed", "user_id": other_learner.id},
            ]
        },
    )

    assert "user_id" in assert_problem(single, 403)["detail"]
    assert "events[1].user_id" in assert_problem(batch, 403)["detail"]
    assert await all_events(client, other_learner.headers) == []
    assert await all_events(client, learner.headers) == []


async def test_a_learner_may_name_themself_as_the_owner(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await post_events(
        client, learner.headers, {"id": "self", "kind": "exercise_completed", "user_id": learner.id}
    )

    assert recorded(response)["results"][0]["user_id"] == learner.id
    assert ids(await all_events(client, learner.headers)) == ["self"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("POST", "/api/events", id="record"),
        pytest.param("GET", "/api/events", id="list"),
        pytest.param("GET", "/api/events/some-id", id="read"),
    ],
)
@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-token"),
        pytest.param({"Authorization": "Bearer not-a-real-token"}, id="bad-token"),
    ],
)
async def test_the_event_api_requires_signing_in(
    client: httpx.AsyncClient,
    learner: Account,
    method: str,
    path: str,
    headers: dict[str, str],
) -> None:
    body = {"id": "anonymous", "kind": "exercise_completed"} if method == "POST" else None

    response = await client.request(method, path, json=body, headers=headers)

    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"
    assert await all_events(client, learner.headers) == []


# Concurrency and restarts


async def test_concurrent_posts_of_one_event_store_it_once(
    client: httpx.AsyncClient, learner: Account
) -> None:
    event = {"id": "raced", "kind": "exercise_completed", "grade": 88}

    responses = await asyncio.gather(
        *(post_events(client, learner.headers, event) for _ in range(20))
    )

    assert [r.status_code for r in responses] == [201] * 20, [r.text for r in responses]
    outcomes = sorted(status for r in responses for status in statuses(r))
    assert outcomes == ["created"] + ["duplicate"] * 19
    assert sum(r.json()["created"] for r in responses) == 1
    assert ids(await all_events(client, learner.headers)) == ["raced"]


async def test_concurrent_overlapping_batches_store_each_event_once(
    client: httpx.AsyncClient, learner: Account
) -> None:
    def batch(shift: int) -> dict[str, Any]:
        return {
            "events": [
                {"id": f"shared-{(shift + i) % 8}", "kind": "project_completed"} for i in range(5)
            ]
        }

    responses = await asyncio.gather(
        *(post_events(client, learner.headers, batch(shift)) for shift in range(8))
    )

    created: list[str] = []
    for response in responses:
        body = recorded(response)
        assert body["created"] + body["duplicates"] == 5
        created += [r["id"] for r in body["results"] if r["status"] == "created"]
    assert sorted(created) == [f"shared-{i}" for i in range(8)]
    assert sorted(ids(await all_events(client, learner.headers))) == sorted(created)


async def test_a_reposted_event_is_a_duplicate_after_a_restart(
    client: httpx.AsyncClient, learner: Account, settings: Settings
) -> None:
    event = {"id": "survives-restart", "kind": "exercise_completed", "grade": 64}
    assert statuses(await post_events(client, learner.headers, event)) == ["created"]

    restarted = create_app(settings)
    try:
        transport = httpx.ASGITransport(app=restarted)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as again:
            response = await post_events(again, learner.headers, event)
            assert statuses(response) == ["duplicate"]
            assert ids(await all_events(again, learner.headers)) == ["survives-restart"]
    finally:
        await restarted.state.engine.dispose()
    assert ids(await all_events(client, learner.headers)) == ["survives-restart"]


# Admins


async def test_an_admin_can_list_and_read_a_learners_events(
    client: httpx.AsyncClient, admin: Account, learner: Account, other_learner: Account
) -> None:
    body = {
        "events": [
            {"id": "l-1", "kind": "exercise_completed", "occurred_at": "2025-02-01T10:00:00Z"},
            {"id": "l-2", "kind": "project_completed", "occurred_at": "2025-02-02T10:00:00Z"},
        ]
    }
    assert recorded(await post_events(client, learner.headers, body))["created"] == 2
    assert statuses(
        await post_events(client, other_learner.headers, {"id": "o-1", "kind": "project_completed"})
    ) == ["created"]

    listed = await list_page(client, admin.headers, user_id=learner.id)
    read = await read_event(client, admin.headers, "l-1", user_id=learner.id)

    assert listed.status_code == 200, listed.text
    assert ids(listed.json()["items"]) == ["l-2", "l-1"]
    assert {e["user_id"] for e in listed.json()["items"]} == {learner.id}
    assert read.status_code == 200, read.text
    assert read.json()["user_id"] == learner.id
    # Without user_id an admin reads their own log, which is empty.
    assert_problem(await read_event(client, admin.headers, "l-1"), 404)
    assert await all_events(client, admin.headers) == []


async def test_an_admin_recording_for_a_learner_uses_the_learners_timezone(
    client: httpx.AsyncClient, admin: Account
) -> None:
    kiwi = await register_account(client, "kiwi@example.com", timezone="Pacific/Auckland")

    response = await post_events(
        client,
        admin.headers,
        {
            "id": "graded-by-admin",
            "kind": "exercise_completed",
            "occurred_at": "2025-03-10T23:30:00Z",
            "user_id": kiwi.id,
        },
    )

    assert recorded(response)["results"][0]["user_id"] == kiwi.id
    events = await all_events(client, kiwi.headers)
    assert [(e["id"], e["local_date"]) for e in events] == [("graded-by-admin", "2025-03-11")]
    assert await all_events(client, admin.headers) == []


def _nested(depth: int, innermost: object = 1) -> dict[str, object]:
    """{"a": {"a": ... innermost}} with `depth` objects."""
    value: object = innermost
    for _ in range(depth):
        value = {"a": value}
    assert isinstance(value, dict)
    return value


@pytest.mark.parametrize("depth", [33, 300, 800])
@pytest.mark.parametrize("batch", [False, True])
async def test_metadata_nested_too_deep_is_refused_naming_metadata(
    client: httpx.AsyncClient, learner: Account, depth: int, batch: bool
) -> None:
    event = {"id": "deep", "kind": "exercise_completed", "metadata": _nested(depth)}
    body = {"events": [event]} if batch else event
    # Built by hand: the standard library's encoder is itself recursive.
    content = json.dumps(body).encode() if depth < 500 else _deep_body(event, depth, batch)

    response = await client.post(
        "/api/events",
        content=content,
        headers={**learner.headers, "content-type": "application/json"},
    )

    assert_problem(response, 422)
    field = "events[0].metadata" if batch else "metadata"
    assert "nested at most 32 levels" in field_errors(response)[field]
    assert await all_events(client, learner.headers) == []


async def test_a_body_too_deep_for_the_json_parser_is_a_client_error(
    client: httpx.AsyncClient, learner: Account
) -> None:
    event = {"id": "deep", "kind": "exercise_completed"}
    response = await client.post(
        "/api/events",
        content=_deep_body(event, 100_000, batch=False),
        headers={**learner.headers, "content-type": "application/json"},
    )

    assert_problem(response, 400)
    assert await all_events(client, learner.headers) == []


def _deep_body(event: dict[str, object], depth: int, batch: bool) -> bytes:
    head = json.dumps({k: v for k, v in event.items() if k != "metadata"})[:-1]
    metadata = '{"a":' * depth + "1" + "}" * depth
    text = f'{head}, "metadata": {metadata}}}'
    return (f'{{"events": [{text}]}}' if batch else text).encode()


async def test_metadata_nested_to_the_limit_is_stored_and_read_back(
    client: httpx.AsyncClient, learner: Account
) -> None:
    metadata = _nested(31, [1])  # 32 levels: 31 objects and an array
    response = await post_events(
        client, learner.headers, {"id": "deep", "kind": "exercise_completed", "metadata": metadata}
    )
    assert response.status_code == 201, response.text

    assert (await read_json(client, "/api/events/deep", learner.headers))["metadata"] == metadata
    assert (await all_events(client, learner.headers))[0]["metadata"] == metadata
