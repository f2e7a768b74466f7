"""The `questpath` command: serve, migrate, and administration tasks."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
import uvicorn
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from questpath import __version__, backup, doctor, verify
from questpath.auth import credentials, two_factor
from questpath.auth import repository as users
from questpath.auth import service as auth_service
from questpath.cli_progress import progress_bar
from questpath.clock import utc_now
from questpath.config import Settings, get_settings
from questpath.db import (
    create_engine,
    create_sessionmaker,
    downgrade,
    migrate,
    migration_revisions,
    transaction,
)
from questpath.export import archive, restore
from questpath.metrics.exposition import MULTIPROC_DIR_VARIABLE
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
    # Each worker writes its metrics here and a scrape adds them up; fresh for every start, as
    # the counters of a server that stopped must not count again.
    with tempfile.TemporaryDirectory(prefix="questpath-metrics-") as metrics_dir:
        os.environ[MULTIPROC_DIR_VARIABLE] = metrics_dir
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
def migrate_command(
    down_to: Annotated[
        str | None,
        typer.Option(
            "--down-to",
            metavar="REVISION",
            help="Undo the migrations after REVISION (such as 0018) instead, to run an older "
            "release; take a backup first.",
        ),
    ] = None,
) -> None:
    """Apply pending database migrations and exit."""
    settings = get_settings()
    if down_to is None:
        _migrate(settings.database_url, _ruleset(settings.rules_file))
        typer.echo("The database schema is up to date.")
        return
    if down_to not in migration_revisions():
        known = ", ".join(migration_revisions())
        typer.echo(f"Error: no migration is called {down_to!r}; they are: {known}", err=True)
        raise typer.Exit(code=2)
    downgrade(settings.database_url, down_to)
    typer.echo(f"The database schema is at revision {down_to}.")


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
    files: Annotated[
        list[Path],
        typer.Argument(exists=True, dir_okay=False, help="Markdown files, one track each."),
    ],
    user: Annotated[str, typer.Option("--user", help="E-mail address of the learner.")],
    title: Annotated[
        str | None, typer.Option(help="Track title instead of the # heading (one file only).")
    ] = None,
) -> None:
    """Import Markdown roadmaps as tracks of the learner, each file in a transaction of its own:
    a file that fails stops the import, and the ones before it stay imported."""
    if title is not None and len(files) > 1:
        typer.echo("Error: --title names one track: give one file with it", err=True)
        raise typer.Exit(code=2)
    settings = get_settings()
    migrate(settings.database_url)
    with progress_bar("Importing tracks", count=True) as update:
        for done, file in enumerate(files):
            update(done, len(files))
            track = _import_track(settings.database_url, file, user, title)
            typer.echo(
                f"Imported '{track.title}' for {user}: {track.progress.total} items, "
                f"{track.progress.done} done. Track id: {track.id}"
            )


def _import_track(database_url: str, file: Path, user: str, title: str | None) -> TrackSummary:
    data = file.read_bytes()

    async def run(session: AsyncSession) -> TrackSummary:
        return await track_service.import_for(session, user, data, title, utc_now())

    return _in_transaction(database_url, run)


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
    checked, differing = _verify_learners(
        settings.database_url, _ruleset(settings.rules_file), user, repair
    )
    _report_verified(checked, differing)


def _verify_learners(
    database_url: str, ruleset: Ruleset, user: str | None, repair: bool
) -> tuple[int, int]:
    """Check (and with `repair` rewrite) each learner's projections; print each difference.
    Returns how many learners were checked and how many differed."""

    async def run() -> tuple[int, int]:
        engine = create_engine(database_url)
        maker = create_sessionmaker(engine)
        checked = differing = 0
        try:
            async with maker() as session:
                learners = await users.list_users(session, user)
            if user is not None and not learners:
                typer.echo(f"Error: no account has the e-mail address {user}", err=True)
                raise typer.Exit(code=2)
            with progress_bar("Verifying learners", count=True) as update:
                for learner in learners:
                    update(checked, len(learners))
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
            if user is None and (sizes := await verify.board_size_differences(engine)):
                differing += 1  # the boards, counted as one more thing that differs
                for difference in sizes:
                    typer.echo(str(difference))
                if repair:
                    async with transaction(maker) as session:
                        await verify.repair_board_sizes(session)
                    typer.echo(
                        "leaderboard_sizes, leaderboard_scores, leaderboard_streak_counts:"
                        " recounted from the boards' rows"
                    )
        finally:
            await engine.dispose()
        return checked, differing

    return asyncio.run(run())


def _report_verified(checked: int, differing: int) -> None:
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


@app.command("backup")
def backup_command(
    file: Annotated[
        Path | None,
        typer.Argument(
            dir_okay=False,
            help="Where to write it; by default questpath-<UTC time>.sqlite (or .dump for "
            "PostgreSQL) in <data dir>/backups.",
        ),
    ] = None,
    keep: Annotated[
        int | None,
        typer.Option(
            min=1, help="Then delete all but the newest N backups in that file's directory."
        ),
    ] = None,
) -> None:
    """Back up the whole database while the server runs (see docs/backups.md)."""
    settings = get_settings()
    kind = backup.kind_of_url(settings.database_url)
    target = file or backup.default_path(settings.data_dir / "backups", kind, utc_now())
    with progress_bar("Backing up") as update:
        written = _or_exit(lambda: backup.backup(settings.database_url, target, update))
    typer.echo(f"Wrote {written.path}: {written.size} bytes, {written.events} events.")
    for deleted in backup.prune(target.parent, keep) if keep else []:
        typer.echo(f"Deleted the older backup {deleted}")


@app.command("restore")
def restore_command(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="A `questpath backup` file.")
    ],
    force: Annotated[
        bool, typer.Option(help="Replace whatever the configured database holds.")
    ] = False,
) -> None:
    """Fill an empty database from a backup, then migrate and verify it. Stop the server first.

    Refuses, changing nothing, a database that has accounts or events (unless --force) and a
    backup of the other kind of database.
    """
    settings = get_settings()
    ruleset = _ruleset(settings.rules_file)
    with progress_bar("Restoring") as update:
        restored = _or_exit(
            lambda: backup.restore(settings.database_url, file, force=force, progress=update)
        )
    _migrate(settings.database_url, ruleset)
    typer.echo(f"Restored {restored.events} events from {file}.")
    if restored.events_in_backup not in (None, restored.events):
        typer.echo(f"Error: the backup holds {restored.events_in_backup} events", err=True)
        raise typer.Exit(code=1)
    _report_verified(*_verify_learners(settings.database_url, ruleset, None, repair=False))


def _or_exit(work: Callable[[], T]) -> T:
    try:
        return work()
    except backup.BackupError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(code=1) from error
    except (OSError, SQLAlchemyError) as error:  # such as an unreachable database
        typer.echo(f"Error: {str(error).splitlines()[0]}", err=True)
        raise typer.Exit(code=1) from error


@app.command("doctor")
def doctor_command(
    min_free_mb: Annotated[
        int, typer.Option(min=0, help="Warn when a volume has less free space than this.")
    ] = doctor.DEFAULT_MIN_FREE_MB,
) -> None:
    """Print the effective configuration (secrets masked) and check that this server can run:
    database, migrations, data dir, disk space, backup tool, signing key. Exits 1 on a failure.
    """
    try:
        settings = get_settings()
    except ValidationError as invalid:
        for error in invalid.errors():  # never the input: it would show the secrets
            typer.echo(f"Error: configuration: {error['msg']}", err=True)
        raise typer.Exit(code=1) from invalid
    checks = doctor.run_checks(settings, min_free_mb)
    doctor.show(doctor.configuration(settings), checks)
    if doctor.failed(checks):
        raise typer.Exit(code=1)
