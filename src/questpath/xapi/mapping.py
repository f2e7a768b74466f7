"""Placeholder until the mapping lands."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class MappedEvent:
    kind: str
    grade: float | None
    time_spent_seconds: int | None
    topic: str | None
    occurred_at: datetime | None


@dataclass(frozen=True)
class XapiMapping:
    verbs: Mapping[str, str]


DEFAULT_MAPPING = XapiMapping({"http://adlnet.gov/expapi/verbs/completed": "exercise_completed"})


def event_of(statement: Mapping[str, Any], mapping: XapiMapping) -> MappedEvent | None:
    kind = mapping.verbs.get(statement["verb"]["id"])
    if kind is None or statement["object"].get("objectType", "Activity") != "Activity":
        return None
    score = (statement.get("result") or {}).get("score") or {}
    scaled = score.get("scaled")
    grade = max(0.0, float(scaled)) * 100 if scaled is not None else None
    return MappedEvent(kind, grade, None, None, None)
