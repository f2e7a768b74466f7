"""Placeholder until the full validation lands: the bare minimum to store statements."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Violation:
    rule: str
    field: str
    message: str


def statements_violations(body: object) -> list[Violation]:
    items = body if isinstance(body, list) else [body]
    out = []
    for index, item in enumerate(items):
        prefix = f"[{index}]." if isinstance(body, list) else ""
        if not isinstance(item, dict):
            out.append(Violation("type", prefix.rstrip(".") or "statement", "must be an object"))
            continue
        for name in ("actor", "verb", "object"):
            if name not in item:
                out.append(Violation("statement.required", prefix + name, "is required"))
        if "id" in item:
            try:
                uuid.UUID(str(item["id"]))
            except ValueError:
                out.append(Violation("uuid", prefix + "id", "must be a UUID"))
    return out


def agent_violations(agent: object, field: str) -> list[Violation]:
    return [] if isinstance(agent, dict) else [Violation("type", field, "must be an object")]


def parse_timestamp(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else None
