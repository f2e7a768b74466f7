"""The accounts a run needs, made before any clock starts: learners, an admin and its API key.

Setup goes through httpx and the `questpath` command, as an operator would; only the measured
requests use the lean client in `bench.http`.
"""

from __future__ import annotations

import asyncio
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.load import BenchError
from bench.servers import QUESTPATH, questpath_environment
from bench.workload import TIMEZONE

INTEGRATION_SCOPES = ["events:read", "events:write", "progress:read"]


@dataclass(frozen=True)
class Learner:
    id: str
    token: str


@dataclass(frozen=True)
class Integration:
    """An admin's API key that may record and read for any learner, and those learners' ids."""

    key: str
    learner_ids: list[str]


async def register(base_url: str, count: int, label: str) -> list[Learner]:
    """`count` new learner accounts (a few at a time: the server hashes passwords in threads)."""
    learners: list[Learner] = []
    limit = asyncio.Semaphore(4)

    async def one(n: int) -> None:
        body = {
            "email": f"{label}-{n}-{secrets.token_hex(4)}@bench.example.com",
            "password": _password(),
            "timezone": TIMEZONE,
        }
        async with limit, httpx.AsyncClient(base_url=base_url, timeout=60) as client:
            response = await client.post("/api/auth/register", json=body)
        if response.status_code != 201:
            raise BenchError(f"register: {response.status_code} {response.text[:500]}")
        data = response.json()
        learners.append(Learner(data["user"]["id"], data["access_token"]))

    await asyncio.gather(*(one(n) for n in range(count)))
    return learners


def _password() -> str:
    return "bench-" + secrets.token_urlsafe(18)


def create_admin(workdir: Path, database_url: str, secret_key: str, label: str) -> tuple[str, str]:
    """An admin made with `questpath create-admin`, as the README says; its e-mail and password."""
    email = f"{label}-admin-{secrets.token_hex(4)}@bench.example.com"
    password = _password()
    done = subprocess.run(
        [str(QUESTPATH), "create-admin", email, "--password", password],
        env=questpath_environment(workdir, database_url, secret_key),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"questpath create-admin: {done.stdout}{done.stderr}")
    return email, password


def api_key(base_url: str, email: str, password: str, name: str) -> str:
    """Sign in as the admin and create an integration key that records events and reads progress."""
    with httpx.Client(base_url=base_url, timeout=60) as client:
        response = client.post("/api/auth/login", json={"email": email, "password": password})
        if response.status_code != 200:
            raise BenchError(f"login: {response.status_code} {response.text[:500]}")
        token = response.json()["access_token"]
        response = client.post(
            "/api/api-keys",
            json={"name": name, "scopes": INTEGRATION_SCOPES},
            headers={"authorization": f"Bearer {token}"},
        )
        if response.status_code != 201:
            raise BenchError(f"POST /api/api-keys: {response.status_code} {response.text[:500]}")
        secret: str = response.json()["secret"]
        return secret
