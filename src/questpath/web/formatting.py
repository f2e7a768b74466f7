"""Jinja filters: numbers, durations, dates and Markdown as a learner reads them."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from markdown_it import MarkdownIt
from markupsafe import Markup


def number(value: float | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def amount(value: float, metric: str) -> str:
    """An achievement metric's value: durations for time, plain numbers otherwise."""
    return duration(value) if metric.endswith("_seconds") else number(value)


def grade(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def duration(seconds: float | None) -> str:
    """3725 -> "1 h 2 min"; 45 -> "45 s"; None -> "—"."""
    if seconds is None:
        return "—"
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    hours, minutes = divmod(seconds // 60, 60)
    if hours and minutes:
        return f"{hours:,} h {minutes} min"
    return f"{hours:,} h" if hours else f"{minutes} min"


def day(value: date | None) -> str:
    """2026-11-23 -> "23 Nov 2026"."""
    return "—" if value is None else f"{value.day} {value:%b %Y}"


def moment(value: datetime | None, timezone: str = "UTC") -> str:
    """A stored UTC time on the learner's clock: "23 Nov 2026, 18:30"."""
    if value is None:
        return "—"
    local = value.astimezone(ZoneInfo(timezone))
    return f"{local.day} {local:%b %Y, %H:%M}"


# Titles, descriptions and notes keep the Markdown they were written in. Raw HTML in them is
# shown as text, and links to javascript: and the like are dropped; images would be refused by
# the Content-Security-Policy anyway.
_markdown = MarkdownIt("commonmark", {"html": False}).disable("image")


def inline_markdown(text: str) -> Markup:
    return Markup(_markdown.renderInline(text))  # noqa: S704 (html is off: markdown-it escapes it)


def block_markdown(text: str) -> Markup:
    return Markup(_markdown.render(text))  # noqa: S704 (html is off: markdown-it escapes it)


def plain_text(text: str) -> str:
    """A Markdown title as plain text, for labels, toasts and the page's <title>."""
    return inline_markdown(text).striptags()
