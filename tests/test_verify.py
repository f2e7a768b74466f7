"""The projections stay equal to a recomputation from the event log: `verify()` and the
`questpath verify` command after a mixed scenario, a hand-corrupted row caught and repaired,
and random event streams posted through the API in random batches, orders and timezones."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from click.testing import Result
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update
from typer.testing import CliRunner

from questpath.cli import app as cli
from questpath.config import Settings, get_settings
from questpath.db import transaction
from questpath.events.rules import CLIENT_KINDS
from questpath.progress.models import ProgressDay
from tests.helpers import (
    Account,
    create_admin_account,
    days_ago,
    projection_differences,
    read_json,
    record_events,
    register_account,
    set_timezone,
)

ZONES = ["UTC", "America/New_York", "Europe/Berlin", "Pacific/Kiritimati", "Pacific/Pago_Pago"]


@pytest.fixture
def run_verify(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Run `questpath verify ARGS` in-process against the test database, off the event loop."""
    monkeypatch.setenv("QUESTPATH_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("QUESTPATH_DATA_DIR", str(settings.data_dir))
    monkeypatch.delenv("QUESTPATH_RULES_FILE", raising=False)

    async def run(*args: str) -> Result:
        get_settings.cache_clear()
        return await asyncio.to_thread(CliRunner().invoke, cli, ["verify", *args])

    yield run
    get_settings.cache_clear()


def exercise(when: str, **fields: Any) -> dict[str, Any]:
    return {"kind": "exercise_completed", "occurred_at": when, **fields}


async def mixed_scenario(client: httpx.AsyncClient, app: FastAPI) -> list[Account]:
    """Several learners; batches, single events, duplicates, events out of order, a check-in,
    an API key, an admin recording for a learner, and timezone changes in between."""
    learner = await register_account(client, "learner@example.com")
    other = await register_account(client, "other@example.com", timezone="Europe/Berlin")
    far = await register_account(client, "far@example.com", timezone="Pacific/Kiritimati")
    admin = await create_admin_account(client, app)

    this_week = [
        exercise(days_ago(n), id=f"w1-{n}", topic="python", grade=60 + 5 * n, hints_used=n % 2)
        for n in range(6)
    ]
    await record_events(client, learner.headers, this_week)
    # Retries of stored events, one with different content: duplicates, ignored.
    await record_events(client, learner.headers, [{**this_week[0], "grade": 0}, this_week[3]])
    last_week = [
        exercise(days_ago(n), id=f"w0-{n}", topic="sql", grade=90, time_spent_seconds=300)
        for n in range(13, 6, -1)
    ]
    await record_events(client, learner.headers, last_week[3:])
    await set_timezone(client, learner, "Pacific/Pago_Pago")
    await record_events(
        client,
        learner.headers,
        [
            *last_week[:3],
            {"id": "p-1", "kind": "project_completed", "occurred_at": days_ago(6)},
            {
                "id": "s-1",
                "kind": "study_session",
                "occurred_at": days_ago(2),
                "time_spent_seconds": 4000,
            },
            {"id": "p-1", "kind": "project_completed"},  # repeated inside the batch
        ],
    )
    response = await client.post(
        "/api/progress/update-streak", json={"id": "today"}, headers=learner.headers
    )
    assert response.status_code == 200, response.text

    # Newest first, one at a time, then a timezone change and yesterday's exercise.
    for n in range(4):
        await record_events(
            client, other.headers, [exercise(days_ago(n, "Europe/Berlin"), id=f"o-{n}", grade=100)]
        )
    await set_timezone(client, other, "America/New_York")
    await record_events(client, other.headers, [exercise(days_ago(1), id="o-late", topic="go")])
    key = await client.post(
        "/api/api-keys", json={"name": "sync", "scopes": ["events:write"]}, headers=other.headers
    )
    assert key.status_code == 201, key.text
    by_key = {"Authorization": f"Bearer {key.json()['secret']}"}
    await record_events(client, by_key, [exercise(days_ago(20), id="o-old", grade=75)])

    await record_events(
        client,
        admin.headers,
        [
            exercise(days_ago(3), id="graded", user_id=far.id, grade=88, topic="rust"),
            {"kind": "project_completed", "user_id": far.id, "occurred_at": days_ago(0)},
        ],
    )
    await record_events(client, far.headers, [exercise(days_ago(1, "Pacific/Kiritimati"))])
    return [learner, other, far, admin]


async def test_after_a_mixed_scenario_every_learners_projections_equal_the_log(
    client: httpx.AsyncClient, app: FastAPI, run_verify: Any
) -> None:
    accounts = await mixed_scenario(client, app)
    learner = accounts[0]

    found = {account.email: await projection_differences(app, account) for account in accounts}
    result = await run_verify()

    assert found == {account.email: [] for account in accounts}
    assert result.exit_code == 0, result.output
    assert "4 learners" in result.output
    body = await read_json(client, "/api/progress", learner.headers)
    assert body["exercises_completed"] == 6 + 7
    assert body["projects_completed"] == 1


async def test_a_corrupted_projection_row_is_reported_and_repaired(
    client: httpx.AsyncClient, app: FastAPI, run_verify: Any
) -> None:
    accounts = await mixed_scenario(client, app)
    learner = accounts[0]
    xp_before = (await read_json(client, "/api/progress", learner.headers))["xp"]
    async with transaction(app.state.sessionmaker) as session:
        day, day_xp = (
            await session.execute(
                select(ProgressDay.local_date, ProgressDay.xp)
                .where(ProgressDay.user_id == uuid.UUID(learner.id))
                .order_by(ProgressDay.local_date.desc())
                .limit(1)
            )
        ).one()
        # By hand: UPDATE progress_days SET xp = xp + 1 WHERE user_id = ... AND local_date = ...
        await session.execute(
            update(ProgressDay)
            .where(ProgressDay.user_id == uuid.UUID(learner.id), ProgressDay.local_date == day)
            .values(xp=ProgressDay.xp + 1)
        )

    found = await projection_differences(app, learner)
    checked = await run_verify()
    only_other = await run_verify("--user", "other@example.com")
    repaired = await run_verify("--repair")
    after_repair = await run_verify()

    assert [(d.table, d.key, d.field, d.stored, d.expected) for d in found] == [
        ("progress_days", day.isoformat(), "xp", day_xp + 1, day_xp)
    ]
    assert checked.exit_code == 1, checked.output
    [line] = [line for line in checked.output.splitlines() if "progress_days" in line]
    for part in (learner.email, day.isoformat(), "xp", str(day_xp + 1), str(day_xp)):
        assert part in line
    assert only_other.exit_code == 0, only_other.output
    assert learner.email in repaired.output
    assert after_repair.exit_code == 0, after_repair.output
    assert await projection_differences(app, learner) == []
    assert (await read_json(client, "/api/progress", learner.headers))["xp"] == xp_before


# Random event streams through the API

KINDS = list(CLIENT_KINDS)

random_event = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(KINDS),
        "minutes_ago": st.integers(0, 20 * 24 * 60),
        "topic": st.none() | st.sampled_from(["python", "sql", "go"]),
        "grade": st.none() | st.integers(0, 100) | st.sampled_from([59.5, 99.99]),
        "hints_used": st.none() | st.integers(0, 6),
        "time_spent_seconds": st.none() | st.integers(0, 4000),
    }
)


@st.composite
def random_plans(draw: st.DrawFn) -> list[tuple[str | None, list[int]]]:
    """Events (as indexes into the drawn list) in random order, cut into batches, each batch
    with a timezone to switch to first (or None) and some ids posted again."""
    count = draw(st.integers(1, 24))
    order = draw(st.permutations(range(count)))
    cuts = sorted(draw(st.sets(st.integers(1, max(1, count - 1)), max_size=4))) if count > 1 else []
    plan = []
    for start, end in zip([0, *cuts], [*cuts, count], strict=True):
        zone = draw(st.none() | st.sampled_from(ZONES))
        again = draw(st.lists(st.integers(0, count - 1), max_size=3))
        plan.append((zone, [*order[start:end], *again]))
    return plan


def _event(index: int, spec: dict[str, Any], now: datetime) -> dict[str, Any]:
    event = {
        "id": f"e-{index}",
        "kind": spec["kind"],
        "occurred_at": (now - timedelta(minutes=spec["minutes_ago"])).isoformat(),
    }
    for name in ("topic", "grade", "hints_used", "time_spent_seconds"):
        if spec[name] is not None:
            event[name] = spec[name]
    if spec["kind"] == "study_session" and "time_spent_seconds" not in event:
        event["time_spent_seconds"] = 600
    return event


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=st.lists(random_event, min_size=24, max_size=24), plan=random_plans())
async def test_random_events_in_random_batches_orders_and_timezones_leave_no_projection_differences(
    client: httpx.AsyncClient, app: FastAPI, specs: list[dict[str, Any]], plan: Any
) -> None:
    account = await register_account(client, f"{uuid.uuid4().hex}@example.com")
    now = datetime.now(UTC)
    events = [_event(i, spec, now) for i, spec in enumerate(specs)]
    posted: set[int] = set()

    for zone, indexes in plan:
        if zone is not None:
            await set_timezone(client, account, zone)
        body = await record_events(client, account.headers, [events[i] for i in indexes])
        first_time = {i for i in indexes if i not in posted}
        assert body["created"] == len(first_time)
        posted |= first_time

    assert await projection_differences(app, account) == []
    progress = await read_json(client, "/api/progress", account.headers)
    exercises = sum(1 for i in posted if events[i]["kind"] == "exercise_completed")
    assert progress["exercises_completed"] == exercises
