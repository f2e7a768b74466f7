"""GET /api/progress/export through the real app: JSON with everything, CSV with a row per
event, both as downloads, complete however long the log."""

from __future__ import annotations

import csv
import io
import json

import httpx
import pytest

from questpath.export.cells import spreadsheet_safe
from tests.helpers import (
    Account,
    days_ago,
    field_errors,
    local_today,
    post_events,
    read_json,
    record_events,
)

EXPORT = "/api/progress/export"
CSV_FIELDS = {
    "id",
    "kind",
    "occurred_at",
    "local_date",
    "topic",
    "grade",
    "time_spent_seconds",
    "hints_used",
    "metadata",
}
METADATA = {"note": 'line one\nline two, with "quotes"', "tags": ["ünï", "code"], "n": 3}


async def export(
    client: httpx.AsyncClient, account: Account, fmt: str | None = None
) -> httpx.Response:
    params = {"format": fmt} if fmt else {}
    response = await client.get(EXPORT, params=params, headers=account.headers)
    assert response.status_code == 200, response.text
    return response


def attachment_filename(response: httpx.Response) -> str:
    disposition = response.headers["content-disposition"]
    kind, _, rest = disposition.partition(";")
    assert kind.strip() == "attachment"
    name, _, value = rest.strip().partition("=")
    assert name == "filename"
    return value.strip('"')


def csv_rows(response: httpx.Response) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(response.text, newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


async def record_mixed(client: httpx.AsyncClient, learner: Account) -> None:
    """An exercise, a project and a study session yesterday, and a check-in today."""
    when = days_ago(1)
    await record_events(
        client,
        learner.headers,
        [
            {
                "id": "ex-1",
                "kind": "exercise_completed",
                "occurred_at": when,
                "topic": 'SQL, "joins"',
                "grade": 87.5,
                "hints_used": 1,
                "time_spent_seconds": 600,
                "metadata": METADATA,
            },
            {"id": "pr-1", "kind": "project_completed", "occurred_at": when},
            {
                "id": "st-1",
                "kind": "study_session",
                "occurred_at": when,
                "time_spent_seconds": 900,
            },
        ],
    )
    response = await client.post(
        "/api/progress/update-streak", json={"id": "ci-1"}, headers=learner.headers
    )
    assert response.status_code == 200, response.text


async def test_a_json_export_has_profile_progress_achievements_skills_history_and_events(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_mixed(client, learner)

    response = await export(client, learner, "json")

    assert response.headers["content-type"].startswith("application/json")
    assert attachment_filename(response).endswith(".json")
    body = response.json()
    assert body.keys() >= {
        "profile",
        "progress",
        "achievements",
        "skill_levels",
        "history",
        "events",
    }
    assert (body["profile"]["id"], body["profile"]["email"], body["profile"]["timezone"]) == (
        learner.id,
        learner.email,
        "UTC",
    )
    assert body["progress"] == await read_json(client, "/api/progress", learner.headers)
    listing = await read_json(client, "/api/progress/achievements", learner.headers)
    assert body["achievements"] == listing["achievements"]
    skills = await read_json(client, "/api/progress/skill-levels", learner.headers)
    assert body["skill_levels"] == skills["skill_levels"]
    assert [(s["date"], s["streak"]) for s in body["history"]] == [
        (days_ago(1)[:10], 1),
        (local_today().isoformat(), 2),
    ]
    events = {e["id"]: e for e in body["events"]}
    assert {i: (e["kind"], e["xp"]) for i, e in events.items()} == {
        "ex-1": ("exercise_completed", 10 + 8 - 2),
        "pr-1": ("project_completed", 100),
        "st-1": ("study_session", 3),
        "ci-1": ("check_in", 0),
    }
    exercise = events["ex-1"]
    assert (exercise["topic"], exercise["grade"], exercise["hints_used"]) == (
        'SQL, "joins"',
        87.5,
        1,
    )
    assert (exercise["time_spent_seconds"], exercise["metadata"]) == (600, METADATA)
    assert exercise["local_date"] == days_ago(1)[:10]


async def test_a_csv_export_has_a_header_and_one_row_per_event(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_mixed(client, learner)

    response = await export(client, learner, "csv")

    assert response.headers["content-type"].startswith("text/csv")
    assert attachment_filename(response).endswith(".csv")
    header, rows = csv_rows(response)
    assert set(header) >= CSV_FIELDS
    assert sorted(row["id"] for row in rows) == ["ci-1", "ex-1", "pr-1", "st-1"]
    by_id = {row["id"]: row for row in rows}
    exercise = by_id["ex-1"]
    assert exercise["kind"] == "exercise_completed"
    assert exercise["topic"] == 'SQL, "joins"'
    assert float(exercise["grade"]) == 87.5
    assert (exercise["hints_used"], exercise["time_spent_seconds"]) == ("1", "600")
    assert json.loads(exercise["metadata"]) == METADATA
    assert exercise["local_date"] == days_ago(1)[:10]
    assert by_id["ci-1"]["kind"] == "check_in"
    assert by_id["ci-1"]["local_date"] == local_today().isoformat()
    assert (by_id["pr-1"]["grade"], by_id["pr-1"]["topic"], by_id["pr-1"]["metadata"]) == (
        "",
        "",
        "",
    )
    # Each event's XP by the rules: 10 + 8 - 2, a project, 3 full 5 minutes, a check-in.
    assert {i: row["xp"] for i, row in by_id.items()} == {
        "ex-1": "16",
        "pr-1": "100",
        "st-1": "3",
        "ci-1": "0",
    }


async def test_exports_of_a_learner_without_events_are_empty(
    client: httpx.AsyncClient, learner: Account
) -> None:
    as_json = (await export(client, learner, "json")).json()
    header, rows = csv_rows(await export(client, learner, "csv"))

    assert (as_json["events"], as_json["history"]) == ([], [])
    assert (as_json["questions"], as_json["quizzes"]) == ([], [])
    assert set(header) >= CSV_FIELDS
    assert rows == []


async def test_the_export_is_json_when_no_format_is_given(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await export(client, learner)

    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["profile"]["email"] == learner.email


async def test_an_unknown_export_format_is_a_422_naming_format(
    client: httpx.AsyncClient, learner: Account
) -> None:
    for fmt in ("xml", "JSON", ""):
        response = await client.get(EXPORT, params={"format": fmt}, headers=learner.headers)

        assert field_errors(response).keys() == {"format"}, fmt


async def test_an_export_of_thousands_of_events_holds_every_one(
    client: httpx.AsyncClient, learner: Account
) -> None:
    count = 3000
    ids = [f"bulk-{n:05d}" for n in range(count)]
    for start in range(0, count, 1000):
        await record_events(
            client,
            learner.headers,
            [
                {
                    "id": event_id,
                    "kind": "exercise_completed",
                    "occurred_at": days_ago(n % 40),
                    "grade": n % 101,
                    "topic": f"topic-{n % 7}",
                }
                for n, event_id in enumerate(ids[start : start + 1000], start)
            ],
        )

    as_json = (await export(client, learner, "json")).json()
    _, rows = csv_rows(await export(client, learner, "csv"))

    assert len(as_json["events"]) == count
    assert sorted(e["id"] for e in as_json["events"]) == ids
    assert len(rows) == count
    assert sorted(row["id"] for row in rows) == ids
    assert as_json["progress"]["exercises_completed"] == count
    assert sum(s["exercises_completed"] for s in as_json["history"]) == count


async def test_csv_cells_that_would_run_as_formulas_are_kept_as_text(
    client: httpx.AsyncClient, learner: Account
) -> None:
    formulas = ["=1+2", "+1+2", "-1+2", "@SUM(A1)", '=HYPERLINK("http://x")']
    response = await post_events(
        client,
        learner.headers,
        {
            "events": [
                {"id": formula, "kind": "exercise_completed", "topic": formula, "grade": 80}
                for formula in formulas
            ]
        },
    )
    assert response.status_code == 201, response.text
    _, rows = csv_rows(await export(client, learner, "csv"))
    assert sorted(row["id"] for row in rows) == sorted("'" + f for f in formulas)
    assert sorted(row["topic"] for row in rows) == sorted("'" + f for f in formulas)
    assert {row["grade"] for row in rows} == {"80.0"}


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_starts_a_formula_gets_a_quote(start: str) -> None:
    assert spreadsheet_safe(start + "cmd") == "'" + start + "cmd"


@pytest.mark.parametrize("value", ["plain", '{"a": 1}', "", 3, -3, None, 1.5])
def test_other_cells_pass_unchanged(value: object) -> None:
    assert spreadsheet_safe(value) == value
