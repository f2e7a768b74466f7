"""Markdown task lists -> TrackDraft, with no I/O; markdown_export.py goes the other way.

Import walks markdown-it's block tokens, never lines: headings become nested categories, task
items (`- [ ]`, `- [x]`, and the common extensions `- [/]` in progress, `- [-]` skipped) become
items, and every other block is kept as its Markdown source (sliced by `token.map`), so links,
code and tables survive. Task items are detected the way mdit-py-plugins' tasklists plugin does
(list item, paragraph, `[ ]` and whitespace), but without the plugin: for each item its core rule
searches backwards for the list, which takes minutes on a long list.

Where the spec is silent:
- Links that make a title, and lists of links in a description, are the item's resources
  (links.py).
- An item's first paragraph is its text. Lines it wraps onto join the title with a space; after a
  `**Name**:` label they go on the description, line for line.
- Task items inside a plain list item belong to the category (or the enclosing task item); the
  plain list stays in the notes without them. Task lists inside a quote stay quoted text, and a
  heading inside a list item stays text. Thematic breaks vanish from categories only.

Export must write what import reads back as an equal draft. Kept source goes where it may read
differently (an indented block after a list joins its last item; a fence left open swallows what
follows), so import repairs such texts into a form that reads the same anywhere, and checks each
repair, and each spelling export chooses for an item, with the importer itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from typing import NamedTuple

from markdown_it import MarkdownIt
from markdown_it.token import Token

from questpath.text import BIDI_MESSAGE, has_bidi_controls
from questpath.tracks.drafts import (
    CategoryDraft,
    Horizon,
    ItemDraft,
    ItemState,
    Priority,
    TrackDraft,
)
from questpath.tracks.links import item_parts
from questpath.tracks.path_sections import place_path
from questpath.tracks.rules import horizon_for_heading, is_critical_heading

MAX_ITEM_DEPTH = 8
MAX_NESTING = 100  # markdown-it silently drops what nests deeper; we refuse such documents instead
UNTITLED_TRACK = "Untitled track"
UNTITLED = "Untitled"

_TASK = re.compile(r"\[([ xX/-])\][ \t\n\v\f\r]+")  # the plugin's rule, plus `/` and `-`
_STATE_OF: dict[str, ItemState] = {
    " ": "todo",
    "x": "done",
    "X": "done",
    "/": "in_progress",
    "-": "skipped",
}
_LABEL_END = re.compile(r"(\*\*|__):")
_LABEL_TRIES = 3  # `**Name**:` candidates tried per item, each no longer than _BOLD_LIMIT: a
_BOLD_LIMIT = 1000  # hostile run of `**` costs the inline parser time, not the server
_LISTS = ("bullet_list_open", "ordered_list_open")
_MARKERS = re.compile(r"(?:[ \t]*(?:>|[-*+]|[0-9]{1,9}[.)])(?=[ \t]|$))*[ \t]*")
_HTML_ENDS = ("-->", "?>", "]]>", ">", "</pre>", "</script>", "</style>", "</textarea>")
_SENTINEL = "end"  # a paragraph written after a text to see whether the text stays closed
_SEPARATOR = "<!-- -->"  # ends a list, shows nothing
# The id export writes after an item's first line, as a comment that shows nothing.
_REF = re.compile(r"[ \t]*<!-- qp:item ([0-9a-f-]{36}) -->[ \t]*$")


class MarkdownProblem(ValueError):
    """The text cannot become a track; `message` says what was expected, with a line if one fits."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@cache
def markdown_parser() -> MarkdownIt:
    """CommonMark blocks only: texts are kept as source, so inline parsing would be wasted work
    (`_is_one_strong_span` runs the inline parser when it is needed)."""
    return MarkdownIt("commonmark", {"maxNesting": MAX_NESTING}).disable(["inline", "text_join"])


# Import ---------------------------------------------------------------------------------------


def parse_track(text: str, title: str | None = None) -> TrackDraft:
    """The track a Markdown document describes. With `title` given, every `#` heading is an
    ordinary category; without it, the first `#` heading is the title. The title never implies a
    horizon or priority: a given title and the exported `# title` would disagree."""
    if "\x00" in text:
        raise MarkdownProblem("the text contains a NUL character; expected plain-text Markdown")
    if has_bidi_controls(text) or has_bidi_controls(title or ""):
        raise MarkdownProblem("the text " + BIDI_MESSAGE)
    walker = _Walker(text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n"))
    root = _Category(one_line(title or "") or UNTITLED_TRACK, 0, _Owner(0, 0, None, "normal"))
    open_categories, has_title = [root], title is not None
    for index, before in walker.top_level():
        walker.keep(open_categories[-1].owner, before)
        if index is None:
            break
        token = walker.tokens[index]
        if token.type != "heading_open":
            walker.collect(index, open_categories[-1].owner)
            continue
        level, heading = int(token.tag[1:]), one_line(walker.tokens[index + 1].content)
        if level == 1 and not has_title:
            root.title, has_title = heading or UNTITLED_TRACK, True
            del open_categories[1:]
            continue
        while open_categories[-1].level >= level:
            open_categories.pop()
        open_categories.append(open_categories[-1].child(heading or UNTITLED, level))
    track = place_path(TrackDraft(root.draft()))
    if not track.root.all_items():
        raise MarkdownProblem(
            "the document has no task-list items (lines like '- [ ] Learn X'); "
            "expected at least one"
        )
    return track


@dataclass
class _Owner:
    """Where blocks land while walking: a category (depth 0) or a task item (depth >= 1)."""

    depth: int
    indent: int  # columns of list indentation to strip from the source of nested blocks
    horizon: Horizon | None
    priority: Priority
    path: bool = False  # a path section: its list items are entries, checkbox or not
    text: list[str] = field(default_factory=list)  # category notes or item description
    quotes: list[str] = field(default_factory=list)  # item notes
    items: list[ItemDraft] = field(default_factory=list)


@dataclass
class _Category:
    title: str
    level: int
    owner: _Owner
    children: list[_Category] = field(default_factory=list)

    def child(self, title: str, level: int) -> _Category:
        """A sub-category; horizon and "critical" come from the nearest heading that names one.
        One whose own heading names a horizon is a path section."""
        own_horizon = horizon_for_heading(title)
        horizon = own_horizon or self.owner.horizon
        priority: Priority = "critical" if is_critical_heading(title) else self.owner.priority
        owner = _Owner(0, 0, horizon, priority, path=own_horizon is not None)
        self.children.append(_Category(title, level, owner))
        return self.children[-1]

    def draft(self) -> CategoryDraft:
        children = tuple(child.draft() for child in self.children)
        return CategoryDraft(
            self.title, "\n\n".join(self.owner.text), (*self.owner.items,), children
        )


class _Task(NamedTuple):
    state: ItemState
    title: str
    description: str
    ref: str | None


def item_ref(content: str) -> tuple[str, str | None]:
    """An item's paragraph without the id export wrote at the end of its first line, and the id."""
    found = _REF.search(content.split("\n", 1)[0])
    if found is None:
        return content, None
    return content[: found.start()] + content[found.end() :], found[1]


def ref_comment(ref: str) -> str:
    """How export writes an item's id: a comment after its first line, which shows nothing."""
    return f"<!-- qp:item {ref} -->"


class _Walker:
    """One document's block tokens and source lines, turned into items and kept texts."""

    def __init__(self, source: str, *, repair: bool = True) -> None:
        self.repair = repair  # off while checking a repair, which must not recurse
        self.tokens = markdown_parser().parse(source)
        self.end = _closing_indexes(self.tokens)
        code: set[int] = set()  # lines whose tabs are content: in fences, in top-level code
        for token in self.tokens:
            if token.level >= MAX_NESTING - 1:
                where = f"line {token.map[0] + 1}: " if token.map else ""
                raise MarkdownProblem(
                    f"{where}lists and quotes nest too deep to read safely; "
                    f"expected fewer than {MAX_NESTING // 2} levels"
                )
            top_code = token.type == "code_block" and token.level == 0
            if token.map and (token.type == "fence" or top_code):
                code.update(range(token.map[0] + (token.type == "fence"), token.map[1]))
        lines = enumerate(source.split("\n"))
        self.lines = [line if n in code else _expand_marker_tabs(line) for n, line in lines]

    def blocks(self, start: int, stop: int) -> Iterator[int]:
        """Indexes of the blocks directly inside tokens[start:stop]."""
        while start < stop:
            yield start
            start = self.end[start] + 1

    def collect(self, index: int, owner: _Owner) -> None:
        token = self.tokens[index]
        if token.type in _LISTS:
            self.keep(owner, self.list_text(index, owner))
        elif token.type == "blockquote_open" and owner.depth:
            notes = trim([_unquote(line) for line in self.source_lines(token, owner.indent)])
            owner.quotes += [notes] if notes else []
        elif token.type != "hr" or owner.depth:
            self.keep(owner, self.block_text(token, owner))

    def top_level(self) -> Iterator[tuple[int | None, str]]:
        """(index, source before it) of each top-level block, then (None, source after the last
        block). No block holds that source, but it is not all blank: link reference definitions
        make no token."""
        covered = 0
        for index in self.blocks(0, len(self.tokens)):
            yield index, trim(self.lines[covered : self.map(index)[0]])
            covered = self.map(index)[1]
        yield None, trim(self.lines[covered:])

    def keep(self, owner: _Owner, text: str) -> None:
        """Keep `text` after the owner's other texts. Export writes them a blank line apart, where
        an indented block after a list would join its last item: a comment keeps them apart."""
        if not text:
            return
        indented = self.repair and owner.text and text[0] in " \t"
        if indented and not _reads_as([owner.text[-1], text], owner.depth, owner.path):
            owner.text.append(_SEPARATOR)
        owner.text.append(text)

    def list_text(self, index: int, owner: _Owner) -> str:
        """A list's source without its task items, which become the owner's items. Should that
        read differently (a task item appearing, a fence left open), the first lines of its
        plain items as a list; should even that, nothing."""
        taken = self.take_tasks(index, owner)
        text = trim(self.source_lines(self.tokens[index], owner.indent, taken))
        if not taken or not self.repair:
            return text
        candidates = (text, "\n".join(self.plain_lines(index, owner.path)))
        return next((c for c in candidates if c and _reads_as([c], owner.depth, owner.path)), "")

    def plain_lines(self, index: int, entries: bool, depth: int = 0) -> list[str]:
        """The first lines of a list's plain items (and of theirs), as a plain list."""
        lines: list[str] = []
        for item in self.blocks(index + 1, self.end[index]):
            if self.task(item, entries) is not None:
                continue
            own = self.tokens[item + 1].type == "paragraph_open"
            if own:
                lines.append(f"{'  ' * depth}- {one_line(self.tokens[item + 2].content)}")
            for child in self.lists(item):
                lines += self.plain_lines(child, entries, depth + own)
        return lines

    def lists(self, index: int) -> list[int]:
        children = self.blocks(index + 1, self.end[index])
        return [child for child in children if self.tokens[child].type in _LISTS]

    def block_text(self, token: Token, owner: _Owner) -> str:
        """A block's source. Import saw a fence or HTML block end with its container; left open,
        it would swallow what export writes after it, so a fence is rewritten closed and an HTML
        block gets the end it lacks. Export also moves an item's fence to another column, where a
        tab may turn a line of its code into the closing fence: such a fence outgrows its code."""
        text = trim(self.source_lines(token, owner.indent))
        if token.type not in ("fence", "html_block") or not self.repair:
            return text
        if token.type == "fence":
            moved_tab = owner.indent and "\t" in token.content
            if moved_tab or not _reads_as([text], owner.depth, owner.path):
                return _fence(token.markup, token.info.strip(), token.content)
            return text
        ended = (text, *(f"{text}\n{end}" for end in _HTML_ENDS))
        return next((t for t in ended if _reads_as([t], owner.depth, owner.path)), text)

    def take_tasks(self, index: int, owner: _Owner) -> set[int]:
        """Make the owner's items of a list's task items, and of those in its plain items (whose
        text stays with the list's source). Returns the lines the task items took."""
        taken: set[int] = set()
        for item in self.blocks(index + 1, self.end[index]):
            task = self.task(item, owner.path)
            if task is not None:
                owner.items.append(self.item(item, task, owner))
                taken.update(range(*self.map(item)))
            else:
                for child in self.lists(item):
                    taken |= self.take_tasks(child, owner)
        return taken

    def task(self, index: int, entry: bool = False) -> _Task | None:
        """State, title, description and id if the list item at `index` is a task item, or, with
        `entry` (in a path section), any list item that starts with a paragraph (to do)."""
        if self.tokens[index + 1].type != "paragraph_open":
            return None
        content, ref = item_ref(self.tokens[index + 2].content)
        match = _TASK.match(content)
        if match is None and not entry:
            return None
        title, description = split_item_text(content[match.end() :] if match else content)
        state = _STATE_OF[match[1]] if match else "todo"
        return _Task(state, title, description, ref) if title else None

    def item(self, index: int, task: _Task, parent: _Owner) -> ItemDraft:
        line = self.map(index)[0]
        if parent.depth == MAX_ITEM_DEPTH:
            raise MarkdownProblem(
                f"line {line + 1}: task items nest more than {MAX_ITEM_DEPTH} levels deep; "
                "expected this one at a shallower level"
            )
        text_below = self.map(index + 1)[0] != line
        first = self.tokens[index + 2].content.split("\n")[0]
        column = _content_column(self.lines[line], text_below, _TASK.match(first) is None, first)
        owner = _Owner(parent.depth + 1, column, parent.horizon, parent.priority)
        for child in self.blocks(self.end[index + 1] + 1, self.end[index]):
            self.collect(child, owner)
        state, title, description, ref = task
        title, description, resources = item_parts(
            title, "\n\n".join(text for text in (description, *owner.text) if text)
        )
        return ItemDraft(
            title=title,
            description=description,
            resources=resources,
            notes="\n\n".join(owner.quotes),
            state=state,
            priority=owner.priority,
            horizon=owner.horizon,
            children=tuple(owner.items),
            ref=ref,
        )

    def source_lines(self, token: Token, indent: int, skip: set[int] | None = None) -> list[str]:
        """A block's source lines less `indent` columns, without the lines in `skip`."""
        start, stop = token.map or (0, 0)
        numbers = (n for n in range(start, stop) if not skip or n not in skip)
        return [_dedent(self.lines[n], indent) for n in numbers]

    def map(self, index: int) -> tuple[int, int]:
        start, stop = self.tokens[index].map or (0, 0)
        return start, stop


def _reads_as(texts: list[str], depth: int, path: bool = False) -> bool:
    """Whether import reads kept texts, written a blank line apart and followed by more Markdown,
    back as the same texts: none joins or splits, stays open, or holds a task item (or, in a
    category, a heading)."""
    owner = _Owner(depth, 0, None, "normal", path=path)
    try:
        walker = _Walker("\n\n".join([*texts, _SENTINEL]), repair=False)
        for index, before in walker.top_level():
            walker.keep(owner, before)
            if index is not None:
                walker.collect(index, owner)
    except MarkdownProblem:  # a task item appeared, too deep
        return False
    if depth == 0 and any(t.type == "heading_open" and not t.level for t in walker.tokens):
        return False
    return not owner.items and not owner.quotes and owner.text == [*texts, _SENTINEL]


def _closing_indexes(tokens: Sequence[Token]) -> list[int]:
    """For each token, the index of the token that closes it (itself for a leaf block)."""
    end, opened = list(range(len(tokens))), []
    for index, token in enumerate(tokens):
        if token.nesting == 1:
            opened.append(index)
        elif token.nesting == -1:
            end[opened.pop()] = index
    return end


def split_item_text(text: str) -> tuple[str, str]:
    """(title, description) of the text after a task marker: `**Name**: rest` splits, a text that
    is one bold span is its title, anything else is all title. The title is one line; the
    description keeps the paragraph's later lines."""
    opener = text[:2]
    if opener in ("**", "__"):
        ends = _LABEL_END.finditer(text, 0, _BOLD_LIMIT)
        for match in islice((end for end in ends if end[1] == opener), _LABEL_TRIES):
            label = one_line(text[2 : match.start()])
            if label and _is_one_strong_span(text[: match.start() + 2]):
                rest = text[match.end() :].split("\n")
                return label, "\n".join(line.lstrip() for line in rest).strip()
        if len(text) <= _BOLD_LIMIT and one_line(text[2:-2]) and _is_one_strong_span(text):
            return one_line(text[2:-2]), ""
    return one_line(text), ""


def _is_one_strong_span(text: str) -> bool:
    markdown, tokens = markdown_parser(), list[Token]()
    markdown.inline.parse(text, markdown, {}, tokens)
    tokens = [token for token in tokens if token.type != "text" or token.content]
    return (
        len(tokens) >= 2
        and (tokens[0].type, tokens[-1].type) == ("strong_open", "strong_close")
        and all(token.level > 0 for token in tokens[1:-1])
    )


def one_line(text: str) -> str:
    return " ".join(line.strip() for line in re.split(r"\r\n?|\n", text)).strip()


def _content_column(line: str, text_below: bool, plain: bool = False, first: str = "") -> int:
    """Where a task item's content starts on the line of its marker (which may follow markers of
    plain items opened on the same line): at its `[x]`, or past its marker if its text is below.
    A path entry without a checkbox starts where its text `first` does."""
    if text_below:
        return _width(line.rstrip(" \t")) + 1
    if plain:
        text = line.rstrip(" \t")
        return _width(text[: len(text) - len(first)])
    return _width(line[: line.index("[")])


def _width(text: str) -> int:
    """Columns `text` takes at the start of a line: tab stops are 4."""
    column = 0
    for char in text:
        column += 4 - column % 4 if char == "\t" else 1
    return column


def _dedent(line: str, columns: int) -> str:
    """`line` less `columns` columns of indentation; a tab cut in two leaves spaces. A line with
    less indentation is a lazy continuation line: it gets 4 spaces, which keep it from starting
    a block (a list, say) wherever export writes it."""
    column = 0
    for index, char in enumerate(line):
        if column >= columns:
            return line[index:]
        if char not in " \t":
            return f"    {line[index:]}"
        after = column + 4 - column % 4 if char == "\t" else column + 1
        if after > columns:
            return " " * (after - columns) + line[index + 1 :]
        column = after
    return ""


def _expand_marker_tabs(line: str) -> str:
    """`line` with tabs among its leading indentation and list or quote markers as spaces, which
    CommonMark reads the same way: kept texts move to other columns on export, where a tab would
    be another width."""
    end = len(_MARKERS.match(line)[0])  # type: ignore[index]
    if "\t" not in line[:end]:
        return line
    parts, column = [], 0
    for char in line[:end]:
        parts.append(" " * (4 - column % 4) if char == "\t" else char)
        column += len(parts[-1])
    return "".join(parts) + line[end:]


def _unquote(line: str) -> str:
    """A blockquote line without its `>` marker; lazy continuation lines have none."""
    stripped = line.lstrip(" ")
    if len(line) - len(stripped) > 3 or not stripped.startswith(">"):
        return line
    return stripped[2:] if stripped.startswith("> ") else stripped[1:]


def trim(lines: list[str]) -> str:
    """The lines joined, without blank lines at either end (blank as CommonMark sees it)."""
    start, stop = 0, len(lines)
    while start < stop and not lines[start].strip(" \t"):
        start += 1
    while stop > start and not lines[stop - 1].strip(" \t"):
        stop -= 1
    return "\n".join(lines[start:stop])


def _fence(markup: str, info: str, code: str) -> str:
    """Code as a fenced block, the fence longer than any run of its character in the code."""
    runs = re.findall(re.escape(markup[0]) + "+", code)
    fence = markup[0] * max(3, len(markup), 1 + max(map(len, runs), default=0))
    return f"{fence} {info}\n{code}{fence}" if info else f"{fence}\n{code}{fence}"
