"""GET /api/notifications, POST /api/notifications/read and the notification settings."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.helpers import (
    Account,
    assert_problem,
    field_errors,
    read_json,
    record_events,
)


def project(event_id: str) -> dict[str, Any]:
    return {"id": event_id, "kind": "project_completed", "topic": "sql", "grade": 90}


async def notifications(
    client: httpx.AsyncClient, account: Account, **params: Any
) -> dict[str, Any]:
    return await read_json(client, "/api/notifications", account.headers, **params)


async def test_progress_becomes_notifications_newest_first(
    client: httpx.AsyncClient, learner: Account
) -> None:
    goal = await client.post(
        "/api/goals",
        json={"title": "Show up", "target": {"type": "streak", "days": 1}},
        headers=learner.headers,
    )
    assert goal.status_code == 201, goal.text
    recorded = await record_events(client, learner.headers, [project("p1")])

    listed = await notifications(client, learner)

    kinds = [item["kind"] for item in listed["items"]]
    unlocked = {a["id"] for a in recorded["achievements_unlocked"]}
    assert unlocked
    assert kinds.count("achievement.unlocked") == len(unlocked)
    assert {i["data"]["id"] for i in listed["items"] if i["kind"] == "achievement.unlocked"} == (
        unlocked
    )
    level = next(i for i in listed["items"] if i["kind"] == "level.up")
    assert level["data"] == {"level": 2, "xp": level["data"]["xp"]}
    assert level["title"] == "You reached level 2"
    achieved = next(i for i in listed["items"] if i["kind"] == "goal.achieved")
    assert achieved["data"]["title"] == "Show up"
    assert achieved["link"] == "/goals"
    assert listed["unread"] == len(kinds)
    assert all(item["read_at"] is None for item in listed["items"])
    created = [item["created_at"] for item in listed["items"]]
    assert created == sorted(created, reverse=True)


async def test_a_retried_batch_tells_nothing_new(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, [project("p1")])
    before = await notifications(client, learner)
    await record_events(client, learner.headers, [project("p1")])  # the same id: stored once
    assert (await notifications(client, learner))["items"] == before["items"]


async def test_a_rank_up_is_told_once(client: httpx.AsyncClient, learner: Account) -> None:
    await record_events(client, learner.headers, [project(f"p{n}") for n in range(3)])
    await record_events(client, learner.headers, [project("p4")])

    ranks = [i for i in (await notifications(client, learner))["items"] if i["kind"] == "rank.up"]

    assert len(ranks) == 1
    assert ranks[0]["data"]["projects_completed"] == 3
    assert ranks[0]["title"].startswith("You are now a")


async def test_an_event_that_changes_no_standing_makes_no_notification(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, [project("p1")])
    before = await notifications(client, learner)
    await record_events(
        client, learner.headers, [{"id": "s1", "kind": "study_session", "time_spent_seconds": 60}]
    )
    assert (await notifications(client, learner))["items"] == before["items"]


async def test_marking_read_by_id_and_all(client: httpx.AsyncClient, learner: Account) -> None:
    await record_events(client, learner.headers, [project("p1")])
    items = (await notifications(client, learner))["items"]
    assert len(items) >= 2

    one = await client.post(
        "/api/notifications/read", json={"ids": [items[0]["id"]]}, headers=learner.headers
    )
    assert one.status_code == 200, one.text
    assert one.json() == {"marked": 1, "unread": len(items) - 1}
    unread = await notifications(client, learner, unread="true")
    assert [i["id"] for i in unread["items"]] == [i["id"] for i in items[1:]]

    again = await client.post(
        "/api/notifications/read", json={"ids": [items[0]["id"]]}, headers=learner.headers
    )
    assert again.json() == {"marked": 0, "unread": len(items) - 1}

    everything = await client.post("/api/notifications/read", json={}, headers=learner.headers)
    assert everything.json() == {"marked": len(items) - 1, "unread": 0}
    assert all(i["read_at"] for i in (await notifications(client, learner))["items"])


async def test_another_learners_notification_is_refused_by_its_place_and_nothing_changes(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    await record_events(client, learner.headers, [project("p1")])
    await record_events(client, other_learner.headers, [project("p1")])
    mine = (await notifications(client, learner))["items"]
    theirs = (await notifications(client, other_learner))["items"]

    response = await client.post(
        "/api/notifications/read",
        json={"ids": [mine[0]["id"], theirs[0]["id"]]},
        headers=learner.headers,
    )
    unknown = await client.post(
        "/api/notifications/read", json={"ids": [str(uuid.uuid4())]}, headers=learner.headers
    )

    assert_problem(response, 422)
    assert set(field_errors(response)) == {"ids[1]"}
    assert set(field_errors(unknown)) == {"ids[0]"}
    assert (await notifications(client, learner))["unread"] == len(mine)
    assert (await notifications(client, other_learner))["unread"] == len(theirs)


async def test_the_list_is_paged_by_cursor(client: httpx.AsyncClient, learner: Account) -> None:
    await record_events(client, learner.headers, [project(f"p{n}") for n in range(3)])
    everything = (await notifications(client, learner, limit=500))["items"]
    seen: list[str] = []
    cursor = None
    while True:
        page = await notifications(
            client, learner, limit=2, **({"cursor": cursor} if cursor else {})
        )
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [item["id"] for item in everything]

    bad = await client.get(
        "/api/notifications", params={"cursor": "bm9wZQ"}, headers=learner.headers
    )
    assert set(field_errors(bad)) == {"cursor"}


async def test_settings_default_to_reminders_without_e_mail(
    client: httpx.AsyncClient, learner: Account
) -> None:
    assert await read_json(client, "/api/notifications/settings", learner.headers) == {
        "streak_reminders": True,
        "review_reminders": True,
        "email_digest": False,
    }
    changed = await client.put(
        "/api/notifications/settings", json={"streak_reminders": False}, headers=learner.headers
    )
    assert changed.json() == {
        "streak_reminders": False,
        "review_reminders": True,
        "email_digest": False,
    }
    digest = await client.put(
        "/api/notifications/settings", json={"email_digest": True}, headers=learner.headers
    )
    assert_problem(digest, 422)
    assert set(field_errors(digest)) == {"email_digest"}
    assert (await read_json(client, "/api/notifications/settings", learner.headers))[
        "email_digest"
    ] is False
    lax = await client.put(
        "/api/notifications/settings", json={"review_reminders": 0}, headers=learner.headers
    )
    assert set(field_errors(lax)) == {"review_reminders"}


async def test_an_api_key_reads_with_progress_read_and_marks_with_notifications_write(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, [project("p1")])
    made = await client.post(
        "/api/api-keys",
        json={"name": "reader", "scopes": ["progress:read"]},
        headers=learner.headers,
    )
    reader = {"Authorization": f"Bearer {made.json()['secret']}"}

    listed = await client.get("/api/notifications", headers=reader)
    refused = await client.post("/api/notifications/read", json={}, headers=reader)

    assert listed.status_code == 200
    assert_problem(refused, 403)
    assert "notifications:write" in refused.json()["detail"]
