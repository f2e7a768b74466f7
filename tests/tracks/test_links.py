"""Links that are an item's resources: a link title, lists of links under an item.

The large fixture is written in the shape of the popular public study checklists (hundreds of
`- [ ] [Title (video)](url)` items in nested lists, lists of links, emoji, code spans); its
counts are computed here from its lines, never copied from the code.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from questpath.tracks.drafts import CategoryDraft, ItemDraft, Resource, TrackDraft
from questpath.tracks.links import description_links, link_markdown, only_link, title_links
from questpath.tracks.markdown import parse_track
from questpath.tracks.markdown_export import render_track

LINK_HEAVY = (Path(__file__).parent / "data" / "link_heavy_track.md").read_text(encoding="utf-8")
TASK_LINK_LINE = re.compile(r"^\s*[-*+] \[[ xX/-]\] \[([^\]]+)\]\((\S+)\)$")
LINK_LIST_LINE = re.compile(r"^\s*[-*+] \[([^\]]+)\]\((\S+)\)$")


def only_item(document: str) -> ItemDraft:
    items = parse_track(document).root.all_items()
    assert len(items) == 1
    return items[0]


def assert_round_trip(track: TrackDraft) -> None:
    assert parse_track(render_track(track)) == track


# Titles ----------------------------------------------------------------------------------------


def test_an_item_written_as_a_link_is_titled_by_its_text_and_keeps_the_url() -> None:
    item = only_item("- [ ] [Harvard CS50 - Asymptotic Notation (video)](https://y.be/iOq5kSKqeR4)")
    assert item.title == "Harvard CS50 - Asymptotic Notation (video)"
    assert item.resources == (Resource(item.title, "https://y.be/iOq5kSKqeR4"),)


def test_links_inside_a_title_become_text_and_resources_in_order() -> None:
    item = only_item(
        "- [ ] Read [Big O](https://en.wikipedia.org/wiki/Big_O_(notation)) and "
        "[the cheat sheet](<https://example.com/a sheet>) 🚀"
    )
    assert item.title == "Read Big O and the cheat sheet 🚀"
    assert item.resources == (
        Resource("Big O", "https://en.wikipedia.org/wiki/Big_O_(notation)"),
        Resource("the cheat sheet", "https://example.com/a sheet"),
    )


@pytest.mark.parametrize(
    "title",
    [
        "![diagram](https://example.com/d.png)",
        "\\[escaped](https://example.com)",
        "`[in a code span](https://example.com)`",
        '[with a title](https://example.com "Title")',
        "[reference][ref]",
        "<https://example.com/autolink>",
        "[](https://example.com)",
    ],
)
def test_images_escapes_code_spans_and_other_link_forms_stay_in_the_title(title: str) -> None:
    assert title_links(title) == (title, ())


def test_a_label_made_of_a_link_is_titled_by_its_text() -> None:
    item = only_item("- [ ] **[Tries](https://example.com/tries)**: prefix trees")
    assert (item.title, item.description) == ("Tries", "prefix trees")
    assert item.resources == (Resource("Tries", "https://example.com/tries"),)


# Descriptions ----------------------------------------------------------------------------------


def test_a_list_of_links_under_an_item_becomes_its_resources() -> None:
    item = only_item(
        "- [ ] **Big-O**: how running time grows\n"
        "    - [Computational Complexity: Section 1](https://www.topcoder.com/1)\n"
        "    - [Computational Complexity: Section 2](https://www.topcoder.com/2)\n"
    )
    assert (item.title, item.description) == ("Big-O", "how running time grows")
    assert [r.title for r in item.resources] == [
        "Computational Complexity: Section 1",
        "Computational Complexity: Section 2",
    ]


def test_only_lists_of_nothing_but_links_leave_the_description() -> None:
    text = (
        "Intro paragraph.\n\n- [a](https://a.example)\n- [b](https://b.example)\n\n"
        "* [c](https://c.example) and some words\n* plain\n\n1. [d](https://d.example)\n"
    )
    description, resources = description_links(text)
    assert [r.title for r in resources] == ["a", "b", "d"]
    assert description == ("Intro paragraph.\n\n* [c](https://c.example) and some words\n* plain")


def test_a_description_with_no_link_list_is_left_alone() -> None:
    text = "See [the docs](https://example.com) first.\n\n```\n- [x](y)\n```"
    assert description_links(text) == (text, ())


@pytest.mark.parametrize(
    "url",
    ["https://example.com/a_(b)", "https://example.com/a b", "javascript:alert(1)", "mailto:x@y"],
)
def test_a_resource_written_as_markdown_reads_back_the_same(url: str) -> None:
    resource = Resource("A title", url)
    assert only_link(link_markdown(resource)) == resource


# The realistic fixture -------------------------------------------------------------------------


def test_the_link_heavy_checklist_has_plain_titles_and_keeps_every_link() -> None:
    track = parse_track(LINK_HEAVY)
    items = track.root.all_items()
    lines = LINK_HEAVY.splitlines()
    task_links = [m for line in lines if (m := TASK_LINK_LINE.match(line))]
    assert len(items) == sum(bool(re.match(r"^\s*[-*+] \[[ xX/-]\] ", line)) for line in lines)
    assert len(items) > 300
    assert all("](" not in item.title and "http" not in item.title for item in items)
    resources = {(r.title, r.url) for item in items for r in item.resources}
    assert {(m[1], m[2]) for m in task_links} <= resources
    titles = {item.title for item in items}
    assert {m[1] for m in task_links} <= titles


def test_the_link_heavy_checklist_keeps_the_link_lists_under_its_items() -> None:
    items = parse_track(LINK_HEAVY).root.all_items()
    listed = {
        (m[1], m[2])
        for line in LINK_HEAVY.splitlines()
        if (m := LINK_LIST_LINE.match(line)) and line.startswith("  ") and m[2].startswith("http")
    }
    resources = {(r.title, r.url) for item in items for r in item.resources}
    # Links under "Further reading:" belong to a plain item, so they stay its text; the table
    # of contents (links to "#anchors") is the notes of its category.
    in_text = {pair for pair in listed if any(pair[1] in item.description for item in items)}
    assert listed - in_text <= resources
    assert listed - in_text


def test_the_link_heavy_checklist_survives_a_round_trip() -> None:
    assert_round_trip(parse_track(LINK_HEAVY))


# Generated checklists --------------------------------------------------------------------------

WORD = st.text(string.ascii_letters + string.digits, min_size=1, max_size=9)
DECOR = st.sampled_from(["", "", "🎥 ", "📚 ", "`O(n)` ", "C++ ", "(video) ", "- ", "& "])
TEXT = st.lists(st.tuples(DECOR, WORD), min_size=1, max_size=6).map(
    lambda parts: " ".join(decor + word for decor, word in parts)
)
URL = st.tuples(
    st.sampled_from(
        ["https://www.youtube.com/watch?v=", "https://en.wikipedia.org/wiki/", "http://a.example/"]
    ),
    WORD,
    st.sampled_from(["", "_(data_structure)", "?list=PL1&t=3", "#part"]),
).map("".join)
KIND = st.sampled_from(["(video)", "(article)", "(book)", "(playlist)", ""])


@st.composite
def checklist(draw: st.DrawFn) -> tuple[str, list[tuple[str, list[tuple[str, str]]]]]:
    """A checklist document and, for each item in order, the title and links it should get."""
    lines, expected = ["# Generated checklist", ""], []

    def add_items(indent: str, depth: int) -> None:
        for _ in range(draw(st.integers(1, 4 if depth else 6))):
            text, url = draw(TEXT), draw(URL)
            as_link = draw(st.booleans())
            title = f"{text} {draw(KIND)}".strip()
            links = [(title, url)] if as_link else []
            lines.append(f"{indent}- [ ] [{title}]({url})" if as_link else f"{indent}- [ ] {title}")
            expected.append((title, links))
            listed = draw(st.lists(st.tuples(TEXT, URL), max_size=3))
            for link_title, link_url in listed:
                lines.append(f"{indent}    - [{link_title}]({link_url})")
            links += listed
            if depth < 2 and draw(st.booleans()):
                add_items(indent + "    ", depth + 1)

    for _ in range(draw(st.integers(1, 3))):
        lines += [f"## {draw(TEXT)}", ""]
        add_items("", 0)
        lines.append("")
    return "\n".join(lines), expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(checklist())
def test_generated_checklists_give_plain_titles_and_every_link_as_a_resource(
    case: tuple[str, list[tuple[str, list[tuple[str, str]]]]],
) -> None:
    document, expected = case
    track = parse_track(document)
    got = [
        (item.title, [(r.title, r.url) for r in item.resources]) for item in track.root.all_items()
    ]
    assert got == expected
    assert_round_trip(track)


RESOURCE = st.builds(Resource, TEXT, URL)


@settings(max_examples=60, deadline=None)
@given(TEXT, st.sampled_from(["", "a concept, explained", "Two lines\nof text"]), st.data())
def test_export_then_import_keeps_titles_and_resources(
    title: str, description: str, data: st.DataObject
) -> None:
    resources = data.draw(st.lists(RESOURCE, max_size=4))
    if resources and data.draw(st.booleans()):
        resources[0] = Resource(title, resources[0].url)  # an item written as a link
    item = ItemDraft(title, description, resources=tuple(resources))
    assert_round_trip(TrackDraft(CategoryDraft("T", items=(item,))))
