"""Where a browser may be sent after signing in: a plain path on this site, nothing else."""

from __future__ import annotations

import re

# Printable ASCII without the space: what a path (with its query) needs once percent-encoded.
_PLAIN_PATH = re.compile(r"/[\x21-\x7e]*")


def local_path(target: str | None) -> str:
    """`target` when it is a plain local path, else "/".

    Refused: anything not starting with one "/" (another site, "//host", "https:…"); any
    backslash (browsers read it as "/"); any control character, space or non-ASCII character
    (browsers drop tabs and newlines, so "/\\t/host" would become "//host"; a raw newline breaks
    the header it is sent in; other characters must arrive percent-encoded).
    """
    if not target or not _PLAIN_PATH.fullmatch(target):
        return "/"
    if target.startswith("//") or "\\" in target:
        return "/"
    return target
