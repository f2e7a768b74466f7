"""Vacations and the day start through the API and the settings page: what a learner can set,
what is refused and why, and that a streak survives a vacation with its freezes untouched while
the projections still agree with the log."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from questpath.auth.models import User
from questpath.clock import request_time
from questpath.db import transaction
from tests.helpers import (
    Account,
    all_events,
    assert_problem,
    field_errors,
    local_today,
    projection_differences,
    read_json,
    record_events,
    register_account,
)
from tests.web.browsing import signed_up, submit

SetClock = Callable[[datetime], None]


@pytest.fixture
def set_clock(app: FastAPI) -> Iterator[SetClock]:
    """Set the time requests see (`Now`); the real clock again after the test."""

    def set_to(moment: datetime) -> None:
        async def fixed() -> datetime:
            return moment

        app.dependency_overrides[request_time] = fixed

    yield set_to
    app.dependency_overrides.pop(request_time, None)


def noon(day: date, timezone: str = "UTC") -> datetime:
    return datetime.combine(day, time(12), ZoneInfo(timezone))


async def schedule(
    client: httpx.AsyncClient, account: Account, start: date, end: date
) -> httpx.Response:
    return await client.post(
        "/api/vacations",
        json={"start_date": start.isoformat(), "end_date": end.isoformat()},
        headers=account.headers,
    )


async def check_in(client: httpx.AsyncClient, account: Account) -> dict[str, Any]:
    response = await client.post("/api/progress/update-streak", headers=account.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# Vacations: the API ---------------------------------------------------------------------------


async def test_a_scheduled_vacation_is_listed_and_recorded_as_an_event(
    client: httpx.AsyncClient, learner: Account
) -> None:
    today = local_today()
    response = await schedule(client, learner, today + timedelta(3), today + timedelta(9))
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["status"] == "upcoming"
    assert (created["start_date"], created["end_date"], created["planned_end_date"]) == (
        (today + timedelta(3)).isoformat(),
        (today + timedelta(9)).isoformat(),
        (today + timedelta(9)).isoformat(),
    )
    listed = await read_json(client, "/api/vacations", learner.headers)
    assert listed == {"items": [created], "on_vacation_until": None}
    events = [e for e in await all_events(client, learner.headers) if e["kind"] != "check_in"]
    assert [(e["kind"], e["id"]) for e in events] == [
        ("vacation_scheduled", f"questpath:vacation:{created['id']}")
    ]
    assert events[0]["metadata"]["first_day"] == created["start_date"]


async def test_a_vacation_starting_today_shows_on_the_progress_and_the_list(
    client: httpx.AsyncClient, learner: Account
) -> None:
    today = local_today()
    created = (await schedule(client, learner, today, today + timedelta(4))).json()
    assert created["status"] == "ongoing"
    progress = await read_json(client, "/api/progress", learner.headers)
    assert progress["on_vacation_until"] == (today + timedelta(4)).isoformat()
    listed = await read_json(client, "/api/vacations", learner.headers)
    assert listed["on_vacation_until"] == (today + timedelta(4)).isoformat()


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (-1, 2, "start_date"),
        (3, 2, "end_date"),
        (0, 30, "end_date"),
        (366, 367, "start_date"),
    ],
    ids=["start-in-the-past", "end-before-start", "longer-than-30-days", "too-far-ahead"],
)
async def test_a_vacation_outside_the_limits_is_a_422_naming_the_field(
    client: httpx.AsyncClient, learner: Account, start: int, end: int, field: str
) -> None:
    today = local_today()
    response = await schedule(client, learner, today + timedelta(start), today + timedelta(end))
    assert field in field_errors(response)
    assert (await read_json(client, "/api/vacations", learner.headers))["items"] == []


async def test_a_vacation_without_dates_or_with_bad_ones_is_a_422_naming_them(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await client.post(
        "/api/vacations", json={"start_date": "next week"}, headers=learner.headers
    )
    assert set(field_errors(response)) == {"start_date", "end_date"}


async def test_an_overlapping_vacation_and_a_fourth_pending_one_are_conflicts(
    client: httpx.AsyncClient, learner: Account
) -> None:
    today = local_today()
    assert (
        await schedule(client, learner, today + timedelta(2), today + timedelta(5))
    ).status_code == 201
    assert_problem(await schedule(client, learner, today + timedelta(5), today + timedelta(6)), 409)
    for n in (1, 2):
        first = today + timedelta(10 * n)
        assert (await schedule(client, learner, first, first + timedelta(1))).status_code == 201
    body = assert_problem(
        await schedule(client, learner, today + timedelta(40), today + timedelta(41)), 409
    )
    assert "at most 3" in body["detail"]


async def test_ending_an_upcoming_vacation_cancels_it_and_a_second_end_is_a_conflict(
    client: httpx.AsyncClient, learner: Account
) -> None:
    today = local_today()
    created = (await schedule(client, learner, today + timedelta(2), today + timedelta(5))).json()
    response = await client.delete(f"/api/vacations/{created['id']}", headers=learner.headers)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    again = await client.delete(f"/api/vacations/{created['id']}", headers=learner.headers)
    assert_problem(again, 409)
    kinds = [e["kind"] for e in await all_events(client, learner.headers)]
    assert sorted(kinds) == ["vacation_ended", "vacation_scheduled"]


async def test_nobody_can_see_or_end_another_learners_vacation(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    today = local_today()
    created = (await schedule(client, learner, today + timedelta(2), today + timedelta(5))).json()
    response = await client.delete(f"/api/vacations/{created['id']}", headers=other_learner.headers)
    assert_problem(response, 404)
    assert (await read_json(client, "/api/vacations", other_learner.headers))["items"] == []
    assert_problem(
        await client.delete(f"/api/vacations/{uuid.uuid4()}", headers=learner.headers), 404
    )


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/vacations", None),
        ("POST", "/api/vacations", {"start_date": "2030-01-01", "end_date": "2030-01-02"}),
        ("DELETE", "/api/vacations/some-id", None),
        ("PUT", "/api/users/me/day-start", {"day_start_hour": 4}),
    ],
)
async def test_streak_settings_need_a_signed_in_learner(
    client: httpx.AsyncClient, method: str, path: str, body: dict[str, Any] | None
) -> None:
    response = await client.request(method, path, json=body)
    assert_problem(response, 401)


# The day start: the API -----------------------------------------------------------------------


@pytest.mark.parametrize("hour", [-1, 7, 23, "four", None])
async def test_a_day_start_outside_0_to_6_is_a_422_naming_the_hour(
    client: httpx.AsyncClient, learner: Account, hour: Any
) -> None:
    response = await client.put(
        "/api/users/me/day-start", json={"day_start_hour": hour}, headers=learner.headers
    )
    assert set(field_errors(response)) == {"day_start_hour"}
    me = await read_json(client, "/api/users/me", learner.headers)
    assert me["day_start_hour"] == 0


async def test_an_event_at_2_with_the_day_starting_at_4_counts_for_the_day_before(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    timezone = "America/New_York"
    account = await register_account(client, "owl@example.com", timezone=timezone)
    response = await client.put(
        "/api/users/me/day-start", json={"day_start_hour": 4}, headers=account.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["day_start_hour"] == 4
    assert (await read_json(client, "/api/users/me", account.headers))["day_start_hour"] == 4

    today = local_today(timezone)
    three_days_ago = today - timedelta(3)
    at_two = datetime.combine(three_days_ago, time(2), ZoneInfo(timezone)).isoformat()
    await record_events(
        client, account.headers, [{"id": "late-night", "kind": "check_in", "occurred_at": at_two}]
    )

    response = await client.put(
        "/api/users/me/day-start", json={"day_start_hour": 0}, headers=account.headers
    )
    assert response.status_code == 200, response.text
    two_days_ago = today - timedelta(2)
    at_two = datetime.combine(two_days_ago, time(2), ZoneInfo(timezone)).isoformat()
    await record_events(
        client, account.headers, [{"id": "early", "kind": "check_in", "occurred_at": at_two}]
    )

    events = {e["id"]: e for e in await all_events(client, account.headers)}
    assert events["late-night"]["local_date"] == (three_days_ago - timedelta(1)).isoformat()
    assert events["early"]["local_date"] == two_days_ago.isoformat()
    changes = sorted(
        (e["id"], e["metadata"]["day_start_hour"])
        for e in events.values()
        if e["kind"] == "day_start_changed"
    )
    assert changes == [("questpath:day-start:000001", 4), ("questpath:day-start:000002", 0)]
    history = await read_json(client, "/api/progress/history", account.headers, days=7)
    assert sorted(s["date"] for s in history["snapshots"]) == [
        (three_days_ago - timedelta(1)).isoformat(),
        two_days_ago.isoformat(),
    ]
    assert await projection_differences(app, account) == []


async def test_setting_the_same_day_start_again_records_nothing(
    client: httpx.AsyncClient, learner: Account
) -> None:
    for _ in range(2):
        response = await client.put(
            "/api/users/me/day-start", json={"day_start_hour": 3}, headers=learner.headers
        )
        assert response.status_code == 200, response.text
    kinds = [e["kind"] for e in await all_events(client, learner.headers)]
    assert kinds == ["day_start_changed"]


async def test_today_moves_back_a_day_before_the_day_start(
    client: httpx.AsyncClient, learner: Account, set_clock: SetClock
) -> None:
    set_clock(datetime(2026, 6, 10, 3, 0, tzinfo=UTC))
    response = await client.put(
        "/api/users/me/day-start", json={"day_start_hour": 5}, headers=learner.headers
    )
    assert response.json()["today"] == "2026-06-09"
    body = await check_in(client, learner)
    assert body["date"] == "2026-06-09"


async def test_verify_reports_a_day_start_the_log_does_not_give(
    app: FastAPI, client: httpx.AsyncClient, learner: Account
) -> None:
    await client.put("/api/users/me/day-start", json={"day_start_hour": 2}, headers=learner.headers)
    assert await projection_differences(app, learner) == []
    async with transaction(app.state.sessionmaker) as session:
        await session.execute(
            update(User).where(User.id == uuid.UUID(learner.id)).values(day_start_hour=5)
        )
    found = await projection_differences(app, learner)
    assert [(d.table, d.field, d.stored, d.expected) for d in found] == [
        ("users", "day_start_hour", 5, 2)
    ]


# A vacation end to end ------------------------------------------------------------------------


async def test_a_streak_survives_a_vacation_with_its_freezes_untouched(
    app: FastAPI, client: httpx.AsyncClient, learner: Account, set_clock: SetClock
) -> None:
    first = local_today() - timedelta(30)
    for n in range(7):  # a week: a streak of 7, which earns a freeze
        set_clock(noon(first + timedelta(n)))
        await check_in(client, learner)
    last_active = first + timedelta(6)
    set_clock(noon(last_active))
    away = (
        await schedule(client, learner, last_active + timedelta(1), last_active + timedelta(12))
    ).json()

    for n in (1, 6, 12):  # away: the streak and the freeze stay
        set_clock(noon(last_active + timedelta(n)))
        progress = await read_json(client, "/api/progress", learner.headers)
        assert (progress["current_streak"], progress["streak_freezes"]) == (7, 1)
        assert progress["on_vacation_until"] == away["end_date"]

    back = last_active + timedelta(13)
    set_clock(noon(back))
    progress = await read_json(client, "/api/progress", learner.headers)
    assert (
        progress["current_streak"],
        progress["streak_freezes"],
        progress["on_vacation_until"],
    ) == (7, 1, None)
    body = await check_in(client, learner)
    assert (body["status"], body["current_streak"], body["streak_freezes"]) == ("incremented", 8, 1)
    assert await projection_differences(app, learner) == []


async def test_a_vacation_ended_early_makes_the_next_days_count_again(
    app: FastAPI, client: httpx.AsyncClient, learner: Account, set_clock: SetClock
) -> None:
    first = local_today() - timedelta(30)
    for n in range(3):
        set_clock(noon(first + timedelta(n)))
        await check_in(client, learner)
    away = (await schedule(client, learner, first + timedelta(2), first + timedelta(20))).json()
    set_clock(noon(first + timedelta(5)))
    ended = await client.delete(f"/api/vacations/{away['id']}", headers=learner.headers)
    assert ended.json()["end_date"] == (first + timedelta(4)).isoformat()
    assert ended.json()["status"] == "over"
    progress = await read_json(client, "/api/progress", learner.headers)
    assert progress["current_streak"] == 3  # day 5 is open
    set_clock(noon(first + timedelta(6)))
    progress = await read_json(client, "/api/progress", learner.headers)
    assert progress["current_streak"] == 0  # day 5 was missed, with no freeze held
    assert await projection_differences(app, learner) == []


async def test_activity_during_a_vacation_extends_the_streak(
    app: FastAPI, client: httpx.AsyncClient, learner: Account, set_clock: SetClock
) -> None:
    first = local_today() - timedelta(20)
    set_clock(noon(first))
    await check_in(client, learner)
    await schedule(client, learner, first + timedelta(1), first + timedelta(5))
    set_clock(noon(first + timedelta(3)))
    body = await check_in(client, learner)  # days 1 and 2 were vacation days
    assert (body["status"], body["current_streak"], body["streak_freezes"]) == ("incremented", 2, 0)
    assert await projection_differences(app, learner) == []


async def test_a_late_event_before_a_vacation_is_walked_over_it(
    app: FastAPI, client: httpx.AsyncClient, learner: Account, set_clock: SetClock
) -> None:
    first = local_today() - timedelta(20)
    set_clock(noon(first))
    await check_in(client, learner)
    await schedule(client, learner, first + timedelta(2), first + timedelta(4))
    set_clock(noon(first + timedelta(5)))
    await check_in(client, learner)  # day 1 missed: the streak starts over
    assert (await read_json(client, "/api/progress", learner.headers))["current_streak"] == 1
    late = noon(first + timedelta(1)).isoformat()
    await record_events(
        client, learner.headers, [{"id": "late", "kind": "check_in", "occurred_at": late}]
    )
    set_clock(noon(first + timedelta(5)))
    assert (await read_json(client, "/api/progress", learner.headers))["current_streak"] == 3
    assert await projection_differences(app, learner) == []


# The settings page ----------------------------------------------------------------------------


async def test_the_streak_settings_page_sets_the_day_start_and_a_vacation(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    account = await signed_up(client)
    page = await client.get("/settings/streaks")
    assert page.status_code == 200
    assert "When your day starts" in page.text
    response = await submit(
        client,
        "/settings/streaks/day-start",
        {"day_start_hour": "4"},
        form_page="/settings/streaks",
    )
    assert response.status_code == 303, response.text
    assert (await read_json(client, "/api/users/me", account.headers))["day_start_hour"] == 4

    today = (datetime.now(UTC) - timedelta(hours=4)).date()
    bad = await submit(
        client,
        "/settings/streaks/vacations",
        {"start_date": today.isoformat(), "end_date": (today - timedelta(1)).isoformat()},
        form_page="/settings/streaks",
    )
    assert bad.status_code == 422
    assert "Must not be before start_date" in bad.text
    response = await submit(
        client,
        "/settings/streaks/vacations",
        {"start_date": today.isoformat(), "end_date": (today + timedelta(2)).isoformat()},
        form_page="/settings/streaks",
    )
    assert response.status_code == 303, response.text
    dashboard = await client.get("/")
    assert f"On vacation until {today + timedelta(2)}" in dashboard.text
    vacation_id = (await read_json(client, "/api/vacations", account.headers))["items"][0]["id"]
    response = await submit(
        client, f"/settings/streaks/vacations/{vacation_id}/end", form_page="/settings/streaks"
    )
    assert response.status_code == 303, response.text
    assert "On vacation until" not in (await client.get("/")).text
    assert await projection_differences(app, account) == []
