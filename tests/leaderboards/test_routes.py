"""GET /api/leaderboard and /api/leaderboard/settings: opt-in boards of XP by period."""

from __future__ import annotations

from typing import Any

import httpx

from questpath.leaderboards.rules import ADJECTIVES, ANIMALS
from tests.helpers import PASSWORD, Account, read_json, record_events, register_account


def project(event_id: str, grade: int = 90) -> dict[str, Any]:
    return {"id": event_id, "kind": "project_completed", "topic": "sql", "grade": grade}


async def join(client: httpx.AsyncClient, account: Account, **choices: Any) -> dict[str, Any]:
    response = await client.put(
        "/api/leaderboard/settings", json={"listed": True, **choices}, headers=account.headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def board(client: httpx.AsyncClient, account: Account, **params: Any) -> dict[str, Any]:
    return await read_json(client, "/api/leaderboard", account.headers, **params)


def is_alias(name: str) -> bool:
    adjective, animal, number = name.split(" ")
    return adjective in ADJECTIVES and animal in ANIMALS and number.isdigit()


async def test_nobody_is_on_a_board_until_they_join(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, [project("p1")])

    settings = await read_json(client, "/api/leaderboard/settings", learner.headers)
    week = await board(client, learner)

    assert settings["listed"] is False
    assert settings["show_name"] is False
    assert is_alias(settings["shown_as"])
    assert (week["learners"], week["top"], week["you"]) == (0, [], None)


async def test_joined_learners_are_ranked_by_xp_with_their_alias_or_their_name(
    client: httpx.AsyncClient,
) -> None:
    ada, bo, cy, outsider = [
        await register_account(client, f"{name}@example.org") for name in ("ada", "bo", "cy", "dee")
    ]
    await record_events(client, ada.headers, [project("a1"), project("a2")])
    await record_events(client, bo.headers, [project("b1", grade=60)])
    await record_events(client, cy.headers, [project("c1"), project("c2"), project("c3")])
    await record_events(client, outsider.headers, [project(f"d{n}") for n in range(5)])
    rename = {"display_name": "Ada L."}
    renamed = await client.patch("/api/users/me", json=rename, headers=ada.headers)
    assert renamed.status_code == 200, renamed.text
    shown = await join(client, ada, show_name=True)
    bo_alias = (await join(client, bo))["shown_as"]
    await join(client, cy)

    week = await board(client, bo)

    assert shown["shown_as"] == "Ada L."
    assert week["learners"] == 3
    assert [entry["rank"] for entry in week["top"]] == [1, 2, 3]
    names = [entry["name"] for entry in week["top"]]
    assert names[1] == "Ada L."
    assert is_alias(names[0])
    assert names[2] == bo_alias
    assert [entry["you"] for entry in week["top"]] == [False, False, True]
    xp = [entry["xp"] for entry in week["top"]]
    assert xp == sorted(xp, reverse=True)
    assert week["you"] == {"rank": 3, "xp": xp[2], "percentile": 0}
    top = await board(client, cy, limit=1)
    assert [entry["you"] for entry in top["top"]] == [True]
    assert top["you"]["percentile"] == 100


async def test_equal_xp_shares_a_rank_and_whoever_reached_it_first_is_listed_first(
    client: httpx.AsyncClient,
) -> None:
    first, second = [await register_account(client, f"{n}@example.org") for n in ("one", "two")]
    await record_events(client, first.headers, [project("same")])
    await record_events(client, second.headers, [project("same")])
    await join(client, second, show_name=True)
    await join(client, first, show_name=True)

    week = await board(client, first)

    assert [(e["rank"], e["you"]) for e in week["top"]] == [(1, True), (1, False)]
    assert week["you"]["percentile"] == 0


async def test_leaving_or_asking_to_delete_the_account_takes_a_learner_off_at_once(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    for account, event_id in ((learner, "l1"), (other_learner, "o1")):
        await record_events(client, account.headers, [project(event_id)])
        await join(client, account)
    assert (await board(client, learner))["learners"] == 2

    response = await client.put(
        "/api/leaderboard/settings", json={"listed": False}, headers=other_learner.headers
    )
    assert response.status_code == 200
    assert response.json()["listed"] is False
    assert (await board(client, learner))["learners"] == 1

    await join(client, other_learner)
    deletion = await client.post(
        "/api/users/me/deletion", json={"password": PASSWORD}, headers=other_learner.headers
    )
    assert deletion.is_success, deletion.text
    assert (await board(client, learner))["learners"] == 1


async def test_each_period_names_its_days_and_bad_input_names_the_field(
    client: httpx.AsyncClient, learner: Account
) -> None:
    await record_events(client, learner.headers, [project("p1")])
    await join(client, learner)

    week, month, ever = [await board(client, learner, period=p) for p in ("week", "month", "all")]

    assert week["start_date"] <= week["end_date"]
    assert month["start_date"].endswith("-01")
    assert (ever["start_date"], ever["end_date"]) == (None, None)
    assert week["you"]["xp"] == month["you"]["xp"] == ever["you"]["xp"] > 0
    for params, field in (({"period": "year"}, "period"), ({"limit": 0}, "limit")):
        response = await client.get("/api/leaderboard", params=params, headers=learner.headers)
        assert response.status_code == 422
        assert field in response.text
    response = await client.put(
        "/api/leaderboard/settings", json={"listed": "yes"}, headers=learner.headers
    )
    assert response.status_code == 422
    assert "listed" in response.text
