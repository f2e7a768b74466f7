"""`python -m bench.xapi`: filtered statement queries on an LRS of 100,000 statements, over
HTTP to a served QuestPath, on SQLite and PostgreSQL, beside the cheapest request the LRS
answers (GET /xapi/about, no database) on the same server.

The statements are written straight into the tables, in the shape the statements resource
stores them (`statements.stored_form`, `terms.statement_terms`): 1,000 learners, 40 verbs,
2,000 activities in 100 courses (the parent context activity), a registration per learner and
course. Each query is sent one at a time with an API key's Basic auth; its answer is read in
full. Target: a filtered query under 50 ms (p50).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, text

from bench.postgres import throwaway_database
from bench.sections import replace_section
from bench.servers import QuestPathServer, new_secret_key
from questpath.auth.credentials import new_api_key
from questpath.auth.models import ApiKey, User
from questpath.db import create_engine, create_sessionmaker, migrate
from questpath.xapi.models import XapiStatement, XapiStatementTerm
from questpath.xapi.statements import stored_form
from questpath.xapi.terms import statement_terms

CHUNK = 5000
LEARNERS, VERBS, ACTIVITIES, COURSES = 1000, 40, 2000, 100
TARGET_MS = 50.0
ADL = "http://adlnet.gov/expapi/verbs/"


@dataclass
class Timing:
    name: str
    samples: list[float]
    returned: float  # statements per answer, on average

    def ms(self, q: float) -> float:
        ordered = sorted(self.samples)
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class BackendResult:
    backend: str
    version: str
    statements: int
    timings: list[Timing]
    cpu: dict[str, float]


def _verb(n: int) -> str:
    named = ["completed", "passed", "failed", "answered", "experienced", "attempted"]
    return ADL + named[n] if n < len(named) else f"http://example.com/verbs/v{n}"


def _statement(rng: random.Random, n: int, start: datetime) -> tuple[dict[str, Any], datetime]:
    learner = rng.randrange(LEARNERS)
    activity = rng.randrange(ACTIVITIES)
    course = activity % COURSES
    stored = start + timedelta(seconds=n * 3)
    statement = {
        "actor": {
            "objectType": "Agent",
            "name": f"Learner {learner}",
            "mbox": f"mailto:learner{learner}@example.org",
        },
        "verb": {
            "id": _verb(min(int(rng.paretovariate(1.0)) - 1, VERBS - 1)),
            "display": {"en-US": "did"},
        },
        "object": {
            "objectType": "Activity",
            "id": f"http://example.com/activities/{activity}",
            "definition": {
                "name": {"en-US": f"Activity {activity}"},
                "type": "http://adlnet.gov/expapi/activities/lesson",
            },
        },
        "result": {
            "score": {"scaled": round(rng.random(), 2)},
            "duration": "PT4M30S",
            "completion": True,
        },
        "context": {
            "registration": str(uuid.UUID(int=learner * COURSES + course)),
            "contextActivities": {"parent": [{"id": f"http://example.com/courses/{course}"}]},
        },
        "timestamp": stored.isoformat(),
    }
    return statement, stored


def _fill(url: str, count: int) -> tuple[str, str, list[int]]:
    """The LRS's statements, owned by one learner's key; (key id, secret) to read them, and
    the registrations used (as integers)."""
    return asyncio.run(_fill_async(url, count))


async def _fill_async(url: str, count: int) -> tuple[str, str, list[int]]:
    rng = random.Random(7)
    used: set[int] = set()
    now = datetime(2026, 12, 2, 12, tzinfo=UTC)
    owner, key_id, key = uuid.uuid4(), uuid.uuid4(), new_api_key()
    engine = create_engine(url)
    maker = create_sessionmaker(engine)
    authority = {
        "objectType": "Agent",
        "account": {"homePage": "http://127.0.0.1", "name": str(key_id)},
    }
    try:
        async with maker.begin() as session:
            await session.execute(
                insert(User),
                [
                    {
                        "id": owner,
                        "email": "lrs-owner@example.org",
                        "password_hash": "-",
                        "display_name": "LRS owner",
                        "created_at": now,
                        "updated_at": now,
                    }
                ],
            )
            await session.execute(
                insert(ApiKey),
                [
                    {
                        "id": key_id,
                        "user_id": owner,
                        "name": "bench",
                        "prefix": key.prefix,
                        "secret_hash": key.secret_hash,
                        "scopes": ["xapi:read", "xapi:write"],
                        "created_at": now,
                    }
                ],
            )
        start = now - timedelta(seconds=3 * count)
        for first in range(0, count, CHUNK):
            rows, terms = [], []
            for n in range(first, min(first + CHUNK, count)):
                statement, stored = _statement(rng, n, start)
                used.add(uuid.UUID(statement["context"]["registration"]).int)
                statement_id = uuid.UUID(int=rng.getrandbits(128))
                kept = stored_form(statement, statement_id, authority, stored)
                rows.append(
                    {
                        "seq": n + 1,
                        "id": statement_id,
                        "owner_id": owner,
                        "api_key_id": key_id,
                        "stored": stored,
                        "verb_id": statement["verb"]["id"],
                        "refers_to": None,
                        "voided": False,
                        "user_id": None,
                        "event_id": None,
                        "statement": kept,
                    }
                )
                terms += [{"seq": n + 1, "term": t, "related": r} for t, r in statement_terms(kept)]
            async with maker.begin() as session:
                await session.execute(insert(XapiStatement), rows)
                await session.execute(insert(XapiStatementTerm), terms)
        async with engine.connect() as conn:
            autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
            if "postgresql" in url:
                await autocommit.execute(
                    text("SELECT setval(pg_get_serial_sequence('xapi_statements', 'seq'), :n)"),
                    {"n": count},
                )
            await autocommit.execute(text("VACUUM ANALYZE" if "postgresql" in url else "ANALYZE"))
    finally:
        await engine.dispose()
    return str(key_id), key.secret, sorted(used)


def _queries(
    rng: random.Random, reads: int, count: int, registrations: list[int]
) -> dict[str, list[dict[str, str]]]:
    def agent() -> str:
        return json.dumps({"mbox": f"mailto:learner{rng.randrange(LEARNERS)}@example.org"})

    since = datetime(2026, 12, 2, 12, tzinfo=UTC) - timedelta(seconds=3 * count)
    return {
        "Ceiling: GET /xapi/about (no database)": [{} for _ in range(reads)],
        "One statement by statementId": [],  # filled from the first answers
        "agent (a learner's ~100 statements), limit 25": [
            {"agent": agent(), "limit": "25"} for _ in range(reads)
        ],
        "agent + verb": [{"agent": agent(), "verb": _verb(rng.randrange(3))} for _ in range(reads)],
        "activity + related_activities (a course's ~1,000), limit 25": [
            {
                "activity": f"http://example.com/courses/{rng.randrange(COURSES)}",
                "related_activities": "true",
                "limit": "25",
            }
            for _ in range(reads)
        ],
        "registration (a learner in a course they took)": [
            {"registration": str(uuid.UUID(int=registrations[rng.randrange(len(registrations))]))}
            for _ in range(reads)
        ],
        "verb (a rare one) + since a day ago, ascending": [
            {
                "verb": _verb(rng.randrange(20, VERBS)),
                "ascending": "true",
                "since": (since + timedelta(seconds=3 * count - 86400)).isoformat(),
            }
            for _ in range(reads)
        ],
        "no filter, the default page (100)": [{} for _ in range(reads)],
    }


def measure(
    url: str, backend: str, version: str, count: int, reads: int, database_cpu: Callable[[], float]
) -> BackendResult:
    key_id, secret, registrations = _fill(url, count)
    rng = random.Random(11)
    queries = _queries(rng, reads, count, registrations)
    with (
        tempfile.TemporaryDirectory() as workdir,
        QuestPathServer(Path(workdir), url, new_secret_key()) as server,
    ):
        auth = httpx.BasicAuth(key_id, secret)
        headers = {"X-Experience-API-Version": "1.0.3"}
        with httpx.Client(base_url=server.base_url, auth=auth, headers=headers, timeout=30) as http:
            first = http.get("/xapi/statements", params={"limit": "200"}).json()["statements"]
            queries["One statement by statementId"] = [
                {"statementId": first[n % len(first)]["id"]} for n in range(reads)
            ]
            timings = []
            client, server_cpu, db = time.process_time(), server.cpu_time(), database_cpu()
            wall = time.perf_counter()
            for name, params_list in queries.items():
                path = "/xapi/about" if name.startswith("Ceiling") else "/xapi/statements"
                samples, returned = [], 0
                warm = params_list[:20]  # sent first, untimed: they warm the caches
                for n, params in enumerate([*warm, *params_list]):
                    started = time.perf_counter()
                    response = http.get(path, params=params)
                    elapsed = time.perf_counter() - started
                    assert response.status_code == 200, response.text
                    if n >= len(warm):
                        samples.append(elapsed)
                        body = response.json()
                        returned += len(body.get("statements", [])) if "statements" in body else 1
                timings.append(Timing(name, samples, returned / len(params_list)))
            wall = time.perf_counter() - wall
            cpu = {
                "the client (this process)": (time.process_time() - client) / wall,
                "the server": (server.cpu_time() - server_cpu) / wall,
                "the database server": (database_cpu() - db) / wall,
            }
    return BackendResult(backend, version, count, timings, cpu)


def markdown(results: list[BackendResult], command: str) -> str:
    lines = [
        "### xAPI: filtered statement queries on 100,000 statements",
        "",
        f"`{command}`. {(__doc__ or '').split(chr(10) + chr(10))[1].replace(chr(10), ' ')}",
        "",
        "| Backend | Query | Statements answered | p50 ms | p95 ms | × ceiling (p50) | "
        "Target ≤ 50 ms (p50) |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for result in results:
        ceiling = result.timings[0].ms(0.5)
        for timing in result.timings:
            verdict = (
                ""
                if timing.name.startswith("Ceiling")
                else ("met" if timing.ms(0.5) <= TARGET_MS else "not met")
            )
            lines.append(
                f"| {result.backend} {result.version} | {timing.name} | {timing.returned:.0f} | "
                f"{timing.ms(0.5):.1f} | {timing.ms(0.95):.1f} | "
                f"{timing.ms(0.5) / ceiling:.1f} | {verdict} |"
            )
    lines += ["", "CPU over the measured requests, % of one core:", ""]
    for result in results:
        shares = ", ".join(f"{name} {100 * share:.0f}%" for name, share in result.cpu.items())
        lines.append(f"- {result.backend}: {shares}.")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.xapi", description=__doc__)
    parser.add_argument("--statements", type=int, default=100_000)
    parser.add_argument("--reads", type=int, default=200, help="timed requests of each kind")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--doc", type=Path, help="replace the xapi section of this page")
    args = parser.parse_args(argv)

    results = []
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory() as temp, throwaway_database(backend, Path(temp)) as db:
            migrate(db.url)
            results.append(
                measure(db.url, backend, db.version, args.statements, args.reads, db.cpu_seconds)
            )
    command = "python -m bench.xapi " + " ".join(sys.argv[1:] if argv is None else argv)
    page = markdown(results, command.strip())
    print(page)
    if args.doc is not None:
        replace_section(args.doc, "xapi", page)


if __name__ == "__main__":
    main()
