"""`questpath backup` while a real server takes writes, and `questpath restore` of the result.

A backup runs while 16 clients post events to `questpath serve` over HTTP; every event
acknowledged before the backup began is in the database restored from it, which verifies clean.
"""

from __future__ import annotations

import asyncio
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from alembic.script import ScriptDirectory
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from questpath.backup import BackupError, backup, default_path, libpq, prune
from questpath.db import alembic_config, create_engine
from tests.commands import questpath
from tests.conftest import BACKENDS
from tests.helpers import PASSWORD
from tests.servers import QUESTPATH, Server, Servers
from tests.test_write_safety import LEARNERS, exercise, register_learners

CLIENTS = 16
ENOUGH_BEFORE_BACKUP = 40
LOAD_DEADLINE = 30.0
WROTE = re.compile(r"^Wrote (?P<path>\S+): (?P<size>\d+) bytes, (?P<events>\d+) events\.$", re.M)


@dataclass(frozen=True)
class Backup:
    kind: str
    source_url: str
    path: Path
    events: int
    acknowledged_before: frozenset[str]
    acknowledged_during: frozenset[str]
    acknowledged_after: frozenset[str]  # committed while it ran, perhaps, but answered after
    data_dir: Path


@dataclass
class Load:
    acked: set[str]
    enough: asyncio.Event
    stop: asyncio.Event


async def post_until(server: Server, number: int, token: str, load: Load) -> None:
    acked = load.acked
    async with server.client() as client:
        n = 0
        while not load.stop.is_set():
            event_id = f"client-{number}-{n}"
            response = await client.post(
                "/api/events",
                json=exercise(event_id, n),
                headers={"Authorization": f"Bearer {token}"},
            )
            assert response.status_code == 201, response.text
            assert response.json()["results"][0]["status"] == "created"
            acked.add(event_id)
            if len(acked) >= ENOUGH_BEFORE_BACKUP:
                load.enough.set()
            n += 1


async def back_up_under_load(
    server: Server, data_dir: Path
) -> tuple[str, set[str], set[str], set[str]]:
    """Run `questpath backup` while CLIENTS clients post events; return its output and the
    events acknowledged before it started, while it ran, and after it ended."""
    learners = await register_learners(server, "backup", LEARNERS)
    load = Load(set(), asyncio.Event(), asyncio.Event())
    acked = load.acked
    clients = [
        asyncio.create_task(post_until(server, n, learners[n % LEARNERS].token, load))
        for n in range(CLIENTS)
    ]
    try:
        await asyncio.wait_for(load.enough.wait(), LOAD_DEADLINE)
        before = set(acked)
        # Its own process: run in this one, the command holds the interpreter for as long as
        # a small SQLite copy takes, and no acknowledgement can arrive while it runs.
        command = await asyncio.create_subprocess_exec(
            QUESTPATH,
            "backup",
            env={
                **os.environ,
                "QUESTPATH_DATABASE_URL": server.database_url,
                "QUESTPATH_DATA_DIR": str(data_dir),
            },
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await command.communicate()
        during = set(acked) - before
    finally:
        load.stop.set()
        await asyncio.gather(*clients)
    assert command.returncode == 0, stderr.decode()
    return stdout.decode(), before, during, set(acked) - before - during


@pytest.fixture(scope="module", params=BACKENDS)
def taken(
    request: pytest.FixtureRequest,
    new_database: Callable[[str], str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Backup:
    kind: str = request.param
    data_dir = tmp_path_factory.mktemp(f"backup-{kind}")
    servers = Servers(data_dir)
    try:
        server = servers.start(new_database(kind))
        output, before, during, after = asyncio.run(back_up_under_load(server, data_dir))
    finally:
        servers.stop_all()
    wrote = WROTE.search(output)
    assert wrote, output
    path = Path(wrote["path"])
    assert path.stat().st_size == int(wrote["size"])
    return Backup(
        kind,
        server.database_url,
        path,
        int(wrote["events"]),
        frozenset(before),
        frozenset(during),
        frozenset(after),
        data_dir,
    )


@pytest.fixture
def empty(taken: Backup, new_database: Callable[[str], str]) -> str:
    """A migrated database with no accounts and no events, of the backup's kind."""
    return new_database(taken.kind)


async def event_ids(database_url: str) -> set[str]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            return set((await conn.execute(text("SELECT event_id FROM events"))).scalars())
    finally:
        await engine.dispose()


async def revision(database_url: str) -> str:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            found = await conn.execute(text("SELECT version_num FROM alembic_version"))
            return str(found.scalar_one())
    finally:
        await engine.dispose()


def test_a_backup_under_load_restores_every_event_acknowledged_before_it_began(
    taken: Backup, empty: str
) -> None:
    assert taken.acknowledged_during, "the server took no writes while the backup ran"

    result = questpath(empty, taken.data_dir, "restore", str(taken.path))

    assert result.exit_code == 0, result.output
    assert f"Restored {taken.events} events" in result.stdout
    assert "every projection equals a recomputation from the log" in result.stdout
    restored = asyncio.run(event_ids(empty))
    assert taken.acknowledged_before <= restored
    acknowledged = taken.acknowledged_before | taken.acknowledged_during | taken.acknowledged_after
    assert restored <= acknowledged
    assert len(restored) == taken.events


def test_a_backup_is_private_and_named_by_its_time_in_the_backups_directory(
    taken: Backup,
) -> None:
    assert stat.S_IMODE(taken.path.stat().st_mode) == 0o600
    assert taken.path.parent == taken.data_dir / "backups"
    stamp = re.search(r"questpath-(\d{8}T\d{6}Z)\.", taken.path.name)
    assert stamp, taken.path.name
    suffix = {"sqlite": ".sqlite", "postgresql": ".dump"}[taken.kind]
    assert taken.path.suffix == suffix
    assert not list(taken.path.parent.glob(".*partial"))


def test_restore_refuses_a_database_with_accounts_and_changes_nothing(
    taken: Backup,
) -> None:
    before = asyncio.run(event_ids(taken.source_url))

    result = questpath(taken.source_url, taken.data_dir, "restore", str(taken.path))

    assert result.exit_code == 1
    assert "not empty" in result.stderr
    assert "--force" in result.stderr
    assert asyncio.run(event_ids(taken.source_url)) == before


def test_restore_with_force_replaces_what_the_database_holds(
    taken: Backup, empty: str, tmp_path: Path
) -> None:
    target = empty
    other = questpath(
        target,
        tmp_path,
        *("user", "create", "someone@example.com"),
        QUESTPATH_USER_PASSWORD=PASSWORD,
    )
    assert other.exit_code == 0, other.output

    result = questpath(target, tmp_path, "restore", "--force", str(taken.path))

    assert result.exit_code == 0, result.output
    assert len(asyncio.run(event_ids(target))) == taken.events
    emails = asyncio.run(_emails(target))
    assert "someone@example.com" not in emails
    assert len(emails) == LEARNERS


async def _emails(database_url: str) -> set[str]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            return set((await conn.execute(text("SELECT email FROM users"))).scalars())
    finally:
        await engine.dispose()


def test_restore_refuses_a_backup_of_the_other_kind_of_database(
    taken: Backup, empty: str, tmp_path: Path
) -> None:
    other_kind = {"sqlite": b"PGDMP\x01\x0e\x00", "postgresql": b"SQLite format 3\x00"}
    wrong = tmp_path / "wrong-kind"
    wrong.write_bytes(other_kind[taken.kind] + bytes(100))
    result = questpath(empty, tmp_path, "restore", str(wrong))

    assert result.exit_code == 1
    assert "restores into the same kind of database only" in result.stderr
    assert "questpath user import" in result.stderr
    assert asyncio.run(_emails(empty)) == set()


def test_restore_refuses_a_file_that_is_no_backup(migrated_url: str, tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database")

    result = questpath(migrated_url, tmp_path, "restore", str(junk))

    assert result.exit_code == 1
    assert "not a QuestPath backup" in result.stderr


@pytest.fixture
def older(backend: str, new_database: Callable[..., str]) -> str:
    return new_database(backend, "0019")


def test_a_backup_of_an_older_schema_is_migrated_to_head_on_restore(
    older: str, migrated_url: str, tmp_path: Path
) -> None:
    file = tmp_path / "older-backup"
    taken = questpath(older, tmp_path, "backup", str(file))
    assert taken.exit_code == 0, taken.output
    assert asyncio.run(revision(older)) == "0019"
    # An empty database of today's schema: tables the backup's schema lacks get out of the way.
    result = questpath(migrated_url, tmp_path, "restore", str(file))

    assert result.exit_code == 0, result.output
    head = ScriptDirectory.from_config(alembic_config(migrated_url)).get_current_head()
    assert asyncio.run(revision(migrated_url)) == head != "0019"


def test_backup_refuses_to_overwrite_a_file(tmp_path: Path) -> None:
    existing = tmp_path / "existing.sqlite"
    existing.write_text("keep me")
    with pytest.raises(BackupError, match="exists already"):
        backup(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}", existing)
    assert existing.read_text() == "keep me"


def test_pruning_keeps_the_newest_named_backups_and_nothing_else(tmp_path: Path) -> None:
    start = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)
    made = [default_path(tmp_path, "sqlite", start + timedelta(days=d)) for d in range(5)]
    for path in made:
        path.write_bytes(b"")
    unrelated = tmp_path / "keep-this.sqlite"
    unrelated.write_bytes(b"")

    deleted = prune(tmp_path, 2)

    assert deleted == made[:3]
    assert sorted(tmp_path.iterdir()) == sorted([*made[3:], unrelated])


def test_the_pg_tools_get_a_libpq_uri_and_the_password_only_in_the_environment() -> None:
    uri, env = libpq("postgresql+asyncpg://quest%40user:s3cr%2Ft@db.example:5433/quest?ssl=require")
    assert uri == "postgresql://quest%40user@db.example:5433/quest?sslmode=require"
    assert env["PGPASSWORD"] == "s3cr/t"
    assert "s3cr" not in uri

    socket_uri, _ = libpq("postgresql+asyncpg://quest@/quest?host=/run/postgresql")
    assert socket_uri == "postgresql://quest@/quest?host=%2Frun%2Fpostgresql"


def test_restore_into_an_unreachable_database_says_so_without_a_traceback(
    tmp_path: Path,
) -> None:
    dump = tmp_path / "a.dump"
    dump.write_bytes(b"PGDMP" + bytes(100))
    unreachable = "postgresql+asyncpg://questpath@127.0.0.1:1/questpath"

    result = questpath(unreachable, tmp_path, "restore", str(dump))

    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert "Traceback" not in result.output


@given(
    user=st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=12),
    password=st.text(
        st.characters(codec="utf-8", exclude_characters="\x00"), min_size=6, max_size=20
    ),
)
def test_no_password_reaches_the_pg_tools_command_line(user: str, password: str) -> None:
    url = URL.create(
        "postgresql+asyncpg", username=user, password=password, host="db", database="q"
    ).render_as_string(hide_password=False)

    uri, env = libpq(url)

    assert env["PGPASSWORD"] == password
    assert password not in uri or password in f"postgresql://{quote(user, safe='')}@db/q"
    assert make_url(uri.replace("postgresql://", "postgresql+asyncpg://")).username == user
