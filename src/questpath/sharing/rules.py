"""What may be shared and how a handle must look. No database, no clock."""

from __future__ import annotations

import re
from typing import Literal, get_args

Section = Literal["rank", "level", "streaks", "badges", "skill_levels", "calendar", "tracks"]
SECTIONS: tuple[Section, ...] = get_args(Section)
# Turning sharing on for the first time shows only these; the rest waits for the learner's choice.
DEFAULT_SECTIONS: tuple[Section, ...] = ("rank", "level", "streaks")
SECTION_NAMES: dict[Section, str] = {
    "rank": "Rank",
    "level": "Level and XP",
    "streaks": "Streaks",
    "badges": "Badges (earned achievements)",
    "skill_levels": "Skill levels",
    "calendar": "Activity calendar",
    "tracks": "Tracks you pick below",
}

HANDLE_MIN, HANDLE_MAX = 3, 32
_HANDLE = re.compile(r"[a-z0-9][a-z0-9_-]*")
# Names a visitor could mistake for QuestPath itself, or that name its own paths.
RESERVED_HANDLES = frozenset(
    {
        "about", "admin", "administrator", "api", "docs", "help", "health", "login", "logout",
        "me", "metrics", "moderator", "new", "null", "official", "openapi", "questpath",
        "register", "root", "security", "settings", "shared", "sign-in", "sign-out", "sign-up",
        "static", "staff", "support", "system", "undefined", "www",
    }
)  # fmt: skip


class HandleProblem(ValueError):
    """Why a handle cannot be used; the message completes "handle …"."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def normalise_handle(handle: str) -> str:
    """The handle as stored and compared: trimmed and lower-cased, so "Ada" and "ada" are one."""
    return handle.strip().lower()


def checked_handle(handle: str) -> str:
    """The normalised handle, or HandleProblem saying what is wrong with it."""
    value = normalise_handle(handle)
    if not HANDLE_MIN <= len(value) <= HANDLE_MAX:
        raise HandleProblem(f"must be {HANDLE_MIN} to {HANDLE_MAX} characters long")
    if not _HANDLE.fullmatch(value):
        raise HandleProblem(
            "may hold only letters a-z, digits, '-' and '_', and must start with a letter or digit"
        )
    if value in RESERVED_HANDLES:
        raise HandleProblem(f"'{value}' is reserved; choose another")
    return value


def chosen_sections(sections: list[Section]) -> list[Section]:
    """The sections in their page order, each once."""
    return [section for section in SECTIONS if section in sections]


def badge_message(rank: str | None, streak: int | None, *, nothing: str = "learning") -> str:
    """The right half of the badge: the rank and the current streak, those that are shared."""
    parts = []
    if rank is not None:
        parts.append(rank)
    if streak is not None:
        parts.append(f"{streak}-day streak")
    return " · ".join(parts) or nothing
