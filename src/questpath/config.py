"""Settings, read from QUESTPATH_* environment variables through one cached object."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

import limits
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sentry_sdk.utils import BadDsn, Dsn

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
    # SQLite: how often each process looks for notifications stored by other processes, while
    # it has event streams open (PostgreSQL tells every process at once with NOTIFY).
    stream_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    rules_file: Path | None = None
    # An OpenAI-compatible chat-completions server for quiz generation; off while unset.
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: SecretStr = Field(default=SecretStr(""), repr=False)
    llm_timeout_seconds: float = Field(default=20.0, gt=0, le=600)
    # Outgoing e-mail (password reset, address verification); off while smtp_host is unset.
    smtp_host: str = ""
    smtp_port: int | None = Field(default=None, ge=1, le=65535)  # None: 465 with TLS, else 587
    smtp_username: str = ""
    smtp_password: SecretStr = Field(default=SecretStr(""), repr=False)
    smtp_from: str = ""  # the sender, e.g. "QuestPath <questpath@example.org>"
    # STARTTLS upgrades a plain connection (port 587); TLS speaks TLS from the start (port 465).
    smtp_starttls: bool = True
    smtp_tls: bool = False
    smtp_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    # The address people reach this server at; links in e-mails and badge URLs start with it.
    public_url: str = "http://127.0.0.1:8000"
    # The issuer named in published Open Badges (docs/badges.md).
    badge_issuer_name: str = Field(default="QuestPath", min_length=1, max_length=100)
    password_reset_minutes: int = Field(default=60, ge=5, le=24 * 60)
    email_verification: bool = False
    email_verification_hours: int = Field(default=48, ge=1, le=30 * 24)
    # Mails of one kind (reset links, verification links) to one account per hour, at most.
    mails_per_hour: int = Field(default=3, ge=1, le=100)
    # GET /metrics answers loopback scrapers, and others that send this as a bearer token.
    metrics_token: SecretStr = Field(default=SecretStr(""), repr=False)
    # Rate limits in the `limits` notation ("10/hour", "6000/minute"); docs/rate-limits.md says
    # why each default. Storage: memory or database; empty picks memory for one
    # process on SQLite and the database otherwise.
    rate_limit_storage: str = ""
    rate_limit_registration: str = "10/hour"
    rate_limit_writes: str = "6000/minute"
    rate_limit_imports: str = "30/hour"
    rate_limit_quiz_generation: str = "60/hour"
    rate_limit_streams: int = Field(default=10, ge=1, le=1000)  # open at once, per learner
    # How long one event stream lasts. Reopening costs a few ms of CPU each: 1,000 streams of
    # 30 minutes reopen at about 0.3% of a core, where 5 minutes cost 1.5 to 2.8%.
    rate_limit_stream_seconds: int = Field(default=1800, ge=1, le=24 * 3600)
    log_level: str = "INFO"
    # auto: one JSON object per line, or readable coloured lines when stderr is a terminal.
    log_format: Literal["auto", "json", "console"] = "auto"
    log_json: bool | None = None  # the older setting: true means json, false console
    # Requests that take at least this long get a warning line with their SQL count and time.
    slow_request_ms: float = Field(default=1000.0, ge=0)
    # Unhandled errors go to Sentry (or a compatible service) while a DSN is set.
    sentry_dsn: SecretStr = Field(default=SecretStr(""), repr=False)
    sentry_environment: str = ""  # empty: the `environment` setting
    sentry_traces_sample_rate: float = Field(default=0.0, ge=0, le=1)
    # The connection pool of each server process, on both databases (see docs/backups.md).
    db_pool_size: int = Field(default=5, ge=1, le=1000)
    db_max_overflow: int = Field(default=10, ge=0, le=1000)
    db_pool_timeout_seconds: float = Field(default=30.0, gt=0, le=3600)
    db_pool_recycle_seconds: int = Field(default=0, ge=0)  # 0: connections are kept
    # PostgreSQL only: a SQLite file cannot drop a connection, nor cancel a statement.
    db_pool_pre_ping: bool = True
    db_statement_timeout_ms: int = Field(default=30_000, ge=0)  # 0: no limit
    # Webhooks: deliveries to loopback, private and link-local addresses are refused unless
    # this allows them (an endpoint on the operator's own network).
    webhooks_allow_private: bool = False
    webhooks_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    webhooks_poll_seconds: float = Field(default=1.0, gt=0, le=60)  # how often due ones are sent
    # Reminders, on each learner's local clock: a streak at risk in the evening; review cards
    # due and the optional e-mail digest in the morning. Each process sweeps this often.
    notifications_evening_hour: int = Field(default=19, ge=0, le=23)
    notifications_morning_hour: int = Field(default=9, ge=0, le=23)
    notifications_sweep_seconds: float = Field(default=60.0, gt=0, le=3600)

    @field_validator(
        "rate_limit_registration",
        "rate_limit_writes",
        "rate_limit_imports",
        "rate_limit_quiz_generation",
    )
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        try:
            limits.parse(value)
        except ValueError:
            raise ValueError(
                f"{value!r} is not a rate limit: write a number per period, such as "
                '"10/hour", "6000/minute" or "100 per 30 seconds"'
            ) from None
        return value

    @field_validator("rate_limit_storage")
    @classmethod
    def _rate_limit_storage(cls, value: str) -> str:
        if value in ("", "memory", "database"):
            return value
        raise ValueError(f"{value!r} is not a rate-limit storage: use memory or database")

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.data_dir / 'questpath.db'}"
        if self.environment == "production" and len(self.secret_key) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"QUESTPATH_SECRET_KEY must be set to at least {MIN_SECRET_LENGTH} characters "
                "when QUESTPATH_ENVIRONMENT=production"
            )
        if self.smtp_tls and self.smtp_starttls:
            self.smtp_starttls = False  # TLS from the first byte leaves nothing to upgrade
        if self.smtp_host and not self.smtp_from:
            raise ValueError(
                "QUESTPATH_SMTP_FROM must name the sender when QUESTPATH_SMTP_HOST is set, "
                'such as "QuestPath <questpath@example.org>"'
            )
        if self.email_verification and not self.mail_configured:
            raise ValueError(
                "QUESTPATH_EMAIL_VERIFICATION needs e-mail: set QUESTPATH_SMTP_HOST and "
                "QUESTPATH_SMTP_FROM as well"
            )
        if not self.public_url.startswith(("http://", "https://")):
            raise ValueError(
                "QUESTPATH_PUBLIC_URL must be the http:// or https:// address people reach "
                "QuestPath at, such as https://questpath.example.org"
            )
        self.public_url = self.public_url.rstrip("/")
        dsn = self.sentry_dsn.get_secret_value()
        if dsn and not _is_dsn(dsn):
            raise ValueError(
                "QUESTPATH_SENTRY_DSN must be the DSN the error-tracking service gives, such as "
                "https://<key>@o0.ingest.sentry.io/<project>"
            )
        if self.log_json is not None and self.log_format == "auto":
            self.log_format = "json" if self.log_json else "console"
        return self

    @property
    def mail_configured(self) -> bool:
        return bool(self.smtp_host and self.smtp_from)

    @property
    def smtp_port_or_default(self) -> int:
        return self.smtp_port or (465 if self.smtp_tls else 587)

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


def _is_dsn(value: str) -> bool:
    try:
        Dsn(value)
    except BadDsn:
        return False
    return True


@lru_cache
def get_settings() -> Settings:
    return Settings()
