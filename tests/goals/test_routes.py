"""The goals API through the real app: setting goals of each kind, their progress as real events
and track items arrive, achieving them exactly once, overdue, abandoning and resuming, and who
may see and change what."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.helpers import (
    Account,
    all_events,
    assert_problem,
    create_admin_account,
    days_ago,
    field_errors,
    local_today,
    projection_differences,
    read_json,
    record_events,
)

GOAL_FIELDS = {
    "id",
    "title",
    "description",
    "target",
    "target_date",
    "status",
    "progress",
    "achieved_at",
    "created_at",
    "updated_at",
}
TRACK = "# Roadmap\n\n## Basics\n\n- [ ] a\n- [ ] b\n\n## Later\n\n- [ ] c\n"


def exercise(
    topic: str | None = None, *, grade: float | None = None, when: str | None = None
) -> dict[str, Any]:
    event: dict[str, Any] = {"kind": "exercise_completed"}
    optional = {"topic": topic, "grade": grade, "occurred_at": when}
    event.update({k: v for k, v in optional.items() if v is not None})
    return event


def project() -> dict[str, Any]:
    return {"kind": "project_completed"}


async def create_goal(
    client: httpx.AsyncClient, account: Account, target: dict[str, Any], **fields: Any
) -> dict[str, Any]:
    body = {"title": "A goal", **fields, "target": target}
    response = await client.post("/api/goals", json=body, headers=account.headers)
    assert response.status_code == 201, response.text
    goal: dict[str, Any] = response.json()
    assert goal.keys() == GOAL_FIELDS
    return goal


async def read_goal(client: httpx.AsyncClient, account: Account, goal_id: str) -> dict[str, Any]:
    return await read_json(client, f"/api/goals/{goal_id}", account.headers)


async def patch_goal(
    client: httpx.AsyncClient, account: Account, goal_id: str, body: dict[str, Any]
) -> httpx.Response:
    return await client.patch(f"/api/goals/{goal_id}", json=body, headers=account.headers)


async def list_goals(
    client: httpx.AsyncClient, account: Account, **params: Any
) -> list[dict[str, Any]]:
    body = await read_json(client, "/api/goals", account.headers, **params)
    items: list[dict[str, Any]] = body["items"]
    return items


async def goal_events(client: httpx.AsyncClient, account: Account) -> list[dict[str, Any]]:
    return [e for e in await all_events(client, account.headers) if e["kind"] == "goal_achieved"]


def progress(current: int, target: int, percent: int) -> dict[str, int]:
    return {"current": current, "target": target, "percent": percent}


async def import_track(client: httpx.AsyncClient, account: Account, text: str = TRACK) -> str:
    response = await client.post(
        "/api/tracks/import",
        content=text.encode(),
        headers={**account.headers, "Content-Type": "text/markdown"},
    )
    assert response.status_code == 201, response.text
    track_id: str = response.json()["id"]
    return track_id


async def track_ids(
    client: httpx.AsyncClient, account: Account, track_id: str
) -> tuple[dict[str, str], dict[str, str]]:
    """The track's categories and items, by title."""
    track = await read_json(client, f"/api/tracks/{track_id}", account.headers)
    categories = {c["title"]: c["id"] for c in track["categories"]}
    items = {i["title"]: i["id"] for c in track["categories"] for i in c["items"]}
    return categories, items


async def set_item(
    client: httpx.AsyncClient, account: Account, track_id: str, item_id: str, state: str
) -> None:
    response = await client.patch(
        f"/api/tracks/{track_id}/items/{item_id}", json={"state": state}, headers=account.headers
    )
    assert response.status_code == 200, response.text


# Setting a goal -------------------------------------------------------------------------------


async def test_a_new_goal_is_active_with_its_target_as_given(
    client: httpx.AsyncClient, learner: Account
) -> None:
    target_date = (local_today() + timedelta(days=30)).isoformat()
    goal = await create_goal(
        client,
        learner,
        {"type": "exercises", "count": 20, "topic": "recursion"},
        title="  Twenty recursion exercises ",
        description="One a day.",
        target_date=target_date,
    )

    assert goal["title"] == "Twenty recursion exercises"
    assert goal["description"] == "One a day."
    assert goal["target"] == {"type": "exercises", "count": 20, "topic": "recursion"}
    assert goal["target_date"] == target_date
    assert goal["status"] == "active"
    assert goal["progress"] == progress(0, 20, 0)
    assert goal["achieved_at"] is None
    assert goal["created_at"] == goal["updated_at"]
    assert await read_goal(client, learner, goal["id"]) == goal
    assert await list_goals(client, learner) == [goal]


async def test_goals_are_listed_newest_first(client: httpx.AsyncClient, learner: Account) -> None:
    first = await create_goal(client, learner, {"type": "streak", "days": 7}, title="first")
    second = await create_goal(client, learner, {"type": "rank", "rank": "expert"}, title="second")
    third = await create_goal(client, learner, {"type": "exercises", "count": 1}, title="third")

    assert [g["id"] for g in await list_goals(client, learner)] == [
        third["id"],
        second["id"],
        first["id"],
    ]


# Progress of each kind of goal ----------------------------------------------------------------


async def test_an_exercises_goal_counts_only_exercises_completed_after_it_was_set(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, [exercise() for _ in range(3)])
    goal = await create_goal(client, learner, {"type": "exercises", "count": 5})
    assert goal["progress"] == progress(0, 5, 0)

    await record_events(client, learner.headers, [exercise(), exercise("sql")])

    assert (await read_goal(client, learner, goal["id"]))["progress"] == progress(2, 5, 40)


async def test_an_exercises_goal_in_a_topic_counts_only_that_topic(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, [exercise("sql"), exercise("python")])
    goal = await create_goal(client, learner, {"type": "exercises", "count": 4, "topic": "sql"})

    await record_events(
        client, learner.headers, [exercise("sql"), exercise("python"), exercise(), exercise("sql")]
    )

    assert (await read_goal(client, learner, goal["id"]))["progress"] == progress(2, 4, 50)


async def test_the_nth_exercise_achieves_an_exercises_goal_exactly_once(
    client: httpx.AsyncClient, learner: Account, app: FastAPI
) -> None:
    goal = await create_goal(client, learner, {"type": "exercises", "count": 3}, title="Three")
    await record_events(client, learner.headers, [exercise(), exercise()])
    assert (await read_goal(client, learner, goal["id"]))["status"] == "active"
    assert await goal_events(client, learner) == []

    before = datetime.now().astimezone()
    await record_events(client, learner.headers, [exercise()])

    achieved = await read_goal(client, learner, goal["id"])
    assert achieved["status"] == "achieved"
    assert achieved["progress"] == progress(3, 3, 100)
    assert datetime.fromisoformat(achieved["achieved_at"]) >= before
    assert achieved["updated_at"] == achieved["achieved_at"]
    [event] = await goal_events(client, learner)
    assert event["metadata"] == {"goal_id": goal["id"], "title": "Three"}
    assert event["topic"] is None

    await record_events(client, learner.headers, [exercise(), exercise()])

    later = await read_goal(client, learner, goal["id"])
    assert later["status"] == "achieved"
    assert later["achieved_at"] == achieved["achieved_at"]
    assert later["progress"] == progress(5, 3, 100)  # progress keeps being shown
    assert await goal_events(client, learner) == [event]
    # The event only records the achievement: XP and the rest are the exercises' alone.
    assert (await read_json(client, "/api/progress", learner.headers))["xp"] == 50
    assert await projection_differences(app, learner) == []


async def test_one_batch_can_achieve_several_goals(
    client: httpx.AsyncClient, learner: Account
) -> None:
    small = await create_goal(client, learner, {"type": "exercises", "count": 1})
    large = await create_goal(client, learner, {"type": "exercises", "count": 2})
    later = await create_goal(client, learner, {"type": "exercises", "count": 3})

    await record_events(client, learner.headers, [exercise(), exercise()])

    statuses = {g["id"]: g["status"] for g in await list_goals(client, learner)}
    assert statuses == {small["id"]: "achieved", large["id"]: "achieved", later["id"]: "active"}
    assert {e["metadata"]["goal_id"] for e in await goal_events(client, learner)} == {
        small["id"],
        large["id"],
    }


async def test_a_duplicate_event_achieves_nothing(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, [{**exercise(), "id": "ex-1"}])
    goal = await create_goal(client, learner, {"type": "exercises", "count": 1})

    await record_events(client, learner.headers, [{**exercise(), "id": "ex-1"}])

    assert (await read_goal(client, learner, goal["id"]))["progress"] == progress(0, 1, 0)


async def test_a_skill_level_goal_counts_levels_climbed_in_its_topic(
    client: httpx.AsyncClient, learner: Account
) -> None:
    goal = await create_goal(
        client, learner, {"type": "skill_level", "topic": "python", "level": "advanced"}
    )
    assert goal["progress"] == progress(0, 2, 0)  # beginner, two levels to go

    await record_events(client, learner.headers, [exercise("python", grade=90)] * 10)

    assert (await read_goal(client, learner, goal["id"]))["progress"] == progress(1, 2, 50)

    await record_events(client, learner.headers, [exercise("python", grade=90)] * 20)

    advanced = await read_goal(client, learner, goal["id"])
    assert advanced["status"] == "achieved"
    assert advanced["progress"] == progress(2, 2, 100)


async def test_a_streak_goal_reads_the_current_streak(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, [exercise(when=days_ago(n)) for n in (2, 1)])
    goal = await create_goal(client, learner, {"type": "streak", "days": 3})
    assert goal["progress"] == progress(2, 3, 66)

    await record_events(client, learner.headers, [exercise()])

    streak = await read_goal(client, learner, goal["id"])
    assert streak["status"] == "achieved"
    assert streak["progress"] == progress(3, 3, 100)


async def test_a_broken_streak_shows_no_progress(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, [exercise(when=days_ago(n)) for n in (9, 8)])

    goal = await create_goal(client, learner, {"type": "streak", "days": 5})

    assert goal["progress"] == progress(0, 5, 0)


async def test_a_rank_goal_counts_completed_projects(
    client: httpx.AsyncClient, learner: Account
) -> None:
    goal = await create_goal(client, learner, {"type": "rank", "rank": "competent"})
    assert goal["progress"] == progress(0, 3, 0)

    await record_events(client, learner.headers, [project()])
    assert (await read_goal(client, learner, goal["id"]))["progress"] == progress(1, 3, 33)

    await record_events(client, learner.headers, [project(), project()])

    competent = await read_goal(client, learner, goal["id"])
    assert competent["status"] == "achieved"
    assert competent["progress"] == progress(3, 3, 100)


@pytest.mark.parametrize(
    ("events", "target", "measured"),
    [
        ([project()] * 3, {"type": "rank", "rank": "competent"}, progress(3, 3, 100)),
        ([exercise()], {"type": "streak", "days": 1}, progress(1, 1, 100)),
        (
            [exercise("sql", grade=80)] * 10,
            {"type": "skill_level", "topic": "sql", "level": "intermediate"},
            progress(1, 1, 100),
        ),
        ([], {"type": "rank", "rank": "novice"}, progress(0, 0, 100)),
    ],
)
async def test_a_goal_already_met_when_set_is_achieved_at_once(
    client: httpx.AsyncClient,
    learner: Account,
    events: list[dict[str, Any]],
    target: dict[str, Any],
    measured: dict[str, int],
) -> None:
    if events:
        await record_events(client, learner.headers, events)

    goal = await create_goal(client, learner, target)

    assert goal["status"] == "achieved"
    assert goal["achieved_at"] is not None
    assert goal["progress"] == measured
    [event] = await goal_events(client, learner)
    assert event["metadata"]["goal_id"] == goal["id"]


# Goals on tracks ------------------------------------------------------------------------------


async def test_a_finish_track_goal_counts_done_items_and_is_achieved_when_finished(
    client: httpx.AsyncClient, learner: Account
) -> None:
    track_id = await import_track(client, learner)
    _, items = await track_ids(client, learner, track_id)
    goal = await create_goal(client, learner, {"type": "finish_track", "track_id": track_id})
    assert goal["progress"] == progress(0, 3, 0)

    await set_item(client, learner, track_id, items["a"], "done")
    await set_item(client, learner, track_id, items["b"], "done")
    assert (await read_goal(client, learner, goal["id"]))["progress"] == progress(2, 3, 66)

    await set_item(client, learner, track_id, items["c"], "skipped")  # skipped items do not count

    finished = await read_goal(client, learner, goal["id"])
    assert finished["status"] == "achieved"
    assert finished["progress"] == progress(2, 2, 100)
    assert len(await goal_events(client, learner)) == 1


async def test_a_finish_category_goal_is_achieved_when_its_category_is_finished(
    client: httpx.AsyncClient, learner: Account
) -> None:
    track_id = await import_track(client, learner)
    categories, items = await track_ids(client, learner, track_id)
    target = {"type": "finish_category", "track_id": track_id, "category_id": categories["Basics"]}
    basics = await create_goal(client, learner, target)
    later = await create_goal(
        client,
        learner,
        {"type": "finish_category", "track_id": track_id, "category_id": categories["Later"]},
    )
    assert basics["target"] == target
    assert basics["progress"] == progress(0, 2, 0)

    await set_item(client, learner, track_id, items["a"], "done")
    assert (await read_goal(client, learner, basics["id"]))["progress"] == progress(1, 2, 50)
    await set_item(client, learner, track_id, items["b"], "done")

    assert (await read_goal(client, learner, basics["id"]))["status"] == "achieved"
    assert (await read_goal(client, learner, later["id"]))["progress"] == progress(0, 1, 0)


async def test_a_finished_track_stays_achieved_when_an_item_is_reopened(
    client: httpx.AsyncClient, learner: Account
) -> None:
    track_id = await import_track(client, learner, "# T\n\n## C\n\n- [ ] a\n")
    _, items = await track_ids(client, learner, track_id)
    goal = await create_goal(client, learner, {"type": "finish_track", "track_id": track_id})
    await set_item(client, learner, track_id, items["a"], "done")

    await set_item(client, learner, track_id, items["a"], "todo")

    reopened = await read_goal(client, learner, goal["id"])
    assert reopened["status"] == "achieved"
    assert reopened["progress"] == progress(0, 1, 0)


async def test_a_goal_on_a_finished_track_is_achieved_at_once(
    client: httpx.AsyncClient, learner: Account
) -> None:
    track_id = await import_track(client, learner, "# T\n\n## C\n\n- [x] a\n- [-] b\n")

    goal = await create_goal(client, learner, {"type": "finish_track", "track_id": track_id})

    assert goal["status"] == "achieved"
    assert goal["progress"] == progress(1, 1, 100)


async def test_a_goal_on_a_deleted_track_stays_without_progress(
    client: httpx.AsyncClient, learner: Account
) -> None:
    track_id = await import_track(client, learner)
    categories, _ = await track_ids(client, learner, track_id)
    track_goal = await create_goal(client, learner, {"type": "finish_track", "track_id": track_id})
    category_goal = await create_goal(
        client,
        learner,
        {"type": "finish_category", "track_id": track_id, "category_id": categories["Basics"]},
    )

    response = await client.delete(f"/api/tracks/{track_id}", headers=learner.headers)
    assert response.status_code == 204, response.text
    await record_events(client, learner.headers, [exercise()])  # settles the learner's goals

    for goal in (track_goal, category_goal):
        gone = await read_goal(client, learner, goal["id"])
        assert gone["status"] == "active"
        assert gone["progress"] == progress(0, 0, 0)
        assert gone["target"] == goal["target"]


async def test_a_goal_on_a_track_the_learner_does_not_have_is_refused(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    theirs = await import_track(client, other_learner)
    mine = await import_track(client, learner)
    their_categories, _ = await track_ids(client, other_learner, theirs)

    for track_id in (theirs, str(uuid.uuid4())):
        response = await client.post(
            "/api/goals",
            json={"title": "t", "target": {"type": "finish_track", "track_id": track_id}},
            headers=learner.headers,
        )
        assert set(field_errors(response)) == {"target.track_id"}

    response = await client.post(
        "/api/goals",
        json={
            "title": "t",
            "target": {
                "type": "finish_category",
                "track_id": mine,
                "category_id": their_categories["Basics"],
            },
        },
        headers=learner.headers,
    )
    assert set(field_errors(response)) == {"target.category_id"}
    assert await list_goals(client, learner) == []


# Dates and status -----------------------------------------------------------------------------


async def test_an_active_goal_past_its_target_date_is_overdue(
    client: httpx.AsyncClient, learner: Account
) -> None:
    today = local_today()
    late = await create_goal(
        client,
        learner,
        {"type": "exercises", "count": 5},
        target_date=(today - timedelta(days=1)).isoformat(),
    )
    due_today = await create_goal(
        client, learner, {"type": "exercises", "count": 5}, target_date=today.isoformat()
    )
    undated = await create_goal(client, learner, {"type": "exercises", "count": 5})

    assert late["status"] == "overdue"
    assert due_today["status"] == "active"
    assert [g["id"] for g in await list_goals(client, learner, status="overdue")] == [late["id"]]
    assert [g["id"] for g in await list_goals(client, learner, status="active")] == [
        undated["id"],
        due_today["id"],
    ]

    moved = await patch_goal(
        client, learner, late["id"], {"target_date": (today + timedelta(days=7)).isoformat()}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "active"


async def test_an_overdue_goal_can_still_be_achieved(
    client: httpx.AsyncClient, learner: Account
) -> None:
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    goal = await create_goal(
        client, learner, {"type": "exercises", "count": 1}, target_date=yesterday
    )

    await record_events(client, learner.headers, [exercise()])

    assert (await read_goal(client, learner, goal["id"]))["status"] == "achieved"


async def test_goals_are_filtered_by_the_status_they_show(
    client: httpx.AsyncClient, learner: Account
) -> None:
    achieved = await create_goal(client, learner, {"type": "rank", "rank": "novice"})
    abandoned = await create_goal(client, learner, {"type": "streak", "days": 9})
    await patch_goal(client, learner, abandoned["id"], {"status": "abandoned"})
    active = await create_goal(client, learner, {"type": "streak", "days": 9})

    for status, goal in (("achieved", achieved), ("abandoned", abandoned), ("active", active)):
        assert [g["id"] for g in await list_goals(client, learner, status=status)] == [goal["id"]]
    assert await list_goals(client, learner, status="overdue") == []
    assert set(field_errors(await client.get("/api/goals?status=done", headers=learner.headers)))


async def test_an_abandoned_goal_is_not_achieved_until_it_is_resumed(
    client: httpx.AsyncClient, learner: Account
) -> None:
    goal = await create_goal(client, learner, {"type": "exercises", "count": 1})
    response = await patch_goal(client, learner, goal["id"], {"status": "abandoned"})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "abandoned"

    await record_events(client, learner.headers, [exercise()])
    abandoned = await read_goal(client, learner, goal["id"])
    assert abandoned["status"] == "abandoned"
    assert abandoned["progress"] == progress(1, 1, 100)
    assert await goal_events(client, learner) == []

    response = await patch_goal(client, learner, goal["id"], {"status": "active"})

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "achieved"  # met already, so achieved on resuming
    assert len(await goal_events(client, learner)) == 1


async def test_a_resumed_goal_that_is_not_met_is_active_again(
    client: httpx.AsyncClient, learner: Account
) -> None:
    goal = await create_goal(client, learner, {"type": "exercises", "count": 2})
    await patch_goal(client, learner, goal["id"], {"status": "abandoned"})

    response = await patch_goal(client, learner, goal["id"], {"status": "active"})

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "active"


@pytest.mark.parametrize("status", ["abandoned", "active"])
async def test_an_achieved_goal_cannot_be_abandoned_or_reopened(
    client: httpx.AsyncClient, learner: Account, status: str
) -> None:
    goal = await create_goal(client, learner, {"type": "rank", "rank": "novice"})
    assert goal["status"] == "achieved"

    response = await patch_goal(client, learner, goal["id"], {"status": status})

    assert "achieved" in assert_problem(response, 409)["detail"]
    assert (await read_goal(client, learner, goal["id"]))["status"] == "achieved"


async def test_an_achieved_goal_can_still_be_renamed(
    client: httpx.AsyncClient, learner: Account
) -> None:
    goal = await create_goal(client, learner, {"type": "rank", "rank": "novice"})

    response = await patch_goal(client, learner, goal["id"], {"title": "Done!"})

    assert response.status_code == 200, response.text
    assert response.json()["title"] == "Done!"
    assert response.json()["status"] == "achieved"
    assert response.json()["achieved_at"] == goal["achieved_at"]


# Changing and deleting ------------------------------------------------------------------------


async def test_patch_changes_only_the_fields_sent(
    client: httpx.AsyncClient, learner: Account
) -> None:
    date = (local_today() + timedelta(days=3)).isoformat()
    goal = await create_goal(
        client, learner, {"type": "streak", "days": 5}, description="d", target_date=date
    )

    response = await patch_goal(client, learner, goal["id"], {"title": "Five days"})
    assert response.status_code == 200, response.text
    renamed = response.json()
    assert (renamed["title"], renamed["description"], renamed["target_date"]) == (
        "Five days",
        "d",
        date,
    )
    assert datetime.fromisoformat(renamed["updated_at"]) > datetime.fromisoformat(
        goal["updated_at"]
    )
    assert renamed["created_at"] == goal["created_at"]

    response = await patch_goal(
        client, learner, goal["id"], {"description": "", "target_date": None}
    )
    assert response.status_code == 200, response.text
    cleared = response.json()
    assert (cleared["title"], cleared["description"], cleared["target_date"]) == (
        "Five days",
        "",
        None,
    )
    assert cleared["target"] == goal["target"]


async def test_a_goals_target_cannot_change(client: httpx.AsyncClient, learner: Account) -> None:
    goal = await create_goal(client, learner, {"type": "streak", "days": 5})

    response = await patch_goal(
        client, learner, goal["id"], {"target": {"type": "streak", "days": 1}}
    )

    assert set(field_errors(response)) == {"target"}
    assert (await read_goal(client, learner, goal["id"]))["target"] == goal["target"]


async def test_a_deleted_goal_is_gone(client: httpx.AsyncClient, learner: Account) -> None:
    goal = await create_goal(client, learner, {"type": "streak", "days": 5})

    response = await client.delete(f"/api/goals/{goal['id']}", headers=learner.headers)

    assert response.status_code == 204
    assert response.content == b""
    assert_problem(await client.get(f"/api/goals/{goal['id']}", headers=learner.headers), 404)
    assert_problem(await client.delete(f"/api/goals/{goal['id']}", headers=learner.headers), 404)
    assert await list_goals(client, learner) == []


# Limits and validation ------------------------------------------------------------------------


async def test_at_most_100_goals_are_active_at_once(
    client: httpx.AsyncClient, learner: Account
) -> None:
    target = {"type": "streak", "days": 30}
    achieved = await create_goal(client, learner, {"type": "rank", "rank": "novice"})
    assert achieved["status"] == "achieved"  # achieved goals leave room
    goals = [await create_goal(client, learner, target) for _ in range(100)]

    response = await client.post(
        "/api/goals", json={"title": "one more", "target": target}, headers=learner.headers
    )
    assert "100" in assert_problem(response, 409)["detail"]

    # So do abandoned ones, until they are resumed.
    await patch_goal(client, learner, goals[0]["id"], {"status": "abandoned"})
    await create_goal(client, learner, target)
    assert_problem(await patch_goal(client, learner, goals[0]["id"], {"status": "active"}), 409)
    assert len(await list_goals(client, learner, status="active")) == 100
    assert len(await list_goals(client, learner)) == 102


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"title": "t", "target": {"type": "exercises", "count": 0}}, {"target.count"}),
        ({"title": "t", "target": {"type": "exercises", "count": 100_001}}, {"target.count"}),
        ({"title": "t", "target": {"type": "exercises", "count": "5"}}, {"target.count"}),
        ({"title": "t", "target": {"type": "exercises"}}, {"target.count"}),
        (
            {"title": "t", "target": {"type": "exercises", "count": 1, "topic": " "}},
            {"target.topic"},
        ),
        ({"title": "t", "target": {"type": "marathon", "count": 1}}, {"target.type"}),
        ({"title": "t", "target": {"count": 1}}, {"target.type"}),
        ({"title": "t", "target": "exercises"}, {"target"}),
        ({"title": "t"}, {"target"}),
        ({"title": "", "target": {"type": "streak", "days": 3}}, {"title"}),
        ({"title": "   ", "target": {"type": "streak", "days": 3}}, {"title"}),
        ({"title": "x" * 201, "target": {"type": "streak", "days": 3}}, {"title"}),
        ({"target": {"type": "streak", "days": 3}}, {"title"}),
        (
            {"title": "t", "description": "x" * 5001, "target": {"type": "streak", "days": 3}},
            {"description"},
        ),
        (
            {"title": "t", "target_date": "soon", "target": {"type": "streak", "days": 3}},
            {"target_date"},
        ),
        ({"title": "t", "target": {"type": "streak", "days": 0}}, {"target.days"}),
        ({"title": "t", "target": {"type": "streak", "days": 3651}}, {"target.days"}),
        ({"title": "t", "target": {"type": "streak", "days": 3, "weeks": 1}}, {"target.weeks"}),
        ({"title": "t", "status": "achieved", "target": {"type": "streak", "days": 3}}, {"status"}),
        ({"title": "t", "target": {"type": "rank", "rank": "wizard"}}, {"target.rank"}),
        (
            {"title": "t", "target": {"type": "skill_level", "topic": "sql", "level": "guru"}},
            {"target.level"},
        ),
        (
            {"title": "t", "target": {"type": "skill_level", "topic": "sql", "level": "beginner"}},
            {"target.level"},
        ),
        ({"title": "t", "target": {"type": "skill_level", "level": "expert"}}, {"target.topic"}),
        (
            {"title": "t", "target": {"type": "finish_track", "track_id": "nope"}},
            {"target.track_id"},
        ),
        (
            {"title": "t", "target": {"type": "finish_category", "track_id": str(uuid.uuid4())}},
            {"target.category_id"},
        ),
    ],
)
async def test_an_invalid_goal_is_refused_naming_the_field(
    client: httpx.AsyncClient, learner: Account, body: dict[str, Any], fields: set[str]
) -> None:
    response = await client.post("/api/goals", json=body, headers=learner.headers)

    assert set(field_errors(response)) == fields
    assert await list_goals(client, learner) == []


async def test_an_unknown_goal_type_is_refused_listing_the_known_ones(
    client: httpx.AsyncClient, learner: Account
) -> None:
    body = {"title": "t", "target": {"type": "marathon"}}

    errors = field_errors(await client.post("/api/goals", json=body, headers=learner.headers))

    assert "'marathon'" in errors["target.type"]
    assert "finish_track" in errors["target.type"]
    assert "exercises" in errors["target.type"]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"status": "achieved"}, {"status"}),
        ({"status": "overdue"}, {"status"}),
        ({"title": ""}, {"title"}),
        ({"description": "x" * 5001}, {"description"}),
        ({"baseline": 0}, {"baseline"}),
    ],
)
async def test_an_invalid_change_is_refused_naming_the_field(
    client: httpx.AsyncClient, learner: Account, body: dict[str, Any], fields: set[str]
) -> None:
    goal = await create_goal(client, learner, {"type": "streak", "days": 5})

    assert set(field_errors(await patch_goal(client, learner, goal["id"], body))) == fields


async def test_a_goal_id_that_is_not_a_uuid_is_refused(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await client.get("/api/goals/not-a-uuid", headers=learner.headers)

    assert set(field_errors(response)) == {"goal_id"}


# Who may see and change what ------------------------------------------------------------------


async def test_another_learners_goal_is_not_found(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    theirs = await create_goal(client, other_learner, {"type": "streak", "days": 5})
    missing = str(uuid.uuid4())

    for goal_id in (theirs["id"], missing):
        path = f"/api/goals/{goal_id}"
        responses = [
            await client.get(path, headers=learner.headers),
            await client.patch(path, json={"status": "abandoned"}, headers=learner.headers),
            await client.delete(path, headers=learner.headers),
        ]
        for response in responses:
            assert assert_problem(response, 404)["detail"] == f"no goal has the id {goal_id}"
    assert await list_goals(client, learner) == []
    assert await read_goal(client, other_learner, theirs["id"]) == theirs


async def test_a_learners_events_settle_only_their_own_goals(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    mine = await create_goal(client, learner, {"type": "exercises", "count": 1})
    theirs = await create_goal(client, other_learner, {"type": "exercises", "count": 1})

    await record_events(client, learner.headers, [exercise()])

    assert (await read_goal(client, learner, mine["id"]))["status"] == "achieved"
    assert (await read_goal(client, other_learner, theirs["id"]))["status"] == "active"
    assert await goal_events(client, other_learner) == []


async def test_events_an_integration_records_for_a_learner_settle_that_learners_goals(
    client: httpx.AsyncClient, learner: Account, app: FastAPI
) -> None:
    admin = await create_admin_account(client, app)
    response = await client.post(
        "/api/api-keys", json={"name": "lms", "scopes": ["events:write"]}, headers=admin.headers
    )
    assert response.status_code == 201, response.text
    key = {"Authorization": f"Bearer {response.json()['secret']}"}
    goal = await create_goal(client, learner, {"type": "exercises", "count": 2})

    await record_events(client, key, [{**exercise(), "user_id": learner.id}] * 2)

    assert (await read_goal(client, learner, goal["id"]))["status"] == "achieved"
    assert len(await goal_events(client, learner)) == 1


async def test_api_keys_need_goals_read_to_read_goals_and_goals_write_to_change_them(
    client: httpx.AsyncClient, learner: Account
) -> None:
    goal = await create_goal(client, learner, {"type": "streak", "days": 5})
    response = await client.post(
        "/api/api-keys", json={"name": "reader", "scopes": ["goals:read"]}, headers=learner.headers
    )
    assert response.status_code == 201, response.text
    reader = {"Authorization": f"Bearer {response.json()['secret']}"}
    path = f"/api/goals/{goal['id']}"

    assert (await client.get("/api/goals", headers=reader)).status_code == 200
    assert (await client.get(path, headers=reader)).status_code == 200
    body = {"title": "t", "target": {"type": "streak", "days": 1}}
    for refused in (
        await client.post("/api/goals", json=body, headers=reader),
        await client.patch(path, json={"title": "x"}, headers=reader),
        await client.delete(path, headers=reader),
    ):
        assert "goals:write" in assert_problem(refused, 403)["detail"]
    assert (await read_goal(client, learner, goal["id"]))["title"] == goal["title"]


ANY_GOAL = uuid.UUID(int=1)  # a fixed id, so every test process collects the same tests


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/goals"),
        ("POST", "/api/goals"),
        ("GET", f"/api/goals/{ANY_GOAL}"),
        ("PATCH", f"/api/goals/{ANY_GOAL}"),
        ("DELETE", f"/api/goals/{ANY_GOAL}"),
    ],
)
async def test_goals_need_a_signed_in_caller(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await client.request(method, path, json={})

    assert_problem(response, 401)
