"""Placeholder until signatures land."""

from __future__ import annotations

from typing import Any

SET_BY_LRS = ("id", "stored", "authority", "version")


def statements_equivalent(a: dict[str, Any], b: dict[str, Any]) -> bool:
    def strip(s: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in s.items() if k not in SET_BY_LRS and k != "timestamp"}

    return strip(a) == strip(b)
