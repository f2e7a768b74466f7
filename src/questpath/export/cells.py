"""CSV cells that a spreadsheet shows as text, never runs as a formula (CSV injection)."""

from __future__ import annotations

from typing import Any

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """A text value that would start a formula gets a leading single quote, which spreadsheets
    read as "this is text" (OWASP's advice); numbers and other values pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
