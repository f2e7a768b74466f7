"""The progress API through the real app: the learner's standing (XP, levels, ranks, totals),
achievements and badges, skill levels, statistics, history, and who may read what."""

from __future__ import annotations

import tomllib
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

import questpath.ruleset
from questpath.app import create_app
from questpath.config import Settings
from tests.helpers import (
    Account,
    all_events,
    assert_problem,
    create_admin_account,
    days_ago,
    field_errors,
    local_today,
    read_json,
    record_events,
    register_account,
)

RULES_TOML = Path(questpath.ruleset.__file__).parent / "rules.toml"
SEED = tomllib.loads(RULES_TOML.read_text())
RANKS = {rank["id"]: rank for rank in SEED["ranks"]}
CATALOGUE = {a["id"]: a for a in SEED["achievements"]}
ACHIEVEMENT_FIELDS = {
    "id",
    "name",
    "description",
    "category",
    "points",
    "unlocked",
    "unlocked_at",
    "progress",
    "current",
    "target",
    "eta",
}
PROGRESS_FIELDS = {
    "xp",
    "level",
    "xp_to_next_level",
    "rank",
    "next_rank",
    "rank_requirements_missing",
    "exercises_completed",
    "projects_completed",
    "current_streak",
    "longest_streak",
    "streak_freezes",
    "total_time_spent_seconds",
    "average_grade",
    "hints_used",
    "achievements_unlocked",
    "skill_levels",
}
PERIODS = ("daily", "weekly", "monthly", "all")
READ_ENDPOINTS = [
    "/api/progress",
    "/api/progress/achievements",
    "/api/progress/badges",
    "/api/progress/statistics",
    "/api/progress/history",
    "/api/progress/skill-levels",
    "/api/progress/export",
]
WRITE_ENDPOINTS = [
    ("/api/progress/update-streak", {}),
    ("/api/progress/calculate-skill-level", {"topic": "python"}),
]


def exercise(
    when: str,
    *,
    grade: float | None = None,
    hints: int | None = None,
    seconds: int | None = None,
    topic: str | None = None,
) -> dict[str, Any]:
    event: dict[str, Any] = {"kind": "exercise_completed", "occurred_at": when}
    optional = {"grade": grade, "hints_used": hints, "time_spent_seconds": seconds, "topic": topic}
    event.update({k: v for k, v in optional.items() if v is not None})
    return event


def project(when: str) -> dict[str, Any]:
    return {"kind": "project_completed", "occurred_at": when}


def study(when: str, seconds: int) -> dict[str, Any]:
    return {"kind": "study_session", "occurred_at": when, "time_spent_seconds": seconds}


def events_worth(xp: int, when: str) -> list[dict[str, Any]]:
    """Projects (100 XP) and study sessions (1 XP per 5 minutes, 24 at most) adding up to `xp`."""
    events = [project(when) for _ in range(xp // 100)]
    rest = xp % 100
    while rest:
        step = min(24, rest)
        events.append(study(when, step * 300))
        rest -= step
    return events


async def progress(client: httpx.AsyncClient, account: Account) -> dict[str, Any]:
    return await read_json(client, "/api/progress", account.headers)


async def achievements(client: httpx.AsyncClient, account: Account) -> dict[str, dict[str, Any]]:
    body = await read_json(client, "/api/progress/achievements", account.headers)
    return {a["id"]: a for a in body["achievements"]}


async def statistics(client: httpx.AsyncClient, account: Account, period: str) -> dict[str, Any]:
    return await read_json(client, "/api/progress/statistics", account.headers, period=period)


async def history(client: httpx.AsyncClient, account: Account, **params: Any) -> dict[str, Any]:
    return await read_json(client, "/api/progress/history", account.headers, **params)


def iso(day: date) -> str:
    return day.isoformat()


def rules_file(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the default rules with `old` replaced by `new` (exactly once)."""
    text = RULES_TOML.read_text()
    assert text.count(old) == 1
    path = tmp_path / "rules.toml"
    path.write_text(text.replace(old, new))
    return path


@asynccontextmanager
async def client_with_rules(settings: Settings, path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """A second app on the same database that reads its rules from `path`."""
    other = create_app(settings.model_copy(update={"rules_file": path}))
    transport = httpx.ASGITransport(app=other, client=("198.51.100.8", 40000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        await other.state.engine.dispose()


@pytest.fixture
async def admin(client: httpx.AsyncClient, app: FastAPI) -> Account:
    return await create_admin_account(client, app)


# The learner's standing


async def test_a_new_learner_starts_at_zero_level_1_as_a_novice(
    client: httpx.AsyncClient, learner: Account
) -> None:
    body = await progress(client, learner)

    assert body.keys() >= PROGRESS_FIELDS
    assert {name: body[name] for name in PROGRESS_FIELDS - {"rank", "next_rank"}} == {
        "xp": 0,
        "level": 1,
        "xp_to_next_level": 100,
        "rank_requirements_missing": [
            {
                "metric": "projects_completed",
                "current": 0,
                "target": 3,
                "missing": 3,
                "description": "Complete 3 more projects to reach Competent",
            }
        ],
        "exercises_completed": 0,
        "projects_completed": 0,
        "current_streak": 0,
        "longest_streak": 0,
        "streak_freezes": 0,
        "total_time_spent_seconds": 0,
        "average_grade": None,
        "hints_used": 0,
        "achievements_unlocked": 0,
        "skill_levels": [],
    }
    novice = RANKS["novice"]
    assert body["rank"]["id"] == "novice"
    assert body["rank"]["name"] == "Novice"
    assert body["rank"]["focus"] == novice["focus"]
    assert body["rank"]["min_projects"] == 0
    assert body["rank"]["what_you_can_do"] == novice["what_you_can_do"]
    assert body["rank"]["quality_expectations"] == novice["quality_expectations"]
    assert body["rank"]["next_steps"] == novice["next_steps"]
    assert body["next_rank"]["id"] == "competent"
    assert body["next_rank"]["name"] == "Competent"
    assert body["next_rank"]["min_projects"] == 3
    for shown, rank in ((body["rank"], novice), (body["next_rank"], RANKS["competent"])):
        assert shown["common_challenges"] == rank["common_challenges"]
        assert shown["resources"] == [
            {"title": r["title"], "url": r.get("url")} for r in rank["resources"]
        ]
    assert body["today"] == iso(local_today())
    assert body["timezone"] == "UTC"


async def test_xp_and_totals_add_up_every_kind_of_event_by_its_rule(
    client: httpx.AsyncClient, learner: Account
) -> None:
    when = days_ago(40)  # one day long ago: no streak bonus, no recent activity
    await record_events(
        client,
        learner.headers,
        [
            exercise(when, grade=87, hints=1, seconds=600, topic="python"),  # 10 + 8 - 2 = 16
            exercise(when, grade=100, seconds=300, topic="python"),  # 10 + 10 = 20
            exercise(when, grade=59.9, hints=0, topic="sql"),  # 10 + 5 = 15
            exercise(when, grade=5, hints=10),  # 10 + 0 - 20, at least 1
            exercise(when),  # 10: ungraded
            project(when),  # 100
            study(when, 1499),  # 4 full 5 minutes
            study(when, 30 * 300),  # 30 full 5 minutes, at most 24
            study(when, 299),  # not one full 5 minutes: 0
            {"kind": "check_in", "occurred_at": when},  # 0
        ],
    )

    body = await progress(client, learner)

    xp = 16 + 20 + 15 + 1 + 10 + 100 + 4 + 24
    assert body["xp"] == xp == 190
    assert (body["level"], body["xp_to_next_level"]) == (2, 250 - xp)
    assert body["exercises_completed"] == 5
    assert body["projects_completed"] == 1
    assert body["total_time_spent_seconds"] == 600 + 300 + 1499 + 9000 + 299
    assert body["average_grade"] == pytest.approx((87 + 100 + 59.9 + 5) / 4, abs=0.01)
    assert body["hints_used"] == 11
    assert (body["current_streak"], body["longest_streak"]) == (0, 1)
    unlocked = {a["id"] for a in (await achievements(client, learner)).values() if a["unlocked"]}
    assert unlocked == {"first-exercise", "first-project", "perfect-1", "time-1h"}
    assert body["achievements_unlocked"] == 4


async def test_the_level_follows_the_xp_curve_as_xp_accumulates(
    client: httpx.AsyncClient, learner: Account
) -> None:
    # (total XP, level, XP at which it starts, XP at which the next starts): levels start at
    # 0, 100, 250, 450, 700 XP.
    steps = [
        (99, 1, 0, 100),
        (100, 2, 100, 250),
        (249, 2, 100, 250),
        (250, 3, 250, 450),
        (449, 3, 250, 450),
        (450, 4, 450, 700),
    ]
    seen = []
    xp = 0
    for total, *_ in steps:
        await record_events(client, learner.headers, events_worth(total - xp, days_ago(40)))
        xp = total
        body = await progress(client, learner)
        seen.append(
            (
                body["xp"],
                body["level"],
                body["xp_for_current_level"],
                body["xp_for_next_level"],
                body["xp_to_next_level"],
            )
        )

    assert seen == [(t, lvl, start, end, end - t) for t, lvl, start, end in steps]


async def test_the_rank_changes_at_3_6_and_10_projects(
    client: httpx.AsyncClient, learner: Account
) -> None:
    # (projects completed, rank, next rank, projects missing)
    steps = [
        (2, "novice", "competent", 1),
        (3, "competent", "proficient", 3),
        (5, "competent", "proficient", 1),
        (6, "proficient", "expert", 4),
        (9, "proficient", "expert", 1),
        (10, "expert", None, 0),
        (12, "expert", None, 0),
    ]
    done = 0
    for projects, rank, next_rank, missing in steps:
        when = days_ago(40)
        await record_events(client, learner.headers, [project(when)] * (projects - done))
        done = projects
        body = await progress(client, learner)

        assert body["projects_completed"] == projects
        assert body["rank"]["id"] == rank, projects
        assert body["rank"]["name"] == RANKS[rank]["name"]
        assert body["rank"]["focus"] == RANKS[rank]["focus"]
        assert body["rank"]["what_you_can_do"] == RANKS[rank]["what_you_can_do"]
        assert body["rank"]["common_challenges"] == RANKS[rank]["common_challenges"]
        assert [r["title"] for r in body["rank"]["resources"]] == [
            r["title"] for r in RANKS[rank]["resources"]
        ]
        if next_rank is None:
            assert body["next_rank"] is None, projects
            assert body["rank_requirements_missing"] == [], projects
        else:
            assert body["next_rank"]["id"] == next_rank, projects
            target = RANKS[next_rank]["min_projects"]
            assert [
                (m["metric"], m["current"], m["target"], m["missing"])
                for m in body["rank_requirements_missing"]
            ] == [("projects_completed", projects, target, missing)]
            name, plural = RANKS[next_rank]["name"], "" if missing == 1 else "s"
            assert body["rank_requirements_missing"][0]["description"] == (
                f"Complete {missing} more project{plural} to reach {name}"
            )


# Achievements


async def test_the_catalogue_lists_every_achievement_locked_for_a_new_learner(
    client: httpx.AsyncClient, learner: Account
) -> None:
    listing = await achievements(client, learner)

    assert len(listing) >= 20
    assert listing.keys() == CATALOGUE.keys()
    for achievement_id, item in listing.items():
        assert item.keys() >= ACHIEVEMENT_FIELDS
        seed = CATALOGUE[achievement_id]
        assert (item["name"], item["description"], item["category"], item["points"]) == (
            seed["name"],
            seed["description"],
            seed["category"],
            seed["points"],
        )
        assert item["target"] == seed["threshold"]
        assert item["unlocked"] is False
        assert item["unlocked_at"] is None
        assert item["current"] == (1 if seed["metric"] == "level" else 0)
        assert item["progress"] == (100 // seed["threshold"] if seed["metric"] == "level" else 0)
        assert item["eta"] is None


async def test_an_achievement_unlocks_in_the_transaction_of_the_event_that_reaches_it(
    client: httpx.AsyncClient, learner: Account
) -> None:
    before = datetime.now(UTC)
    response = await client.post(
        "/api/events",
        json={"id": "e-1", "kind": "exercise_completed", "grade": 70},
        headers=learner.headers,
    )
    after = datetime.now(UTC)

    assert response.status_code == 201, response.text
    reported = response.json()["achievements_unlocked"]
    assert [(a["id"], a["user_id"], a["points"]) for a in reported] == [
        ("first-exercise", learner.id, CATALOGUE["first-exercise"]["points"])
    ]
    item = (await achievements(client, learner))["first-exercise"]
    assert item["unlocked"] is True
    assert before <= datetime.fromisoformat(item["unlocked_at"]) <= after
    assert (item["progress"], item["current"], item["eta"]) == (100, 1, None)


async def test_a_rejected_batch_unlocks_nothing(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await client.post(
        "/api/events",
        json={"events": [exercise(days_ago(0), grade=100), exercise(days_ago(0), grade=101)]},
        headers=learner.headers,
    )

    assert field_errors(response).keys() == {"events[1].grade"}
    listing = await achievements(client, learner)
    assert [a for a, item in listing.items() if item["unlocked"]] == []
    assert (await progress(client, learner))["xp"] == 0


async def test_an_achievement_is_reported_once_however_many_events_follow(
    client: httpx.AsyncClient, learner: Account
) -> None:
    first = await record_events(client, learner.headers, [{"id": "e-1", **exercise(days_ago(0))}])
    unlocked_at = (await achievements(client, learner))["first-exercise"]["unlocked_at"]

    repost = await record_events(client, learner.headers, [{"id": "e-1", **exercise(days_ago(0))}])
    more = [
        await record_events(client, learner.headers, [{"id": f"e-{n}", **exercise(days_ago(0))}])
        for n in range(2, 5)
    ]

    assert [a["id"] for a in first["achievements_unlocked"]] == ["first-exercise"]
    assert repost["duplicates"] == 1
    assert repost["achievements_unlocked"] == []
    assert [body["achievements_unlocked"] for body in more] == [[], [], []]
    item = (await achievements(client, learner))["first-exercise"]
    assert (item["unlocked"], item["unlocked_at"]) == (True, unlocked_at)
    badges = await read_json(client, "/api/progress/badges", learner.headers)
    assert [b["id"] for b in badges["earned"]].count("first-exercise") == 1


async def test_a_streak_achievement_stays_unlocked_after_the_streak_breaks(
    client: httpx.AsyncClient, learner: Account
) -> None:
    body = await record_events(
        client, learner.headers, [exercise(days_ago(n)) for n in (12, 11, 10)]
    )
    assert "streak-3" in [a["id"] for a in body["achievements_unlocked"]]

    standing = await progress(client, learner)
    item = (await achievements(client, learner))["streak-3"]

    assert (standing["current_streak"], standing["longest_streak"]) == (0, 3)
    assert (item["unlocked"], item["progress"]) == (True, 100)
    assert item["unlocked_at"] is not None


async def test_an_unlocked_achievement_survives_a_rules_change_that_raises_its_threshold(
    client: httpx.AsyncClient, learner: Account, settings: Settings, tmp_path: Path
) -> None:
    await record_events(client, learner.headers, [exercise(days_ago(0))])
    unlocked_at = (await achievements(client, learner))["first-exercise"]["unlocked_at"]
    harder = rules_file(
        tmp_path,
        'metric = "exercises_completed"\nthreshold = 1\n',
        'metric = "exercises_completed"\nthreshold = 5\n',
    )

    async with client_with_rules(settings, harder) as stricter:
        listing = await read_json(stricter, "/api/progress/achievements", learner.headers)
        again = await record_events(stricter, learner.headers, [exercise(days_ago(0))])

    item = next(a for a in listing["achievements"] if a["id"] == "first-exercise")
    assert (item["unlocked"], item["unlocked_at"], item["target"]) == (True, unlocked_at, 5)
    assert item["progress"] == 100
    assert "first-exercise" not in [a["id"] for a in again["achievements_unlocked"]]


async def test_a_locked_achievement_shows_its_progress_toward_the_target(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, [exercise(days_ago(60)) for _ in range(7)])

    listing = await achievements(client, learner)

    assert {
        k: listing["exercises-10"][k] for k in ("unlocked", "current", "target", "progress")
    } == {
        "unlocked": False,
        "current": 7,
        "target": 10,
        "progress": 70,
    }
    assert (listing["exercises-50"]["progress"], listing["exercises-100"]["progress"]) == (14, 7)
    for item in listing.values():
        if item["unlocked"]:
            assert item["progress"] == 100
        else:
            assert 0 <= item["progress"] < 100


# Achievements that five ungraded exercises without hints in one topic (50 XP) advance.
ADVANCED_BY_EXERCISES = [
    "exercises-10",
    "exercises-50",
    "hintless-25",
    "topic-focus-20",
    "xp-1000",
    "level-5",
]


async def test_locked_achievements_have_no_eta_without_activity_in_the_last_28_local_days(
    client: httpx.AsyncClient, learner: Account
) -> None:
    when = days_ago(28)  # the day before the 28 days ending today
    await record_events(client, learner.headers, [exercise(when, topic="python")] * 5)

    listing = await achievements(client, learner)

    assert all(listing[a]["current"] > 0 for a in ADVANCED_BY_EXERCISES)
    assert {a: item["eta"] for a, item in listing.items() if not item["unlocked"]} == {
        a: None for a, item in listing.items() if not item["unlocked"]
    }


@pytest.mark.parametrize("last_active", [27, 0], ids=["27-days-ago", "today"])
async def test_locked_achievements_advanced_in_the_last_28_local_days_have_a_future_eta(
    client: httpx.AsyncClient, learner: Account, last_active: int
) -> None:
    when = days_ago(last_active)
    await record_events(client, learner.headers, [exercise(when, topic="python")] * 5)
    today = local_today()

    listing = await achievements(client, learner)

    etas = {a: listing[a]["eta"] for a in ADVANCED_BY_EXERCISES}
    assert all(not listing[a]["unlocked"] for a in ADVANCED_BY_EXERCISES)
    assert all(eta is not None and date.fromisoformat(eta) > today for eta in etas.values()), etas
    # 5 more exercises at the pace of 5 per 28 days: 28 days from today.
    assert etas["exercises-10"] == iso(today + timedelta(days=28))
    assert all(item["eta"] is None for item in listing.values() if item["unlocked"])


# Badges


async def test_a_new_learner_has_no_badges_and_every_one_available(
    client: httpx.AsyncClient, learner: Account
) -> None:
    body = await read_json(client, "/api/progress/badges", learner.headers)

    assert body["earned"] == []
    assert {b["id"] for b in body["available"]} == CATALOGUE.keys()
    assert body["total_points"] == 0


async def test_badges_earned_carry_their_date_and_total_points_sum_their_points(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(
        client,
        learner.headers,
        [exercise(days_ago(1), grade=100), project(days_ago(1)), exercise(days_ago(0), grade=90)],
    )

    body = await read_json(client, "/api/progress/badges", learner.headers)

    earned = {b["id"]: b for b in body["earned"]}
    assert earned.keys() == {"first-exercise", "first-project", "perfect-1"}
    assert all(b["earned_at"] is not None for b in earned.values())
    assert body["total_points"] == sum(b["points"] for b in body["earned"])
    assert body["total_points"] == sum(CATALOGUE[a]["points"] for a in earned) == 10 + 25 + 15
    assert {b["id"] for b in body["available"]} == CATALOGUE.keys() - earned.keys()
    assert (await progress(client, learner))["achievement_points"] == body["total_points"]


# Skill levels


def graded_exercises(grades: list[float], topic: str = "python") -> list[dict[str, Any]]:
    when = days_ago(1)
    return [exercise(when, grade=g, topic=topic) for g in grades]


# A topic per case: (grades of its exercises, the level they give).
SKILL_CASES = {
    "9-exercises": ([100] * 9, "beginner"),
    "10-exercises-average-60": ([60] * 10, "intermediate"),
    "10-exercises-average-59.9": ([60] * 9 + [59], "beginner"),
    "29-exercises": ([100] * 29, "intermediate"),
    "30-exercises-average-70": ([70] * 30, "advanced"),
    "30-exercises-average-69.97": ([70] * 29 + [69], "intermediate"),
    "49-exercises": ([100] * 49, "advanced"),
    "50-exercises-average-80": ([80] * 50, "expert"),
    "50-exercises-average-79.98": ([80] * 49 + [79], "advanced"),
}


async def test_a_topics_skill_level_follows_its_exercise_count_and_average_grade(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(
        client,
        learner.headers,
        [e for topic, (grades, _) in SKILL_CASES.items() for e in graded_exercises(grades, topic)],
    )

    body = await read_json(client, "/api/progress/skill-levels", learner.headers)

    skills = {s["topic"]: s for s in body["skill_levels"]}
    assert {t: s["level"] for t, s in skills.items()} == {
        topic: level for topic, (_, level) in SKILL_CASES.items()
    }
    for topic, (grades, _) in SKILL_CASES.items():
        assert skills[topic]["exercises_completed"] == len(grades)
        assert skills[topic]["average_grade"] == pytest.approx(sum(grades) / len(grades), abs=0.005)
    in_progress = (await progress(client, learner))["skill_levels"]
    assert {s["topic"]: s["level"] for s in in_progress} == {
        t: s["level"] for t, s in skills.items()
    }


async def test_each_topic_has_its_own_skill_level(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(
        client,
        learner.headers,
        graded_exercises([90] * 10, "python") + graded_exercises([90] * 3, "sql"),
    )

    body = await read_json(client, "/api/progress/skill-levels", learner.headers)

    levels = {s["topic"]: s["level"] for s in body["skill_levels"]}
    assert levels == {"python": "intermediate", "sql": "beginner"}


async def test_a_level_change_keeps_the_previous_level_and_when_it_changed(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, graded_exercises([80] * 9))
    [beginner] = (await read_json(client, "/api/progress/skill-levels", learner.headers))[
        "skill_levels"
    ]

    before = datetime.now(UTC)
    await record_events(client, learner.headers, graded_exercises([80]))
    after = datetime.now(UTC)
    [promoted] = (await read_json(client, "/api/progress/skill-levels", learner.headers))[
        "skill_levels"
    ]
    await record_events(client, learner.headers, graded_exercises([80]))
    [later] = (await read_json(client, "/api/progress/skill-levels", learner.headers))[
        "skill_levels"
    ]

    assert (beginner["level"], beginner["previous_level"], beginner["level_updated_at"]) == (
        "beginner",
        None,
        None,
    )
    assert (promoted["level"], promoted["previous_level"]) == ("intermediate", "beginner")
    assert before <= datetime.fromisoformat(promoted["level_updated_at"]) <= after
    assert (later["level"], later["previous_level"], later["level_updated_at"]) == (
        "intermediate",
        "beginner",
        promoted["level_updated_at"],
    )
    assert later["exercises_completed"] == 11


async def test_calculating_an_unchanged_skill_level_reports_no_change(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, graded_exercises([75] * 10))

    response = await client.post(
        "/api/progress/calculate-skill-level", json={"topic": "python"}, headers=learner.headers
    )

    assert response.status_code == 200, response.text
    assert response.json() == {
        "topic": "python",
        "level": "intermediate",
        "previous_level": "beginner",
        "changed": False,
    }


async def test_calculating_the_level_of_a_topic_never_practised_gives_beginner(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await client.post(
        "/api/progress/calculate-skill-level", json={"topic": "haskell"}, headers=learner.headers
    )

    assert response.status_code == 200, response.text
    assert response.json() == {
        "topic": "haskell",
        "level": "beginner",
        "previous_level": None,
        "changed": False,
    }


async def test_calculating_a_skill_level_needs_a_topic(
    client: httpx.AsyncClient, learner: Account
) -> None:
    response = await client.post(
        "/api/progress/calculate-skill-level", json={}, headers=learner.headers
    )

    assert field_errors(response).keys() == {"topic"}


async def test_calculating_a_skill_level_under_new_rules_changes_and_records_it(
    client: httpx.AsyncClient, learner: Account, settings: Settings, tmp_path: Path
) -> None:
    await record_events(client, learner.headers, graded_exercises([90] * 5))
    easier = rules_file(
        tmp_path,
        'name = "intermediate"\nmin_exercises = 10\n',
        'name = "intermediate"\nmin_exercises = 5\n',
    )

    async with client_with_rules(settings, easier) as relaxed:
        url = "/api/progress/calculate-skill-level"
        first = await relaxed.post(url, json={"topic": "python"}, headers=learner.headers)
        second = await relaxed.post(url, json={"topic": "python"}, headers=learner.headers)
        [skill] = (await read_json(relaxed, "/api/progress/skill-levels", learner.headers))[
            "skill_levels"
        ]

    assert first.status_code == 200, first.text
    assert first.json() == {
        "topic": "python",
        "level": "intermediate",
        "previous_level": "beginner",
        "changed": True,
    }
    assert second.json() == {
        "topic": "python",
        "level": "intermediate",
        "previous_level": "beginner",
        "changed": False,
    }
    assert (skill["level"], skill["previous_level"]) == ("intermediate", "beginner")
    assert skill["level_updated_at"] is not None


async def test_a_skill_level_reached_by_recalculation_achieves_its_goal(
    client: httpx.AsyncClient, learner: Account, settings: Settings, tmp_path: Path
) -> None:
    await record_events(client, learner.headers, graded_exercises([90] * 5))
    goal = await client.post(
        "/api/goals",
        json={
            "title": "Intermediate Python",
            "target": {"type": "skill_level", "topic": "python", "level": "intermediate"},
        },
        headers=learner.headers,
    )
    assert goal.json()["status"] == "active", goal.text
    easier = rules_file(
        tmp_path,
        'name = "intermediate"\nmin_exercises = 10\n',
        'name = "intermediate"\nmin_exercises = 5\n',
    )

    async with client_with_rules(settings, easier) as relaxed:
        changed = await relaxed.post(
            "/api/progress/calculate-skill-level", json={"topic": "python"}, headers=learner.headers
        )
    assert changed.json()["changed"] is True

    after = await read_json(client, f"/api/goals/{goal.json()['id']}", learner.headers)
    assert after["status"] == "achieved"
    kinds = [e["kind"] for e in await all_events(client, learner.headers)]
    assert kinds.count("goal_achieved") == 1


# Statistics


async def test_statistics_summarise_exercises_hints_time_topics_and_grades(
    client: httpx.AsyncClient, learner: Account
) -> None:
    when = days_ago(0)
    await record_events(
        client,
        learner.headers,
        [
            exercise(when, grade=59, hints=1, seconds=100, topic="python"),
            exercise(when, grade=60, hints=0, seconds=200, topic="python"),
            exercise(when, grade=79, hints=3, topic="sql"),
            exercise(when, grade=80, seconds=300, topic="sql"),
            exercise(when, grade=90, hints=2, seconds=400, topic="rust"),
            exercise(when, grade=100, topic="rust"),
            project(when),
            study(when, 900),
        ],
    )

    body = await statistics(client, learner, "all")

    assert body["exercises_completed"] == 6
    assert body["average_grade"] == pytest.approx(468 / 6)
    assert body["average_time_seconds"] == pytest.approx(250)  # per exercise that had a time
    assert body["total_hints"] == 6
    assert body["hints_per_exercise"] == pytest.approx(1.0)
    assert [
        (t["topic"], t["exercises_completed"], t["average_grade"]) for t in body["by_topic"]
    ] == [
        ("python", 2, pytest.approx(59.5)),
        ("rust", 2, pytest.approx(95)),
        ("sql", 2, pytest.approx(79.5)),
    ]
    assert body["grade_distribution"] == {
        "0-59": 1,
        "60-69": 1,
        "70-79": 1,
        "80-89": 1,
        "90-100": 2,
    }
    assert body["period"] == "all"
    assert body["start_date"] is None
    assert body["end_date"] == iso(local_today())
    assert await statistics(client, learner, "daily") == {
        **body,
        "period": "daily",
        "start_date": iso(local_today()),
    }


async def test_statistics_of_a_learner_without_exercises_are_empty(
    client: httpx.AsyncClient, learner: Account
) -> None:
    body = await statistics(client, learner, "weekly")

    assert body["exercises_completed"] == 0
    assert body["average_grade"] is None
    assert body["average_time_seconds"] is None
    assert body["total_hints"] == 0
    assert body["hints_per_exercise"] is None
    assert body["by_topic"] == []
    assert body["grade_distribution"] == dict.fromkeys(
        ["0-59", "60-69", "70-79", "80-89", "90-100"], 0
    )
    assert [p["exercises_completed"] for p in body["trend_7d"]] == [0] * 7


async def test_statistics_count_only_the_local_days_of_their_period(
    client: httpx.AsyncClient,
) -> None:
    # Far from UTC, so that the local "today" is not the UTC one for much of the day.
    zone = "Pacific/Kiritimati"
    learner = await register_account(client, "kiribati@example.com", timezone=zone)
    active = (0, 1, 6, 7, 29, 30)  # local days ago
    await record_events(
        client, learner.headers, [exercise(days_ago(n, zone), grade=50 + n) for n in active]
    )
    today = local_today(zone)

    # period: the number of days before today it starts at (None: all time)
    for period, first_day in {"daily": 0, "weekly": 6, "monthly": 29, "all": None}.items():
        body = await statistics(client, learner, period)

        counted = [n for n in active if first_day is None or n <= first_day]
        assert body["exercises_completed"] == len(counted), period
        assert body["average_grade"] == pytest.approx(
            sum(50 + n for n in counted) / len(counted), abs=0.005
        )
        assert body["end_date"] == iso(today)
        assert body["start_date"] == (
            None if first_day is None else iso(today - timedelta(days=first_day))
        )
    assert [(await statistics(client, learner, p))["exercises_completed"] for p in PERIODS] == [
        1,
        3,
        5,
        6,
    ]


async def test_the_7_day_trend_has_one_point_per_local_day_oldest_first_with_zeros(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(
        client,
        learner.headers,
        [
            exercise(days_ago(9), grade=40),  # before the trend
            exercise(days_ago(5), grade=80, seconds=60),  # 10 + 8 = 18
            exercise(days_ago(5), grade=90, seconds=60),  # 10 + 9 = 19
            exercise(days_ago(0), grade=70),  # 10 + 7 = 17
        ],
    )
    today = local_today()

    body = await statistics(client, learner, "monthly")

    zero = {
        "exercises_completed": 0,
        "average_grade": None,
        "time_spent_seconds": 0,
        "xp_gained": 0,
    }
    expected = {iso(today - timedelta(days=n)): zero for n in range(6, -1, -1)}
    expected[iso(today - timedelta(days=5))] = {
        "exercises_completed": 2,
        "average_grade": 85,
        "time_spent_seconds": 120,
        "xp_gained": 37,
    }
    expected[iso(today)] = {
        "exercises_completed": 1,
        "average_grade": 70,
        "time_spent_seconds": 0,
        "xp_gained": 17,
    }
    assert len(body["trend_7d"]) == 7
    assert [p["date"] for p in body["trend_7d"]] == list(expected)
    assert {p["date"]: {k: v for k, v in p.items() if k != "date"} for p in body["trend_7d"]} == (
        expected
    )
    # The period does not change the trend.
    assert (await statistics(client, learner, "daily"))["trend_7d"] == body["trend_7d"]


async def test_statistics_for_an_unknown_period_are_a_422_naming_period(
    client: httpx.AsyncClient, learner: Account
) -> None:
    for period in ("yearly", "", "DAILY", "7"):
        response = await client.get(
            "/api/progress/statistics", params={"period": period}, headers=learner.headers
        )

        assert field_errors(response).keys() == {"period"}, period


# History


async def test_history_has_a_snapshot_for_each_active_day_with_its_figures(
    client: httpx.AsyncClient, learner: Account
) -> None:
    # One request per day, in order: each day's achievements unlock on that day.
    await record_events(
        client, learner.headers, [exercise(days_ago(2), grade=80, hints=1, seconds=100)]
    )  # 16 XP
    await record_events(
        client,
        learner.headers,
        [
            exercise(days_ago(1), grade=90, seconds=200),
            study(days_ago(1), 600),
            project(days_ago(1)),
        ],
    )  # 19 + 2 + 100 XP
    await record_events(client, learner.headers, [exercise(days_ago(0))])  # 10 XP + 5 streak bonus
    today = local_today()

    body = await history(client, learner, days=7)

    assert (body["start_date"], body["end_date"]) == (iso(today - timedelta(days=6)), iso(today))
    fields = [
        "date",
        "exercises_completed",
        "cumulative_exercises",
        "time_spent_seconds",
        "average_grade",
        "hints_used",
        "xp_gained",
        "streak",
        "achievements_unlocked",
    ]
    assert [[s[f] for f in fields] for s in body["snapshots"]] == [
        [iso(today - timedelta(days=2)), 1, 1, 100, 80, 1, 16, 1, ["first-exercise"]],
        [iso(today - timedelta(days=1)), 1, 2, 800, 90, 0, 121, 2, ["first-project"]],
        [iso(today), 1, 3, 0, None, 0, 15, 3, ["streak-3"]],
    ]


async def test_history_skips_days_without_activity_and_counts_exercises_before_the_range(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(
        client,
        learner.headers,
        [exercise(days_ago(8)), exercise(days_ago(8)), exercise(days_ago(4)), project(days_ago(1))],
    )
    today = local_today()

    last_five = await history(client, learner, days=5)
    ranged = await history(
        client,
        learner,
        start_date=iso(today - timedelta(days=8)),
        end_date=iso(today - timedelta(days=4)),
    )

    assert [
        (s["date"], s["exercises_completed"], s["cumulative_exercises"])
        for s in last_five["snapshots"]
    ] == [
        (iso(today - timedelta(days=4)), 1, 3),
        (iso(today - timedelta(days=1)), 0, 3),
    ]
    assert (ranged["start_date"], ranged["end_date"]) == (
        iso(today - timedelta(days=8)),
        iso(today - timedelta(days=4)),
    )
    assert [(s["date"], s["cumulative_exercises"]) for s in ranged["snapshots"]] == [
        (iso(today - timedelta(days=8)), 2),
        (iso(today - timedelta(days=4)), 3),
    ]


async def test_history_without_parameters_covers_the_last_30_days(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, [exercise(days_ago(30)), exercise(days_ago(29))])
    today = local_today()

    body = await history(client, learner)

    assert (body["start_date"], body["end_date"]) == (iso(today - timedelta(days=29)), iso(today))
    assert [s["date"] for s in body["snapshots"]] == [iso(today - timedelta(days=29))]


async def test_history_accepts_366_days_and_a_366_day_range(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, [exercise(days_ago(365))])
    today = local_today()

    by_days = await history(client, learner, days=366)
    by_range = await history(
        client, learner, start_date="2024-01-01", end_date="2024-12-31"
    )  # 2024 is a leap year: 366 days

    assert by_days["start_date"] == iso(today - timedelta(days=365))
    assert [s["date"] for s in by_days["snapshots"]] == [iso(today - timedelta(days=365))]
    assert (by_range["start_date"], by_range["end_date"]) == ("2024-01-01", "2024-12-31")


# Each case: the query, and the fields the 422 may name.
BAD_HISTORY_QUERIES: dict[str, tuple[dict[str, Any], set[str]]] = {
    "days-0": ({"days": 0}, {"days"}),
    "days-367": ({"days": 367}, {"days"}),
    "days-negative": ({"days": -1}, {"days"}),
    "days-not-a-number": ({"days": "week"}, {"days"}),
    "both-forms": (
        {"days": 7, "start_date": "2025-01-01", "end_date": "2025-01-07"},
        {"days", "start_date", "end_date"},
    ),
    "only-start-date": ({"start_date": "2025-01-01"}, {"end_date"}),
    "only-end-date": ({"end_date": "2025-01-01"}, {"start_date"}),
    "end-before-start": (
        {"start_date": "2025-01-02", "end_date": "2025-01-01"},
        {"start_date", "end_date"},
    ),
    "range-of-367-days": (
        {"start_date": "2025-01-01", "end_date": "2026-01-02"},
        {"start_date", "end_date"},
    ),
    "not-a-date": ({"start_date": "yesterday", "end_date": "2025-01-01"}, {"start_date"}),
    "impossible-date": ({"start_date": "2025-01-01", "end_date": "2025-02-30"}, {"end_date"}),
}


async def test_a_history_request_outside_the_rules_is_a_422_naming_the_field(
    client: httpx.AsyncClient, learner: Account
) -> None:
    named = {}
    for case, (params, _) in BAD_HISTORY_QUERIES.items():
        response = await client.get("/api/progress/history", params=params, headers=learner.headers)
        named[case] = set(field_errors(response))

    for case, (_, allowed) in BAD_HISTORY_QUERIES.items():
        assert named[case], case
        assert named[case] <= allowed, (case, named[case])


# Who may read what


async def test_every_progress_endpoint_needs_authentication(client: httpx.AsyncClient) -> None:
    for path in READ_ENDPOINTS:
        assert_problem(await client.get(path), 401)
        assert_problem(await client.get(path, headers={"Authorization": "Bearer nonsense"}), 401)
    for path, body in WRITE_ENDPOINTS:
        assert_problem(await client.post(path, json=body), 401)


async def test_a_learner_may_not_read_another_learners_progress(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    for path in READ_ENDPOINTS:
        response = await client.get(
            path, params={"user_id": learner.id}, headers=other_learner.headers
        )

        assert_problem(response, 403)


async def test_a_learner_may_name_themself_with_user_id(
    client: httpx.AsyncClient, learner: Account
) -> None:
    for path in READ_ENDPOINTS:
        response = await client.get(path, params={"user_id": learner.id}, headers=learner.headers)

        assert response.status_code == 200, (path, response.text)


async def test_an_admin_reads_any_learners_progress_with_user_id(
    client: httpx.AsyncClient, admin: Account, learner: Account, other_learner: Account
) -> None:
    await record_events(client, learner.headers, [exercise(days_ago(1), grade=100, topic="sql")])
    await record_events(client, other_learner.headers, [project(days_ago(1))])
    as_learner = {
        path: await read_json(client, path, learner.headers)
        for path in READ_ENDPOINTS
        if not path.endswith("export")
    }

    as_admin = {
        path: await read_json(client, path, admin.headers, user_id=learner.id)
        for path in as_learner
    }
    exported = await read_json(client, "/api/progress/export", admin.headers, user_id=learner.id)
    own = await read_json(client, "/api/progress", admin.headers)

    assert as_admin == as_learner
    assert as_admin["/api/progress"]["xp"] == 20
    assert exported["profile"]["email"] == learner.email
    assert [e["kind"] for e in exported["events"]] == ["exercise_completed"]
    assert (own["xp"], own["exercises_completed"], own["projects_completed"]) == (0, 0, 0)


async def test_an_admin_naming_an_unknown_learner_gets_a_404(
    client: httpx.AsyncClient, admin: Account
) -> None:
    for path in READ_ENDPOINTS:
        response = await client.get(
            path, params={"user_id": str(uuid.uuid4())}, headers=admin.headers
        )

        assert_problem(response, 404)


async def test_an_api_key_with_progress_read_reads_progress_but_cannot_write_it(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, [exercise(days_ago(0), grade=80)])
    created = await client.post(
        "/api/api-keys",
        json={"name": "dashboard", "scopes": ["progress:read"]},
        headers=learner.headers,
    )
    assert created.status_code == 201, created.text
    key = {"Authorization": f"Bearer {created.json()['secret']}"}

    # The full export holds more than progress: it needs every read scope.
    progress_reads = [path for path in READ_ENDPOINTS if path != "/api/progress/export"]
    reads = {path: await client.get(path, headers=key) for path in progress_reads}
    export = await client.get("/api/progress/export", headers=key)
    writes = {
        path: await client.post(path, json=body, headers=key) for path, body in WRITE_ENDPOINTS
    }

    assert {path: r.status_code for path, r in reads.items()} == dict.fromkeys(progress_reads, 200)
    assert reads["/api/progress"].json()["xp"] == 18
    assert "events:read" in assert_problem(export, 403)["detail"]
    for response in writes.values():
        assert "events:write" in assert_problem(response, 403)["detail"]
    assert (await progress(client, learner))["current_streak"] == 1
    events = await read_json(client, "/api/events", learner.headers)
    assert [e["kind"] for e in events["items"]] == ["exercise_completed"]


# The API's description of a rank


async def test_the_openapi_schema_documents_every_text_of_a_rank(
    client: httpx.AsyncClient,
) -> None:
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    rank = schemas["RankRead"]["properties"]
    texts = ("focus", "what_you_can_do", "quality_expectations", "common_challenges", "next_steps")
    for field in (*texts, "resources"):
        assert field in schemas["RankRead"]["required"], field
        assert rank[field]["description"], field
    assert rank["common_challenges"]["items"] == {"type": "string"}
    assert rank["resources"]["items"] == {"$ref": "#/components/schemas/RankResourceRead"}
    resource = schemas["RankResourceRead"]
    assert set(resource["properties"]) == {"title", "url"}
    assert resource["properties"]["title"]["type"] == "string"
    assert {"type": "null"} in resource["properties"]["url"]["anyOf"]
    assert "null" in resource["properties"]["url"]["description"]
    assert schemas["Requirement"]["properties"]["description"]["description"]
