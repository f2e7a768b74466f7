"""Who may touch a mentee's data, over every route of the app, API and pages alike.

The routes come from the app itself, so a new one cannot escape: each of its parameters must be
known below, either as naming a learner or something of theirs (filled with the mentee's real
ids) or as naming nothing of a learner's. A mentor (active), an ex-mentor and a stranger then
call each route that names the mentee: the mentor may read only `MENTOR_READS`, never write,
and the other two get nothing. Routes that name nobody answer about the caller alone: their
reads must show nothing of the mentee. Last, the mentee's whole export is as it was.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from tests.helpers import Account, local_today, read_json, record_events
from tests.mentors.test_routes import NOTES, busy, mentor_for
from tests.web.browsing import page_token, signed_up, submit

# Parameters that name a learner or something of theirs, filled with the mentee's own.
LEARNER_PARAMS = {
    "user_id", "event_id", "track_id", "item_id", "goal_id", "question_id", "quiz_id",
    "vacation_id", "key_id", "session_id", "invite_id", "cohort_id", "badge_id",
    "webhook_id", "delivery_id", "identity_id",
}  # fmt: skip
# Parameters that name nothing of a learner's: filled with a value that names nothing.
OTHER_PARAMS = {
    "token": "no-such-token",
    "handle": "nobody",
    "template_id": "no-such-template",
    "activity": "exercise",
    # Published badges are public documents, for anyone to verify; an unknown one answers 404.
    "achievement_id": "no-such-achievement",
    "assertion_id": "00000000-0000-0000-0000-000000000000",
}
# What the mentor may read of the mentee: all of it read-only, notes hidden.
MENTOR_READS = {
    ("GET", "/api/mentees/{user_id}/progress"),
    ("GET", "/api/mentees/{user_id}/statistics"),
    ("GET", "/api/mentees/{user_id}/history"),
    ("GET", "/api/mentees/{user_id}/tracks"),
    ("GET", "/api/mentees/{user_id}/tracks/{track_id}"),
    ("GET", "/api/mentees/{user_id}/events"),
    ("GET", "/mentees/{user_id}"),
}
# What the mentor may do about the mentee: end the mentorship, which is theirs too. It is
# called by the ex-mentor and the stranger only; tests/mentors/test_routes.py shows it working.
MENTOR_LEAVES = {("DELETE", "/api/mentees/{user_id}"), ("POST", "/mentees/{user_id}/leave")}
# Besides the routes: the OpenAPI document and static files, which name no learner.
# The LRS at /xapi is an application of its own, with its own access rules (tests/xapi).
NOT_ROUTES = {"/openapi.json", "/static/web/{path}", "/static/swagger-ui/{path}", "/xapi/{path}"}
STREAMS = {("GET", "/api/progress/stream")}  # endless: its access is in tests/web/test_stream.py
# Refusals: an API answers 403 or 404; a page may also send the browser elsewhere.
API_REFUSALS = {403, 404}
PAGE_REFUSALS = {303, 403, 404}
# Bodies valid enough to get past validation to the check of whose data it is; every other
# write gets past it with `{}` (API) or a bare form.
DOCUMENT = "# Taken over\n\n- [ ] Step\n"
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PUT", "/api/tracks/{track_id}/markdown"): {
        "content": DOCUMENT.encode(),
        "headers": {"Content-Type": "text/markdown"},
    },
    ("POST", "/api/tracks/{track_id}/items"): {"json": {"title": "Taken over"}},
    ("POST", "/api/quizzes/{quiz_id}/submit"): {"json": {"answers": []}},
    ("POST", "/api/reviews/{question_id}"): {"json": {"rating": "good"}},
    ("PATCH", "/api/mentors/{user_id}"): {"json": {"allow_notes": True}},
    ("POST", "/api/xapi/identities"): {"json": {"openid": "https://example.com/taken-over"}},
    ("POST", "/tracks/{track_id}/items/{item_id}/state"): {"data": {"state": "done"}},
    ("POST", "/tracks/{track_id}/markdown"): {"data": {"document": DOCUMENT}},
}
MENTEE_TITLE = "Mentored roadmap"
MENTEE_EMAIL = "mentee@example.com"


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    route: APIRoute

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")

    @property
    def params(self) -> set[str]:
        return set(re.findall(r"{(\w+)(?::\w+)?}", self.path)) | _query_names(self.route.dependant)

    @property
    def names_a_learner(self) -> bool:
        return bool(self.params & LEARNER_PARAMS)


def _query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def operations(app: FastAPI) -> Iterator[Operation]:
    for context in iter_route_contexts(app.routes):
        route, path = context.route, context.path_format or ""
        if not isinstance(route, APIRoute):
            assert path in NOT_ROUTES, f"{path}: a route of a kind this test does not know"
            continue
        for method in sorted(route.methods or ()):
            yield Operation(method, path, route)


@dataclass
class Actor:
    name: str
    account: Account
    browser: httpx.AsyncClient
    csrf: str = ""


@dataclass
class World:
    mentee: Account
    ids: dict[str, str]
    mentor: Actor
    ex_mentor: Actor
    stranger: Actor


@pytest.fixture
async def browsers(app: FastAPI) -> AsyncIterator[list[httpx.AsyncClient]]:
    clients = [
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
        for _ in range(4)
    ]
    yield clients
    for client in clients:
        await client.aclose()


async def _created(client: httpx.AsyncClient, path: str, body: Any, mentee: Account) -> str:
    response = await client.post(path, json=body, headers=mentee.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _published_badge(client: httpx.AsyncClient, mentee: Account) -> str:
    published = await client.put(
        "/api/badges/settings", json={"publish_all": True}, headers=mentee.headers
    )
    assert published.status_code == 200, published.text
    badges = await read_json(client, "/api/badges", mentee.headers)
    return str(badges["badges"][0]["id"])


async def _webhook_with_a_delivery(client: httpx.AsyncClient, mentee: Account) -> dict[str, str]:
    """Her webhook, and a delivery pending in it (no worker sends it here)."""
    webhook_id = await _created(
        client,
        "/api/webhooks",
        {"url": "https://93.184.216.34/", "event_types": ["event.recorded"]},
        mentee,
    )
    await record_events(client, mentee.headers, [{"kind": "exercise_completed", "topic": "sql"}])
    deliveries = await read_json(client, f"/api/webhooks/{webhook_id}/deliveries", mentee.headers)
    return {"webhook_id": webhook_id, "delivery_id": str(deliveries[0]["id"])}


@pytest.fixture
async def world(browsers: list[httpx.AsyncClient]) -> World:
    """A mentee with something of every kind a route can name, and three others."""
    mentee_browser, *others = browsers
    mentee = await signed_up(mentee_browser, MENTEE_EMAIL)
    client = mentee_browser
    track = await busy(client, mentee)
    today = local_today()
    ids = {
        "user_id": mentee.id,
        "track_id": track["id"],
        "item_id": track["categories"][0]["items"][0]["id"],
        "event_id": (await read_json(client, "/api/events", mentee.headers))["items"][0]["id"],
        "goal_id": await _created(
            client,
            "/api/goals",
            {"title": "Finish", "target": {"type": "finish_track", "track_id": track["id"]}},
            mentee,
        ),
        "question_id": await _created(
            client,
            "/api/questions",
            {"type": "short_answer", "prompt": "Which?", "answer": {"accepted": ["this"]}},
            mentee,
        ),
        "vacation_id": await _created(
            client,
            "/api/vacations",
            {
                "start_date": str(today + timedelta(days=3)),
                "end_date": str(today + timedelta(days=4)),
            },
            mentee,
        ),
        "key_id": await _created(
            client, "/api/api-keys", {"name": "tutor", "scopes": ["events:read"]}, mentee
        ),
        "session_id": (await read_json(client, "/api/users/me/sessions", mentee.headers))["items"][
            0
        ]["id"],
        "invite_id": "00000000-0000-0000-0000-000000000001",  # admins' invites: none is hers
        "cohort_id": await _created(client, "/api/cohorts", {"name": "Her class"}, mentee),
        "badge_id": await _published_badge(client, mentee),
        "identity_id": await _created(
            client,
            "/api/xapi/identities",
            {"account": {"homePage": "https://lms.example.com", "name": "mentee"}},
            mentee,
        ),
        **await _webhook_with_a_delivery(client, mentee),
    }
    ids["quiz_id"] = await _created(
        client, "/api/quizzes", {"count": 1, "generator": "offline"}, mentee
    )
    actors = []
    for name, browser in zip(("mentor", "ex-mentor", "stranger"), others, strict=True):
        account = await signed_up(browser, f"{name}@example.com")
        actors.append(Actor(name, account, browser, await page_token(browser, "/settings")))
    mentor, ex_mentor, stranger = actors
    await mentor_for(client, mentee, mentor.account)
    await mentor_for(client, mentee, ex_mentor.account)
    left = await client.delete(f"/api/mentees/{mentee.id}", headers=ex_mentor.account.headers)
    assert left.status_code == 204, left.text
    return World(mentee, ids, mentor, ex_mentor, stranger)


def _path_params(path: str) -> set[str]:
    return set(re.findall(r"{(\w+)(?::\w+)?}", path))


def _url(operation: Operation, ids: dict[str, str]) -> str:
    """The path filled in with the mentee's ids, and her ids in each query parameter that
    names something of a learner's (`?user_id=`, `?track_id=`)."""
    values = {**OTHER_PARAMS, **ids}
    unknown = _path_params(operation.path) - values.keys()
    assert not unknown, f"{operation.method} {operation.path}: classify the parameter {unknown}"
    url = re.sub(r"{(\w+)(?::\w+)?}", lambda m: values[m.group(1)], operation.path)
    query = sorted(_query_names(operation.route.dependant) & LEARNER_PARAMS)
    return url + ("?" + "&".join(f"{name}={ids[name]}" for name in query) if query else "")


async def _call(actor: Actor, operation: Operation, url: str) -> httpx.Response:
    body = BODIES.get((operation.method, operation.path), {})
    if operation.is_api:
        if operation.method in ("POST", "PUT", "PATCH") and not body:
            body = {"json": {}}
        headers = actor.account.headers | body.get("headers", {})
        content = {k: v for k, v in body.items() if k != "headers"}
        return await actor.browser.request(operation.method, url, headers=headers, **content)
    if operation.method == "GET":
        return await actor.browser.get(url)
    form = {"csrf_token": actor.csrf, **body.get("data", {})}
    return await actor.browser.request(operation.method, url, data=form)


async def _export(client: httpx.AsyncClient, mentee: Account) -> dict[str, Any]:
    body = await read_json(client, "/api/progress/export", mentee.headers)
    body.pop("exported_at")
    return body


def _leaks(response: httpx.Response, *, may_see_the_mentee: bool) -> list[str]:
    secrets = [*NOTES, MENTEE_EMAIL] + ([] if may_see_the_mentee else [MENTEE_TITLE])
    return [secret for secret in secrets if secret in response.text]


async def test_every_parameter_of_every_route_is_classified(app: FastAPI) -> None:
    known = LEARNER_PARAMS | OTHER_PARAMS.keys()
    for operation in operations(app):
        if operation.path.startswith(("/p/", "/u/", "/shared/", "/api/shared/")):
            assert not operation.names_a_learner, operation.path
        path_params = _path_params(operation.path)
        assert path_params <= known, f"{operation.path}: classify {path_params - known}"
    every = {(o.method, o.path) for o in operations(app)}
    assert every >= MENTOR_READS | MENTOR_LEAVES


async def test_a_mentor_only_reads_and_an_ex_mentor_or_stranger_gets_nothing_on_any_route(
    app: FastAPI, client: httpx.AsyncClient, world: World
) -> None:
    before = await _export(client, world.mentee)
    failures: list[str] = []

    for operation in operations(app):
        key = (operation.method, operation.path)
        url = _url(operation, world.ids)
        for actor in (world.mentor, world.ex_mentor, world.stranger):
            is_mentor = actor is world.mentor
            if key in STREAMS or (is_mentor and key in MENTOR_LEAVES):
                continue
            if not operation.names_a_learner and operation.method != "GET":
                continue  # names nobody, so it can change only the caller's own
            response = await _call(actor, operation, url)
            status = response.status_code
            where = f"{actor.name}: {operation.method} {url} -> {status}"
            if leaked := _leaks(response, may_see_the_mentee=is_mentor and key in MENTOR_READS):
                failures.append(f"{where} shows {leaked}")
            if not operation.names_a_learner:
                continue
            if is_mentor and key in MENTOR_READS:
                allowed = {200}
            elif operation.is_api:
                allowed = API_REFUSALS
            else:
                allowed = PAGE_REFUSALS
            if status not in allowed:
                failures.append(f"{where}, expected one of {sorted(allowed)}")
            if status == 303 and response.headers["location"].startswith(
                ("/tracks/", "/mentees/", "/goals/")
            ):
                failures.append(f"{where} went on to {response.headers['location']}")

    assert not failures, "\n".join(failures)
    assert await _export(client, world.mentee) == before
    sessions = await read_json(client, "/api/users/me/sessions", world.mentee.headers)
    assert [s["id"] for s in sessions["items"]] == [world.ids["session_id"]]


async def test_a_mentor_records_no_event_for_the_mentee(
    client: httpx.AsyncClient, world: World
) -> None:
    before = await _export(client, world.mentee)

    for actor in (world.mentor, world.ex_mentor, world.stranger):
        response = await client.post(
            "/api/events",
            json={"kind": "study_session", "user_id": world.mentee.id},
            headers=actor.account.headers,
        )
        assert response.status_code == 403, (actor.name, response.text)
        written = await submit(
            actor.browser,
            "/settings/sharing",
            {"enabled": "on", "tracks": world.ids["track_id"]},
            form_page="/settings/sharing",
        )
        assert written.status_code == 422, (actor.name, written.text)

    assert await _export(client, world.mentee) == before
