"""The pure rules of the document resources: ETags, preconditions, the JSON merge of a POST,
definition merges and Person objects."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from questpath.xapi.document_rules import (
    NotMergeable,
    Outcome,
    Preconditions,
    Stored,
    entity_tags,
    etag_of,
    is_json,
    merged_definition,
    person_of,
    posted,
    precondition,
)

JSON = "application/json"
etags = st.text("0123456789abcdef", min_size=40, max_size=40)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
objects = st.dictionaries(st.text(max_size=6), json_values, max_size=5)


def _json(value: Any) -> Stored:
    return Stored(json.dumps(value).encode(), JSON)


@given(st.binary())
def test_the_etag_is_the_lowercase_sha1_hex_of_the_content(content: bytes) -> None:
    assert etag_of(content) == hashlib.sha1(content).hexdigest()  # noqa: S324
    assert etag_of(content) == etag_of(content).lower()


@pytest.mark.parametrize(
    ("header", "tags"),
    [
        ('"abc"', ["abc"]),
        ('W/"abc"', ["abc"]),
        ('"ABC", "def"', ["abc", "def"]),
        ("*", ["*"]),
        ("abc", ["abc"]),
        ("", []),
    ],
)
def test_entity_tags_are_read_unquoted_and_without_the_weak_prefix(
    header: str, tags: list[str]
) -> None:
    assert entity_tags(header) == tags


@pytest.mark.parametrize(
    ("content_type", "json_"),
    [
        ("application/json", True),
        ("Application/JSON; charset=utf-8", True),
        ("application/octet-stream", False),
        ("application/x-www-form-urlencoded", False),
        (None, False),
    ],
)
def test_json_documents_are_known_by_their_media_type(
    content_type: str | None, json_: bool
) -> None:
    assert is_json(content_type) is json_


@given(etags, st.one_of(st.none(), etags))
def test_if_match_holds_only_for_the_current_etag(sent: str, current: str | None) -> None:
    outcome = precondition(
        current, Preconditions(if_match=f'"{sent}"'), conflict_without_headers=True
    )
    expected = Outcome.PROCEED if current == sent else Outcome.PRECONDITION_FAILED
    assert outcome is expected


@given(st.one_of(st.none(), etags))
def test_if_match_star_holds_when_a_document_exists(current: str | None) -> None:
    outcome = precondition(current, Preconditions(if_match="*"), conflict_without_headers=False)
    assert outcome is (Outcome.PROCEED if current else Outcome.PRECONDITION_FAILED)


@given(st.one_of(st.none(), etags))
def test_if_none_match_star_holds_only_when_there_is_no_document(current: str | None) -> None:
    outcome = precondition(current, Preconditions(if_none_match="*"), conflict_without_headers=True)
    assert outcome is (Outcome.PROCEED if current is None else Outcome.PRECONDITION_FAILED)


@given(etags, etags)
def test_if_none_match_with_tags_fails_on_one_of_them(sent: str, current: str) -> None:
    outcome = precondition(
        current, Preconditions(if_none_match=f'"{sent}"'), conflict_without_headers=False
    )
    assert outcome is (Outcome.PRECONDITION_FAILED if sent == current else Outcome.PROCEED)


@given(st.one_of(st.none(), etags), st.booleans())
def test_without_headers_only_a_profile_put_over_a_document_conflicts(
    current: str | None, profile_put: bool
) -> None:
    outcome = precondition(current, Preconditions(), conflict_without_headers=profile_put)
    if not profile_put:
        assert outcome is Outcome.PROCEED
    else:
        assert outcome is (Outcome.CONFLICT if current is not None else Outcome.HEADER_REQUIRED)


def test_a_matching_etag_of_any_case_or_weakness_proceeds() -> None:
    current = "a" * 40
    for header in (f'"{current.upper()}"', f'W/"{current}"', f'"{"b" * 40}", "{current}"'):
        assert (
            precondition(current, Preconditions(if_match=header), conflict_without_headers=True)
            is Outcome.PROCEED
        )


@given(st.binary(), st.text(max_size=20))
def test_a_post_with_nothing_stored_stores_the_document_as_sent(
    content: bytes, content_type: str
) -> None:
    sent = Stored(content, content_type)
    assert posted(None, sent) == sent


@given(objects, objects)
def test_a_post_sets_each_top_level_property_and_keeps_the_others(
    old: dict[str, Any], new: dict[str, Any]
) -> None:
    result = posted(_json(old), _json(new))
    merged = json.loads(result.content)
    assert result.content_type == JSON
    assert merged == {**old, **new}
    assert all(merged[key] == value for key, value in new.items())


def test_a_post_replaces_a_nested_object_whole() -> None:
    old = {"car": {"make": "Ford", "model": "Escape"}, "driver": "Dale"}
    result = posted(_json(old), _json({"car": {"make": "Dodge"}}))
    assert json.loads(result.content) == {"car": {"make": "Dodge"}, "driver": "Dale"}


@pytest.mark.parametrize(
    ("existing", "new"),
    [
        (Stored(b'{"a": 1}', JSON), Stored(b"abc", "application/x-www-form-urlencoded")),
        (Stored(b"abc", "text/plain"), Stored(b'{"a": 1}', JSON)),
        (Stored(b"[1, 2]", JSON), Stored(b'{"a": 1}', JSON)),
        (Stored(b'{"a": 1}', JSON), Stored(b"1", JSON)),
        (Stored(b'{"a": 1}', JSON), Stored(b"not json", JSON)),
    ],
)
def test_a_post_over_a_document_merges_only_two_json_objects(existing: Stored, new: Stored) -> None:
    with pytest.raises(NotMergeable):
        posted(existing, new)


@given(objects, objects)
def test_a_later_definition_wins_property_by_property(
    old: dict[str, Any], new: dict[str, Any]
) -> None:
    merged = merged_definition(old, new)
    assert set(merged) == set(old) | set(new)
    for key, value in new.items():
        if key not in ("name", "description") or not (
            isinstance(value, dict) and isinstance(old.get(key), dict)
        ):
            assert merged[key] == value


@given(
    st.dictionaries(st.sampled_from(["en-US", "fr", "de"]), st.text(max_size=5)),
    st.dictionaries(st.sampled_from(["en-US", "fr", "es"]), st.text(max_size=5)),
)
def test_definitions_merge_language_maps_key_by_key(
    old: dict[str, str], new: dict[str, str]
) -> None:
    merged = merged_definition({"name": old, "description": old}, {"name": new})
    assert merged["name"] == {**old, **new}
    assert merged["description"] == old


def test_a_person_holds_each_property_of_the_agent_as_an_array() -> None:
    agent = {"objectType": "Agent", "name": "Ada", "account": {"homePage": "http://x", "name": "a"}}
    assert person_of(agent) == {
        "objectType": "Person",
        "name": ["Ada"],
        "account": [{"homePage": "http://x", "name": "a"}],
    }
    assert person_of({"mbox": "mailto:a@example.com"}) == {
        "objectType": "Person",
        "mbox": ["mailto:a@example.com"],
    }
