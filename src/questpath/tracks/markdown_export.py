"""TrackDraft -> Markdown that `parse_track` reads back as the same draft.

Where the plain spelling of an item would read differently (a title that itself looks like
`**Name**: rest`), it tries the next spelling and checks each with the importer itself, so the
two directions cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from questpath.tracks.drafts import CategoryDraft, ItemDraft, Resource, TrackDraft
from questpath.tracks.links import item_parts, link_markdown
from questpath.tracks.markdown import (
    UNTITLED,
    UNTITLED_TRACK,
    MarkdownProblem,
    markdown_parser,
    one_line,
    parse_track,
    ref_comment,
    split_item_text,
    trim,
)
from questpath.tracks.path_sections import path_entries

_BOX_OF = {"todo": "[ ]", "done": "[x]", "in_progress": "[/]", "skipped": "[-]"}


def render_track(track: TrackDraft) -> str:
    """Markdown that `parse_track` reads back as `track`, for every draft import can produce.
    Priority, horizon, due date and topic are not written: import derives the first two from
    headings, and the JSON export carries them all. Categories go a heading level below the
    title; a track whose categories nest six deep writes its top categories as `#` too, which
    import reads the same way. Deeper ones (import cannot make them) are clamped to `######`."""
    offset = 1 if _category_depth(track.root) < 6 else 0
    blocks = [_heading(1, track.root.title or UNTITLED_TRACK)]
    writer = _Writer(path_entries(track), blocks)
    writer.body(track.root)
    for child in track.root.children:
        writer.category(child, 1 + offset)
    return "\n\n".join(blocks) + "\n"


def _category_depth(category: CategoryDraft) -> int:
    return max((1 + _category_depth(child) for child in category.children), default=0)


class _Writer:
    """Writes categories in document order, counting them to find each path section's entries:
    an item on the path elsewhere is written there as a bare entry with its title and state."""

    def __init__(self, entries: dict[int, list[tuple[ItemDraft, bool]]], blocks: list[str]):
        self.entries, self.blocks, self.index = entries, blocks, 0

    def category(self, category: CategoryDraft, level: int) -> None:
        self.blocks.append(_heading(min(level, 6), category.title or UNTITLED))
        self.body(category)
        for child in category.children:
            self.category(child, level + 1)

    def body(self, category: CategoryDraft) -> None:
        entries = self.entries.get(self.index)
        self.index += 1
        items = category.items
        if entries is not None:
            items = tuple(
                ItemDraft(item.title, state=item.state) if linked else item
                for item, linked in entries
            )
        notes = trim(_lines(category.notes))
        self.blocks += [notes] if notes else []
        self.blocks += ["\n".join(_render_items(items, notes))] if items else []


def _lines(text: str) -> list[str]:
    """A stored text's lines: one edited elsewhere may have other line ends."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _heading(level: int, title: str) -> str:
    """An ATX heading that reads back as `title`; a closing `#` run protects one ending in `#`."""
    title, hashes = one_line(title), "#" * level
    spellings = (f"{hashes} {title}", f"{hashes} {title} {hashes}")
    for line in spellings:
        tokens = markdown_parser().parse(line)
        if len(tokens) == 3 and tokens[0].tag == f"h{level}" and tokens[1].content == title:
            return line
    return spellings[-1]


def _render_items(items: Sequence[ItemDraft], before: str) -> list[str]:
    """Sibling items, with another bullet than a list `before` them: the lists would merge."""
    last = next((t for t in reversed(markdown_parser().parse(before)) if not t.level), None)
    taken = last.markup if last is not None and last.type == "bullet_list_close" else ""
    bullet = next(bullet for bullet in "-*+" if bullet != taken)
    rendered = [_render_item(bullet, item) for item in items]
    gap = [""] if any("" in lines for lines in rendered) else []  # a loose list stays loose
    return [*rendered[0], *(line for lines in rendered[1:] for line in [*gap, *lines])]


def _render_item(bullet: str, item: ItemDraft) -> list[str]:
    title, description = one_line(item.title) or UNTITLED, trim(_lines(item.description))
    first, nested = _item_text(title, description, item.resources)
    lines = _item_lines(f"{bullet} {_BOX_OF[item.state]}", first, nested)
    if item.ref is not None:
        lines[0] += f" {ref_comment(item.ref)}"
    notes = trim(_lines(item.notes))
    if notes:
        lines += ["", *(f"  > {line}" if line else "  >" for line in notes.split("\n"))]
    if item.children:
        children = _render_items(item.children, "" if notes else nested)
        lines += [""] if nested or notes else []
        lines += [f"  {line}" if line else "" for line in children]
    return lines


def _item_lines(marker: str, first: str, nested: str) -> list[str]:
    """An item's title line (with its continuation lines) and description blocks, indented."""
    head, *continued = f"{marker} {first}".split("\n")
    body = [*continued, *(["", *nested.split("\n")] if nested else [])]
    return [head, *(f"  {line}" if line else "" for line in body)]


def _item_text(title: str, description: str, resources: tuple[Resource, ...]) -> tuple[str, str]:
    """How to write an item: (text after the checkbox, description blocks nested below it). The
    first spelling that import reads back as (title, description, resources) wins. A first
    resource named like the item is written as the title's link, the others as a list of links
    after the description."""
    wanted = (title, description, resources)
    ranked = [
        (bool(listed) and not nested, first, nested)
        for head, listed in _heads(title, resources)
        for first, nested in _item_spellings(head, _with_links(description, listed))
    ]
    # Links read best as a list below the title, not after a label on its line.
    spellings = [(first, nested) for _, first, nested in sorted(ranked, key=lambda r: r[0])]
    for first, nested in spellings:
        if not nested and "\n" not in first:
            if item_parts(*split_item_text(first)) == wanted:
                return first, nested
        elif _reads_back(first, nested) == wanted:
            return first, nested
    return spellings[0]


def _heads(title: str, resources: tuple[Resource, ...]) -> list[tuple[str, tuple[Resource, ...]]]:
    """(title as written, resources left to list): as a link if it can be one, then as text."""
    plain = (title, resources)
    if resources and resources[0].title == title:
        return [(link_markdown(resources[0]), resources[1:]), plain]
    return [plain]


def _with_links(description: str, resources: tuple[Resource, ...]) -> str:
    """The description, then the resources as a list of links with a bullet of its own."""
    if not resources:
        return description
    last = next((t for t in reversed(markdown_parser().parse(description)) if not t.level), None)
    taken = last.markup if last is not None and last.type == "bullet_list_close" else ""
    bullet = next(bullet for bullet in "-*+" if bullet != taken)
    links = "\n".join(f"{bullet} {link_markdown(resource)}" for resource in resources)
    return f"{description}\n\n{links}" if description else links


def _item_spellings(title: str, description: str) -> Iterator[tuple[str, str]]:
    bold = (f"**{title}**", f"__{title}__")
    if not description:
        yield from ((head, "") for head in (title, *bold))
        return
    if "\n" not in description:
        yield from ((f"{head}: {description}", "") for head in bold)
    yield from ((head, description) for head in (bold[0], title, bold[1]))
    # A label's paragraph can go on below, indented 4 more columns: that way no line starts a
    # block (a list, say), yet import strips the indentation.
    chunk, _, rest = description.partition("\n\n")
    yield from ((f"{head}: {chunk.replace(chr(10), chr(10) + '    ')}", rest) for head in bold)


def _reads_back(first: str, nested: str) -> tuple[str, str, tuple[Resource, ...]] | None:
    try:
        items = parse_track("\n".join(_item_lines("- [ ]", first, nested))).root.items
    except MarkdownProblem:
        return None
    if len(items) != 1:
        return None
    return items[0].title, items[0].description, items[0].resources
