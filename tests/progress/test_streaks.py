"""Streaks through the real app: runs of the learner's local dates relative to their "today",
the streak bonus, freezes, events that arrive out of order, timezones (DST changes, the date
line, a timezone changed later), and the daily check-in of POST /api/progress/update-streak."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.helpers import (
    Account,
    all_events,
    days_ago,
    field_errors,
    local_time,
    local_today,
    read_json,
    record_events,
    register_account,
    set_timezone,
)

UPDATE_STREAK = "/api/progress/update-streak"


def exercise(when: str, **fields: Any) -> dict[str, Any]:
    return {"kind": "exercise_completed", "occurred_at": when, **fields}


def on_days(*days: int, timezone: str = "UTC") -> list[dict[str, Any]]:
    """One ungraded exercise (10 XP) at noon on each of these local days ago."""
    return [exercise(days_ago(n, timezone)) for n in days]


def span(first: int, last: int) -> tuple[int, ...]:
    """The days ago from `first` down to `last`, inclusive."""
    return tuple(range(first, last - 1, -1))


def iso(day: date) -> str:
    return day.isoformat()


def utc(local: datetime) -> str:
    """`local` (aware) as a UTC instant with a Z suffix."""
    return local.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def progress(client: httpx.AsyncClient, account: Account) -> dict[str, Any]:
    return await read_json(client, "/api/progress", account.headers)


async def streaks(client: httpx.AsyncClient, account: Account) -> tuple[int, int, int]:
    """(current_streak, longest_streak, streak_freezes)"""
    body = await progress(client, account)
    return body["current_streak"], body["longest_streak"], body["streak_freezes"]


async def snapshots(
    client: httpx.AsyncClient, account: Account, **params: Any
) -> list[dict[str, Any]]:
    body = await read_json(client, "/api/progress/history", account.headers, **params)
    result: list[dict[str, Any]] = body["snapshots"]
    return result


async def check_in(
    client: httpx.AsyncClient, account: Account, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await client.post(UPDATE_STREAK, json=body or {}, headers=account.headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


# Current and longest streak


@pytest.mark.parametrize(
    ("active", "current", "longest"),
    [
        pytest.param(span(2, 0), 3, 3, id="run-ending-today"),
        pytest.param(span(3, 1), 3, 3, id="run-ending-yesterday"),
        pytest.param(span(4, 2), 0, 3, id="run-ended-two-days-ago"),
        pytest.param((*span(10, 7), 1, 0), 2, 4, id="longest-run-in-the-past"),
        pytest.param((0,), 1, 1, id="only-today"),
    ],
)
async def test_the_current_streak_is_a_run_ending_today_or_yesterday_and_longest_any_run(
    client: httpx.AsyncClient,
    learner: Account,
    active: tuple[int, ...],
    current: int,
    longest: int,
) -> None:
    await record_events(client, learner.headers, on_days(*active))

    assert await streaks(client, learner) == (current, longest, 0)


async def test_days_extending_a_streak_to_3_or_more_earn_5_bonus_xp_each(
    client: httpx.AsyncClient, learner: Account
) -> None:
    # Runs of 2 and then 5 days; 10 XP a day, plus 5 on the 3rd, 4th and 5th day of the run.
    await record_events(client, learner.headers, on_days(9, 8, *span(4, 0)))
    today = local_today()

    history = await snapshots(client, learner, days=10)
    body = await progress(client, learner)

    assert [(s["date"], s["streak"], s["xp_gained"]) for s in history] == [
        (iso(today - timedelta(days=9)), 1, 10),
        (iso(today - timedelta(days=8)), 2, 10),
        (iso(today - timedelta(days=4)), 1, 10),
        (iso(today - timedelta(days=3)), 2, 10),
        (iso(today - timedelta(days=2)), 3, 15),
        (iso(today - timedelta(days=1)), 4, 15),
        (iso(today), 5, 15),
    ]
    assert body["xp"] == 7 * 10 + 3 * 5
    assert (body["current_streak"], body["longest_streak"]) == (5, 5)


async def test_a_check_in_event_keeps_the_streak_alive_without_xp_of_its_own(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(
        client,
        learner.headers,
        [exercise(days_ago(2)), {"kind": "check_in", "occurred_at": days_ago(1)}],
    )
    await record_events(client, learner.headers, [exercise(days_ago(0))])

    body = await progress(client, learner)
    history = await snapshots(client, learner, days=3)

    assert (body["current_streak"], body["longest_streak"]) == (3, 3)
    assert [s["xp_gained"] for s in history] == [10, 0, 15]
    assert body["xp"] == 25


# Events that arrive out of order


async def test_yesterdays_exercise_posted_today_extends_the_streak(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, on_days(0))
    assert await streaks(client, learner) == (1, 1, 0)

    await record_events(client, learner.headers, on_days(1))

    assert await streaks(client, learner) == (2, 2, 0)
    assert [s["streak"] for s in await snapshots(client, learner, days=2)] == [1, 2]


async def test_a_missing_middle_day_posted_late_joins_the_runs_and_earns_the_bonus(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, on_days(2, 0))
    assert await streaks(client, learner) == (1, 1, 0)

    await record_events(client, learner.headers, on_days(1))

    history = await snapshots(client, learner, days=3)
    assert [(s["streak"], s["xp_gained"]) for s in history] == [(1, 10), (2, 10), (3, 15)]
    assert await streaks(client, learner) == (3, 3, 0)
    assert (await progress(client, learner))["xp"] == 35


def _scenario() -> list[dict[str, Any]]:
    """Two weeks of mixed events, oldest first: a 7-day run (earning a freeze), a missed day
    the freeze covers, and six more days up to today."""
    events = []
    topics = ["python", "sql", "rust"]
    for n in (*span(13, 7), *span(5, 0)):
        when = days_ago(n)
        events.append(
            exercise(
                when,
                id=f"ex-{n}",
                topic=topics[n % 3],
                grade=float(40 + 4 * n),
                hints_used=n % 3,
                time_spent_seconds=60 * n,
            )
        )
        if n % 4 == 0:
            events.append({"id": f"pr-{n}", "kind": "project_completed", "occurred_at": when})
        if n % 5 == 0:
            events.append(
                {
                    "id": f"st-{n}",
                    "kind": "study_session",
                    "occurred_at": when,
                    "time_spent_seconds": 700 + n,
                }
            )
    return events


def _local_day(event: dict[str, Any]) -> date:
    return datetime.fromisoformat(event["occurred_at"]).date()


def _arrivals(order: str) -> list[list[dict[str, Any]]]:
    """The scenario's events as the requests that deliver them."""
    events = _scenario()
    if order == "this-week-then-last-week":
        cut = local_today() - timedelta(days=6)
        return [
            [e for e in events if _local_day(e) >= cut],
            [e for e in events if _local_day(e) < cut],
        ]
    if order == "newest-first-one-at-a-time":
        return [[e] for e in reversed(events)]
    if order == "shuffled-one-at-a-time":
        shuffled = list(events)
        random.Random(7).shuffle(shuffled)
        return [[e] for e in shuffled]
    assert order == "all-in-one-batch-reversed"
    return [list(reversed(events))]


async def _views(client: httpx.AsyncClient, account: Account) -> dict[str, Any]:
    views = {"progress": await progress(client, account)}
    views["history"] = await read_json(client, "/api/progress/history", account.headers, days=30)
    for period in ("daily", "weekly", "monthly", "all"):
        views[f"statistics-{period}"] = await read_json(
            client, "/api/progress/statistics", account.headers, period=period
        )
    return views


def _cells(history: dict[str, Any]) -> dict[tuple[str, str], Any]:
    """A history as {(date, field): value}, so that a difference names its cell."""
    cells: dict[tuple[str, str], Any] = {("range", "start_date"): history["start_date"]}
    cells["range", "end_date"] = history["end_date"]
    for snapshot in history["snapshots"]:
        cells.update({(snapshot["date"], k): v for k, v in snapshot.items() if k != "date"})
    return cells


ORDERS = [
    "this-week-then-last-week",
    "newest-first-one-at-a-time",
    "shuffled-one-at-a-time",
    "all-in-one-batch-reversed",
]


async def _post_in_order_and_in(
    order: str, client: httpx.AsyncClient, in_order: Account, out_of_order: Account
) -> None:
    """The scenario to `in_order` a day at a time, oldest first; to `out_of_order` in `order`."""
    for day in sorted({_local_day(e) for e in _scenario()}):
        events = [e for e in _scenario() if _local_day(e) == day]
        await record_events(client, in_order.headers, events)
    for request in _arrivals(order):
        await record_events(client, out_of_order.headers, request)


@pytest.mark.parametrize("order", ORDERS)
async def test_events_posted_out_of_order_give_the_same_progress_statistics_and_history(
    client: httpx.AsyncClient, learner: Account, other_learner: Account, order: str
) -> None:
    await _post_in_order_and_in(order, client, learner, other_learner)

    in_order = await _views(client, learner)
    out_of_order = await _views(client, other_learner)

    progress_in_order = in_order["progress"]
    assert (progress_in_order["current_streak"], progress_in_order["longest_streak"]) == (13, 13)
    assert len(in_order["history"]["snapshots"]) == 13
    # Achievements are filed under the day the log reached them, whatever the arrival order.
    assert _cells(out_of_order.pop("history")) == _cells(in_order.pop("history"))
    assert out_of_order == in_order


# Freezes


@pytest.mark.parametrize(
    ("run", "freezes"),
    [(6, 0), (7, 1), (13, 1), (14, 2), (21, 2)],
)
async def test_a_freeze_is_earned_at_each_7_day_milestone_and_at_most_2_are_held(
    client: httpx.AsyncClient, learner: Account, run: int, freezes: int
) -> None:
    await record_events(client, learner.headers, on_days(*span(run - 1, 0)))

    assert await streaks(client, learner) == (run, run, freezes)


async def test_a_held_freeze_covers_one_missed_day_and_is_then_spent(
    client: httpx.AsyncClient, learner: Account
) -> None:
    # 7 days (a freeze), a missed day, then two more days.
    await record_events(client, learner.headers, on_days(*span(9, 3), 1, 0))

    history = await snapshots(client, learner, days=10)

    assert await streaks(client, learner) == (9, 9, 0)
    assert [(s["streak"], s["freezes_spent"]) for s in history[-3:]] == [(7, 0), (8, 1), (9, 0)]


async def test_one_freeze_does_not_cover_two_missed_days(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, on_days(*span(9, 3), 0))

    assert await streaks(client, learner) == (1, 7, 0)


async def test_two_held_freezes_cover_two_missed_days(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, on_days(*span(16, 3), 0))

    assert await streaks(client, learner) == (15, 15, 0)


async def test_a_spent_freeze_is_not_available_for_a_later_missed_day(
    client: httpx.AsyncClient, learner: Account
) -> None:
    # 7 days (a freeze), day 4 missed and covered, day 3 active, day 2 missed again.
    await record_events(client, learner.headers, on_days(*span(11, 5), 3, 1, 0))

    assert await streaks(client, learner) == (2, 8, 0)


async def test_a_missed_yesterday_is_covered_by_a_held_freeze_while_today_is_open(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, on_days(*span(8, 2)))

    current, longest, _ = await streaks(client, learner)

    assert (current, longest) == (7, 7)


async def test_two_missed_days_with_one_freeze_end_the_current_streak(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, on_days(*span(9, 3)))

    assert await streaks(client, learner) == (0, 7, 0)


# Timezones


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
async def test_the_streak_counts_back_from_today_in_the_learners_timezone(
    client: httpx.AsyncClient, zone: str
) -> None:
    learner = await register_account(client, "far@example.com", timezone=zone)

    await record_events(client, learner.headers, on_days(2, timezone=zone))
    two_days_ago = await streaks(client, learner)
    await record_events(client, learner.headers, on_days(1, timezone=zone))
    yesterday = await streaks(client, learner)
    await record_events(client, learner.headers, on_days(0, timezone=zone))
    today = await progress(client, learner)

    assert two_days_ago == (0, 1, 0)
    assert yesterday == (2, 2, 0)
    assert (today["current_streak"], today["longest_streak"]) == (3, 3)
    assert today["today"] == iso(local_today(zone))


# Each case: a timezone and a day D on which its clocks change (or an ordinary day far from
# UTC); events at 23:30 on D-1, 00:30 and 23:30 on D, and 00:30 on D+1, local time.
CLOCK_CASES = [
    pytest.param("America/New_York", date(2025, 3, 9), id="new-york-spring-forward"),
    pytest.param("America/New_York", date(2025, 11, 2), id="new-york-fall-back"),
    pytest.param("Europe/Berlin", date(2025, 3, 30), id="berlin-spring-forward"),
    pytest.param("Europe/Berlin", date(2025, 10, 26), id="berlin-fall-back"),
    pytest.param("Pacific/Kiritimati", date(2025, 6, 10), id="kiritimati-utc+14"),
    pytest.param("Pacific/Pago_Pago", date(2025, 6, 10), id="pago-pago-utc-11"),
]


@pytest.mark.parametrize(("zone", "day"), CLOCK_CASES)
async def test_late_and_early_events_sent_as_utc_land_on_their_local_days(
    client: httpx.AsyncClient, zone: str, day: date
) -> None:
    learner = await register_account(client, "traveller@example.com", timezone=zone)
    tz = ZoneInfo(zone)
    before, after = day - timedelta(days=1), day + timedelta(days=1)
    local = {
        "late-before": (datetime(before.year, before.month, before.day, 23, 30, tzinfo=tz), before),
        "early-on": (datetime(day.year, day.month, day.day, 0, 30, tzinfo=tz), day),
        "late-on": (datetime(day.year, day.month, day.day, 23, 30, tzinfo=tz), day),
        "early-after": (datetime(after.year, after.month, after.day, 0, 30, tzinfo=tz), after),
    }
    await record_events(
        client,
        learner.headers,
        [exercise(utc(at), id=name) for name, (at, _) in local.items()],
    )

    stored = {e["id"]: e["local_date"] for e in await all_events(client, learner.headers)}
    history = await snapshots(client, learner, start_date=iso(before), end_date=iso(after))

    assert stored == {name: iso(expected) for name, (_, expected) in local.items()}
    assert [(s["date"], s["events"], s["streak"]) for s in history] == [
        (iso(before), 1, 1),
        (iso(day), 2, 2),
        (iso(after), 1, 3),
    ]
    assert (await progress(client, learner))["longest_streak"] == 3


async def test_the_repeated_hour_of_a_fall_back_night_is_one_local_day(
    client: httpx.AsyncClient,
) -> None:
    learner = await register_account(client, "ny@example.com", timezone="America/New_York")
    # 01:30 happens twice in New York on 2025-11-02: at 05:30Z (EDT) and 06:30Z (EST).
    await record_events(
        client,
        learner.headers,
        [
            exercise("2025-11-02T05:30:00Z", id="first-01:30"),
            exercise("2025-11-02T06:30:00Z", id="second-01:30"),
            exercise("2025-11-02T04:30:00Z", id="midnight-30"),  # 00:30 EDT
            exercise("2025-11-02T03:30:00Z", id="the-night-before"),  # 23:30 EDT on 11-01
        ],
    )

    stored = {e["id"]: e["local_date"] for e in await all_events(client, learner.headers)}

    assert stored == {
        "first-01:30": "2025-11-02",
        "second-01:30": "2025-11-02",
        "midnight-30": "2025-11-02",
        "the-night-before": "2025-11-01",
    }


async def test_changing_timezone_later_never_moves_past_events_between_days(
    client: httpx.AsyncClient, learner: Account
) -> None:
    # 23:30 on 2025-06-10 in UTC; already 2025-06-11 in Kiritimati (UTC+14).
    instant = "2025-06-10T23:30:00Z"
    await record_events(client, learner.headers, [exercise(instant, id="before-the-move")])
    window = {"start_date": "2025-06-08", "end_date": "2025-06-13"}
    before = await snapshots(client, learner, **window)

    await set_timezone(client, learner, "Pacific/Kiritimati")
    moved = await read_json(client, "/api/events/before-the-move", learner.headers)
    after_move = await snapshots(client, learner, **window)
    await record_events(client, learner.headers, [exercise(instant, id="after-the-move")])
    await set_timezone(client, learner, "Pacific/Pago_Pago")
    later = await snapshots(client, learner, **window)
    stored = {e["id"]: e["local_date"] for e in await all_events(client, learner.headers)}

    assert [s["date"] for s in before] == ["2025-06-10"]
    assert moved["local_date"] == "2025-06-10"
    assert after_move == before
    assert stored == {"before-the-move": "2025-06-10", "after-the-move": "2025-06-11"}
    assert [(s["date"], s["streak"]) for s in later] == [("2025-06-10", 1), ("2025-06-11", 2)]
    body = await progress(client, learner)
    assert (body["timezone"], body["today"]) == (
        "Pacific/Pago_Pago",
        iso(local_today("Pacific/Pago_Pago")),
    )


# Checking in: POST /api/progress/update-streak


async def test_a_first_check_in_starts_a_streak_and_is_a_check_in_event_worth_no_xp(
    client: httpx.AsyncClient, learner: Account
) -> None:
    body = await check_in(client, learner)

    assert body == {
        "date": iso(local_today()),
        "current_streak": 1,
        "longest_streak": 1,
        "streak_freezes": 0,
        "status": "started",
        "new_record": True,
        "achievements_unlocked": [],
    }
    events = await all_events(client, learner.headers)
    assert [(e["kind"], e["local_date"]) for e in events] == [("check_in", iso(local_today()))]
    assert abs(datetime.fromisoformat(events[0]["occurred_at"]) - datetime.now(UTC)) < timedelta(
        minutes=1
    )
    standing = await progress(client, learner)
    assert (standing["xp"], standing["current_streak"]) == (0, 1)


async def test_checking_in_the_day_after_activity_increments_the_streak(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, on_days(1))

    body = await check_in(client, learner)

    assert {k: body[k] for k in ("current_streak", "longest_streak", "status", "new_record")} == {
        "current_streak": 2,
        "longest_streak": 2,
        "status": "incremented",
        "new_record": True,
    }


async def test_checking_in_on_a_day_already_active_maintains_the_streak(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, on_days(1, 0))

    body = await check_in(client, learner)

    assert {k: body[k] for k in ("current_streak", "longest_streak", "status", "new_record")} == {
        "current_streak": 2,
        "longest_streak": 2,
        "status": "maintained",
        "new_record": False,
    }


async def test_checking_in_after_a_missed_day_with_a_freeze_is_restored_by_the_freeze(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, on_days(*span(8, 2)))  # 7 days: one freeze

    body = await check_in(client, learner)

    assert {k: body[k] for k in ("current_streak", "longest_streak", "streak_freezes")} == {
        "current_streak": 8,
        "longest_streak": 8,
        "streak_freezes": 0,
    }
    assert (body["status"], body["new_record"]) == ("restored_by_freeze", True)
    [today] = await snapshots(client, learner, days=1)
    assert (today["streak"], today["freezes_spent"]) == (8, 1)


async def test_checking_in_after_a_missed_day_without_a_freeze_starts_over(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, on_days(3, 2))

    body = await check_in(client, learner)

    assert (body["status"], body["current_streak"], body["longest_streak"]) == ("started", 1, 2)
    assert body["new_record"] is False


async def test_a_check_in_short_of_the_longest_streak_is_no_new_record(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, on_days(*span(10, 6), 1))

    body = await check_in(client, learner)

    assert (body["status"], body["current_streak"], body["longest_streak"]) == (
        "incremented",
        2,
        5,
    )
    assert body["new_record"] is False


async def test_a_check_in_that_reaches_3_days_unlocks_the_streak_achievement_and_the_bonus(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, on_days(2, 1))

    body = await check_in(client, learner)

    assert (body["status"], body["current_streak"]) == ("incremented", 3)
    assert [a["id"] for a in body["achievements_unlocked"]] == ["streak-3"]
    # 10 + 10 for the exercises, nothing for the check-in, 5 for the day that made it 3.
    assert (await progress(client, learner))["xp"] == 25


async def test_a_check_in_at_a_past_time_counts_for_that_local_day(
    client: httpx.AsyncClient,
) -> None:
    zone = "Pacific/Kiritimati"
    learner = await register_account(client, "kiribati@example.com", timezone=zone)
    yesterday = local_today(zone) - timedelta(days=1)

    body = await check_in(client, learner, {"at": local_time(yesterday, zone, 23, 30)})

    assert (body["date"], body["status"], body["current_streak"]) == (iso(yesterday), "started", 1)
    [event] = await all_events(client, learner.headers)
    assert (event["kind"], event["local_date"]) == ("check_in", iso(yesterday))


async def test_a_check_in_with_an_id_is_recorded_once(
    client: httpx.AsyncClient, learner: Account
) -> None:
    first = await check_in(client, learner, {"id": "check-in-today"})
    again = await check_in(client, learner, {"id": "check-in-today"})

    assert (first["status"], first["current_streak"]) == ("started", 1)
    assert (again["status"], again["current_streak"], again["new_record"]) == (
        "maintained",
        1,
        False,
    )
    events = await all_events(client, learner.headers)
    assert [(e["id"], e["kind"]) for e in events] == [("check-in-today", "check_in")]


@pytest.mark.parametrize(
    "at",
    [
        pytest.param("2025-06-10T12:00:00", id="naive"),
        pytest.param("in-an-hour", id="future"),
        pytest.param("yesterday", id="not-a-time"),
    ],
)
async def test_a_check_in_at_a_naive_or_future_time_is_a_422_naming_at(
    client: httpx.AsyncClient, learner: Account, at: str
) -> None:
    if at == "in-an-hour":
        at = (datetime.now(UTC) + timedelta(hours=1)).isoformat()

    response = await client.post(UPDATE_STREAK, json={"at": at}, headers=learner.headers)

    assert field_errors(response).keys() == {"at"}
    assert await all_events(client, learner.headers) == []


async def test_repeating_a_check_in_id_with_another_time_reports_the_stored_check_in(
    client: httpx.AsyncClient, learner: Account
) -> None:
    first = await client.post(
        UPDATE_STREAK, json={"id": "daily", "at": days_ago(3)}, headers=learner.headers
    )
    assert first.status_code == 200, first.text

    again = await client.post(
        UPDATE_STREAK, json={"id": "daily", "at": days_ago(0)}, headers=learner.headers
    )

    assert again.status_code == 200, again.text
    body = again.json()
    assert body["date"] == first.json()["date"]
    assert (body["status"], body["new_record"], body["achievements_unlocked"]) == (
        "maintained",
        False,
        [],
    )
    assert [e["id"] for e in await all_events(client, learner.headers)] == ["daily"]
