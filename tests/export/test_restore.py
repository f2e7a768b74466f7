"""An account exported from one server is restored on another, of the other database backend:
the same account, log and state, its numbers rebuilt from the log; a file that is not an
export, or an account that is here already, is refused and changes nothing."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from questpath.app import create_app
from questpath.auth.models import User
from questpath.config import Settings
from questpath.db import create_engine, transaction
from questpath.export import archive
from questpath.export.restore import Restored, restore
from questpath.problems import Conflict, Invalid
from questpath.ruleset import load_ruleset
from questpath.verify import verify
from tests.conftest import BACKENDS, TEST_SECRET
from tests.export.test_account_export import browser, export_of, fill_account
from tests.helpers import (
    Account,
    projection_differences,
    read_json,
    record_events,
    table_values,
)
from tests.servers import run_questpath
from tests.tracks.test_routes import all_items
from tests.web.browsing import signed_up

__all__ = ["browser"]  # the fixture, used by name

NEW_PASSWORD = "a fresh passphrase for the new server"
# Sections that cannot come back: API keys' and share links' secrets are never exported.
NOT_RESTORED = ("exported_at", "api_keys", "sharing", "cohorts")


@pytest.fixture
def other_url(settings: Settings, new_database: Callable[..., str]) -> str:
    """A fresh database on the other backend than the test's, when both are tested."""
    source = "sqlite" if settings.database_url.startswith("sqlite") else "postgresql"
    other = "postgresql" if source == "sqlite" else "sqlite"
    return new_database(other if other in BACKENDS else source)


@pytest.fixture
async def other_app(other_url: str, tmp_path: Path) -> AsyncIterator[FastAPI]:
    app = create_app(
        Settings(database_url=other_url, data_dir=tmp_path / "other", secret_key=TEST_SECRET)
    )
    yield app
    await app.state.engine.dispose()


async def restore_into(app: FastAPI, data: bytes, password: str = NEW_PASSWORD) -> Restored:
    async with transaction(app.state.sessionmaker) as session:
        return await restore(
            session, archive.parse(data), password, app.state.ruleset, datetime.now(UTC)
        )


async def sign_in(client: httpx.AsyncClient, email: str, account_id: str) -> Account:
    response = await client.post("/api/auth/login", json={"email": email, "password": NEW_PASSWORD})
    assert response.status_code == 200, response.text
    return Account(id=account_id, email=email, token=response.json()["access_token"])


async def user_count(app: FastAPI) -> int:
    async with app.state.sessionmaker() as session:
        return (await session.scalar(select(func.count()).select_from(User))) or 0


def restorable(body: dict[str, Any]) -> dict[str, Any]:
    """The export without what a restore cannot bring back."""
    kept = {name: value for name, value in body.items() if name not in NOT_RESTORED}
    kept["tracks"] = [{**track, "share": None} for track in body["tracks"]]
    return kept


async def active_learner(client: httpx.AsyncClient, browser: httpx.AsyncClient) -> Account:
    """A learner with every kind of state (see `fill_account`), a submitted quiz and a later
    day start."""
    account = await signed_up(browser, "ada@example.com")
    await fill_account(client, account, "ada")
    quiz = (await read_json(client, "/api/quizzes", account.headers))["items"][0]
    submitted = await client.post(
        f"/api/quizzes/{quiz['id']}/submit",
        json={"answers": [{"question_id": quiz["questions"][0]["id"], "answer": False}]},
        headers=account.headers,
    )
    assert submitted.status_code == 200, submitted.text
    day_start = await client.put(
        "/api/users/me/day-start", json={"day_start_hour": 4}, headers=account.headers
    )
    assert day_start.status_code == 200, day_start.text
    joined = await client.put(
        "/api/leaderboard/settings",
        json={"listed": True, "show_name": True},
        headers=account.headers,
    )
    assert joined.status_code == 200, joined.text
    cohort = await client.post("/api/cohorts", json={"name": "Class"}, headers=account.headers)
    assert cohort.status_code == 201, cohort.text
    await record_events(
        client,
        account.headers,
        [{"id": "late", "kind": "study_session", "topic": "sql", "time_spent_seconds": 600}],
    )
    return account


async def test_a_restored_account_exports_the_same_and_keeps_counting(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, other_app: FastAPI
) -> None:
    account = await active_learner(client, browser)
    exported = (await export_of(client, account)).content

    restored = await restore_into(other_app, exported)

    body = json.loads(exported)
    assert (restored.events, restored.tracks, restored.goals) == (len(body["events"]), 1, 2)
    assert (restored.questions, restored.quizzes, restored.api_keys) == (2, 1, 1)
    transport = httpx.ASGITransport(app=other_app, client=("198.51.100.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as there:
        moved = await sign_in(there, account.email, account.id)
        again = (await export_of(there, moved)).json()
        assert restorable(again) == restorable(body)
        assert again["api_keys"] == []
        assert again["leaderboards"] == body["leaderboards"] == {"listed": True, "show_name": True}
        assert [c["name"] for c in body["cohorts"]] == ["Class"]
        assert again["cohorts"] == []
        board = await read_json(there, "/api/leaderboard", moved.headers, period="all")
        assert board["you"] is not None
        assert board["you"]["xp"] == body["progress"]["xp"]
        assert await projection_differences(other_app, moved) == []

        # The restored items and questions are the ones the log names: work goes on.
        tree = (await read_json(there, "/api/tracks", moved.headers))["items"][0]
        items = all_items(await read_json(there, f"/api/tracks/{tree['id']}", moved.headers))
        todo = next(item for item in items if item["state"] == "todo")
        done = await there.patch(
            f"/api/tracks/{tree['id']}/items/{todo['id']}",
            json={"state": "done"},
            headers=moved.headers,
        )
        assert done.status_code == 200, done.text
        assert "item_completed" in done.json()["events_recorded"]
        await record_events(there, moved.headers, [{"id": "after", "kind": "exercise_completed"}])
        progress = await read_json(there, "/api/progress", moved.headers)
        assert progress["xp"] > body["progress"]["xp"]
        assert await projection_differences(other_app, moved) == []


async def test_an_address_that_has_an_account_here_is_refused(
    client: httpx.AsyncClient, app: FastAPI, learner: Account
) -> None:
    exported = (await export_of(client, learner)).content

    with pytest.raises(Conflict, match="already has an account"):
        await restore_into(app, exported)
    assert await user_count(app) == 1


async def test_the_same_export_restored_twice_is_refused_the_second_time(
    client: httpx.AsyncClient, learner: Account, other_app: FastAPI
) -> None:
    await record_events(client, learner.headers, [{"id": "ex", "kind": "exercise_completed"}])
    exported = (await export_of(client, learner)).content
    await restore_into(other_app, exported)

    with pytest.raises(Conflict, match="already has an account"):
        await restore_into(other_app, exported)
    # Under another address, the account's id gives it away.
    renamed = json.loads(exported)
    renamed["profile"]["email"] = "renamed@example.com"
    with pytest.raises(Conflict, match="restored already"):
        await restore_into(other_app, json.dumps(renamed).encode())
    assert await user_count(other_app) == 1


async def test_an_admin_in_the_file_arrives_as_a_learner(
    client: httpx.AsyncClient, learner: Account, other_app: FastAPI
) -> None:
    body = (await export_of(client, learner)).json()
    body["profile"]["role"] = "admin"

    restored = await restore_into(other_app, json.dumps(body).encode())

    async with other_app.state.sessionmaker() as session:
        user = await session.get(User, uuid.UUID(learner.id))
    assert user is not None
    assert user.role == "learner"
    assert "create-admin" in restored.notes[0]


async def test_a_weak_password_is_refused_and_nothing_is_written(
    client: httpx.AsyncClient, learner: Account, other_app: FastAPI
) -> None:
    exported = (await export_of(client, learner)).content

    with pytest.raises(Invalid, match="password"):
        await restore_into(other_app, exported, password="short")
    assert await user_count(other_app) == 0


async def test_a_refusal_after_rows_were_written_leaves_nothing_behind(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, other_app: FastAPI
) -> None:
    account = await signed_up(browser, "ada@example.com")
    await fill_account(client, account, "ada")
    body = (await export_of(client, account)).json()
    # The open quiz asks a question the bank no longer holds: its answer is nowhere.
    asked = body["quizzes"][0]["questions"][0]["id"]
    body["questions"] = [q for q in body["questions"] if q["id"] != asked]

    with pytest.raises(Invalid, match="not in the bank"):
        await restore_into(other_app, json.dumps(body).encode())
    assert await user_count(other_app) == 0
    assert await table_values(other_app, "events") == []
    assert await table_values(other_app, "tracks") == []


EDITS: list[tuple[Callable[[dict[str, Any]], object], str, str]] = [
    (lambda body: body.update(format="something-else"), "format", "not an account export"),
    (lambda body: body.update(format_version=3), "format_version", "3 is not a version"),
    (lambda body: body.pop("format_version"), "format_version", "None is not a version"),
    (lambda body: body.pop("events"), "events", "Field required"),
    (lambda body: body["events"][0].update(user_id="f" * 32), "events[0].user_id", "Extra inputs"),
    (lambda body: body["events"][0].update(kind="levelled_up"), "events[0]", "unknown event"),
    (lambda body: body["events"].append(body["events"][0]), "events", "more than once"),
    (lambda body: body["events"][0].update(voided_by="nothing"), "events", "voided by no"),
    (lambda body: body["events"].clear(), "tracks", "the log never completed it"),
    (lambda body: body["profile"].update(timezone="Mars/Base"), "profile.timezone", "IANA"),
]


async def test_a_file_that_is_not_a_sound_export_is_refused_naming_the_field(
    client: httpx.AsyncClient, browser: httpx.AsyncClient
) -> None:
    account = await signed_up(browser, "ada@example.com")
    await fill_account(client, account, "ada")
    body = (await export_of(client, account)).json()
    archive.parse(json.dumps(body).encode())  # as exported, it is sound

    for edit, field, message in EDITS:
        edited = copy.deepcopy(body)
        edit(edited)
        with pytest.raises(Invalid, match=message) as refused:
            archive.parse(json.dumps(edited).encode())
        assert [error.field for error in refused.value.errors] == [field], message


@pytest.mark.parametrize("data", [b"", b"{", b"[1, 2]", b"\xff\xfe", b"[" * 100_000])
def test_malformed_json_is_refused_as_not_an_export(data: bytes) -> None:
    with pytest.raises(Invalid) as refused:
        archive.parse(data)
    assert refused.value.errors[0].field in ("file", "format")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    max_leaves=30,
)


@hypothesis_settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    st.fixed_dictionaries(
        {"format": st.just("questpath-export"), "format_version": st.just(2)},
        optional={
            name: JSON for name in ("profile", "tracks", "goals", "events", "questions", "quizzes")
        },
    )
)
def test_any_json_is_an_export_or_a_problem_never_a_crash(document: dict[str, Any]) -> None:
    outcome: archive.Export | Invalid
    try:
        outcome = archive.parse(json.dumps(document).encode())
    except Invalid as problem:
        outcome = problem
    assert isinstance(outcome, archive.Export) or outcome.errors[0].message


async def test_the_command_restores_an_export_with_a_password_from_standard_input(
    client: httpx.AsyncClient, learner: Account, other_url: str, tmp_path: Path
) -> None:
    await record_events(client, learner.headers, [{"id": "ex", "kind": "exercise_completed"}])
    export_file = tmp_path / "account.json"
    export_file.write_bytes((await export_of(client, learner)).content)
    args = ("user", "import", str(export_file), "--password-stdin")

    first = await run_questpath(other_url, tmp_path, *args, stdin=NEW_PASSWORD + "\n")
    second = await run_questpath(other_url, tmp_path, *args, stdin=NEW_PASSWORD + "\n")

    assert first.returncode == 0, first.stderr
    assert f"Restored {learner.email}: 1 events" in first.stdout
    assert "API keys and share links must be made anew" in first.stdout
    assert second.returncode == 1
    assert second.stderr.strip().splitlines() == [
        f"Error: email: {learner.email} already has an account on this server"
    ]
    engine = create_engine(other_url)
    try:
        async with engine.connect() as conn:
            user = (await conn.execute(select(User))).one()
        assert await verify(engine, user, load_ruleset(None)) == []
    finally:
        await engine.dispose()
