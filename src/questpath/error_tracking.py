"""Unhandled errors to Sentry (or a service that speaks its protocol), with secrets scrubbed.

Off until QUESTPATH_SENTRY_DSN is set. Each unhandled error is reported once, by
UnhandledErrorMiddleware; log lines become breadcrumbs, never events of their own, so the
traceback it logs is not a second report. Handled problems (4xx) are answers, not errors.

Nothing that identifies a person or lets someone act as them leaves the server: sentry-sdk's
EventScrubber blanks values under QuestPath's sensitive field names wherever they appear (request
bodies, headers, cookies, extra data, breadcrumbs, stack variables), and a pass over every string
of the event blanks what may hide in free text: e-mail addresses, API key secrets, access tokens,
`token=…`-style parameters and share-link tokens in paths.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import sentry_sdk
from asgi_correlation_id import correlation_id
from sentry_sdk.integrations.logging import LoggingIntegration
from sentry_sdk.scrubber import DEFAULT_DENYLIST, DEFAULT_PII_DENYLIST, EventScrubber

from questpath import __version__
from questpath.config import Settings

FILTERED = "[Filtered]"

# Field, header and cookie names (compared lower-cased) whose values are never sent.
DENYLIST = [
    *DEFAULT_DENYLIST,
    "access_token",
    "api_key",
    "code",
    "current_password",
    "email",
    "invite",
    "key",
    "new_password",
    "otpauth_uri",
    "qp_session",
    "recovery_code",
    "recovery_codes",
    "secret_key",
    "set-cookie",
    "x-api-key",
    "x-csrf-token",
]

_SECRETS_IN_TEXT = [
    # e-mail addresses
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), FILTERED),
    # API key secrets (credentials.API_KEY_PREFIX + a 43-character token)
    (re.compile(r"qp_[A-Za-z0-9_-]{20,}"), FILTERED),
    # JSON Web Tokens (access tokens)
    (re.compile(r"eyJ[\w-]*\.[\w-]*\.[\w-]*"), FILTERED),
    (re.compile(r"(?i)\b(bearer|basic)\s+[^\s\"',]+"), rf"\1 {FILTERED}"),
    # token=…, password=…, email=… in query strings, form bodies and messages
    (
        re.compile(
            r"(?i)\b([\w-]*(?:token|password|secret|key|code|email|invite)[\w-]*)=[^&\s\"',]+"
        ),
        rf"\1={FILTERED}",
    ),
    # share links: /shared/<token> (tracks), /p/<token> (profiles)
    (re.compile(r"/(shared|p)/[A-Za-z0-9_-]{8,}"), rf"/\1/{FILTERED}"),
]


def scrub_text(text: str) -> str:
    """`text` with e-mail addresses, key secrets and tokens blanked."""
    for pattern, replacement in _SECRETS_IN_TEXT:
        text = pattern.sub(replacement, text)
    return text


def scrub_strings(value: Any) -> Any:
    """`value` with `scrub_text` applied to every string in it, dictionary keys excepted."""
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {key: scrub_strings(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_strings(item) for item in value]
    return value


def _before_send(event: Any, _hint: Any) -> Any:
    tags = event.setdefault("tags", {})
    request_id = correlation_id.get() or tags.get("transaction_id")
    if request_id:
        tags["request_id"] = request_id
    return scrub_strings(event)


def _before_breadcrumb(crumb: Any, _hint: Any) -> Any:
    return scrub_strings(crumb)


def configure_error_tracking(settings: Settings) -> bool:
    """Start reporting to the configured DSN; False (and nothing started) when none is set."""
    dsn = settings.sentry_dsn.get_secret_value()
    if not dsn:
        return False
    sentry_sdk.init(
        dsn=dsn,
        release=__version__,
        environment=settings.sentry_environment or settings.environment,
        traces_sample_rate=settings.sentry_traces_sample_rate,
        # No personal data (user ids, client addresses, cookies) is collected: sentry-sdk's
        # default, which its deprecated `send_default_pii=False` would only restate.
        include_local_variables=False,
        event_scrubber=EventScrubber(
            denylist=DENYLIST, recursive=True, pii_denylist=DEFAULT_PII_DENYLIST
        ),
        before_send=_before_send,
        before_send_transaction=_before_send,
        before_breadcrumb=_before_breadcrumb,
        # Outgoing requests (to the quiz LLM) get no tracing headers: they would tell a third
        # party this server's release and Sentry key.
        trace_propagation_targets=[],
        integrations=[LoggingIntegration(level=logging.INFO, event_level=None)],
    )
    return True
