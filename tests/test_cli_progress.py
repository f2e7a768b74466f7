"""Long commands draw a progress bar on a terminal; piped, their output stays plain lines."""

from __future__ import annotations

from pathlib import Path

from tests.commands import questpath
from tests.helpers import PASSWORD

# What makes Rich treat standard error as an interactive terminal, as a real one would be.
TERMINAL = {"TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1"}


def test_verify_shows_progress_on_a_terminal_and_prints_the_same_lines_either_way(
    migrated_url: str, tmp_path: Path
) -> None:
    for n in range(2):
        created = questpath(
            migrated_url,
            tmp_path,
            *("user", "create", f"learner-{n}@example.com"),
            QUESTPATH_USER_PASSWORD=PASSWORD,
        )
        assert created.exit_code == 0, created.output

    piped = questpath(migrated_url, tmp_path, "verify")
    on_terminal = questpath(migrated_url, tmp_path, "verify", **TERMINAL)

    expected = "Verified 2 learners: every projection equals a recomputation from the log.\n"
    assert piped.exit_code == on_terminal.exit_code == 0
    assert piped.stdout == on_terminal.stdout == expected
    assert piped.stderr == ""
    assert "Verifying learners" in on_terminal.stderr


def test_backup_shows_progress_on_a_terminal_only(migrated_url: str, tmp_path: Path) -> None:
    piped = questpath(migrated_url, tmp_path, "backup", str(tmp_path / "piped"))
    on_terminal = questpath(migrated_url, tmp_path, "backup", str(tmp_path / "tty"), **TERMINAL)

    assert piped.exit_code == on_terminal.exit_code == 0
    assert piped.stdout.startswith(f"Wrote {tmp_path / 'piped'}: ")
    assert piped.stderr == ""
    assert "Backing up" in on_terminal.stderr
    assert on_terminal.stdout.startswith(f"Wrote {tmp_path / 'tty'}: ")
