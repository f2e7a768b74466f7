"""Password hashes: Argon2id at the recommended cost unless the settings lower it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from questpath.auth import credentials
from questpath.auth.models import User
from questpath.config import Settings
from tests.helpers import register_account


@pytest.fixture
def restore_hashing(settings: Settings) -> Iterator[None]:
    yield
    credentials.configure_password_hashing(settings)


def cost_of(password_hash: str) -> str:
    return password_hash.split("$")[3]  # $argon2id$v=19$m=…,t=…,p=…$salt$hash


def test_the_default_cost_is_argon2id_at_64_mib_and_three_passes(restore_hashing: None) -> None:
    defaults = {
        name: Settings.model_fields[name].default
        for name in ("password_hash_time_cost", "password_hash_memory_kib")
    }
    credentials.configure_password_hashing(Settings(**defaults))

    password_hash = credentials.hash_password("correct horse battery staple")

    assert password_hash.startswith("$argon2id$")
    assert cost_of(password_hash) == "m=65536,t=3,p=4"


def test_hashes_made_at_another_cost_still_verify(restore_hashing: None) -> None:
    credentials.configure_password_hashing(
        Settings(password_hash_time_cost=2, password_hash_memory_kib=2048)
    )
    old = credentials.hash_password("correct horse battery staple")
    credentials.configure_password_hashing(
        Settings(password_hash_time_cost=1, password_hash_memory_kib=1024)
    )

    assert cost_of(old) == "m=2048,t=2,p=4"
    assert cost_of(credentials.hash_password("x")) == "m=1024,t=1,p=4"
    assert credentials.verify_password("correct horse battery staple", old)
    assert not credentials.verify_password("correct horse battery stapler", old)


@pytest.mark.parametrize(
    ("field", "value"),
    [("password_hash_time_cost", 0), ("password_hash_memory_kib", 512)],
)
def test_a_cost_too_low_to_protect_anything_is_refused(field: str, value: int) -> None:
    with pytest.raises(ValueError, match=field):
        Settings(**{field: value})


async def test_the_app_hashes_at_the_configured_cost(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings
) -> None:
    account = await register_account(client, "cost@example.com")

    async with app.state.sessionmaker() as session:
        stored = await session.scalar(select(User.password_hash).where(User.email == account.email))

    assert stored is not None
    expected = f"m={settings.password_hash_memory_kib},t={settings.password_hash_time_cost},p=4"
    assert cost_of(stored) == expected
