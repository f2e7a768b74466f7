"""Parts of docs/benchmarks.md that a benchmark of their own writes, between markers that the
main benchmark carries over when it writes the rest of the page."""

from __future__ import annotations

import re
from pathlib import Path


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- begin {name} -->", f"<!-- end {name} -->"


def replace_section(path: Path, name: str, markdown: str) -> None:
    """Put `markdown` between the section's markers, appending the section if it is missing."""
    begin, end = _markers(name)
    block = f"{begin}\n{markdown.rstrip()}\n{end}\n"
    page = path.read_text() if path.exists() else ""
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end) + r"\n?", re.S)
    if pattern.search(page):
        page = pattern.sub(lambda _: block, page)
    else:
        page = page.rstrip() + "\n\n" + block
    path.write_text(page)


SECTION = re.compile(r"<!-- begin (\S+) -->.*?<!-- end \1 -->\n?", re.S)


def carry_over(old_page: str, new_page: str) -> str:
    """`new_page` with the marked sections of `old_page` appended, as they were."""
    kept = [match.group(0) for match in SECTION.finditer(old_page)]
    return "\n".join([new_page.rstrip() + "\n", *kept])
