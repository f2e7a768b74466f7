"""The `questpath` command: serve, migrate, and administration tasks."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
import uvicorn
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from questpath import __version__, verify
from questpath.auth import credentials, two_factor
from questpath.auth import repository as users
from questpath.auth import service as auth_service
from questpath.clock import utc_now
from questpath.config import Settings, get_settings
from questpath.db import create_engine, create_sessionmaker, migrate, transaction
from questpath.export import archive, restore
from questpath.problems import Invalid, NotFound, Problem
from questpath.ruleset import Ruleset, RulesFileError, load_ruleset
from questpath.tracks import service as track_service
from questpath.tracks.schemas import ExportFormat, TrackSummary

T = TypeVar("T")

app = typer.Typer(
    help="QuestPath: learning progress from one event log. Settings come from QUESTPATH_* "
    "environment variables (see the README).",
    no_args_is_help=True,
    add_completion=False,
)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Server processes to run.")] = 1,
) -> None:
    """Apply pending migrations, then serve the web app and the API."""
    settings = get_settings()
    _migrate(settings.database_url, _ruleset(settings.rules_file))
    settings.signing_key()  # create the development key once, before workers race to do it
    if workers > 1 and not settings.rate_limit_storage:
        # Each worker would count on its own in memory: share the counts through the database.
        os.environ["QUESTPATH_RATE_LIMIT_STORAGE"] = "database"
    typer.echo(f"QuestPath {__version__} is running at http://{host}:{port}  (Ctrl+C stops it)")
    uvicorn.run(
        "questpath.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        proxy_headers=True,
        # A worker that starts slowly on a busy machine is not a dead one: the 5 s default
        # restarted new workers over and over before they could answer.
        timeout_worker_healthcheck=60,
    )


@app.command("migrate")
def migrate_command() -> None:
    """Apply pending database migrations and exit."""
    settings = get_settings()
    _migrate(settings.database_url, _ruleset(settings.rules_file))
    typer.echo("The database schema is up to date.")


def _migrate(database_url: str, ruleset: Ruleset) -> None:
    """Apply pending migrations, then build progress for learners whose events predate it."""
    migrate(database_url)

    async def build() -> int:
        engine = create_engine(database_url)
        try:
            return await verify.build_missing(engine, ruleset, utc_now())
        finally:
            await engine.dispose()

    built = asyncio.run(build())
    if built:
        typer.echo(f"Built the progress of {built} learner(s) from their event log.")


@app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Argument(help="E-mail address of the admin account.")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="QUESTPATH_ADMIN_PASSWORD",
            help="Password; asked for when not given (or set QUESTPATH_ADMIN_PASSWORD).",
        ),
    ],
    display_name: Annotated[str | None, typer.Option(help="Name shown in the app.")] = None,
) -> None:
    """Create an admin account, or make an existing account an admin."""
    settings = _settings_that_hash_passwords()
    migrate(settings.database_url)

    async def run(session: AsyncSession) -> tuple[str, bool]:
        user, created = await auth_service.create_admin(
            session, email, password, display_name, utc_now()
        )
        return user.email, created

    address, created = _in_transaction(settings.database_url, run)
    typer.echo(f"{'Created' if created else 'Promoted'} admin {address}.")


user_app = typer.Typer(help="Add accounts, and move them between servers.", no_args_is_help=True)
app.add_typer(user_app, name="user")


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Argument(help="E-mail address of the new account.")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="QUESTPATH_USER_PASSWORD",
            help="Password; asked for when not given (or set QUESTPATH_USER_PASSWORD).",
        ),
    ],
    role: Annotated[str, typer.Option(help="learner, mentor or admin.")] = "learner",
    display_name: Annotated[str | None, typer.Option(help="Name shown in the app.")] = None,
) -> None:
    """Create an account, whatever QUESTPATH_REGISTRATION allows (the way to add people to a
    server whose sign-up is closed)."""
    settings = _settings_that_hash_passwords()
    migrate(settings.database_url)

    async def run(session: AsyncSession) -> str:
        user = await auth_service.create_account(
            session, email, password, display_name, role, utc_now()
        )
        return f"Created {user.role} {user.email} ({user.id})."

    typer.echo(_in_transaction(settings.database_url, run))


def _settings_that_hash_passwords() -> Settings:
    """The settings, with this process hashing new passwords at their configured cost."""
    settings = get_settings()
    credentials.configure_password_hashing(settings)
    return settings


@app.command("two-factor-off")
def two_factor_off(
    email: Annotated[str, typer.Argument(help="E-mail address of the account.")],
) -> None:
    """Turn two-factor sign-in off for an account whose owner lost both the authenticator app
    and the recovery codes (check who is asking first: this lets the password alone in)."""
    settings = get_settings()

    async def run(session: AsyncSession) -> str:
        user = await users.get_user_by_email(session, email)
        if user is None:
            raise NotFound(f"no account with the e-mail address {email}")
        await two_factor.reset(session, user.id)
        return user.email

    address = _in_transaction(settings.database_url, run)
    typer.echo(f"Two-factor sign-in is off for {address}.")


def _in_transaction(database_url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one transaction; report a problem or invalid input as an error, exit 1."""

    async def run() -> T:
        engine = create_engine(database_url)
        try:
            async with transaction(create_sessionmaker(engine)) as session:
                return await work(session)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(run())
    except Problem as problem:
        typer.echo(f"Error: {problem.detail}", err=True)
        raise typer.Exit(code=1) from problem
    except ValidationError as invalid:
        for error in invalid.errors():
            typer.echo(f"Error: {'.'.join(map(str, error['loc']))}: {error['msg']}", err=True)
        raise typer.Exit(code=1) from invalid


track_app = typer.Typer(help="Import and export learning tracks as Markdown.", no_args_is_help=True)
app.add_typer(track_app, name="track")


@track_app.command("import")
def track_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A Markdown file.")],
    user: Annotated[str, typer.Option("--user", help="E-mail address of the learner.")],
    title: Annotated[str | None, typer.Option(help="Track title instead of the # heading.")] = None,
) -> None:
    """Import a Markdown roadmap as a track of the learner."""
    settings = get_settings()
    migrate(settings.database_url)
    data = file.read_bytes()

    async def run(session: AsyncSession) -> TrackSummary:
        return await track_service.import_for(session, user, data, title, utc_now())

    track = _in_transaction(settings.database_url, run)
    typer.echo(
        f"Imported '{track.title}' for {user}: {track.progress.total} items, "
        f"{track.progress.done} done. Track id: {track.id}"
    )


@track_app.command("export")
def track_export(
    track_id: Annotated[uuid.UUID, typer.Argument(help="The track's id.")],
    fmt: Annotated[ExportFormat, typer.Option("--format", help="markdown or json.")] = "markdown",
    output: Annotated[
        Path | None, typer.Option(help="Write to this file instead of standard output.")
    ] = None,
) -> None:
    """Export a track; Markdown re-imports to the same tree."""
    settings = get_settings()

    async def run(session: AsyncSession) -> tuple[str, str]:
        return await track_service.export_by_id(session, track_id, fmt)

    text, _ = _in_transaction(settings.database_url, run)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"Wrote {output}")


@user_app.command("import")
def user_import(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, help="The JSON export (GET /api/progress/export)."
        ),
    ],
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read the account's new password from the first line of standard input "
            "instead of asking for it.",
        ),
    ] = False,
) -> None:
    """Restore an account from its export on another server, with a new password.

    Refuses, changing nothing, when the file is not an export this server reads, the e-mail
    address has an account here, or the account was restored here already.
    """
    settings = _settings_that_hash_passwords()
    ruleset = _ruleset(settings.rules_file)
    export = _read_export(file)
    password = _new_password(password_stdin)
    migrate(settings.database_url)

    async def run(session: AsyncSession) -> restore.Restored:
        return await restore.restore(session, export, password, ruleset, utc_now())

    restored = _in_transaction(settings.database_url, run)
    typer.echo(
        f"Restored {restored.email}: {restored.events} events, {restored.tracks} tracks with "
        f"{restored.items} items, {restored.goals} goals, {restored.questions} questions, "
        f"{restored.quizzes} quizzes, {restored.achievements} achievements."
    )
    for note in restored.notes:
        typer.echo(note)
    typer.echo(
        f"Not restored ({restored.api_keys} API keys, {restored.share_links} share links in the "
        "export): API keys and share links must be made anew; their secrets are never exported."
    )


def _read_export(file: Path) -> archive.Export:
    try:
        if file.stat().st_size > archive.MAX_FILE_BYTES:
            raise Invalid.field(
                "file", f"is larger than {archive.MAX_FILE_BYTES // 2**20} MiB: not an export"
            )
        return archive.parse(file.read_bytes())
    except OSError as error:
        typer.echo(f"Error: cannot read {file}: {error.strerror}", err=True)
        raise typer.Exit(code=1) from error
    except Problem as problem:
        typer.echo(f"Error: {problem.detail}", err=True)
        raise typer.Exit(code=1) from problem


def _new_password(from_stdin: bool) -> str:
    if not from_stdin:
        password: str = typer.prompt(
            "New password for the account", hide_input=True, confirmation_prompt=True
        )
        return password
    return sys.stdin.readline().rstrip("\r\n")


@app.command("verify")
def verify_command(
    user: Annotated[
        str | None, typer.Option("--user", help="Check only the learner with this e-mail address.")
    ] = None,
    repair: Annotated[
        bool,
        typer.Option(
            help="Rewrite differing projections from the event log (e.g. after a rules "
            "change). Unlocked achievements are never revoked."
        ),
    ] = False,
) -> None:
    """Recompute every projection from the event log and print each difference.

    Exits 1 when any learner's stored projections differ from the recomputation.
    """
    settings = get_settings()
    ruleset = _ruleset(settings.rules_file)

    async def run() -> tuple[int, int]:
        engine = create_engine(settings.database_url)
        maker = create_sessionmaker(engine)
        checked = differing = 0
        try:
            async with maker() as session:
                learners = await users.list_users(session, user)
            if user is not None and not learners:
                typer.echo(f"Error: no account has the e-mail address {user}", err=True)
                raise typer.Exit(code=2)
            for learner in learners:
                found = await verify.verify(engine, learner, ruleset)
                checked += 1
                if not found:
                    continue
                differing += 1
                for difference in found:
                    typer.echo(f"{learner.email}: {difference}")
                if repair:
                    async with transaction(maker) as session:
                        await verify.repair(session, learner, ruleset, utc_now())
                    typer.echo(f"{learner.email}: projections rewritten from the event log")
        finally:
            await engine.dispose()
        return checked, differing

    checked, differing = asyncio.run(run())
    noun = "learner" if checked == 1 else "learners"
    if differing:
        typer.echo(f"{differing} of {checked} {noun} had projections that differ from the log.")
        raise typer.Exit(code=1)
    typer.echo(f"Verified {checked} {noun}: every projection equals a recomputation from the log.")


def _ruleset(path: Path | None) -> Ruleset:
    try:
        return load_ruleset(path)
    except RulesFileError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(code=2) from error


@app.command()
def version() -> None:
    """Print the QuestPath version."""
    typer.echo(__version__)
