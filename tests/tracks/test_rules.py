"""Pure rules of tracks: what headings imply, how completion is counted, the study order."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from questpath.tracks.drafts import HORIZONS, ITEM_STATES, PRIORITIES
from questpath.tracks.rules import (
    HORIZON_HEADINGS,
    SECTION_SEPARATOR,
    Completion,
    completion_of,
    default_topic,
    horizon_for_heading,
    is_critical_heading,
    is_open,
    learning_path_key,
    link_path_entries,
    path_key,
    section_for_headings,
    topic_for_headings,
)


@pytest.mark.parametrize(
    ("heading", "horizon"),
    [
        ("Immediate (This Month)", "immediate"),
        ("immediate", "immediate"),
        ("Short-term (Next 3 Months)", "short_term"),
        ("SHORT TERM", "short_term"),
        ("Medium-term (Next 6 Months)", "medium_term"),
        ("Long-term", "long_term"),
        ("3. Long Term", "long_term"),
        ("This Week", "immediate"),
        ("Next month!", "immediate"),
        ("Next 3 months", "short_term"),
        ("next three months", "short_term"),
        ("Mid-term", "medium_term"),
        ("2. Next 6 Months", "medium_term"),
        ("Next year", "long_term"),
        ("Now (week 1)", "immediate"),
        ("Long-term goals", None),
        ("Next 4 months", None),
        ("Immediately useful tricks", None),
        ("Learning Path", None),
        ("", None),
    ],
)
def test_a_heading_names_a_horizon_only_when_it_is_one(heading: str, horizon: str | None) -> None:
    assert horizon_for_heading(heading) == horizon


@given(
    st.sampled_from(sorted(HORIZON_HEADINGS)),
    st.sampled_from(["", "1. ", "## "]),
    st.sampled_from(["", " (This Month)", ":", " (soon)"]),
    st.sampled_from([str.lower, str.upper, str.title]),
    st.sampled_from([" ", "-", " - ", "_"]),
)
def test_every_horizon_heading_is_read_in_any_case_spelling_and_numbering(
    words: str, number: str, suffix: str, case: Any, gap: str
) -> None:
    heading = number.replace("## ", "") + case(words).replace(" ", gap) + suffix
    assert horizon_for_heading(heading) == HORIZON_HEADINGS[words]


@pytest.mark.parametrize(
    ("entry", "title", "same"),
    [
        ("Pre-commit hooks setup", "Pre-commit hooks setup", True),
        ("pre-commit HOOKS setup.", "Pre-commit hooks setup", True),
        ("API documentation (OpenAPI)", "API Documentation", True),
        ("Git fundamentals", "Git fundamentals (branches, commits, merges)", True),
        ("`safety check` in CI/CD", "safety check in CI CD", True),
        ("Pre-commit hooks setup", "Pre-commit hooks", False),
        ("Deployment strategies", "Deployment strategy", False),
        ("Testing", "Testing fundamentals", False),
    ],
)
def test_a_path_entry_names_an_item_by_its_words_alone(entry: str, title: str, same: bool) -> None:
    assert (path_key(entry) == path_key(title)) is same


WORDS = st.lists(st.sampled_from(["git", "hooks", "API", "docs", "Tests"]), min_size=1, max_size=3)
DRESSED = st.tuples(
    WORDS,
    st.sampled_from(["", "**", "`"]),
    st.sampled_from(["", ".", "!", " (more)", ":"]),
    st.sampled_from([" ", "-", " / "]),
).map(lambda p: p[1] + p[3].join(p[0]) + p[1] + p[2])


@given(st.lists(st.one_of(st.none(), DRESSED), max_size=6), st.lists(DRESSED, max_size=8))
def test_each_entry_links_to_the_first_free_item_with_its_words(
    entries: list[str | None], items: list[str]
) -> None:
    links = link_path_entries(entries, items)
    assert len(links) == len(entries)
    taken = [link for link in links if link is not None]
    assert len(taken) == len(set(taken))  # no item is two entries
    for number, (entry, link) in enumerate(zip(entries, links, strict=True)):
        free = [
            index
            for index, title in enumerate(items)
            if index not in links[:number] and entry and path_key(title) == path_key(entry)
        ]
        assert link == (free[0] if free else None)


@pytest.mark.parametrize(
    ("heading", "critical"),
    [
        ("Critical Unknown Unknowns (High Priority)", True),
        ("critical path", True),
        ("Criticism of tools", False),
        ("Git Workflow", False),
    ],
)
def test_a_heading_containing_critical_marks_its_items_critical(
    heading: str, critical: bool
) -> None:
    assert is_critical_heading(heading) is critical


@pytest.mark.parametrize(
    ("title", "topic"),
    [
        ("1. Documentation & Planning", "Documentation & Planning"),
        ("12) Database Management", "Database Management"),
        ("2.1 Virtual environments", "Virtual environments"),
        ("Git Workflow", "Git Workflow"),
        ("2026", "2026"),
        ("x" * 150, "x" * 100),
    ],
)
def test_a_category_s_topic_is_its_title_without_numbering(title: str, topic: str) -> None:
    assert default_topic(title) == topic


headings = st.text(st.characters(blacklist_categories=("Cs",)), max_size=120)
numbering = st.lists(st.integers(0, 99), min_size=1, max_size=3).map(
    lambda parts: ".".join(map(str, parts))
)
word = st.text(st.characters(whitelist_categories=("L",)), min_size=1, max_size=30)


@given(st.lists(headings, min_size=1, max_size=6), headings)
def test_an_item_s_topic_is_its_top_level_heading_whatever_lies_below(
    path: list[str], track_title: str
) -> None:
    assert topic_for_headings(path, track_title) == default_topic(path[0])
    assert topic_for_headings(path[:1], track_title) == topic_for_headings(path, track_title)


@given(numbering, st.sampled_from([".", ")", ""]), word, st.lists(headings, max_size=4), headings)
def test_a_numbered_top_level_heading_gives_its_name_alone(
    number: str, mark: str, name: str, below: list[str], track_title: str
) -> None:
    topic = topic_for_headings([f"{number}{mark} {name}", *below], track_title)
    assert topic == name[:100]


@given(headings)
def test_an_item_directly_in_the_track_takes_the_track_s_title(track_title: str) -> None:
    assert topic_for_headings([], track_title) == default_topic(track_title)


@given(st.lists(headings, max_size=6))
def test_a_section_is_the_headings_below_the_top_level_one(path: list[str]) -> None:
    section = section_for_headings(path)
    if len(path) < 2:
        assert section is None
    else:
        assert section == SECTION_SEPARATOR.join(path[1:])
        assert section.startswith(path[1])
        assert section.endswith(path[-1])


@pytest.mark.parametrize(
    ("path", "topic", "section"),
    [
        (["3. Git Workflow", "Unknown Unknowns"], "Git Workflow", "Unknown Unknowns"),
        (["12. Database Management"], "Database Management", None),
        (["Testing", "Mocks", "Fakes"], "Testing", f"Mocks{SECTION_SEPARATOR}Fakes"),
        (["1.2) Setup", "Areas for Improvement"], "Setup", "Areas for Improvement"),
    ],
)
def test_seed_like_heading_paths(path: list[str], topic: str, section: str | None) -> None:
    assert topic_for_headings(path, "Learning Track") == topic
    assert section_for_headings(path) == section


states = st.lists(st.sampled_from(ITEM_STATES), max_size=40)


@given(states)
def test_completion_counts_each_state(items: list[str]) -> None:
    completion = completion_of(items)
    assert completion.total == len(items)
    assert completion.done == items.count("done")
    assert completion.skipped == items.count("skipped")
    assert completion.counted == len(items) - items.count("skipped")
    assert 0 <= completion.percent <= 100


@given(states)
def test_a_category_is_finished_when_nothing_is_open_and_something_is_done(
    items: list[str],
) -> None:
    completion = completion_of(items)
    assert completion.finished == ("done" in items and not any(is_open(state) for state in items))
    if completion.finished:
        assert completion.percent == 100


@given(states, states)
def test_completions_add_up_like_their_items(first: list[str], second: list[str]) -> None:
    assert completion_of(first) + completion_of(second) == completion_of(first + second)


@pytest.mark.parametrize(
    ("completion", "percent"),
    [
        (Completion(), 0),
        (Completion(total=2, skipped=2), 100),
        (Completion(total=3, done=1), 33),
        (Completion(total=4, done=1, skipped=2), 50),
    ],
)
def test_percent_is_done_over_total_minus_skipped(completion: Completion, percent: int) -> None:
    assert completion.percent == percent


item = st.tuples(
    st.none() | st.sampled_from(HORIZONS),
    st.sampled_from(PRIORITIES),
    st.none() | st.integers(0, 400).map(lambda n: date(2026, 1, 1) + timedelta(days=n)),
    st.tuples(st.integers(0, 3), st.integers(0, 50)),
)


@given(st.lists(item, min_size=2, max_size=30))
def test_the_study_order_is_horizon_then_priority_then_due_date(items: list[Any]) -> None:
    ordered = sorted(items, key=lambda i: learning_path_key(*i))
    for before, after in pairwise(ordered):
        rank = [
            (HORIZONS.index(i[0]) if i[0] else len(HORIZONS), PRIORITIES.index(i[1]))
            for i in (before, after)
        ]
        assert rank[0] <= rank[1]
        if rank[0] == rank[1] and before[2] is not None and after[2] is not None:
            assert before[2] <= after[2]
        if rank[0] == rank[1] and before[2] is None:
            assert after[2] is None  # undated items come after dated ones
