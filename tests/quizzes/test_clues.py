"""What the offline generator may ask about, and in which words (quizzes/clues.py)."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from questpath.quizzes.clues import (
    MAX_CLUE,
    clue,
    concept_category,
    is_concept_category,
    is_readable,
    is_resource_only,
    names_a_medium,
    plain_text,
)

WORD = st.text(string.ascii_letters, min_size=1, max_size=10)
WORDS = st.lists(WORD, min_size=1, max_size=8).map(" ".join)
URL = st.tuples(st.sampled_from(["https://", "http://", "https://www."]), WORD).map(
    lambda parts: f"{parts[0]}{parts[1]}.example/{parts[1]}_(x)"
)
MARKUP = st.one_of(
    WORD,
    st.tuples(WORDS, URL).map(lambda p: f"[{p[0]}]({p[1]})"),
    st.tuples(WORDS, URL).map(lambda p: f"![{p[0]}]({p[1]})"),
    URL,
    URL.map(lambda url: f"<{url}>"),
    WORD.map(lambda w: f"`{w}`"),
    WORD.map(lambda w: f"**{w}**"),
    WORD.map(lambda w: f"__{w}__"),
    WORD.map(lambda w: f"*{w}*"),
    st.sampled_from(["🎥", "📚", "✅", "🚀", "👩‍💻", "C++", "C#", "snake_case", "(video)"]),
)
MARKDOWN = st.lists(MARKUP, min_size=1, max_size=10).map(" ".join)


# Plain text ------------------------------------------------------------------------------------


@settings(max_examples=300)
@given(MARKDOWN)
def test_plain_text_holds_no_link_syntax_address_or_emoji(markdown: str) -> None:
    text = plain_text(markdown)
    assert is_readable(text)
    assert "://" not in text
    assert ".example/" not in text
    assert "`" not in text
    assert "**" not in text
    assert not any(char in text for char in "🎥📚✅🚀")


@settings(max_examples=200)
@given(st.lists(st.tuples(WORDS, URL), min_size=1, max_size=4))
def test_plain_text_keeps_the_words_of_every_link(links: list[tuple[str, str]]) -> None:
    markdown = " and ".join(f"[{text}]({url})" for text, url in links)
    assert plain_text(markdown) == " and ".join(text for text, _ in links)


@pytest.mark.parametrize(
    ("markdown", "plain"),
    [
        ("[Harvard CS50 - Asymptotic Notation (video)](https://y.be/x)", None),
        ("`pip-tools` for dependency resolution", "pip-tools for dependency resolution"),
        ("**Big-O**: growth of running time", "Big-O: growth of running time"),
        ("snake_case and C++ stay", "snake_case and C++ stay"),
        ("See <https://example.com> now", "See now"),
        ("Heap 🚀", "Heap"),
    ],
)
def test_plain_text_reads_as_a_learner_reads(markdown: str, plain: str | None) -> None:
    expected = plain if plain is not None else markdown[1 : markdown.index("](")]
    assert plain_text(markdown) == expected


# Clues -----------------------------------------------------------------------------------------


@settings(max_examples=300)
@given(st.lists(st.one_of(MARKDOWN, st.sampled_from(["\n", "\n\n", "\n- ", "\n1. "])), max_size=8))
def test_a_clue_is_one_readable_sentence_or_none(parts: list[str]) -> None:
    found = clue("".join(parts))
    if found is not None:
        assert is_readable(found)
        assert "\n" not in found
        assert len(found) <= MAX_CLUE
        assert not found.endswith(":")


@settings(max_examples=200)
@given(st.lists(st.tuples(WORDS, URL), min_size=1, max_size=5), st.sampled_from(["-", "*", "1."]))
def test_a_description_that_is_a_list_of_links_gives_no_clue(
    links: list[tuple[str, str]], marker: str
) -> None:
    assert clue("\n".join(f"{marker} [{text}]({url})" for text, url in links)) is None


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        (
            "A tree where each parent orders before its children. Used for heaps.",
            "A tree where each parent orders before its children.",
        ),
        (
            "Understanding TDD vs. test-after development. Also BDD.",
            "Understanding TDD vs. test-after development.",
        ),
        ("Topics covered in depth here\n- one\n- two", "Topics covered in depth here"),
        ("See [the docs](https://a.example) for `fsync` rules", "See the docs for fsync rules"),
        ("Read these first:\n- [a](https://a.example)", None),
        ("- [Computational Complexity: Section 1](https://www.topcoder.com/a)", None),
        ("```\ncode\n```", None),
        ("> a quote", None),
        ("Too short.", None),
    ],
)
def test_a_clue_is_the_first_sentence_of_the_first_paragraph(
    description: str, expected: str | None
) -> None:
    assert clue(description) == expected


# What is asked about -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "description", "link_titled", "skipped"),
    [
        ("Harvard CS50 - Asymptotic Notation", "", True, True),
        (
            "Harvard CS50 - Asymptotic Notation",
            "How fast functions grow as input grows.",
            True,
            False,
        ),
        ("Binary heaps (video)", "", False, True),
        ("Watch the MIT lecture on hashing", "", False, True),
        ("Read: The Algorithm Design Manual chapter 3", "", False, True),
        ("Implement it:", "", False, True),
        ("`insert(value)` - adds a value", "", False, True),
        ("`pip-tools` for dependency resolution", "", False, False),
        ("Read-write locks", "", False, False),
        ("Big-O notation 🎥", "", False, False),
        (
            "Big-O",
            "- [Section 1](https://a.example)\n- [Section 2](https://b.example)",
            False,
            False,
        ),
        ("🎥", "", False, True),
    ],
)
def test_only_links_videos_reading_and_code_steps_are_skipped(
    title: str, description: str, link_titled: bool, skipped: bool
) -> None:
    assert is_resource_only(title, description, link_titled) is skipped


@settings(max_examples=200)
@given(WORDS, st.sampled_from(["(video)", "(article)", "(book)", "playlist", "Lecture", "PDF"]))
def test_a_title_naming_a_medium_without_a_clue_is_skipped(words: str, medium: str) -> None:
    title = f"{words} {medium}"
    assert names_a_medium(title)
    assert is_resource_only(title, "", link_titled=False)


@pytest.mark.parametrize(
    "name",
    [
        "Videos",
        "Resources",
        "Books",
        "Links",
        "Further Reading",
        "Week 3",
        "Part II",
        "Chapter 4",
        "2.",
        "Day 10",
        "Misc",
        "Final Review",
        "Areas for Improvement",
        "Unknown Unknowns",
        "Recommendations to Study",
        "Critical Unknown Unknowns (High Priority)",
        "Immediate (This Month)",
        "📚 Books",
        "",
    ],
)
def test_generic_and_numbered_categories_are_not_concepts(name: str) -> None:
    assert not is_concept_category(name)


@pytest.mark.parametrize(
    "name",
    [
        "Graphs",
        "3. Git Workflow",
        "Sorting",
        "Testing Fundamentals (New to Testing)",
        "CAP theorem",
    ],
)
def test_named_topics_are_concepts(name: str) -> None:
    assert is_concept_category(name)


def test_the_nearest_concept_category_is_asked_about_without_its_numbering() -> None:
    assert concept_category(["Areas for Improvement", "3. Git Workflow"]) == "Git Workflow"
    assert concept_category(["Videos", "Week 2"]) == ""
    assert concept_category(["Trees", "Data Structures"]) == "Trees"


@pytest.mark.parametrize(
    ("text", "readable"),
    [
        ("Which protocol does HTTP/2 multiplex?", True),
        ("See https://example.com", False),
        ("A [link](x)", False),
        ("- a list item", False),
        ("www.example.com", False),
    ],
)
def test_readable_text_has_no_links_addresses_or_list_markers(text: str, readable: bool) -> None:
    assert is_readable(text) is readable
