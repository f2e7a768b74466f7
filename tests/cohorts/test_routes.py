"""/api/cohorts: make a cohort, join it by its invite link, read its members, progress and
leaderboard, leave it, remove members, renew the link, delete it."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from fastapi import FastAPI

from questpath.db import transaction
from questpath.erasure import erase
from tests.helpers import (
    Account,
    assert_problem,
    field_errors,
    read_json,
    record_events,
    register_account,
)
from tests.leaderboards.test_routes import join as join_leaderboards
from tests.leaderboards.test_routes import project


async def make(
    client: httpx.AsyncClient, owner: Account, name: str = "Evening SQL"
) -> dict[str, Any]:
    response = await client.post("/api/cohorts", json={"name": name}, headers=owner.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def join(client: httpx.AsyncClient, account: Account, token: str) -> httpx.Response:
    return await client.post("/api/cohorts/join", json={"token": token}, headers=account.headers)


async def test_a_cohort_is_joined_by_its_link_and_shows_its_members_progress_together(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    outsider = await register_account(client, "outsider@example.org")
    await record_events(client, learner.headers, [project("l1"), project("l2")])
    await record_events(client, other_learner.headers, [project("o1")])
    await record_events(client, outsider.headers, [project("x1")])

    made = await make(client, learner, "  Evening SQL  ")
    joined = await join(client, other_learner, made["invite"]["token"])
    again = await join(client, other_learner, made["invite"]["token"])

    assert made["name"] == "Evening SQL"
    assert made["invite"]["url"] == f"/cohorts/join/{made['invite']['token']}"
    assert made["owner"] is True
    assert joined.status_code == 200, joined.text
    assert again.json()["members"] == 2
    cohort = await read_json(client, f"/api/cohorts/{made['id']}", other_learner.headers)
    assert cohort["owner"] is False
    assert [m["user_id"] for m in cohort["member_list"]] == [learner.id, other_learner.id]
    assert [m["owner"] for m in cohort["member_list"]] == [True, False]
    mine = await read_json(client, "/api/progress", learner.headers)
    theirs = await read_json(client, "/api/progress", other_learner.headers)
    assert cohort["progress"]["xp"] == mine["xp"] + theirs["xp"]
    assert cohort["progress"]["active_this_week"] == 2
    assert cohort["progress"]["tracks_finished"] == 0
    listed = await read_json(client, "/api/cohorts", other_learner.headers)
    assert listed == [{"id": made["id"], "name": "Evening SQL", "owner": False, "members": 2}]
    assert "invite" not in cohort
    assert await read_json(client, "/api/cohorts", outsider.headers) == []
    assert_problem(await client.get(f"/api/cohorts/{made['id']}", headers=outsider.headers), 404)


async def test_the_cohort_board_ranks_only_its_members_who_joined_the_leaderboards(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    outsider = await register_account(client, "outsider@example.org")
    quiet = await register_account(client, "quiet@example.org")
    for n, account in enumerate((learner, other_learner, outsider, quiet)):
        await record_events(client, account.headers, [project(f"p{n}-{i}") for i in range(n + 1)])
    made = await make(client, learner)
    for account in (other_learner, quiet):
        assert (await join(client, account, made["invite"]["token"])).status_code == 200
    for account in (learner, other_learner, outsider):
        await join_leaderboards(client, account)

    board = await read_json(
        client, f"/api/cohorts/{made['id']}/leaderboard", learner.headers, period="all"
    )
    everyone = await read_json(client, "/api/leaderboard", learner.headers, period="all")

    assert board["learners"] == 2
    assert [entry["you"] for entry in board["top"]] == [False, True]
    assert board["you"] == {"rank": 2, "xp": board["top"][1]["xp"], "percentile": 0}
    assert everyone["learners"] == 3
    assert_problem(
        await client.get(f"/api/cohorts/{made['id']}/leaderboard", headers=outsider.headers), 404
    )


async def test_members_leave_the_owner_removes_renews_the_link_and_deletes(
    client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    third = await register_account(client, "third@example.org")
    made = await make(client, learner)
    cohort_id, token = made["id"], made["invite"]["token"]
    for account in (other_learner, third):
        assert (await join(client, account, token)).status_code == 200

    not_owner = await client.delete(
        f"/api/cohorts/{cohort_id}/members/{third.id}", headers=other_learner.headers
    )
    owner_leaves = await client.delete(
        f"/api/cohorts/{cohort_id}/members/{learner.id}", headers=learner.headers
    )
    leaves = await client.delete(
        f"/api/cohorts/{cohort_id}/members/{other_learner.id}", headers=other_learner.headers
    )
    removed = await client.delete(
        f"/api/cohorts/{cohort_id}/members/{third.id}", headers=learner.headers
    )

    assert_problem(not_owner, 403)
    assert_problem(owner_leaves, 409)
    assert (leaves.status_code, removed.status_code) == (204, 204)
    assert_problem(await client.get(f"/api/cohorts/{cohort_id}", headers=third.headers), 404)
    assert (await read_json(client, f"/api/cohorts/{cohort_id}", learner.headers))["members"] == 1
    renewed = await client.post(f"/api/cohorts/{cohort_id}/invite", headers=learner.headers)
    assert renewed.status_code == 200, renewed.text
    assert_problem(await join(client, third, token), 404)
    assert (await join(client, third, renewed.json()["token"])).status_code == 200
    assert_problem(
        await client.post(f"/api/cohorts/{cohort_id}/invite", headers=third.headers), 403
    )
    assert_problem(await client.delete(f"/api/cohorts/{cohort_id}", headers=third.headers), 403)
    deleted = await client.delete(f"/api/cohorts/{cohort_id}", headers=learner.headers)
    assert deleted.status_code == 204
    assert await read_json(client, "/api/cohorts", third.headers) == []


async def test_bad_input_names_the_field_and_unknown_ids_answer_404(
    client: httpx.AsyncClient, learner: Account
) -> None:
    for body in ({"name": "   "}, {"name": "x" * 101}, {}):
        response = await client.post("/api/cohorts", json=body, headers=learner.headers)
        assert_problem(response, 422)
        assert "name" in field_errors(response)
    assert "token" in field_errors(
        await client.post("/api/cohorts/join", json={"token": ""}, headers=learner.headers)
    )
    assert_problem(await join(client, learner, "no-such-link"), 404)
    unknown = uuid.uuid4()
    assert_problem(await client.get(f"/api/cohorts/{unknown}", headers=learner.headers), 404)
    assert_problem(await client.delete(f"/api/cohorts/{unknown}", headers=learner.headers), 404)
    made = await make(client, learner)
    missing = await client.delete(
        f"/api/cohorts/{made['id']}/members/{unknown}", headers=learner.headers
    )
    assert_problem(missing, 404)


async def test_erasing_the_owner_erases_the_cohort_and_a_member_s_erasure_only_their_place(
    app: FastAPI, client: httpx.AsyncClient, learner: Account, other_learner: Account
) -> None:
    third = await register_account(client, "third@example.org")
    owned = await make(client, learner, "Owned")
    joined = await make(client, other_learner, "Joined")
    assert (await join(client, third, owned["invite"]["token"])).status_code == 200
    assert (await join(client, learner, joined["invite"]["token"])).status_code == 200

    async with transaction(app.state.sessionmaker) as session:
        assert await erase(session, uuid.UUID(learner.id))

    assert await read_json(client, "/api/cohorts", third.headers) == []
    left = await read_json(client, "/api/cohorts", other_learner.headers)
    assert [(c["name"], c["members"]) for c in left] == [("Joined", 1)]
