"""The OpenAPI document tells the truth: schemathesis sends requests generated from
`/openapi.json` to the real app, signed in as a learner with some data, and runs every check
(no 5xx; each status, content type, header and body declared; requests the schema allows are
accepted and those it forbids are refused; deleted resources stay gone; ...).

A second test chains requests along the document's links (create, then read, change, delete).

Bounded and reproducible: a few derandomized examples per operation, no shrinking, no database
of past failures, so CI sees the same requests on every run.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import hypothesis
import pytest
from schemathesis import GenerationMode, HookContext
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.case import Case
from schemathesis.openapi import from_dict
from schemathesis.python import asgi

from questpath.app import create_app
from questpath.backup import backup, restore
from questpath.config import Settings
from questpath.db import migrate
from questpath.progress.rules import MAX_HISTORY_DAYS
from tests.conftest import TEST_SECRET
from tests.helpers import PASSWORD

EMAIL = "conformance@example.com"
# Operations that can end every access token of the caller: they are sent as another learner,
# so that the rest of the run is not answered 401.
ENDS_ACCESS = {
    ("POST", "/api/users/me/sign-out-everywhere"),
    ("POST", "/api/users/me/password"),
    ("POST", "/api/users/me/deletion"),
}
TRACK = b"# Git basics\n\n## Commits\n- [ ] Stage changes\n- [ ] Write a commit message\n"

# Rules no schema can state, which refuse (422) some requests the schema allows: a new
# password's strength, the account's current password or two-factor code, an expiry or a
# vacation that must not start in the past, a rank named in the rules file (QUESTPATH_RULES_FILE
# can rename them), the fields an event's kind requires, the answer's shape for the question's
# type, a review's answer or rating, a document or file with something to import, the caller's
# own tracks and notifications, quiz generation by an LLM that this server has not configured, an
# e-mail digest on a server that sends no mail, and a webhook URL's scheme and address.
REFUSED_BY_RULES = (
    "POST /api/auth/register",
    "POST /api/users/me/password",
    "POST /api/users/me/deletion",
    "POST /api/api-keys",
    "DELETE /api/users/me/two-factor",
    "POST /api/users/me/two-factor/confirm",
    "POST /api/users/me/two-factor/recovery-codes",
    "POST /api/vacations",
    "POST /api/goals",
    "POST /api/questions",
    "POST /api/quizzes",
    "POST /api/events",
    "POST /api/tracks/import",
    "PUT /api/tracks/{track_id}/markdown",
    "POST /api/questions/import",
    "POST /api/reviews/{question_id}",
    "PUT /api/sharing",
    "POST /api/badges",
    "POST /api/webhooks",
    "PATCH /api/webhooks/{webhook_id}",
    "POST /api/notifications/read",
    "PUT /api/notifications/settings",
)
# Each of their requests hashes or checks a password (Argon2, on purpose slow): fewer examples.
HASHING = ("POST /api/auth/register", "POST /api/auth/login", "POST /api/users/me/password")
# 400 too: a form upload past the multipart parser's limit on fields, which no schema states.
ACCEPTED = '["2xx", "3xx", "400", "401", "403", "404", "409", "422", "429"]'
CONFIG = (
    """
[generation]
max-examples = 5
deterministic = true
no-shrink = true
database = "none"
"""
    + "".join(
        f"""
[[operations]]
include-name = "{name}"
checks.positive_data_acceptance.expected-statuses = {ACCEPTED}
"""
        for name in REFUSED_BY_RULES
    )
    + "".join(
        f"""
[[operations]]
include-name = "{name}"
generation.max-examples = 2
"""
        for name in HASHING
    )
)


# Stateful sequences: how many, and at most how many requests each.
STATEFUL_SEQUENCES = 25
STATEFUL_STEPS = 6

# The learner's own track and event: positive reads by id ask for these, so they answer 200.
SEEDED: dict[str, str] = {}
# The seeded database's URL, and the copy of it from which every chain starts.
CHAIN_START: dict[str, Any] = {}


def _seed(app: Any) -> tuple[str, str]:
    """A learner with a track and an event, and a bystander; returns their tokens."""
    with asgi.get_client(app) as client:
        token, bystander = (_register(client, email) for email in (EMAIL, "bystander@example.com"))
        headers = {"Authorization": f"Bearer {token}"}
        response = client.post(
            "http://testserver/api/tracks/import",
            data=TRACK,
            headers=headers | {"Content-Type": "text/markdown"},
        )
        assert response.status_code == 201, response.text
        SEEDED["track_id"] = response.json()["id"]
        event = {"kind": "exercise_completed", "occurred_at": "2026-01-05T10:00:00Z", "grade": 90}
        response = client.post("http://testserver/api/events", json=event, headers=headers)
        assert response.status_code == 201, response.text
        SEEDED["event_id"] = response.json()["results"][0]["id"]
    return token, bystander


def _register(client: Any, email: str) -> str:
    response = client.post(
        "http://testserver/api/auth/register",
        json={"email": email, "password": PASSWORD, "timezone": "UTC"},
    )
    assert response.status_code == 201, response.text
    token: str = response.json()["access_token"]
    return token


def _document() -> dict[str, Any]:
    """The document as the app serves it; building it opens no database."""
    settings = Settings(database_url="sqlite+aiosqlite:///:memory:", secret_key=TEST_SECRET)
    return create_app(settings).openapi()


class SeededApp:
    """The app under test, attached by the fixture that seeds its database: schemathesis binds
    the app when the tests are collected, before any fixture runs."""

    app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


seeded_app = SeededApp()
schema = from_dict(_document(), config=SchemathesisConfig.from_str(CONFIG))
# Chains feed one answer into the next request; that requests the schema forbids are refused is
# checked operation by operation above, so the chains leave that check out.
chains = from_dict(
    _document(),
    config=SchemathesisConfig.from_str(
        CONFIG + "\n[checks.negative_data_rejection]\nenabled = false\n"
    ),
)
schema.app = chains.app = seeded_app


@schema.hook
def map_case(_context: HookContext, case: Case) -> Case:
    """Valid requests as the operation descriptions define them, where the schema cannot:
    a cursor is one the server handed out, a history range is `days` or both dates, and the
    streak board has no period but all time. Reads by id ask for the learner's own track or
    event."""
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return case
    if case.method == "GET" and isinstance(case.path_parameters, dict):
        for name in SEEDED.keys() & case.path_parameters.keys():
            case.path_parameters[name] = SEEDED[name]
    if isinstance(case.query, dict):
        case.query.pop("cursor", None)
        if case.operation.path == "/api/progress/history":
            case.query = _valid_history_range(case.query)
        if case.operation.path.endswith("/leaderboard") and case.query.get("by") == "streak":
            case.query.pop("period", None)
    return case


chains.hook(map_case)


def _valid_history_range(query: dict[str, Any]) -> dict[str, Any]:
    query = dict(query)
    if "days" in query or "start_date" not in query or "end_date" not in query:
        query.pop("start_date", None)
        query.pop("end_date", None)
        return query
    first, last = sorted(date.fromisoformat(query[key]) for key in ("start_date", "end_date"))
    last = min(last, first + timedelta(days=MAX_HISTORY_DAYS - 1))
    return query | {"start_date": first.isoformat(), "end_date": last.isoformat()}


@pytest.fixture(
    scope="module",
)
def tokens(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The app the generated requests reach: its own migrated SQLite database, seeded; the
    tokens of its learner and of a bystander."""
    data_dir: Path = tmp_path_factory.mktemp("conformance")
    url = f"sqlite+aiosqlite:///{data_dir / 'questpath.db'}"
    migrate(url, "head")
    # Both tests create quizzes and import tracks on this one app: far past the hourly limits,
    # whose 429s would make the same requests answer differently from one run to the next.
    # An event stream answers until it ends: after a second here, not after minutes.
    unlimited = {
        "rate_limit_imports": "100000/hour",
        "rate_limit_quiz_generation": "100000/hour",
        "rate_limit_stream_seconds": 1,
    }
    app = create_app(
        Settings(database_url=url, data_dir=data_dir, secret_key=TEST_SECRET, **unlimited)
    )
    seeded_app.app = app
    seeded = _seed(app)
    # Each chain starts from this copy: what an earlier chain created or deleted would change
    # which links a later one can follow, and the same drawn steps would then differ.
    CHAIN_START.update(url=url, copy=data_dir / "seeded.db")
    backup(url, CHAIN_START["copy"])
    yield seeded
    asgi.shutdown_lifespans()


def signed_in(case: Case, tokens: tuple[str, str]) -> dict[str, str]:
    learner, bystander = tokens
    token = bystander if (case.method, case.path) in ENDS_ACCESS else learner
    return {"Authorization": f"Bearer {token}"}


@schema.parametrize()
def test_every_operation_answers_as_the_document_says(case: Case, tokens: tuple[str, str]) -> None:
    case.call_and_validate(base_url="http://testserver", headers=signed_in(case, tokens))


def test_chains_of_operations_answer_as_the_document_says(tokens: tuple[str, str]) -> None:
    """Sequences that feed one answer into the next request (a created track's id into reading,
    changing and deleting it), along the links schemathesis infers from the document."""
    machine = chains.as_state_machine()

    class Workflows(machine):  # type: ignore[misc, valid-type]
        def setup(self) -> None:
            restore(CHAIN_START["url"], CHAIN_START["copy"], force=True)

        def get_call_kwargs(self, case: Case) -> dict[str, Any]:
            return {"base_url": "http://testserver", "headers": signed_in(case, tokens)}

    Workflows.run(
        settings=hypothesis.settings(
            max_examples=STATEFUL_SEQUENCES,
            stateful_step_count=STATEFUL_STEPS,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[hypothesis.Phase.generate],
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )
