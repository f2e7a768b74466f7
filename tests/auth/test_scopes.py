"""API-key scopes govern every /api operation, including what a write answers.

`ACCESS` is the contract: each operation's scopes, or PEOPLE for those keys may never call.
The first tests hold the app to it (so a new route cannot forget to declare its access); the
rest send real requests with keys that lack one scope, or have exactly the declared ones.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from questpath.app import create_app
from questpath.auth.access import api_routes, route_access
from questpath.auth.rules import READ_SCOPES, SCOPES
from questpath.config import Settings
from tests.auth.test_routes import bearer, create_key
from tests.helpers import Account, assert_problem, post_events
from tests.tracks.test_routes import import_track

PEOPLE = "people only"
ID = str(uuid.UUID(int=1))
PUBLIC = {
    ("POST", "/api/auth/register"),
    ("POST", "/api/auth/login"),
    ("POST", "/api/auth/password-reset"),
    ("POST", "/api/auth/password-reset/confirm"),
    ("POST", "/api/auth/verify-email"),
    ("GET", "/api/shared/{token}"),
}
EVERY_READ = READ_SCOPES
# Writes that answer with what was sent (each event's id and status) and need no read scope.
ECHOES = {("POST", "/api/events")}

ACCESS: dict[tuple[str, str], tuple[str, ...] | str] = {
    ("GET", "/api/users/me"): ("profile:read",),
    ("GET", "/api/leaderboard/settings"): ("profile:read",),
    ("PUT", "/api/leaderboard/settings"): ("profile:write", "profile:read"),
    ("GET", "/api/leaderboard"): ("progress:read",),
    ("POST", "/api/cohorts"): ("profile:write", "profile:read"),
    ("GET", "/api/cohorts"): ("progress:read",),
    ("POST", "/api/cohorts/join"): ("profile:write", "profile:read"),
    ("GET", "/api/cohorts/{cohort_id}"): ("progress:read",),
    ("GET", "/api/cohorts/{cohort_id}/leaderboard"): ("progress:read",),
    ("POST", "/api/cohorts/{cohort_id}/invite"): ("profile:write", "profile:read"),
    ("DELETE", "/api/cohorts/{cohort_id}/members/{user_id}"): ("profile:write",),
    ("DELETE", "/api/cohorts/{cohort_id}"): ("profile:write",),
    ("GET", "/api/badges/settings"): ("profile:read",),
    ("PUT", "/api/badges/settings"): ("profile:write", "profile:read"),
    ("GET", "/api/badges"): ("profile:read",),
    ("POST", "/api/badges"): ("profile:write", "profile:read"),
    ("GET", "/api/badges/{badge_id}"): ("profile:read",),
    ("DELETE", "/api/badges/{badge_id}"): ("profile:write",),
    ("GET", "/api/badges/{badge_id}/ob3"): ("profile:read",),
    ("GET", "/api/notifications"): ("progress:read",),
    ("POST", "/api/notifications/read"): ("notifications:write", "progress:read"),
    ("GET", "/api/notifications/settings"): ("progress:read",),
    ("PUT", "/api/notifications/settings"): ("notifications:write", "progress:read"),
    ("GET", "/api/webhooks"): ("webhooks:read",),
    ("POST", "/api/webhooks"): ("webhooks:write", "webhooks:read"),
    ("GET", "/api/webhooks/{webhook_id}"): ("webhooks:read",),
    ("PATCH", "/api/webhooks/{webhook_id}"): ("webhooks:write", "webhooks:read"),
    ("DELETE", "/api/webhooks/{webhook_id}"): ("webhooks:write",),
    ("POST", "/api/webhooks/{webhook_id}/rotate-secret"): ("webhooks:write", "webhooks:read"),
    ("GET", "/api/webhooks/{webhook_id}/deliveries"): ("webhooks:read",),
    ("POST", "/api/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver"): (
        "webhooks:write",
        "webhooks:read",
    ),
    ("PATCH", "/api/users/me"): ("profile:write", "profile:read"),
    ("PUT", "/api/users/me/day-start"): ("profile:write", "profile:read"),
    ("GET", "/api/api-keys"): PEOPLE,
    ("POST", "/api/api-keys"): PEOPLE,
    ("DELETE", "/api/api-keys/{key_id}"): PEOPLE,
    ("POST", "/api/users/me/password"): PEOPLE,
    ("POST", "/api/users/me/sign-out-everywhere"): PEOPLE,
    ("GET", "/api/users/me/sessions"): PEOPLE,
    ("DELETE", "/api/users/me/sessions/{session_id}"): PEOPLE,
    ("POST", "/api/users/me/deletion"): PEOPLE,
    ("DELETE", "/api/users/me/deletion"): PEOPLE,
    ("GET", "/api/admin/users"): PEOPLE,
    ("PATCH", "/api/admin/users/{user_id}"): PEOPLE,
    ("GET", "/api/admin/invites"): PEOPLE,
    ("POST", "/api/admin/invites"): PEOPLE,
    ("DELETE", "/api/admin/invites/{invite_id}"): PEOPLE,
    ("GET", "/api/users/me/two-factor"): PEOPLE,
    ("POST", "/api/users/me/two-factor"): PEOPLE,
    ("DELETE", "/api/users/me/two-factor"): PEOPLE,
    ("POST", "/api/users/me/two-factor/confirm"): PEOPLE,
    ("POST", "/api/users/me/two-factor/recovery-codes"): PEOPLE,
    ("POST", "/api/users/me/verification"): PEOPLE,
    ("POST", "/api/events"): ("events:write",),
    ("GET", "/api/events"): ("events:read",),
    ("GET", "/api/events/{event_id}"): ("events:read",),
    ("POST", "/api/events/{event_id}/void"): ("events:write", "events:read"),
    ("GET", "/api/progress"): ("progress:read",),
    ("GET", "/api/progress/achievements"): ("progress:read",),
    ("GET", "/api/progress/badges"): ("progress:read",),
    ("GET", "/api/progress/statistics"): ("progress:read",),
    ("GET", "/api/progress/history"): ("progress:read",),
    ("GET", "/api/progress/skill-levels"): ("progress:read",),
    ("GET", "/api/progress/stream"): ("progress:read",),
    ("POST", "/api/progress/update-streak"): ("events:write", "progress:read"),
    ("POST", "/api/progress/calculate-skill-level"): ("events:write", "progress:read"),
    ("GET", "/api/progress/export"): EVERY_READ,
    ("GET", "/api/vacations"): ("progress:read",),
    ("POST", "/api/vacations"): ("events:write", "progress:read"),
    ("DELETE", "/api/vacations/{vacation_id}"): ("events:write", "progress:read"),
    ("POST", "/api/tracks/import"): ("tracks:write", "tracks:read"),
    ("PUT", "/api/tracks/{track_id}/markdown"): ("tracks:write", "tracks:read"),
    ("GET", "/api/tracks"): ("tracks:read",),
    ("GET", "/api/tracks/{track_id}"): ("tracks:read",),
    ("PATCH", "/api/tracks/{track_id}"): ("tracks:write", "tracks:read"),
    ("DELETE", "/api/tracks/{track_id}"): ("tracks:write",),
    ("GET", "/api/tracks/{track_id}/export"): ("tracks:read",),
    ("POST", "/api/tracks/{track_id}/items"): ("tracks:write", "tracks:read"),
    ("PATCH", "/api/tracks/{track_id}/items/{item_id}"): ("tracks:write", "tracks:read"),
    ("DELETE", "/api/tracks/{track_id}/items/{item_id}"): ("tracks:write",),
    ("POST", "/api/tracks/{track_id}/share"): ("tracks:write", "tracks:read"),
    ("POST", "/api/tracks/{track_id}/share/replace"): ("tracks:write", "tracks:read"),
    ("DELETE", "/api/tracks/{track_id}/share"): ("tracks:write",),
    ("GET", "/api/learning-path"): ("tracks:read",),
    ("GET", "/api/track-templates"): ("tracks:read",),
    ("POST", "/api/track-templates/{template_id}/adopt"): ("tracks:write", "tracks:read"),
    ("POST", "/api/goals"): ("goals:write", "goals:read"),
    ("GET", "/api/goals"): ("goals:read",),
    ("GET", "/api/goals/{goal_id}"): ("goals:read",),
    ("PATCH", "/api/goals/{goal_id}"): ("goals:write", "goals:read"),
    ("DELETE", "/api/goals/{goal_id}"): ("goals:write",),
    ("POST", "/api/questions"): ("quizzes:write", "quizzes:read"),
    ("GET", "/api/questions"): ("quizzes:read",),
    ("POST", "/api/questions/import"): ("quizzes:write", "quizzes:read"),
    ("GET", "/api/questions/{question_id}"): ("quizzes:read",),
    ("PATCH", "/api/questions/{question_id}"): ("quizzes:write", "quizzes:read"),
    ("DELETE", "/api/questions/{question_id}"): ("quizzes:write",),
    ("POST", "/api/quizzes"): ("quizzes:write", "quizzes:read"),
    ("GET", "/api/quizzes"): ("quizzes:read",),
    ("GET", "/api/quizzes/{quiz_id}"): ("quizzes:read",),
    ("POST", "/api/quizzes/{quiz_id}/submit"): ("quizzes:write", "quizzes:read"),
    ("GET", "/api/reviews/due"): ("quizzes:read",),
    ("GET", "/api/reviews/forecast"): ("quizzes:read",),
    ("POST", "/api/reviews/{question_id}"): ("quizzes:write", "quizzes:read"),
    ("GET", "/api/sharing"): ("profile:read",),
    ("GET", "/api/xapi/identities"): ("profile:read",),
    ("POST", "/api/xapi/identities"): ("profile:write", "profile:read"),
    ("DELETE", "/api/xapi/identities/{identity_id}"): ("profile:write",),
    ("PUT", "/api/sharing"): ("profile:write", "profile:read"),
    ("POST", "/api/sharing/revoke"): ("profile:write", "profile:read"),
    ("POST", "/api/mentor-invites"): PEOPLE,
    ("DELETE", "/api/mentor-invites"): PEOPLE,
    ("GET", "/api/mentors"): PEOPLE,
    ("PATCH", "/api/mentors/{user_id}"): PEOPLE,
    ("DELETE", "/api/mentors/{user_id}"): PEOPLE,
    ("POST", "/api/mentor-invites/{token}/accept"): PEOPLE,
    ("GET", "/api/mentees"): PEOPLE,
    ("DELETE", "/api/mentees/{user_id}"): PEOPLE,
    ("GET", "/api/mentees/{user_id}/progress"): PEOPLE,
    ("GET", "/api/mentees/{user_id}/statistics"): PEOPLE,
    ("GET", "/api/mentees/{user_id}/history"): PEOPLE,
    ("GET", "/api/mentees/{user_id}/tracks"): PEOPLE,
    ("GET", "/api/mentees/{user_id}/tracks/{track_id}"): PEOPLE,
    ("GET", "/api/mentees/{user_id}/events"): PEOPLE,
}
SCOPED = {operation: scopes for operation, scopes in ACCESS.items() if scopes != PEOPLE}
# An endless text/event-stream: its success is shown in tests/web/test_stream.py.
STREAMS = {("GET", "/api/progress/stream")}


def _url(path: str) -> str:
    """The path with every parameter filled in by an id that names nothing."""
    return (
        path.replace("{event_id}", "no-such-event")
        .replace("{token}", "no-such-token")
        .replace("{template_id}", "no-such-template")
        .replace("{vacation_id}", "no-such-vacation")
        .replace("{session_id}", "0123456789abcdef")
        .replace("{key_id}", ID)
        .replace("{user_id}", ID)
        .replace("{badge_id}", ID)
        .replace("{identity_id}", ID)
        .replace("{invite_id}", ID)
        .replace("{cohort_id}", ID)
        .replace("{track_id}", ID)
        .replace("{item_id}", ID)
        .replace("{goal_id}", ID)
        .replace("{question_id}", ID)
        .replace("{quiz_id}", ID)
    )


def _declared(app: FastAPI) -> dict[tuple[str, str], tuple[str, ...] | str | None]:
    declared: dict[tuple[str, str], tuple[str, ...] | str | None] = {}
    for path, route in api_routes(app):
        access = route_access(route)
        for method in route.methods or ():
            if access is None:
                declared[(method, path)] = None
            else:
                declared[(method, path)] = PEOPLE if access.people_only else access.scopes
    return declared


@pytest.fixture(scope="module")
def bare_app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('scopes') / 'q.db'}"
    return create_app(Settings(database_url=url))


# The contract --------------------------------------------------------------------------------


def test_every_api_operation_is_public_people_only_or_scoped_as_listed(bare_app: FastAPI) -> None:
    declared = _declared(bare_app)

    public = {operation for operation, access in declared.items() if access is None}
    assert public == PUBLIC
    assert {op: access for op, access in declared.items() if access is not None} == ACCESS


def test_every_declared_scope_exists_and_a_read_needs_only_read_scopes() -> None:
    for (method, _), scopes in SCOPED.items():
        assert set(scopes) <= SCOPES.keys()
        writes = [scope for scope in scopes if scope.endswith(":write")]
        assert bool(writes) == (method != "GET")


def test_a_write_that_answers_with_a_body_also_needs_a_read_scope(bare_app: FastAPI) -> None:
    for path, route in api_routes(bare_app):
        for method in route.methods or ():
            scopes = SCOPED.get((method, path))
            if method == "GET" or scopes is None or (method, path) in ECHOES:
                continue
            if route.status_code == 204:
                assert not [s for s in scopes if s.endswith(":read")], (method, path)
            else:
                assert [s for s in scopes if s.endswith(":read")], (method, path)


def test_the_openapi_document_states_each_operations_scopes(bare_app: FastAPI) -> None:
    paths = bare_app.openapi()["paths"]

    for (method, path), access in ACCESS.items():
        operation = paths[path][method.lower()]
        if access == PEOPLE:
            assert operation["security"] == [{"HTTPBearer": []}]
            assert "**People only**" in operation["description"]
        else:
            assert operation["security"] == [{"HTTPBearer": list(access)}]
            names = ", ".join(f"`{scope}`" for scope in access)
            assert operation["description"].endswith(f"**API key scopes**: {names}.")


# Requests ------------------------------------------------------------------------------------


# The xapi scopes guard the LRS at /xapi, outside this document: tests/xapi checks them.
@pytest.mark.parametrize("missing", sorted(s for s in SCOPES if not s.startswith("xapi:")))
async def test_a_key_lacking_a_scope_is_refused_by_name_on_every_operation_needing_it(
    client: httpx.AsyncClient, learner: Account, missing: str
) -> None:
    key = await create_key(client, learner, sorted(set(SCOPES) - {missing}))
    needing = [operation for operation, scopes in SCOPED.items() if missing in scopes]
    assert needing

    for method, path in needing:
        response = await client.request(method, _url(path), headers=bearer(key["secret"]))
        body = assert_problem(response, 403)
        assert body["detail"] == f"this API key lacks the scope '{missing}'", (method, path)


async def test_a_key_with_exactly_the_declared_scopes_gets_past_the_check(
    client: httpx.AsyncClient, learner: Account
) -> None:
    keys: dict[tuple[str, ...], str] = {}
    for (method, path), scopes in SCOPED.items():
        if (method, path) in STREAMS:
            continue
        if scopes not in keys:
            keys[scopes] = (await create_key(client, learner, list(scopes)))["secret"]
        response = await client.request(method, _url(path), headers=bearer(keys[scopes]))
        # Past the scope check: done, or refused for the dummy ids and the empty body.
        assert response.status_code in {200, 201, 204, 404, 409, 415, 422}, (
            method,
            path,
            response.text,
        )


async def test_people_only_operations_refuse_a_key_with_every_scope(
    client: httpx.AsyncClient, learner: Account
) -> None:
    key = await create_key(client, learner, sorted(SCOPES))

    for method, path in (op for op, access in ACCESS.items() if access == PEOPLE):
        response = await client.request(method, _url(path), headers=bearer(key["secret"]))
        assert_problem(response, 403)


# The leaks as reported ------------------------------------------------------------------------


async def _track_with_a_note(client: httpx.AsyncClient, learner: Account) -> dict[str, Any]:
    return await import_track(client, learner, "# Secret plan\n\n## Part\n\n- [ ] Item\n  notes\n")


@pytest.mark.parametrize("scopes", [["events:write"], ["tracks:write"]])
async def test_a_key_without_tracks_read_gets_no_track_from_a_write(
    client: httpx.AsyncClient, learner: Account, scopes: list[str]
) -> None:
    track = await _track_with_a_note(client, learner)
    headers = bearer((await create_key(client, learner, scopes))["secret"])
    missing = "tracks:write" if scopes == ["events:write"] else "tracks:read"

    patched = await client.patch(f"/api/tracks/{track['id']}", json={}, headers=headers)
    shared = await client.post(f"/api/tracks/{track['id']}/share", headers=headers)

    for response in (patched, shared):
        assert missing in assert_problem(response, 403)["detail"]
        assert "Secret plan" not in response.text
    # Nothing was shared: the person's own share is the first, made now.
    own = await client.post(f"/api/tracks/{track['id']}/share", headers=learner.headers)
    assert own.status_code == 201


async def test_a_key_with_tracks_read_reads_a_track_but_cannot_change_it(
    client: httpx.AsyncClient, learner: Account
) -> None:
    track = await _track_with_a_note(client, learner)
    headers = bearer((await create_key(client, learner, ["tracks:read"]))["secret"])

    read = await client.get(f"/api/tracks/{track['id']}", headers=headers)
    renamed = await client.patch(
        f"/api/tracks/{track['id']}", json={"title": "Mine now"}, headers=headers
    )

    assert read.status_code == 200
    assert read.json()["title"] == "Secret plan"
    assert "tracks:write" in assert_problem(renamed, 403)["detail"]
    after = await client.get(f"/api/tracks/{track['id']}", headers=learner.headers)
    assert after.json()["title"] == "Secret plan"


async def test_a_question_write_without_quizzes_read_does_not_reveal_the_answer(
    client: httpx.AsyncClient, learner: Account
) -> None:
    created = await client.post(
        "/api/questions",
        json={
            "type": "short_answer",
            "prompt": "The password?",
            "answer": {"accepted": ["swordfish"]},
        },
        headers=learner.headers,
    )
    assert created.status_code == 201, created.text
    question = created.json()
    for scopes, missing in (
        (["events:write"], "quizzes:write"),
        (["quizzes:write"], "quizzes:read"),
    ):
        headers = bearer((await create_key(client, learner, scopes))["secret"])

        response = await client.patch(f"/api/questions/{question['id']}", json={}, headers=headers)

        assert missing in assert_problem(response, 403)["detail"]
        assert "swordfish" not in response.text


async def test_a_goal_write_without_goals_read_does_not_reveal_the_goal(
    client: httpx.AsyncClient, learner: Account
) -> None:
    created = await client.post(
        "/api/goals",
        json={"title": "Private ambition", "target": {"type": "streak", "days": 400}},
        headers=learner.headers,
    )
    assert created.status_code == 201, created.text
    goal_id = created.json()["id"]
    for scopes, missing in ((["events:write"], "goals:write"), (["goals:write"], "goals:read")):
        headers = bearer((await create_key(client, learner, scopes))["secret"])

        response = await client.patch(f"/api/goals/{goal_id}", json={}, headers=headers)

        assert missing in assert_problem(response, 403)["detail"]
        assert "Private ambition" not in response.text


async def test_only_a_key_with_profile_read_sees_the_owners_email(
    client: httpx.AsyncClient, learner: Account
) -> None:
    every_other = sorted(set(SCOPES) - {"profile:read"})
    without = bearer((await create_key(client, learner, every_other))["secret"])
    with_profile = bearer((await create_key(client, learner, ["profile:read"]))["secret"])

    refused = await client.get("/api/users/me", headers=without)
    read = await client.get("/api/users/me", headers=with_profile)

    assert "profile:read" in assert_problem(refused, 403)["detail"]
    assert learner.email not in refused.text
    assert read.json()["email"] == learner.email


async def test_recording_events_tells_a_key_of_unlocked_achievements_only_with_progress_read(
    client: httpx.AsyncClient, learner: Account
) -> None:
    writer = bearer((await create_key(client, learner, ["events:write"]))["secret"])
    watcher = bearer(
        (await create_key(client, learner, ["events:write", "progress:read"]))["secret"]
    )

    first = await post_events(client, writer, {"id": "a", "kind": "exercise_completed"})
    await client.post("/api/progress/update-streak", headers=learner.headers)
    project = await post_events(client, watcher, {"id": "b", "kind": "project_completed"})

    assert first.status_code == 201, first.text
    assert first.json()["results"][0]["status"] == "created"
    assert first.json()["achievements_unlocked"] == []
    unlocked = await client.get("/api/progress/achievements", headers=learner.headers)
    assert any(
        a["id"] == "first-exercise" and a["unlocked"] for a in unlocked.json()["achievements"]
    )
    assert project.status_code == 201, project.text
    assert [a["id"] for a in project.json()["achievements_unlocked"]]


async def test_a_key_may_hold_every_scope_and_no_unknown_one(
    client: httpx.AsyncClient, learner: Account
) -> None:
    every = await create_key(client, learner, sorted(SCOPES))
    unknown = await client.post(
        "/api/api-keys",
        json={"name": "old", "scopes": ["events:read", "tracks:delete"]},
        headers=learner.headers,
    )

    assert every["scopes"] == sorted(SCOPES)
    body = assert_problem(unknown, 422)
    assert [error["field"] for error in body["errors"]] == ["scopes"]


def test_every_scope_is_described() -> None:
    assert all(description.strip() for description in SCOPES.values())
    # read-mine: the LRS's keys that read back only what they stored themselves.
    assert {scope.split(":")[1] for scope in SCOPES} == {"read", "write", "read-mine"}
