"""Settings, read from QUESTPATH_* environment variables through one cached object."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QUESTPATH_", extra="ignore")

    environment: Literal["development", "production"] = "development"
    data_dir: Path = Path("data")
    database_url: str = ""
    secret_key: str = Field(default="", repr=False)
    access_token_minutes: int = Field(default=24 * 60, ge=1)
    max_body_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    login_window_seconds: int = Field(default=15 * 60, ge=1)
    login_max_failures_per_email: int = Field(default=5, ge=1)
    login_max_failures_per_ip: int = Field(default=20, ge=1)
    # Argon2id cost of new password hashes. Lower them only where the defaults are too slow, such
    # as on a small single-board computer: cheaper hashes are cheaper to crack.
    password_hash_time_cost: int = Field(default=3, ge=1, le=20)
    password_hash_memory_kib: int = Field(default=64 * 1024, ge=1024, le=4 * 1024 * 1024)
    session_days: int = Field(default=14, ge=1)
    # Who may sign up: anyone, only people with an admin's invite link, or nobody (admins add
    # accounts with the command line).
    registration: Literal["open", "invite", "closed"] = "open"
    # How long a checked credential is reused: a revoke or sign-out elsewhere shows within it.
    auth_cache_seconds: float = Field(default=1.0, ge=0, le=1)
    # How often each server process erases the accounts whose deletion grace period is over.
    erasure_interval_seconds: float = Field(default=3600.0, gt=0)
    stream_poll_seconds: float = Field(default=2.0, gt=0, le=60)
    rules_file: Path | None = None
    # An OpenAI-compatible chat-completions server for quiz generation; off while unset.
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: SecretStr = Field(default=SecretStr(""), repr=False)
    llm_timeout_seconds: float = Field(default=20.0, gt=0, le=600)
    log_level: str = "INFO"
    log_json: bool = True

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.data_dir / 'questpath.db'}"
        if self.environment == "production" and len(self.secret_key) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"QUESTPATH_SECRET_KEY must be set to at least {MIN_SECRET_LENGTH} characters "
                "when QUESTPATH_ENVIRONMENT=production"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)

    def signing_key(self) -> str:
        """The JWT signing key: the configured one, or in development one kept in the data dir."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
        self.secret_key = path.read_text().strip()
        return self.secret_key


@lru_cache
def get_settings() -> Settings:
    return Settings()
