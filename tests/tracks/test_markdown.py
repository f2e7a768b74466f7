"""Markdown import and export of tracks, against the import rules of the tracks spec.

Counts in the seed track are computed here from its lines (headings, fences, checkboxes), never
copied from the code; round trips check `parse_track(render_track(d)) == d` for every document
here and for generated drafts.
"""

from __future__ import annotations

import re
import string
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from questpath.tracks.drafts import CategoryDraft, Horizon, ItemDraft, PathPlace, TrackDraft
from questpath.tracks.markdown import (
    MAX_ITEM_DEPTH,
    MarkdownProblem,
    parse_track,
)
from questpath.tracks.markdown_export import render_track
from questpath.tracks.path_sections import place_path
from questpath.tracks.rules import horizon_for_heading, is_critical_heading, path_key

SEED = (Path(__file__).parent / "data" / "learning_track.md").read_text(encoding="utf-8")


def categories(track: TrackDraft) -> Iterator[tuple[tuple[str, ...], CategoryDraft]]:
    """Every category with its path of titles from the track title down, in document order."""

    def walk(
        path: tuple[str, ...], category: CategoryDraft
    ) -> Iterator[tuple[tuple[str, ...], CategoryDraft]]:
        yield path, category
        for child in category.children:
            yield from walk((*path, child.title), child)

    yield from walk((track.title,), track.root)


def category(track: TrackDraft, title: str) -> CategoryDraft:
    found = [c for _, c in categories(track) if c.title == title]
    assert len(found) == 1, f"{len(found)} categories titled {title!r}"
    return found[0]


def items_below(items: tuple[ItemDraft, ...]) -> list[ItemDraft]:
    return [found for item in items for found in (item, *items_below(item.children))]


def assert_round_trip(track: TrackDraft) -> None:
    exported = render_track(track)
    assert exported.endswith("\n")
    assert not exported.endswith("\n\n")
    assert parse_track(exported) == track


# The seed track --------------------------------------------------------------------------------

HEADING_LINE = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*$")
FENCE_LINE = re.compile(r"^ {0,3}(```|~~~)")
CHECKBOX_LINE = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+\[([ xX])\][ \t]")


def checkboxes_by_heading(text: str) -> dict[tuple[str, ...], list[str]]:
    """Checkbox states under each heading path, read line by line: an oracle independent of the
    parser, good enough for a document without lazy lines or indented code."""
    found: defaultdict[tuple[str, ...], list[str]] = defaultdict(list)
    path: list[tuple[int, str]] = []
    in_fence = False
    for line in text.splitlines():
        if FENCE_LINE.match(line):
            in_fence = not in_fence
        elif in_fence:
            continue
        elif heading := HEADING_LINE.match(line):
            while path and path[-1][0] >= len(heading[1]):
                path.pop()
            path.append((len(heading[1]), heading[2]))
        elif box := CHECKBOX_LINE.match(line):
            found[tuple(title for _, title in path)].append("todo" if box[1] == " " else "done")
    return dict(found)


def test_every_seed_checkbox_lands_in_its_category_with_its_state() -> None:
    expected = checkboxes_by_heading(SEED)
    parsed = {
        path: [item.state for item in items_below(c.items)]
        for path, c in categories(parse_track(SEED))
        if c.items and horizon_for_heading(path[-1]) is None  # path sections: below
    }
    assert parsed == expected
    assert sum(map(len, parsed.values())) == SEED.count("[ ]") + SEED.count("[x]")


def test_seed_title_comes_from_its_h1_and_the_purpose_paragraph_is_the_description() -> None:
    track = parse_track(SEED)
    assert track.title == "Learning Track"
    assert track.description.startswith("**Purpose**: Track items to study and learn")
    assert "**Source**: `shared_documentation/training/DEV_ENVIRONMENT_ASSESSMENT.md`" in (
        track.description
    )
    assert "---" not in track.description
    assert track.root.items == ()


def test_seed_bold_label_splits_title_from_description() -> None:
    unknowns = parse_track(SEED).root.children[0].children[1]
    assert unknowns.title == "Unknown Unknowns"
    assert unknowns.items[0].title == "API Documentation"
    assert unknowns.items[0].description == "OpenAPI/Swagger specs for REST APIs"


def test_seed_titles_keep_their_inline_code() -> None:
    titles = [item.title for item in parse_track(SEED).root.all_items()]
    assert "`pip-tools` for dependency resolution" in titles
    assert "`pyenv` for Python version management" in titles


def test_seed_critical_items_are_critical_and_keep_their_bullets_as_description() -> None:
    track = parse_track(SEED)
    critical = category(track, "Critical Unknown Unknowns (High Priority)")
    assert len(critical.items) == 10
    assert {item.priority for item in critical.items} == {"critical"}
    first = critical.items[0]
    assert first.title == "Continuous Integration/Continuous Deployment (CI/CD)"
    assert first.description.splitlines() == [
        "- Automated testing, building, and deployment",
        "- Impact: Manual processes are error-prone and don't scale",
        "- Action: Set up GitHub Actions or GitLab CI",
    ]
    elsewhere = [i for i in track.root.all_items() if i not in critical.items]
    assert {item.priority for item in elsewhere} == {"normal"}


PATH_ENTRY_LINE = re.compile(r"^\d+\.[ \t]+(.*?)[ \t]*$")


def seed_path_entries() -> list[tuple[str, str]]:
    """(entry text, section heading) of each numbered line under "## Learning Path", read line by
    line."""
    section, found, heading = "", [], ""
    for line in SEED.splitlines():
        if line.startswith("## "):
            section = line[3:]
        elif line.startswith("### "):
            heading = line[4:]
        elif section == "Learning Path" and (entry := PATH_ENTRY_LINE.match(line)):
            found.append((entry[1], heading))
    return found


def path_of(track: TrackDraft) -> list[ItemDraft]:
    on_path = [item for item in track.root.all_items() if item.path is not None]
    return sorted(on_path, key=lambda item: item.path.position if item.path else -1)


def test_seed_learning_path_gives_its_entries_in_order_with_their_horizons() -> None:
    track = parse_track(SEED)
    entries, path = seed_path_entries(), path_of(track)
    assert len(entries) == 15
    assert [item.horizon for item in path] == [horizon_for_heading(h) for _, h in entries]
    assert [p.path.position for p in path if p.path] == list(range(15))
    assert [path_key(item.title) for item in path] == [path_key(text) for text, _ in entries]
    assert {item.state for item in path} == {"todo"}
    immediate = category(track, "Immediate (This Month)")
    assert immediate.notes == ""


def test_seed_path_entries_that_name_an_item_elsewhere_are_that_item() -> None:
    track = parse_track(SEED)
    sections = {category(track, h) for _, h in seed_path_entries()}
    own = {id(item) for section in sections for item in section.items}
    linked = {item.title: item for item in path_of(track) if id(item) not in own}
    # Named in the seed: an exact title, a title with parentheses, and two bold names.
    assert set(linked) == {
        "Pre-commit hooks setup",
        "Git fundamentals (branches, commits, merges)",
        "Structured logging",
        "API Documentation",
    }
    assert linked["API Documentation"].description == "OpenAPI/Swagger specs for REST APIs"
    assert linked["Structured logging"].description == "No structured logging (JSON format)"
    assert len(track.root.all_items()) == SEED.count("[ ]") + len(seed_path_entries()) - 4


def test_seed_survives_a_round_trip() -> None:
    assert_round_trip(parse_track(SEED))


# Adversarial documents -------------------------------------------------------------------------


def nested_tasks(depth: int) -> str:
    return "".join(f"{'  ' * level}- [ ] level {level + 1}\n" for level in range(depth))


ADVERSARIAL = {
    "code_blocks": (
        "# Code\n\n- [ ] real item\n\n```md\n- [ ] fenced with backticks\n```\n\n"
        "~~~\n- [x] fenced with tildes\n~~~\n\n## Indented\n\n    - [ ] indented code\n"
    ),
    "headings_1_to_6": "".join(f"{'#' * n} H{n}\n\n- [ ] under h{n}\n\n" for n in range(1, 7)),
    "tasks_at_max_depth": nested_tasks(MAX_ITEM_DEPTH),
    "crlf": "# Title\r\n\r\n## Part\r\n- [ ] one\r\n- [x] two\r\n  > my note\r\n",
    "cr": "# Title\r\r## Part\r- [ ] one\r- [x] two\r  more text\r",
    "emoji": (
        "# 🚀 Launch\n\n## 🧪 Tests ✅\n\n- [ ] 🐍 learn Python 🎉\n- [x] **🔥 Hot**: 💡 ideas\n"
    ),
    "empty_headings": "# \n\n## \n\n- [ ] a\n\n###\n\n- [ ] b\n",
    "list_markers": "* [ ] star\n\n+ [x] plus\n\n1. [ ] one dot\n\n1) [X] one paren\n",
    "states": "- [ ] todo\n- [x] done\n- [X] done too\n- [/] started\n- [-] skipped\n",
    "tabs": "-\t[ ]\tTab title\n\t- [x]\tnested with tab\n\n\t  ```\n\t  code\n\t  ```\n",
    "bom": "\ufeff# With BOM\n\n- [ ] a\n",
    "plain_item_holding_tasks": (
        "## Plan\n\n- Week 1\n  - [ ] read\n  - [x] write\n- Week 2 is for rest\n"
    ),
    "nested_content": (
        "## Study\n\n- [ ] **Parent**: the gist\n\n  Longer explanation with a [link](https://x.y).\n\n"
        "  - a plain bullet\n  - [x] a child\n    - [ ] a grandchild\n\n"
        "  ```python\n  print('- [ ] not an item')\n  ```\n\n  > my own note\n  > on two lines\n"
    ),
    "lazy_continuation": (
        "- [ ] a long title that\nwraps onto a second line\n"
        "- [ ] **Label**: first line\n  second line\n"
    ),
    "unclosed_fence": "## A\n\n- [ ] before the fence\n\n```\n- [ ] inside\n",
    "setext_headings": "Title\n=====\n\nSection\n-------\n- [ ] a\n",
    "html_block": "<div>\n- [ ] swallowed by html\n</div>\n\n- [ ] outside\n",
    "escapes_and_bold": (
        "- [ ] \\**not bold**: x\n- [ ] ****nested****\n- [ ] **a** and **b**: c\n"
        "- [ ] __Under__: score\n- [ ] **Bold alone**\n"
    ),
    "quote_at_category_level": "## Q\n\n> - [ ] quoted, so notes\n\n- [ ] real\n\n---\n\ntail\n",
    "many_items": "".join(f"- [ ] item {n}\n" for n in range(2000)),
    "code_after_a_list": "## A\n\n- plain\n\n---\n\n    - [ ] code, not a task\n\n- [ ] real\n",
    "unclosed_html_comment": "- [ ] before\n\n<!-- never closed\n- [ ] inside the comment\n",
    "markers_on_one_line": "- - [ ] nested on the marker line\n  - plain\n1. - [x] ordered too\n",
    "lazy_line_in_an_item": (
        "1. [ ] a\n   -    [ ] b\n\n        para\n       - [ ] lazy, not an item\n"
    ),
    "label_then_list_like_line": "- [ ] **Label**: text\n    - [ ] stays text\n",
    "reference_definitions": (
        "# T\n\nSee [docs][d].\n\n[d]: https://example.com\n\n"
        "- [ ] read [the guide][d]\n\n[e]: /e\n"
    ),
    "tabs_after_markers": "-\t[ ] a\n\n\t```\n\t\tcode with a tab\n\t```\n\t-\tplain\n",
}


@pytest.mark.parametrize("name", ADVERSARIAL)
def test_adversarial_documents_survive_a_round_trip(name: str) -> None:
    assert_round_trip(parse_track(ADVERSARIAL[name]))


def test_checkboxes_in_code_blocks_are_never_items() -> None:
    track = parse_track(ADVERSARIAL["code_blocks"])
    assert [item.title for item in track.root.all_items()] == ["real item"]
    assert "- [x] fenced with tildes" in track.description
    assert category(track, "Indented").notes == "    - [ ] indented code"


def test_headings_of_every_level_nest_under_the_previous_smaller_level() -> None:
    track = parse_track(ADVERSARIAL["headings_1_to_6"])
    assert track.title == "H1"
    assert [(path, [i.title for i in c.items]) for path, c in categories(track)] == [
        (("H1",), ["under h1"]),
        *[((*(f"H{m}" for m in range(1, n + 1)),), [f"under h{n}"]) for n in range(2, 7)],
    ]


def test_a_heading_nests_under_the_nearest_smaller_level_not_the_previous_heading() -> None:
    track = parse_track("# T\n### Deep\n- [ ] a\n## Mid\n- [ ] b\n### Under mid\n- [ ] c\n")
    assert [path for path, _ in categories(track)] == [
        ("T",),
        ("T", "Deep"),
        ("T", "Mid"),
        ("T", "Mid", "Under mid"),
    ]


def test_task_lists_nest_as_children_up_to_the_maximum_depth() -> None:
    item = parse_track(ADVERSARIAL["tasks_at_max_depth"]).root.items[0]
    titles = []
    while True:
        titles.append(item.title)
        if not item.children:
            break
        (item,) = item.children
    assert titles == [f"level {n}" for n in range(1, MAX_ITEM_DEPTH + 1)]


def test_task_lists_nested_beyond_the_maximum_are_refused_naming_the_line() -> None:
    with pytest.raises(MarkdownProblem, match=f"line {MAX_ITEM_DEPTH + 1}") as problem:
        parse_track(nested_tasks(MAX_ITEM_DEPTH + 1))
    assert str(MAX_ITEM_DEPTH) in problem.value.message


@pytest.mark.parametrize(
    "document",
    [
        "> " * 200 + "- [ ] buried in quotes\n",
        "".join(f"{'  ' * n}- level {n}\n" for n in range(200)) + "  " * 200 + "- [ ] deep\n",
        "- [ ] top\n" + "".join(f"{'  ' * n}- > x\n" for n in range(1, 200)),
    ],
    ids=["quotes", "plain_lists", "lists_and_quotes"],
)
def test_two_hundred_levels_of_nesting_are_refused_not_silently_cut(document: str) -> None:
    with pytest.raises(MarkdownProblem, match="nest"):
        parse_track(document)


@pytest.mark.parametrize("line_end", ["\r\n", "\r"])
def test_crlf_and_cr_line_ends_read_like_lf(line_end: str) -> None:
    lf = ADVERSARIAL["nested_content"] + "\n## Next\n\nA note\nover two lines\n\n- [ ] x\n"
    track = parse_track(lf.replace("\n", line_end))
    assert track == parse_track(lf)
    texts = [text for _, c in categories(track) for text in (c.title, c.notes)]
    texts += [text for i in track.root.all_items() for text in (i.title, i.description, i.notes)]
    assert not any("\r" in text for text in texts)


def test_a_byte_order_mark_is_not_part_of_the_title() -> None:
    assert parse_track(ADVERSARIAL["bom"]).title == "With BOM"


def test_emoji_survive_in_titles_and_descriptions() -> None:
    track = parse_track(ADVERSARIAL["emoji"])
    assert track.title == "🚀 Launch"
    assert track.root.children[0].title == "🧪 Tests ✅"
    first, second = track.root.children[0].items
    assert first.title == "🐍 learn Python 🎉"
    assert (second.title, second.description, second.state) == ("🔥 Hot", "💡 ideas", "done")


def test_empty_headings_become_untitled_categories() -> None:
    track = parse_track(ADVERSARIAL["empty_headings"])
    assert track.title == "Untitled track"
    assert [path for path, _ in categories(track)] == [
        ("Untitled track",),
        ("Untitled track", "Untitled"),
        ("Untitled track", "Untitled", "Untitled"),
    ]


def test_a_document_without_a_title_heading_is_an_untitled_track() -> None:
    track = parse_track("Intro text.\n\n## Part\n\n- [ ] a\n")
    assert (track.title, track.description) == ("Untitled track", "Intro text.")


def test_every_list_marker_makes_items() -> None:
    track = parse_track(ADVERSARIAL["list_markers"])
    assert [(i.title, i.state) for i in track.root.items] == [
        ("star", "todo"),
        ("plus", "done"),
        ("one dot", "todo"),
        ("one paren", "done"),
    ]


def test_checkbox_markers_give_states_including_the_extended_ones() -> None:
    track = parse_track(ADVERSARIAL["states"])
    assert [i.state for i in track.root.items] == ["todo", "done", "done", "in_progress", "skipped"]


@pytest.mark.parametrize("line", ["- [ ]", "- [ ]   ", "- [x]", "- [?] odd", "- [] no space"])
def test_a_marker_without_text_or_a_foreign_marker_is_not_an_item(line: str) -> None:
    track = parse_track(f"- [ ] real\n{line}\n")
    assert [i.title for i in track.root.items] == ["real"]
    assert track.description.rstrip() == line.rstrip()


@pytest.mark.parametrize(
    "document",
    [
        "",
        "# Only a title\n",
        "# Title\n\n## A\n\n### B\n\n#### C\n",
        "Just text.\n\n- a bullet\n- [not a box] x\n",
        "```\n- [ ] in code\n```\n",
    ],
    ids=["empty", "title_only", "only_headings", "plain_text", "code_only"],
)
def test_a_document_without_task_items_is_a_problem(document: str) -> None:
    with pytest.raises(
        MarkdownProblem, match=re.escape("no task-list items (lines like '- [ ] Learn X')")
    ):
        parse_track(document)


def test_a_nul_character_is_refused() -> None:
    with pytest.raises(MarkdownProblem, match="NUL"):
        parse_track("- [ ] a\x00b\n")


def test_a_mebibyte_of_items_imports_every_item() -> None:
    lines: list[str] = []
    size = 0
    while size < 1 << 20:
        lines.append(f"- [ ] item {len(lines)}\n")
        size += len(lines[-1])
    track = parse_track("".join(lines))
    assert len(track.root.items) == len(lines)
    assert track.root.items[-1].title == f"item {len(lines) - 1}"


@pytest.mark.parametrize(
    "heading",
    ["Immediate (This Month)", "Short-term (Next 3 Months)", "Medium-term", "LONG TERM", "Misc"],
)
def test_items_take_the_horizon_their_heading_names(heading: str) -> None:
    track = parse_track(f"# T\n\n## {heading}\n\n- [ ] a\n\n### Sub\n\n- [ ] b\n")
    expected = horizon_for_heading(heading)
    assert [i.horizon for i in track.root.all_items()] == [expected, expected]


def test_the_nearest_heading_naming_a_horizon_wins() -> None:
    track = parse_track("## Long term\n\n### Immediate\n\n- [ ] a\n\n### Other\n\n- [ ] b\n")
    assert [i.horizon for i in track.root.all_items()] == ["immediate", "long_term"]


def test_items_under_a_critical_heading_are_critical_at_any_depth() -> None:
    track = parse_track(
        "# T\n\n- [ ] top\n\n## Critical Unknown Unknowns (High Priority)\n\n"
        "- [ ] a\n  - [ ] a1\n\n### Details\n\n- [ ] b\n\n## Later\n\n- [ ] c\n"
    )
    assert [(i.title, i.priority) for i in track.root.all_items()] == [
        ("top", "normal"),
        ("a", "critical"),
        ("a1", "critical"),
        ("b", "critical"),
        ("c", "normal"),
    ]


def test_the_track_title_implies_no_horizon_or_priority() -> None:
    track = parse_track("# Critical skills for the immediate future\n\n- [ ] a\n")
    assert (track.root.items[0].priority, track.root.items[0].horizon) == ("normal", None)


def test_a_given_title_turns_every_h1_into_a_category() -> None:
    document = "Intro.\n\n# First\n\n- [ ] a\n\n## Inner\n\n- [ ] b\n\n# Second\n\n- [ ] c\n"
    track = parse_track(document, title="My track")
    assert (track.title, track.description) == ("My track", "Intro.")
    assert [path for path, _ in categories(track)] == [
        ("My track",),
        ("My track", "First"),
        ("My track", "First", "Inner"),
        ("My track", "Second"),
    ]
    assert_round_trip(track)


def test_six_levels_of_categories_under_a_title_survive_a_round_trip() -> None:
    document = "# Title\n\n# Top\n\n" + "".join(
        f"{'#' * n} L{n}\n\n- [ ] at {n}\n\n" for n in range(2, 7)
    )
    track = parse_track(document)
    assert max(len(path) for path, _ in categories(track)) == 7
    assert_round_trip(track)
    assert_round_trip(parse_track(document.removeprefix("# Title\n\n"), title="Given"))


def test_content_before_the_first_category_is_the_description_and_its_items_the_tracks() -> None:
    track = parse_track("# T\n\nWhy this track.\n\n- [ ] first\n\nMore why.\n\n## A\n\n- [ ] a\n")
    assert track.description == "Why this track.\n\nMore why."
    assert [i.title for i in track.root.items] == ["first"]


def test_nested_blocks_join_the_description_and_a_nested_quote_is_the_notes() -> None:
    (item,) = parse_track(ADVERSARIAL["nested_content"]).root.children[0].items
    assert item.title == "Parent"
    assert item.description == (
        "the gist\n\nLonger explanation with a [link](https://x.y).\n\n- a plain bullet\n\n"
        "```python\nprint('- [ ] not an item')\n```"
    )
    assert item.notes == "my own note\non two lines"
    assert [(c.title, c.state, [g.title for g in c.children]) for c in item.children] == [
        ("a child", "done", ["a grandchild"])
    ]


def test_a_plain_item_holding_tasks_gives_them_to_the_category_and_keeps_its_text() -> None:
    plan = parse_track(ADVERSARIAL["plain_item_holding_tasks"]).root.children[0]
    assert [(i.title, i.state) for i in plan.items] == [("read", "todo"), ("write", "done")]
    assert plan.notes == "- Week 1\n- Week 2 is for rest"


def test_continuation_lines_join_the_title_or_the_labelled_description() -> None:
    wrapped, labelled = parse_track(ADVERSARIAL["lazy_continuation"]).root.items
    assert (wrapped.title, wrapped.description) == (
        "a long title that wraps onto a second line",
        "",
    )
    assert (labelled.title, labelled.description) == ("Label", "first line\nsecond line")


def test_only_a_leading_bold_span_followed_by_a_colon_is_a_label() -> None:
    items = parse_track(ADVERSARIAL["escapes_and_bold"]).root.items
    assert [(i.title, i.description) for i in items] == [
        ("\\**not bold**: x", ""),
        ("**nested**", ""),
        ("**a** and **b**: c", ""),
        ("Under", "score"),
        ("Bold alone", ""),
    ]


def test_tabs_indent_like_four_columns() -> None:
    (item,) = parse_track(ADVERSARIAL["tabs"]).root.items
    assert item.title == "Tab title"
    assert [(c.title, c.state) for c in item.children] == [("nested with tab", "done")]
    assert item.children[0].description == "```\ncode\n```"


def test_an_unclosed_fence_is_closed_so_export_cannot_swallow_items() -> None:
    a = parse_track(ADVERSARIAL["unclosed_fence"]).root.children[0]
    assert [i.title for i in a.items] == ["before the fence"]
    assert a.notes == "```\n- [ ] inside\n```"


def test_quotes_at_category_level_are_notes_and_thematic_breaks_are_dropped() -> None:
    q = parse_track(ADVERSARIAL["quote_at_category_level"]).root.children[0]
    assert [i.title for i in q.items] == ["real"]
    assert q.notes == "> - [ ] quoted, so notes\n\ntail"


def test_an_html_block_keeps_what_it_swallows() -> None:
    track = parse_track(ADVERSARIAL["html_block"])
    assert [i.title for i in track.root.items] == ["outside"]
    assert track.description == "<div>\n- [ ] swallowed by html\n</div>"


def test_link_reference_definitions_are_kept_in_the_notes() -> None:
    track = parse_track(ADVERSARIAL["reference_definitions"])
    assert track.description == "See [docs][d].\n\n[d]: https://example.com\n\n[e]: /e"
    assert track.root.items[0].title == "read [the guide][d]"


def test_an_indented_code_block_after_a_list_stays_code_after_a_round_trip() -> None:
    a = parse_track(ADVERSARIAL["code_after_a_list"]).root.children[0]
    assert [i.title for i in a.items] == ["real"]
    assert "    - [ ] code, not a task" in a.notes
    assert_round_trip(parse_track(ADVERSARIAL["code_after_a_list"]))


def test_an_unclosed_html_comment_is_closed_so_export_cannot_swallow_items() -> None:
    track = parse_track(ADVERSARIAL["unclosed_html_comment"])
    assert [i.title for i in track.root.items] == ["before"]
    assert track.description.startswith("<!-- never closed\n- [ ] inside the comment")
    assert parse_track(render_track(track)) == track


def test_a_task_item_on_the_line_of_a_plain_items_marker_is_an_item() -> None:
    track = parse_track(ADVERSARIAL["markers_on_one_line"])
    assert [(i.title, i.state) for i in track.root.items] == [
        ("nested on the marker line", "todo"),
        ("ordered too", "done"),
    ]


def test_a_lazy_continuation_line_stays_text_after_a_round_trip() -> None:
    (a,) = parse_track(ADVERSARIAL["lazy_line_in_an_item"]).root.items
    (b,) = a.children
    assert b.children == ()
    assert b.description.splitlines() == ["para", "    - [ ] lazy, not an item"]


# Export ----------------------------------------------------------------------------------------


def one_item_track(item: ItemDraft) -> TrackDraft:
    return TrackDraft(CategoryDraft("Track", children=(CategoryDraft("Items", items=(item,)),)))


TRICKY_TITLES = [
    "**bold** start",
    "ends **bold**",
    "**whole**",
    "**Name**: looks like a label",
    "a **: b",
    "# not a heading",
    "> not a quote",
    "[ ] not a box",
    "[x] not done",
    "1. not ordered",
    "2) neither",
    "- not a bullet",
    "`code` **: x",
    "__under__",
    "***triple***",
    "C#",
    "emoji 🚀 ✅",
    "![image](https://example.com/i.png) stays",
    "\\[escaped](https://example.com) stays",
    "`[in code](https://example.com)` stays",
]


@pytest.mark.parametrize("title", TRICKY_TITLES)
@pytest.mark.parametrize(
    "description",
    ["", "one line", "> starts like a quote", "two\nlines", "- a\n- b\n\nthen a paragraph"],
    ids=["none", "line", "quote_like", "two_lines", "blocks"],
)
def test_export_writes_any_title_so_that_import_reads_it_back(title: str, description: str) -> None:
    assert_round_trip(one_item_track(ItemDraft(title, description, notes="n", state="done")))


@pytest.mark.parametrize("title", ["#", "###", "C#", "ends with #", "Title ##", "\\#", "# x"])
def test_export_writes_any_category_title_so_that_import_reads_it_back(title: str) -> None:
    item = ItemDraft("a")
    assert_round_trip(
        TrackDraft(CategoryDraft(title, children=(CategoryDraft(title, items=(item,)),)))
    )


def test_export_writes_labels_checkboxes_notes_and_children() -> None:
    item = ItemDraft(
        "Name",
        "short",
        notes="mine\n\nsecond",
        state="in_progress",
        children=(ItemDraft("child", state="skipped"),),
    )
    assert render_track(one_item_track(item)).splitlines()[4:] == [
        "- [/] **Name**: short",
        "",
        "  > mine",
        "  >",
        "  > second",
        "",
        "  - [-] child",
    ]


def test_export_keeps_items_out_of_a_plain_list_in_the_notes() -> None:
    track = TrackDraft(CategoryDraft("T", notes="- a note\n- another", items=(ItemDraft("task"),)))
    exported = render_track(track)
    assert "- a note\n- another\n\n* [ ] task\n" in exported
    assert parse_track(exported) == track


def test_a_markdown_problem_is_a_value_error_with_a_message() -> None:
    with pytest.raises(ValueError, match="no task-list items") as problem:
        parse_track("# Nothing to do\n")
    assert isinstance(problem.value, MarkdownProblem)
    assert problem.value.message == str(problem.value)


def test_export_clamps_categories_deeper_than_headings_allow() -> None:
    deepest = CategoryDraft("L8", items=(ItemDraft("a"),))
    for level in range(7, 0, -1):
        deepest = CategoryDraft(f"L{level}", children=(deepest,))
    exported = render_track(TrackDraft(deepest))
    assert [line for line in exported.splitlines() if line.startswith("#")] == [
        "# L1",
        *(f"{'#' * (level - 1)} L{level}" for level in range(2, 8)),
        "###### L8",
    ]


# Generated drafts ------------------------------------------------------------------------------

WORD = st.text(string.ascii_letters, min_size=1, max_size=8)
PIECE = st.one_of(
    WORD,
    st.text(string.ascii_letters + string.digits, min_size=1, max_size=6),
    st.sampled_from(["#", ">", "-", "+", "*", "_", ".", ":", "!", "?", "(", ")", "'", '"', "&"]),
    st.sampled_from(["1.", "2)", "[ ]", "[x]", "**", "__", "**:", "---", "===", "<b>", "\\*"]),
    st.sampled_from(["🚀", "✅", "🧪", "🐍", "👩‍💻", "日本語", "é"]),
    WORD.map(lambda word: f"`{word}`"),
    st.tuples(WORD, WORD).map(lambda pair: f"`{pair[0]} {pair[1]}`"),
    st.tuples(WORD, WORD).map(lambda pair: f"[{pair[0]}](https://example.com/{pair[1]})"),
    WORD.map(lambda word: f"**{word}**"),
)
GAP = st.sampled_from([" ", " ", ""])
TITLE = (
    st.lists(st.tuples(PIECE, GAP), min_size=1, max_size=6)
    .map(lambda parts: "".join(piece + gap for piece, gap in parts).strip())
    .filter(lambda title: bool(title) and not title.endswith("\\") and "](" not in title)
)
HEADING_TITLE = st.one_of(
    TITLE, st.sampled_from(["Immediate (This Month)", "LONG TERM", "Critical path"])
)
LINE = st.tuples(WORD, st.lists(st.tuples(GAP, PIECE), max_size=5)).map(
    lambda parts: parts[0] + "".join(gap + piece for gap, piece in parts[1]).rstrip()
)
PARAGRAPH = st.lists(LINE, min_size=1, max_size=3).map("\n".join)
BLOCK = st.one_of(
    PARAGRAPH,
    PARAGRAPH,
    st.lists(WORD, min_size=1, max_size=3).map(lambda words: "\n".join(f"- {w}" for w in words)),
    st.lists(WORD, min_size=1, max_size=3).map(
        lambda words: "\n".join(f"{n}. {w}" for n, w in enumerate(words, 1))
    ),
    st.lists(LINE, min_size=1, max_size=2).map(lambda lines: "```\n" + "\n".join(lines) + "\n```"),
)
TEXT = st.lists(BLOCK, max_size=3).map("\n\n".join)
DESCRIPTION = st.one_of(
    st.just(""),
    LINE,
    LINE.map(lambda line: f"> {line}"),
    TEXT,
    st.tuples(LINE, TEXT).map(lambda parts: "\n\n".join(filter(None, parts))),
)
STATE = st.sampled_from(["todo", "done", "in_progress", "skipped"])


def can_be_a_label(title: str) -> bool:
    """Whether import can read `title` from a `**title**: rest` line (or `__title__:`)."""
    lines = (f"- [ ] {bold}{title}{bold}: rest" for bold in ("**", "__"))
    return any(parse_track(line).root.items[0].title == title for line in lines)


def importable_item(item: ItemDraft) -> bool:
    """A description whose first line reads as a quote can only come from an inline label: a
    nested quote is the learner's notes."""
    return not item.description.startswith(">") or can_be_a_label(item.title)


def items(depth: int) -> st.SearchStrategy[ItemDraft]:
    children = st.lists(items(depth + 1), max_size=2) if depth < 3 else st.just([])
    return st.builds(
        lambda title, description, notes, state, kids: ItemDraft(
            title, description, notes, state, children=tuple(kids)
        ),
        TITLE,
        DESCRIPTION,
        st.one_of(st.just(""), TEXT),
        STATE,
        children,
    ).filter(importable_item)


def category_drafts(depth: int) -> st.SearchStrategy[CategoryDraft]:
    children = (
        st.lists(category_drafts(depth + 1), max_size=2 if depth < 2 else 1)
        if depth < 5
        else st.just([])
    )
    return st.builds(
        lambda title, notes, its, kids: CategoryDraft(title, notes, tuple(its), tuple(kids)),
        HEADING_TITLE if depth else TITLE,
        TEXT,
        st.lists(items(1), max_size=3),
        children,
    )


def with_heading_rules(
    category: CategoryDraft, horizon: Horizon | None = None, critical: bool = False
) -> CategoryDraft:
    """The draft as import would make it: items take horizon and priority from their headings."""

    def item(draft: ItemDraft) -> ItemDraft:
        return replace(
            draft,
            horizon=horizon,
            priority="critical" if critical else "normal",
            children=tuple(item(child) for child in draft.children),
        )

    children = []
    for child in category.children:
        child_horizon = horizon_for_heading(child.title) or horizon
        child_critical = critical or is_critical_heading(child.title)
        children.append(with_heading_rules(child, child_horizon, child_critical))
    return replace(category, items=tuple(map(item, category.items)), children=tuple(children))


LIST_LINE = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])(?:[ \t]|$)", re.MULTILINE)


def importable(root: CategoryDraft) -> bool:
    """Import makes items of every list in a path section, so none is left in its notes."""
    sections = [c for c in root.walk()[1:] if horizon_for_heading(c.title)]
    return bool(root.all_items()) and not any(LIST_LINE.search(c.notes) for c in sections)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(category_drafts(0).filter(importable))
def test_export_then_import_gives_back_any_draft(root: CategoryDraft) -> None:
    track = place_path(TrackDraft(with_heading_rules(root)))
    assert parse_track(render_track(track)) == track


# Generated documents ---------------------------------------------------------------------------

DOC_WORD = st.sampled_from(
    ["alpha", "**Bold**:", "**B**", "`code`", "[l](u)", "#", ">", "**", "__x__:", "---", "```"]
)
DOC_WORD |= st.sampled_from(
    ["<div>", "<!--", "\\", "1.", "- [ ] x", "🚀", "*", "[x]", "\t", "x\ty"]
)
DOC_TEXT = st.lists(DOC_WORD, min_size=1, max_size=4).map(" ".join)
DOC_MARKER = st.sampled_from(["- ", "* ", "+ ", "1. ", "2) ", "10. ", "-\t", "-   "])
DOC_BOX = st.sampled_from(["[ ] ", "[x] ", "[/] ", "[-] ", "[X]\t", "", "[ ]"])
DOC_INDENT = st.sampled_from(["", "", " ", "  ", "   ", "    ", "\t", "  \t"])


@st.composite
def list_item_lines(draw: st.DrawFn, depth: int) -> list[str]:
    """A list item with nested blocks: paragraphs, lazy lines, quotes, fences, code, sub-items."""
    marker = draw(DOC_MARKER)
    pad = " " * (4 if "\t" in marker else len(marker))
    lines = [marker + draw(DOC_BOX) + draw(DOC_TEXT)]
    kinds = ["para", "lazy", "quote", "fence", "code", "rule", "blank", "items", "items"]
    for kind in draw(st.lists(st.sampled_from(kinds), max_size=3)):
        if kind == "items" and depth < 4:
            for item in draw(st.lists(list_item_lines(depth + 1), min_size=1, max_size=2)):
                lines += [pad + line if line else "" for line in item]
        else:
            block = {
                "para": ["", draw(DOC_TEXT)],
                "lazy": [draw(DOC_TEXT)],
                "quote": ["", f"> {draw(DOC_TEXT)}", f"> {draw(DOC_TEXT)}"],
                "fence": ["", "```", draw(DOC_TEXT), "```"],
                "code": ["", f"    {draw(DOC_TEXT)}"],
                "rule": ["", "---"],
            }.get(kind, [""])
            lines += [line if kind == "lazy" or not line else pad + line for line in block]
    return lines


DOC_BLOCK = st.one_of(
    list_item_lines(0),
    list_item_lines(0),
    st.tuples(st.sampled_from(["# ", "## ", "### ", "#"]), DOC_TEXT).map(lambda p: ["".join(p)]),
    st.tuples(DOC_INDENT, DOC_TEXT).map(lambda p: ["".join(p)]),
    st.tuples(DOC_INDENT, DOC_MARKER, DOC_BOX, DOC_TEXT).map(lambda p: ["".join(p)]),
    st.tuples(DOC_INDENT, st.sampled_from(["> ", "> > ", "> - [ ] "]), DOC_TEXT).map(
        lambda p: ["".join(p)]
    ),
    st.sampled_from([[""], ["---"], ["```"], ["~~~~"], ["<!-- x"], ["<div>"], ["    code"]]),
    st.sampled_from([["[d]: /u"], ["  [e]: <x>", '  "title"']]),
)
DOCUMENT = st.tuples(
    st.lists(DOC_BLOCK, min_size=1, max_size=12), st.sampled_from(["\n", "\n", "\r\n", "\r"])
).map(lambda p: p[1].join(line for block in p[0] for line in block) + p[1])


@settings(max_examples=120, deadline=None)
@given(DOCUMENT, st.booleans())
def test_any_document_survives_a_round_trip(document: str, given_title: bool) -> None:
    try:
        track = parse_track(document, title="Given" if given_title else None)
    except MarkdownProblem:
        return
    assert_round_trip(track)


# Learning paths --------------------------------------------------------------------------------

PATH_WORDS = st.lists(st.sampled_from(["Git", "hooks", "API", "docs", "tests"]), min_size=1)
PATH_TITLE = st.tuples(
    PATH_WORDS.map(lambda words: " ".join(words[:3])),
    st.sampled_from(["", " (basics)", ".", "!"]),
).map("".join)
PATH_HEADING = st.sampled_from(
    ["Immediate (This Month)", "This week", "Short-term", "Next 3 Months", "Long term", "Now"]
)
PATH_MARKER = st.sampled_from(["1. ", "- ", "* ", "2) "])
PATH_BOX = st.sampled_from(["", "", "[ ] ", "[x] ", "[/] "])


@st.composite
def tracks_with_a_path(draw: st.DrawFn) -> tuple[str, list[tuple[str, str]]]:
    """A document with items in ordinary categories and a path section of entries, some of
    them bold-named or described; returns it and its (entry title, section heading) pairs."""
    lines = ["# Plan", ""]
    for number in range(draw(st.integers(1, 3))):
        lines += [f"## Topic {number}", ""]
        for title in draw(st.lists(PATH_TITLE, min_size=1, max_size=4)):
            bold = draw(st.booleans())
            text = f"**{title}**: {draw(PATH_TITLE)}" if bold else title
            lines.append(f"- {draw(st.sampled_from(['[ ]', '[x]']))} {text}")
        lines.append("")
    lines += ["## Learning Path", ""]
    entries: list[tuple[str, str]] = []
    for heading in draw(st.lists(PATH_HEADING, min_size=1, max_size=3)):
        lines += [f"### {heading}", ""]
        marker = draw(PATH_MARKER)
        for title in draw(st.lists(PATH_TITLE, min_size=1, max_size=4)):
            lines.append(f"{marker}{draw(PATH_BOX)}{title}")
            if draw(st.integers(0, 4)) == 0:
                # A described entry stands on its own.
                lines += ["", " " * len(marker) + draw(PATH_TITLE), ""]
            entries.append((title, heading))
        lines.append("")
    return "\n".join(lines), entries


@settings(max_examples=150, deadline=None)
@given(tracks_with_a_path())
def test_a_learning_path_survives_a_round_trip_with_its_entries_in_order(
    generated: tuple[str, list[tuple[str, str]]],
) -> None:
    document, entries = generated
    topics = document.partition("## Learning Path")[0]
    track = parse_track(document)
    path = path_of(track)
    assert [p.path.position for p in path if p.path] == list(range(len(entries)))
    assert [item.horizon for item in path] == [horizon_for_heading(h) for _, h in entries]
    assert [path_key(item.title) for item in path] == [path_key(t) for t, _ in entries]
    sections = [c for c in track.root.walk()[1:] if horizon_for_heading(c.title)]
    on_sections = sum(len(items_below(c.items)) for c in sections)
    linked = len(path) - sum(len(c.items) for c in sections)
    assert len(track.root.all_items()) - on_sections == topics.count("\n- [")  # none doubled
    assert all(item.path for c in sections for item in c.items)
    assert linked == sum(1 for item in path if item not in [i for c in sections for i in c.items])
    again = parse_track(render_track(track))
    assert again == track
    assert parse_track(render_track(again)) == track


def test_a_path_place_in_a_category_that_is_no_longer_a_section_is_not_written_twice() -> None:
    track = parse_track("# Plan\n\n## Tools\n\n- [ ] Git\n\n## Now\n\n1. Git\n2. Docs\n")
    tools, now = track.root.children
    assert [item.path for item in tools.items] == [PathPlace(2, 0)]
    renamed = TrackDraft(replace(track.root, children=(tools, replace(now, title="Soon"))))
    exported = render_track(renamed)
    assert exported.count("Git") == 1
    assert [item.title for item in parse_track(exported).root.all_items()] == ["Git", "Docs"]
