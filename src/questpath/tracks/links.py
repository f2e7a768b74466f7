"""Links that are an item's resources rather than its text, with no I/O.

Study checklists write an item as a link (`- [ ] [Asymptotic Notation (video)](https://…)`) and
list links under an item (`- [Section 1](https://…)`). A title should read as text and a link
should stay a link, so import takes them apart:

- every inline link in a title, `[text](url)` (not an image, not escaped, not in a code span),
  becomes its text in the title and a resource (text, url) of the item;
- every list in the description whose items are each exactly one such link becomes resources,
  and leaves the description.

A link with a title attribute (`[a](u "t")`), a reference link and an autolink stay text.
Export writes the first resource back as the title's link when its text is the title, and the
others as a list of links below the item, which import reads back as the same resources.
"""

from __future__ import annotations

import re
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from questpath.tracks.drafts import Resource

# A destination as CommonMark writes it: <anything but <>\n>, or no spaces, parentheses balanced
# one level deep (Wikipedia's `Big_O_(notation)`).
_BARE_URL = r"(?:[^\s()<>\\]|\([^\s()<>\\]*\))+"
_LINK = re.compile(
    r"(?<![\\!\]])\[(?P<text>[^\[\]\n\\]*[^\[\]\s\\][^\[\]\n\\]*)\]"
    rf"\((?:<(?P<angled>[^<>\n\\]+)>|(?P<bare>{_BARE_URL}))\)"
)
_CODE_SPAN = re.compile(r"(`+).+?(?<!`)\1(?!`)", re.DOTALL)
_LISTS = ("bullet_list_open", "ordered_list_open")


def _code_spans(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in _CODE_SPAN.finditer(text)]


def title_links(title: str) -> tuple[str, tuple[Resource, ...]]:
    """The title with each link replaced by its text, and the links as resources. A link that
    starts inside a code span is code. A title that would be left blank stays as it is."""
    found: list[Resource] = []
    spans = _code_spans(title)

    def text_of(match: re.Match[str]) -> str:
        if any(start <= match.start() < end for start, end in spans):
            return match[0]
        text = " ".join(match["text"].split())
        found.append(Resource(text, match["angled"] or match["bare"]))
        return text

    plain = " ".join(_LINK.sub(text_of, title).split())
    return (plain, tuple(found)) if plain else (title, ())


def only_link(text: str) -> Resource | None:
    """The resource when `text` is exactly one link and nothing else."""
    match = _LINK.fullmatch(text.strip())
    if match is None:
        return None
    return Resource(" ".join(match["text"].split()), match["angled"] or match["bare"])


def description_links(description: str) -> tuple[str, tuple[Resource, ...]]:
    """The description without its lists of links, and those links as resources."""
    found: list[Resource] = []
    while description:
        tokens = _parser().parse(description)
        lines = description.split("\n")
        cut: list[tuple[int, int]] = []
        index = 0
        while index < len(tokens):
            token, end = tokens[index], _closing(tokens, index)
            if token.type in _LISTS and token.map is not None:
                links = _list_links(tokens[index : end + 1])
                if links is not None:
                    found += links
                    cut.append((token.map[0], token.map[1]))
            index = end + 1
        if not cut:
            break
        segments, start = [], 0
        for begin, stop in cut:
            segments.append(_trim(lines[start:begin]))
            start = stop
        segments.append(_trim(lines[start:]))
        description = "\n\n".join(segment for segment in segments if segment)
    return description, tuple(found)


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").disable(["inline", "text_join"])


def _trim(lines: list[str]) -> str:
    """The lines joined, without blank lines at either end."""
    kept = list(lines)
    while kept and not kept[0].strip(" \t"):
        kept.pop(0)
    while kept and not kept[-1].strip(" \t"):
        kept.pop()
    return "\n".join(kept)


def _closing(tokens: list[Token], index: int) -> int:
    depth = 0
    for at in range(index, len(tokens)):
        depth += tokens[at].nesting
        if depth <= 0:
            return at
    return len(tokens) - 1


def _list_links(tokens: list[Token]) -> list[Resource] | None:
    """The links of a list whose every item is one paragraph holding one link, else None."""
    links: list[Resource] = []
    index = 1
    while index < len(tokens) - 1:
        end = _closing(tokens, index)
        inside = [token.type for token in tokens[index + 1 : end]]
        if inside != ["paragraph_open", "inline", "paragraph_close"]:
            return None
        link = only_link(tokens[index + 2].content)
        if link is None:
            return None
        links.append(link)
        index = end + 1
    return links or None


def item_parts(title: str, description: str) -> tuple[str, str, tuple[Resource, ...]]:
    """(title, description, resources) of an item whose Markdown gave `title` and `description`."""
    plain, from_title = title_links(title)
    rest, from_description = description_links(description)
    return plain, rest, from_title + from_description


def link_markdown(resource: Resource) -> str:
    """The resource written as a Markdown link that `only_link` reads back."""
    bare = re.fullmatch(_BARE_URL, resource.url) is not None
    url = resource.url if bare else f"<{resource.url}>"
    return f"[{resource.title}]({url})"
