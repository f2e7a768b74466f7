"""`questpath doctor`: the configuration with every secret masked, and checks that fail loudly."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr
from sqlalchemy.engine import URL, make_url

from questpath.config import Settings
from questpath.doctor import MASK, configuration, masked
from tests.commands import questpath

SMTP_PASSWORD = "smtp-hunter2-do-not-print"
LLM_KEY = "sk-llm-do-not-print"
SIGNING_KEY = "signing-key-do-not-print-" + "z" * 32
DB_PASSWORD = "db-pass-do-not-print"


def status_of(output: str, check: str) -> str:
    found = re.search(rf"^\W*{check}\W+(ok|warn|fail)\b", output, re.MULTILINE)
    assert found, output
    return found.group(1)


@pytest.fixture
def behind(backend: str, new_database: Callable[..., str]) -> str:
    return new_database(backend, "0019")


def test_a_healthy_server_passes_every_check_and_shows_its_database(
    migrated_url: str, tmp_path: Path
) -> None:
    result = questpath(migrated_url, tmp_path, "doctor", QUESTPATH_SECRET_KEY=SIGNING_KEY)

    assert result.exit_code == 0, result.output
    for check in ("database", "migrations", "data dir", "disk space", "backup tool"):
        assert status_of(result.stdout, check) == "ok"
    assert status_of(result.stdout, "signing key") == "ok"
    name = "PostgreSQL" if migrated_url.startswith("postgresql") else "SQLite"
    assert re.search(rf"reachable, {name} \d+\.\d+", result.stdout)
    assert "at head (" in result.stdout
    assert "\x1b[" not in result.stdout  # piped output carries no colour codes


def test_a_database_behind_on_migrations_fails_and_names_both_revisions(
    behind: str, tmp_path: Path
) -> None:
    result = questpath(behind, tmp_path, "doctor")

    assert result.exit_code == 1
    assert status_of(result.stdout, "migrations") == "fail"
    assert re.search(r"at 0019, head is \d{4}", result.stdout)
    assert "questpath migrate" in result.stdout


def test_no_secret_appears_in_the_output(migrated_url: str, tmp_path: Path) -> None:
    url = make_url(migrated_url)
    if url.get_backend_name() == "postgresql":  # the test server trusts; a password is sent along
        migrated_url = url.set(password=DB_PASSWORD).render_as_string(hide_password=False)

    result = questpath(
        migrated_url,
        tmp_path,
        "doctor",
        QUESTPATH_SECRET_KEY=SIGNING_KEY,
        QUESTPATH_SMTP_PASSWORD=SMTP_PASSWORD,
        QUESTPATH_LLM_API_KEY=LLM_KEY,
    )

    assert result.exit_code == 0, result.output
    for secret in (SMTP_PASSWORD, LLM_KEY, SIGNING_KEY, DB_PASSWORD):
        assert secret not in result.output
    for name in ("QUESTPATH_SMTP_PASSWORD", "QUESTPATH_LLM_API_KEY", "QUESTPATH_SECRET_KEY"):
        assert re.search(rf"{name}\W+{re.escape(MASK)}", result.stdout), name


def test_settings_added_later_are_masked_by_their_type_and_their_name(tmp_path: Path) -> None:
    class Later(Settings):
        tracing_dsn: str = "https://public@traces.example/1"
        scrape_token: str = "scrape-secret"
        backup_encryption_key: SecretStr = SecretStr("key-secret")
        webhook_url: str = "https://hook:url-secret@hooks.example/x"
        access_token_minutes: int = 60  # a number, not a secret, though its name says token

    shown = dict(configuration(Later(data_dir=tmp_path)))

    assert shown["QUESTPATH_TRACING_DSN"] == MASK
    assert shown["QUESTPATH_SCRAPE_TOKEN"] == MASK
    assert shown["QUESTPATH_SENTRY_DSN"] == shown["QUESTPATH_METRICS_TOKEN"] == "(not set)"
    assert shown["QUESTPATH_BACKUP_ENCRYPTION_KEY"] == MASK
    assert shown["QUESTPATH_WEBHOOK_URL"] == f"https://hook:{MASK}@hooks.example/x"
    assert shown["QUESTPATH_ACCESS_TOKEN_MINUTES"] == "60"


def test_an_unwritable_data_dir_fails(migrated_url: str, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")

    result = questpath(migrated_url, blocker / "data", "doctor")

    assert result.exit_code == 1
    assert status_of(result.stdout, "data dir") == "fail"


def test_little_free_space_warns_without_failing(migrated_url: str, tmp_path: Path) -> None:
    result = questpath(
        migrated_url,
        tmp_path,
        "doctor",
        "--min-free-mb",
        str(10**12),
        QUESTPATH_SECRET_KEY=SIGNING_KEY,
    )

    assert result.exit_code == 0, result.output
    assert status_of(result.stdout, "disk space") == "warn"
    assert "MiB free" in result.stdout


def test_an_unreachable_database_fails(tmp_path: Path) -> None:
    unreachable = f"postgresql+asyncpg://questpath:{DB_PASSWORD}@127.0.0.1:1/questpath"

    result = questpath(unreachable, tmp_path, "doctor")

    assert result.exit_code == 1
    assert status_of(result.stdout, "database") == "fail"
    assert status_of(result.stdout, "migrations") == "fail"
    assert DB_PASSWORD not in result.output


def test_production_without_a_signing_key_fails_without_echoing_settings(
    migrated_url: str, tmp_path: Path
) -> None:
    result = questpath(
        migrated_url,
        tmp_path,
        "doctor",
        QUESTPATH_ENVIRONMENT="production",
        QUESTPATH_SECRET_KEY="too-short-but-secret",
    )

    assert result.exit_code == 1
    assert "QUESTPATH_SECRET_KEY must be set" in result.stderr
    assert "too-short-but-secret" not in result.output


@given(
    password=st.text(
        st.characters(codec="utf-8", exclude_characters="\x00"), min_size=8, max_size=24
    ),
    scheme=st.sampled_from(["postgresql+asyncpg", "https", "redis"]),
)
def test_a_password_inside_any_url_setting_is_masked(password: str, scheme: str) -> None:
    url = URL.create(
        scheme, username="ops", password=password, host="host.example", database="x"
    ).render_as_string(hide_password=False)

    shown = masked("database_url", url)

    assert shown == f"{scheme}://ops:{MASK}@host.example/x"
