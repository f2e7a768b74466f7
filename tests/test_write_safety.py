"""Writes to real server processes: nothing acknowledged is lost, nothing is counted twice.

Clients speak HTTP to `questpath serve` subprocesses on loopback (PostgreSQL with two worker
processes, SQLite with one). A crash is SIGKILL of the server's whole process group, so no
shutdown code runs anywhere. `questpath verify` then recomputes every projection from the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from questpath.auth import repository as users
from questpath.db import create_engine, create_sessionmaker
from questpath.ruleset import load_ruleset
from questpath.verify import verify
from tests.conftest import BACKENDS
from tests.helpers import (
    ADMIN_PASSWORD,
    Account,
    all_events,
    field_errors,
    read_json,
    register_account,
)
from tests.servers import Server, Servers, run_questpath

WORKERS = {"sqlite": 1, "postgresql": 2}  # SQLite has one writer; PostgreSQL is the scale-out
TOPICS = ("python", "sql", "rust")

# The load before a kill: bounded in clients, requests and time.
CLIENTS = 16
LEARNERS = 4
MAX_POSTS_PER_CLIENT = 2000
MIN_LOAD_SECONDS = 2.0
MIN_ACKNOWLEDGED = 50
LOAD_DEADLINE = 30.0  # for a slow machine to acknowledge MIN_ACKNOWLEDGED events


def exercise(event_id: str, n: int, user_id: str | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {
        "id": event_id,
        "kind": "exercise_completed",
        "topic": TOPICS[n % len(TOPICS)],
        "grade": float(n % 101),
    }
    if user_id is not None:
        event["user_id"] = user_id
    return event


async def register_learners(server: Server, prefix: str, count: int) -> list[Account]:
    async with server.client() as client:
        return [await register_account(client, f"{prefix}-{i}@example.com") for i in range(count)]


async def assert_verify_command_is_clean(server: Server) -> None:
    """`questpath verify` finds every learner's projections equal to a recomputation."""
    result = await run_questpath(server.database_url, server.data_dir, "verify")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "every projection equals a recomputation from the log" in result.stdout


async def assert_projections_match_the_log(server: Server) -> None:
    """What `questpath verify` checks, in this process: quicker than starting the command."""
    engine = create_engine(server.database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            learners = await users.list_users(session)
        found = {
            learner.email: await verify(engine, learner, load_ruleset()) for learner in learners
        }
    finally:
        await engine.dispose()
    assert learners
    assert {email: differences for email, differences in found.items() if differences} == {}


async def stored_ids(client: httpx.AsyncClient, learner: Account) -> set[str]:
    return {event["id"] for event in await all_events(client, learner.headers)}


async def exercises_completed(client: httpx.AsyncClient, learner: Account) -> int:
    progress = await read_json(client, "/api/progress", learner.headers)
    count: int = progress["exercises_completed"]
    return count


# A crash in the middle of writing


@dataclass(frozen=True)
class Sent:
    learner: Account
    body: dict[str, Any]


@dataclass
class Load:
    """What the clients saw while the server ran. An event is acknowledged when its 201 came back;
    cut off when the connection died after the request may have been sent, so only a retry can
    tell whether it was stored."""

    sent: dict[str, Sent] = field(default_factory=dict)
    acknowledged: set[str] = field(default_factory=set)
    cut_off: set[str] = field(default_factory=set)
    unexpected: list[str] = field(default_factory=list)
    enough: asyncio.Event = field(default_factory=asyncio.Event)

    def of(self, learner: Account, ids: set[str]) -> set[str]:
        return {event_id for event_id in ids if self.sent[event_id].learner == learner}


async def post_until_the_server_dies(
    server: Server, number: int, learner: Account, load: Load, stop: asyncio.Event
) -> None:
    """Post single events back to back on one connection until the server stops answering."""
    async with server.client() as client:
        for n in range(MAX_POSTS_PER_CLIENT):
            if stop.is_set():
                return
            event_id = f"client-{number}-{n}"
            body = exercise(event_id, n)
            load.sent[event_id] = Sent(learner, body)
            try:
                response = await client.post("/api/events", json=body, headers=learner.headers)
            except httpx.ConnectError:
                return  # never reached the server
            except httpx.TransportError:
                load.cut_off.add(event_id)
                return
            if response.status_code != 201 or response.json()["results"][0]["status"] != "created":
                load.unexpected.append(f"{event_id}: {response.status_code} {response.text}")
                return
            load.acknowledged.add(event_id)
            if len(load.acknowledged) >= MIN_ACKNOWLEDGED:
                load.enough.set()


async def load_then_kill(server: Server, learners: list[Account]) -> Load:
    load, stop = Load(), asyncio.Event()
    clients = [
        asyncio.create_task(
            post_until_the_server_dies(server, n, learners[n % len(learners)], load, stop)
        )
        for n in range(CLIENTS)
    ]
    await asyncio.sleep(MIN_LOAD_SECONDS)  # the load's length, not a synchronisation
    with contextlib.suppress(TimeoutError):  # asserted by the test, after the kill
        await asyncio.wait_for(load.enough.wait(), LOAD_DEADLINE)
    server.kill()
    stop.set()
    await asyncio.gather(*clients)
    return load


async def test_every_event_acknowledged_before_a_sigkill_is_stored_after_restart(
    backend: str, migrated_url: str, serve: Callable[..., Server]
) -> None:
    url = migrated_url
    server = serve(url, workers=WORKERS[backend])
    learners = await register_learners(server, "crash", LEARNERS)

    load = await load_then_kill(server, learners)

    assert load.unexpected == []
    assert len(load.acknowledged) >= MIN_ACKNOWLEDGED, "too little was written before the kill"
    assert load.cut_off, "the kill cut off no request, so it proved nothing about one"
    restarted = serve(url, workers=WORKERS[backend])
    async with restarted.client() as client:
        for learner in learners:
            stored = await stored_ids(client, learner)
            acknowledged = load.of(learner, load.acknowledged)
            assert acknowledged <= stored, f"acknowledged, then lost: {acknowledged - stored}"
            assert stored <= acknowledged | load.of(learner, load.cut_off), "stored unsent events"
            assert await exercises_completed(client, learner) == len(stored)
        # A client retries what it got no answer for: each is stored exactly once.
        before = set().union(*[await stored_ids(client, learner) for learner in learners])
        retries = sorted(load.cut_off)
        responses = await asyncio.gather(
            *(
                client.post(
                    "/api/events",
                    json=load.sent[event_id].body,
                    headers=load.sent[event_id].learner.headers,
                )
                for event_id in retries
            )
        )
        for event_id, response in zip(retries, responses, strict=True):
            assert response.status_code == 201, response.text
            expected = "duplicate" if event_id in before else "created"
            assert response.json()["results"][0]["status"] == expected
        for learner in learners:
            everything = load.of(learner, load.acknowledged | load.cut_off)
            assert await stored_ids(client, learner) == everything
            assert await exercises_completed(client, learner) == len(everything)
    await assert_verify_command_is_clean(restarted)


# Concurrent writers on a running server: one per backend, shared by the tests below, each of
# which writes for learners of its own.


@pytest.fixture(scope="module", params=BACKENDS)
def running(
    request: pytest.FixtureRequest,
    new_database: Callable[[str], str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Server]:
    backend: str = request.param
    servers = Servers(tmp_path_factory.mktemp(f"serve-{backend}"))
    try:
        yield servers.start(new_database(backend), workers=WORKERS[backend])
    finally:
        servers.stop_all()


async def post_racing(
    server: Server, learner: Account, bodies: list[dict[str, Any]]
) -> list[httpx.Response]:
    """POST each body on a connection of its own, opened beforehand (so the connections spread
    over the workers), all at once."""
    async with contextlib.AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(server.client()) for _ in bodies]
        opened = await asyncio.gather(*(client.get("/health") for client in clients))
        assert all(response.status_code == 200 for response in opened)
        return await asyncio.gather(
            *(
                client.post("/api/events", json=body, headers=learner.headers)
                for client, body in zip(clients, bodies, strict=True)
            )
        )


async def test_twenty_concurrent_posts_of_one_event_id_store_and_count_it_once(
    running: Server,
) -> None:
    (learner,) = await register_learners(running, "racer", 1)
    event = exercise("same-event", 90)

    responses = await post_racing(running, learner, [event] * 20)

    assert [r.status_code for r in responses] == [201] * 20, [r.text for r in responses]
    statuses = [r.json()["results"][0]["status"] for r in responses]
    assert statuses.count("created") == 1
    assert statuses.count("duplicate") == 19
    async with running.client() as client:
        stored = await all_events(client, learner.headers)
        assert await exercises_completed(client, learner) == 1
    assert [(e["id"], e["grade"]) for e in stored] == [("same-event", 90.0)]
    await assert_projections_match_the_log(running)


async def test_twenty_concurrent_overlapping_batches_store_each_id_once(running: Server) -> None:
    (learner,) = await register_learners(running, "batcher", 1)
    # Batch k holds ids 2k .. 2k+9: every id but the first two and last two is in several.
    batches = [
        {"events": [exercise(f"overlap-{n}", n) for n in range(2 * k, 2 * k + 10)]}
        for k in range(20)
    ]
    ids = {event["id"] for batch in batches for event in batch["events"]}

    responses = await post_racing(running, learner, batches)

    assert [r.status_code for r in responses] == [201] * 20, [r.text for r in responses]
    created = [
        result["id"]
        for response in responses
        for result in response.json()["results"]
        if result["status"] == "created"
    ]
    assert sorted(created) == sorted(ids), "an id was created twice or not at all"
    assert sum(r.json()["created"] for r in responses) == len(ids)
    assert sum(r.json()["duplicates"] for r in responses) == 200 - len(ids)
    async with running.client() as client:
        assert await stored_ids(client, learner) == ids
        assert await exercises_completed(client, learner) == len(ids)
    await assert_projections_match_the_log(running)


async def integration_key(server: Server, email: str) -> dict[str, str]:
    """Headers of an API key with events:write that an admin, made by `questpath create-admin`,
    created: it may record events for any learner by `user_id`."""
    made = await run_questpath(
        server.database_url,
        server.data_dir,
        "create-admin",
        email,
        env={"QUESTPATH_ADMIN_PASSWORD": ADMIN_PASSWORD},
    )
    assert made.returncode == 0, made.stdout + made.stderr
    async with server.client() as client:
        login = await client.post(
            "/api/auth/login", json={"email": email, "password": ADMIN_PASSWORD}
        )
        assert login.status_code == 200, login.text
        admin = {"Authorization": f"Bearer {login.json()['access_token']}"}
        key = await client.post(
            "/api/api-keys", json={"name": "Importer", "scopes": ["events:write"]}, headers=admin
        )
        assert key.status_code == 201, key.text
    return {"Authorization": f"Bearer {key.json()['secret']}"}


async def test_a_rejected_event_amid_concurrent_traffic_rolls_back_no_other_request(
    running: Server,
) -> None:
    learners = await register_learners(running, "mixed", 3)
    integration = await integration_key(running, "importer-admin@example.com")
    unknown = str(uuid.uuid4())
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()

    def valid(client: int, n: int) -> dict[str, Any]:
        """Single events and batches of three, for every learner, all of them new."""
        learner = learners[(client + n) % len(learners)]
        if n % 2:
            return exercise(f"valid-{client}-{n}", n, learner.id)
        return {"events": [exercise(f"valid-{client}-{n}-{i}", n, learner.id) for i in range(3)]}

    owner = learners[0].id
    # Each invalid request, and the one field its 422 must name.
    invalid: list[tuple[dict[str, Any], str]] = [
        ({"id": "bad-time", "kind": "study_session", "user_id": owner}, "time_spent_seconds"),
        ({**exercise("bad-when", 1, owner), "occurred_at": future}, "occurred_at"),
        (exercise("bad-owner", 2, unknown), "user_id"),
        (
            {
                "events": [
                    exercise("bad-batch-0", 3, owner),
                    exercise("bad-batch-1", 4, learners[1].id),
                    {"id": "bad-batch-2", "kind": "study_session", "user_id": owner},
                ]
            },
            "events[2].time_spent_seconds",
        ),
        (
            {"events": [exercise("bad-batch-3", 5, owner), exercise("bad-batch-4", 6, unknown)]},
            "events[1].user_id",
        ),
    ]
    rounds = 6

    async def post_valid(client_number: int) -> list[tuple[dict[str, Any], httpx.Response]]:
        async with running.client() as client:
            return [
                (body, await client.post("/api/events", json=body, headers=integration))
                for body in (valid(client_number, n) for n in range(rounds))
            ]

    async def post_invalid(body: dict[str, Any]) -> list[httpx.Response]:
        async with running.client() as client:
            return [
                await client.post("/api/events", json=body, headers=integration)
                for _ in range(rounds)
            ]

    valid_outcomes, invalid_outcomes = await asyncio.gather(
        asyncio.gather(*(post_valid(n) for n in range(6))),
        asyncio.gather(*(post_invalid(body) for body, _ in invalid)),
    )

    expected: dict[str, set[str]] = {learner.id: set() for learner in learners}
    for body, response in (pair for pairs in valid_outcomes for pair in pairs):
        assert response.status_code == 201, response.text
        assert {r["status"] for r in response.json()["results"]} == {"created"}
        for event in body.get("events", [body]):
            expected[event["user_id"]].add(event["id"])
    for (_, name), responses in zip(invalid, invalid_outcomes, strict=True):
        for response in responses:
            assert list(field_errors(response)) == [name]
    async with running.client() as client:
        for learner in learners:
            assert await stored_ids(client, learner) == expected[learner.id]
            assert await exercises_completed(client, learner) == len(expected[learner.id])
    await assert_projections_match_the_log(running)
