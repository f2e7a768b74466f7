"""The events the benchmark sends: realistic shapes, deterministic, in chronological order.

A learner's history is spread evenly over a span of days, oldest first, so every batch extends
the log at its end the way a live client does (an event dated before the learner's last active
day would make QuestPath re-walk the streaks after it, which is a different workload).
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

TIMEZONE = "Europe/Berlin"
TOPICS = (
    "python",
    "sql",
    "git",
    "testing",
    "http",
    "algorithms",
    "docker",
    "typescript",
)
# The histories whose cost must not grow with their length touch more topics, so that a long
# one has many projection rows (one per topic and per topic-day).
WIDE_TOPICS = (
    *TOPICS, "rust", "go", "linux", "networking", "security", "css", "react", "kubernetes",
    "statistics", "regex", "bash", "design",
)  # fmt: skip


def _event(
    rng: random.Random, event_id: str, occurred_at: datetime, topics: tuple[str, ...]
) -> dict[str, Any]:
    """One event as the API takes it: mostly graded exercises, some study, projects, check-ins."""
    event: dict[str, Any] = {
        "id": event_id,
        "occurred_at": occurred_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    roll = rng.random()
    if roll < 0.80:
        event |= {
            "kind": "exercise_completed",
            "topic": rng.choice(topics),
            "grade": float(rng.randint(40, 100)),
            "time_spent_seconds": rng.randint(60, 3600),
            "hints_used": rng.choice((0, 0, 0, 1, 1, 2, 3)),
        }
    elif roll < 0.90:
        event |= {
            "kind": "study_session",
            "topic": rng.choice(topics),
            "time_spent_seconds": rng.randint(300, 7200),
        }
    elif roll < 0.95:
        event |= {"kind": "project_completed", "topic": rng.choice(topics)}
    else:
        event |= {"kind": "check_in"}
    return event


def history(
    prefix: str,
    count: int,
    days: float,
    end: datetime,
    topics: tuple[str, ...] = TOPICS,
    seed: int = 0,
) -> Iterator[dict[str, Any]]:
    """`count` events spread evenly over the `days` days before `end`, oldest first."""
    rng = random.Random(f"{prefix}/{seed}")
    span = timedelta(days=days)
    step = span / max(count, 1)
    start = end - span
    for n in range(count):
        yield _event(rng, f"{prefix}-{n}", start + step * (n + 1), topics)


def recent_end() -> datetime:
    """A little before now: QuestPath refuses events more than 5 minutes in the future."""
    return datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)


def chunks(events: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(events)
    while chunk := list(islice(iterator, size)):
        yield chunk


def single_body(event: dict[str, Any], user_id: str | None = None) -> bytes:
    """One event's request body; with `user_id`, recorded for that learner (integration keys)."""
    if user_id is not None:
        event = {**event, "user_id": user_id}
    return json.dumps(event, separators=(",", ":")).encode()


def batch_body(events: list[dict[str, Any]]) -> bytes:
    return json.dumps({"events": events}, separators=(",", ":")).encode()


def table_rows(
    events: Iterable[dict[str, Any]], user_id: uuid.UUID, recorded_at: datetime
) -> list[dict[str, Any]]:
    """The rows QuestPath would store for `events`, keyed by the events table's columns."""
    zone = ZoneInfo(TIMEZONE)
    rows = []
    for event in events:
        occurred_at = datetime.fromisoformat(event["occurred_at"])
        rows.append(
            {
                "user_id": user_id,
                "event_id": event["id"],
                "kind": event["kind"],
                "occurred_at": occurred_at,
                "recorded_at": recorded_at,
                "local_date": occurred_at.astimezone(zone).date(),
                "topic": event.get("topic"),
                "grade": event.get("grade"),
                "time_spent_seconds": event.get("time_spent_seconds"),
                "hints_used": event.get("hints_used"),
                "metadata": None,
                "recorded_by_api_key": None,
            }
        )
    return rows
