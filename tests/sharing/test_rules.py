"""Handles, sections and the badge's text: pure rules, no database."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from questpath.sharing import rules


@pytest.mark.parametrize("handle", ["ada", "Ada_Lovelace", "a-1", "x" * 32, "007", "  ada  "])
def test_a_handle_of_letters_digits_dash_and_underscore_is_accepted_lower_cased(
    handle: str,
) -> None:
    assert rules.checked_handle(handle) == handle.strip().lower()


@pytest.mark.parametrize(
    ("handle", "says"),
    [
        ("ab", "3 to 32 characters"),
        ("x" * 33, "3 to 32 characters"),
        ("", "3 to 32 characters"),
        ("ada lovelace", "may hold only"),
        ("-ada", "must start with a letter or digit"),
        ("_ada", "must start with a letter or digit"),
        ("adä", "may hold only"),
        ("ada/../x", "may hold only"),
        ("<b>x</b>", "may hold only"),
        ("admin", "reserved"),
        ("API", "reserved"),
        ("Static", "reserved"),
    ],
)
def test_a_bad_handle_is_refused_with_the_reason(handle: str, says: str) -> None:
    with pytest.raises(rules.HandleProblem) as refused:
        rules.checked_handle(handle)
    assert says in refused.value.message


@given(st.text(max_size=40))
def test_every_accepted_handle_is_safe_in_a_path_and_never_reserved(handle: str) -> None:
    try:
        value = rules.checked_handle(handle)
    except rules.HandleProblem:
        return
    assert re.fullmatch(r"[a-z0-9][a-z0-9_-]{2,31}", value)
    assert value not in rules.RESERVED_HANDLES
    assert value == rules.normalise_handle(value)


def test_reserved_handles_are_themselves_well_formed_so_that_they_need_the_list() -> None:
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name) for name in rules.RESERVED_HANDLES)


@given(st.lists(st.sampled_from(rules.SECTIONS)))
def test_chosen_sections_keep_page_order_and_appear_once(sections: list[rules.Section]) -> None:
    chosen = rules.chosen_sections(sections)
    assert set(chosen) == set(sections)
    assert len(chosen) == len(set(chosen))
    assert chosen == sorted(chosen, key=rules.SECTIONS.index)


@pytest.mark.parametrize(
    ("rank", "streak", "message"),
    [
        ("Competent", 5, "Competent · 5-day streak"),
        ("Novice", None, "Novice"),
        (None, 0, "0-day streak"),
        (None, None, "learning"),
    ],
)
def test_the_badge_message_holds_what_is_shared(
    rank: str | None, streak: int | None, message: str
) -> None:
    assert rules.badge_message(rank, streak) == message
