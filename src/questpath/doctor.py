"""`questpath doctor`: the effective configuration with its secrets masked, and the checks a
server needs to pass (database, migrations, data dir, disk space, backup tools, signing key)."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from pydantic import SecretStr
from rich.console import Console
from rich.table import Table
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from questpath.backup import find_pg_tool
from questpath.config import MIN_SECRET_LENGTH, Settings
from questpath.db import alembic_config, create_engine

Status = Literal["ok", "warn", "fail"]
MASK = "********"
# Settings whose value is a secret by name, whatever their type: the ones to come are masked too.
SECRET_NAME = re.compile(r"secret|password|passwd|token|dsn|credential|(^|_)key$", re.IGNORECASE)
URL_PASSWORD = re.compile(r"(?<=://)([^/@:]*):[^/@]*@")
DEFAULT_MIN_FREE_MB = 1024


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str


def masked(name: str, value: Any) -> str:
    """The value as doctor prints it: secrets as a mask, passwords inside URLs left out."""
    if isinstance(value, SecretStr):
        return MASK if value.get_secret_value() else "(not set)"
    if isinstance(value, str) and SECRET_NAME.search(name):  # not access_token_minutes
        return MASK if value else "(not set)"
    shown = "" if value is None else str(value)
    return URL_PASSWORD.sub(lambda m: f"{m.group(1)}:{MASK}@", shown)


def configuration(settings: Settings) -> list[tuple[str, str]]:
    """(environment variable, masked value) for every setting."""
    return [
        (f"QUESTPATH_{name.upper()}", masked(name, getattr(settings, name)))
        for name in type(settings).model_fields
    ]


def run_checks(settings: Settings, min_free_mb: int = DEFAULT_MIN_FREE_MB) -> list[Check]:
    server_version, database_checks = asyncio.run(_database(settings.database_url))
    return [
        *database_checks,
        _data_dir(settings.data_dir),
        *_disk_space(settings, min_free_mb),
        _backup_tool(settings, server_version),
        _signing_key(settings),
    ]


def failed(checks: list[Check]) -> bool:
    return any(check.status == "fail" for check in checks)


STYLE = {"ok": "green", "warn": "yellow", "fail": "bold red"}


def show(rows: list[tuple[str, str]], checks: list[Check]) -> None:
    """Two tables on standard output. Piped (cron, scripts) they are wide enough that no value
    wraps, and carry no colour codes."""
    console = Console()
    if not console.is_terminal:
        console = Console(width=max(console.width, 240), no_color=True, highlight=False)
    settings = Table("Setting", "Value", title="Configuration", title_justify="left")
    for name, value in rows:
        settings.add_row(name, value)
    found = Table("Check", "Status", "Detail", title="Checks", title_justify="left")
    for check in checks:
        found.add_row(check.name, f"[{STYLE[check.status]}]{check.status}[/]", check.detail)
    console.print(settings, found, highlight=False, markup=True)


async def _database(database_url: str) -> tuple[str | None, list[Check]]:
    """The database check and the migrations check; the server's version for the next checks."""
    try:
        engine = create_engine(database_url)
    except (ValueError, SQLAlchemyError) as error:
        return None, _unreachable(f"QUESTPATH_DATABASE_URL is not a database URL: {error}")
    try:
        async with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                version = str((await conn.execute(text("SHOW server_version"))).scalar_one())
                name = "PostgreSQL"
            else:
                version = str((await conn.execute(text("SELECT sqlite_version()"))).scalar_one())
                name = "SQLite"
            current = await conn.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision()
            )
    except (OSError, TimeoutError, SQLAlchemyError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        return None, _unreachable(f"cannot connect: {reason}")
    finally:
        await engine.dispose()
    database = Check("database", "ok", f"reachable, {name} {version}")
    return version if name == "PostgreSQL" else None, [database, _migrations(database_url, current)]


def _unreachable(reason: str) -> list[Check]:
    return [
        Check("database", "fail", masked("url", reason)),
        Check("migrations", "fail", "unknown: no database connection"),
    ]


def _migrations(database_url: str, current: str | None) -> Check:
    head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
    if current == head:
        return Check("migrations", "ok", f"at head ({head})")
    return Check(
        "migrations",
        "fail",
        f"at {current or 'none (empty database)'}, head is {head}: run `questpath migrate` "
        "(`questpath serve` migrates when it starts)",
    )


def _data_dir(data_dir: Path) -> Check:
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=data_dir, prefix=".doctor-"):
            pass
    except OSError as error:
        return Check("data dir", "fail", f"{data_dir} is not writable: {error.strerror}")
    return Check("data dir", "ok", f"{data_dir.resolve()} is writable")


def _disk_space(settings: Settings, min_free_mb: int) -> list[Check]:
    places = {"data dir": settings.data_dir}
    if settings.is_sqlite and make_url(settings.database_url).database:
        places["database volume"] = Path(str(make_url(settings.database_url).database)).parent
    checks, seen = [], set()
    for label, place in places.items():
        existing = next((p for p in (place, *place.resolve().parents) if p.exists()), Path("/"))
        if existing.stat().st_dev in seen:
            continue  # one volume, one line
        seen.add(existing.stat().st_dev)
        free_mb = shutil.disk_usage(existing).free // 2**20
        status: Status = "ok" if free_mb >= min_free_mb else "warn"
        detail = f"{free_mb} MiB free on the {label}'s volume ({existing})"
        if status == "warn":
            detail += f": under {min_free_mb} MiB, and a backup needs about the database's size"
        checks.append(Check("disk space", status, detail))
    return checks


def _backup_tool(settings: Settings, server_version: str | None) -> Check:
    if settings.is_sqlite:
        return Check("backup tool", "ok", "SQLite backups need no tool (the online backup API)")
    pg_dump = find_pg_tool("pg_dump")
    if pg_dump is None:
        return Check(
            "backup tool",
            "fail",
            "pg_dump not found on PATH or in /usr/lib/postgresql/*/bin: `questpath backup` "
            "needs the PostgreSQL client tools",
        )
    try:
        output = subprocess.run(  # noqa: S603 -- our own path to pg_dump, no shell
            [str(pg_dump), "--version"], capture_output=True, text=True, check=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError) as error:
        return Check("backup tool", "fail", f"{pg_dump} does not run: {error}")
    tool_major, server_major = _major(output), _major(server_version or "")
    if tool_major is not None and server_major is not None and tool_major < server_major:
        return Check(
            "backup tool",
            "fail",
            f"{pg_dump} is version {tool_major}, older than the server ({server_major}): "
            "pg_dump refuses to dump a newer server",
        )
    return Check("backup tool", "ok", f"{pg_dump} ({output.strip()})")


def _major(version: str) -> int | None:
    found = re.search(r"(\d+)(\.\d+)*", version)
    return int(found.group(1)) if found else None


def _signing_key(settings: Settings) -> Check:
    if settings.secret_key and len(settings.secret_key) >= MIN_SECRET_LENGTH:
        return Check("signing key", "ok", "QUESTPATH_SECRET_KEY is set")
    if settings.environment == "production":  # the settings refuse this; kept for clarity
        return Check("signing key", "fail", "QUESTPATH_SECRET_KEY must be set in production")
    if settings.secret_key:
        return Check("signing key", "warn", f"shorter than {MIN_SECRET_LENGTH} characters")
    return Check(
        "signing key",
        "warn",
        f"not set: development signs with a key kept in {settings.data_dir / 'secret_key'}; "
        "set QUESTPATH_SECRET_KEY in production",
    )
