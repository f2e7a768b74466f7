"""Every metric QuestPath exports, and the small functions the code that moves them calls.

Labels take values from closed sets only (route templates, event kinds, status codes, failure
reasons), so the number of series stays bounded whatever clients send. Gauges name a
`multiprocess_mode`: with several server processes each one writes its own value, and a scrape
adds up those of the processes still alive.
"""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import AsyncIterator, Iterable
from typing import Any, TypeVar

from prometheus_client import Counter, Gauge, Histogram
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

SERVER_PROCESSES = Gauge(
    "questpath_server_processes",
    "Server processes running the app; a scrape adds up the metrics of all of them.",
    multiprocess_mode="livesum",
)
HTTP_REQUESTS = Counter(
    "questpath_http_requests",
    "HTTP requests answered, by route template, method and status code.",
    ["route", "method", "status"],
)
HTTP_DURATION = Histogram(
    "questpath_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response, by route template and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
EVENTS_RECORDED = Counter(
    "questpath_events_recorded",
    "Events committed to the event log, by kind (duplicates of stored events not counted).",
    ["kind"],
)
GROUP_COMMIT_REQUESTS = Histogram(
    "questpath_group_commit_requests",
    "Requests whose events one group commit recorded in one transaction.",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
)
GROUP_COMMIT_EVENTS = Histogram(
    "questpath_group_commit_events",
    "Events one group commit recorded in one transaction.",
    buckets=(1, 5, 10, 50, 100, 500, 1000, 5000),
)
POOL_IN_USE = Gauge(
    "questpath_db_pool_connections_in_use",
    "Database connections checked out of the pool right now.",
    multiprocess_mode="livesum",
)
SSE_STREAMS = Gauge(
    "questpath_sse_streams_open",
    "Server-sent event streams (GET /api/progress/stream) open right now.",
    multiprocess_mode="livesum",
)
LLM_GENERATIONS = Counter(
    "questpath_llm_generations",
    "Quiz generations asked of the LLM server, by outcome: ok, or why it failed.",
    ["outcome"],
)
LLM_FALLBACKS = Counter(
    "questpath_llm_fallbacks",
    "Quizzes whose questions came from the offline generator instead of the LLM: all of them "
    "(the LLM failed) or a top-up (it wrote too few usable ones).",
    ["part"],
)
SIGN_INS_THROTTLED = Counter(
    "questpath_sign_ins_throttled",
    "Sign-ins refused with 429 because of too many recent failures.",
)


T = TypeVar("T")

WEBHOOK_ATTEMPTS = Counter(
    "questpath_webhook_attempts",
    "Webhook delivery attempts, by outcome: delivered, retrying, failed (retries ran out), "
    "refused (the endpoint's address may not be called).",
    ["outcome"],
)


def count_events(kinds: Iterable[str]) -> None:
    for kind, count in Tally(kinds).items():
        EVENTS_RECORDED.labels(kind).inc(count)


def watch_pool(engine: AsyncEngine) -> None:
    """Keep POOL_IN_USE current as `engine` checks connections out of its pool and back in."""

    @event.listens_for(engine.sync_engine, "checkout")
    def _checked_out(*_: Any) -> None:
        POOL_IN_USE.inc()

    @event.listens_for(engine.sync_engine, "checkin")
    def _checked_in(*_: Any) -> None:
        POOL_IN_USE.dec()


async def counted_stream(events: AsyncIterator[T]) -> AsyncIterator[T]:
    """`events`, counted in SSE_STREAMS while a client reads them."""
    SSE_STREAMS.inc()
    try:
        async for item in events:
            yield item
    finally:
        SSE_STREAMS.dec()
