"""Statement comparison (xAPI 1.0.3 Data 2.3.1, "Statement Comparison Requirements").

Expectations come from the spec's exceptions to statement immutability: a statement matches
itself however its keys are ordered, with `stored` and `authority` added, without the `id`,
`timestamp` or `version` the LRS fills in, with its timestamp in another zone, its Group
members in another order, its definitions and verb display changed; it does not match a
statement with another actor, verb, object, result or timestamp.
"""

from __future__ import annotations

import copy
import random
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from questpath.xapi.comparison import statements_equivalent
from questpath.xapi.signatures import statements_equivalent as via_signatures

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
iris = words.map(lambda w: f"http://example.com/{w}")
agents = st.builds(
    lambda local, domain, name: {
        "objectType": "Agent",
        "mbox": f"mailto:{local}@{domain}.com",
        "name": name,
    },
    words,
    words,
    words,
)
groups = st.builds(
    lambda members, name: {"objectType": "Group", "name": name, "member": members},
    st.lists(agents, min_size=1, max_size=4),
    words,
)
activities = st.builds(
    lambda iri, name: {
        "objectType": "Activity",
        "id": iri,
        "definition": {"name": {"en-US": name}},
    },
    iris,
    words,
)
moments = st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC))
results = st.fixed_dictionaries(
    {},
    optional={
        "success": st.booleans(),
        "score": st.fixed_dictionaries({"scaled": st.floats(-1, 1)}),
        "duration": st.sampled_from(["PT1H0M0S", "PT12.5S", "P3Y"]),
    },
)


@st.composite
def statements(draw: st.DrawFn) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "id": str(draw(st.uuids())),
        "actor": draw(st.one_of(agents, groups)),
        "verb": {"id": draw(iris), "display": {"en-US": draw(words)}},
        "object": draw(st.one_of(activities, agents)),
        "timestamp": draw(moments).isoformat(timespec="milliseconds"),
        "context": {
            "registration": str(draw(st.uuids())),
            "contextActivities": {"parent": [draw(activities)]},
        },
    }
    if draw(st.booleans()):
        statement["result"] = draw(results)
    if draw(st.booleans()):
        statement["version"] = "1.0.0"
    return statement


def reordered(value: Any, rng: random.Random) -> Any:
    """The same JSON with every object's keys in another order."""
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        return {k: reordered(value[k], rng) for k in keys}
    if isinstance(value, list):
        return [reordered(v, rng) for v in value]
    return value


def test_statements_equivalent_is_the_one_the_signatures_use() -> None:
    assert via_signatures is statements_equivalent


@given(statements(), st.randoms())
def test_a_statement_matches_itself_with_its_keys_reordered(
    statement: dict[str, Any], rng: random.Random
) -> None:
    assert statements_equivalent(statement, reordered(copy.deepcopy(statement), rng))


@given(statements(), moments, agents)
def test_a_statement_matches_itself_with_stored_and_authority_added(
    statement: dict[str, Any], stored: datetime, authority: dict[str, Any]
) -> None:
    returned = {
        **statement,
        "stored": stored.isoformat(),
        "authority": authority,
        "version": "1.0.0",
    }
    if "version" in statement:
        returned["version"] = statement["version"]

    assert statements_equivalent(statement, returned)
    assert statements_equivalent(returned, statement)


@given(statements(), st.sampled_from(["id", "timestamp", "version"]))
def test_what_the_lrs_fills_in_counts_only_when_both_have_it(
    statement: dict[str, Any], key: str
) -> None:
    without = {k: v for k, v in statement.items() if k != key}

    assert statements_equivalent(statement, without)
    assert statements_equivalent(without, statement)


@given(statements(), st.integers(-12 * 60, 14 * 60))
def test_a_timestamp_in_another_zone_is_the_same_instant(
    statement: dict[str, Any], minutes: int
) -> None:
    zone = timezone(timedelta(minutes=minutes))
    moment = datetime.fromisoformat(statement["timestamp"]).astimezone(zone)

    assert statements_equivalent(statement, {**statement, "timestamp": moment.isoformat()})


@given(statements(), st.integers(1, 10**6))
def test_a_different_timestamp_does_not_match(statement: dict[str, Any], milliseconds: int) -> None:
    later = datetime.fromisoformat(statement["timestamp"]) + timedelta(milliseconds=milliseconds)

    assert not statements_equivalent(statement, {**statement, "timestamp": later.isoformat()})


@given(statements(), st.randoms())
def test_group_members_match_in_any_order(statement: dict[str, Any], rng: random.Random) -> None:
    other = copy.deepcopy(statement)
    if other["actor"]["objectType"] == "Group":
        rng.shuffle(other["actor"]["member"])

    assert statements_equivalent(statement, other)


@given(statements(), words)
def test_definitions_and_verb_display_are_not_part_of_the_statement(
    statement: dict[str, Any], text: str
) -> None:
    other = copy.deepcopy(statement)
    other["verb"]["display"] = {"fr-FR": text}
    other["context"]["contextActivities"]["parent"][0]["definition"] = {"name": {"en": text}}
    if other["object"]["objectType"] == "Activity":
        del other["object"]["definition"]

    assert statements_equivalent(statement, other)


@given(statements(), iris)
def test_another_verb_does_not_match(statement: dict[str, Any], verb: str) -> None:
    other = {**statement, "verb": {**statement["verb"], "id": verb}}

    assert statements_equivalent(statement, other) == (verb == statement["verb"]["id"])


@given(statements(), agents)
def test_another_actor_does_not_match(statement: dict[str, Any], actor: dict[str, Any]) -> None:
    assert statements_equivalent(statement, {**statement, "actor": actor}) == (
        actor == statement["actor"]
    )


@given(statements(), activities)
def test_another_object_does_not_match(statement: dict[str, Any], target: dict[str, Any]) -> None:
    same = statement["object"].get("id") == target["id"]

    assert statements_equivalent(statement, {**statement, "object": target}) == same


@pytest.mark.parametrize(
    ("change", "matches"),
    [
        ({"actor": {"mbox": "MAILTO:Learner@EXAMPLE.com"}}, True),  # scheme and domain: any case
        ({"actor": {"mbox": "mailto:LEARNER@example.com"}}, False),  # the local part is not
        ({"id": "6690E6C9-3EF0-4ED3-8B37-7F3964730BEE"}, True),
        ({"id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bef"}, False),
        ({"timestamp": "2013-05-18T05:32:34.8049Z"}, True),  # past the millisecond
        ({"timestamp": "2013-05-18T05:32:34.805Z"}, False),
        ({"timestamp": "2013-05-18T07:32:34.804+02:00"}, True),
        ({"result": {"success": 1, "duration": "PT1.25S"}}, False),  # true is not 1
        ({"result": {"success": True, "duration": "PT1.259S"}}, True),  # hundredths only
        ({"result": {"success": True, "duration": "PT1.26S"}}, False),
        ({"context": {"contextActivities": {"parent": {"id": "http://example.com/p"}}}}, True),
        ({"context": {"contextActivities": {"parent": [{"id": "http://example.com/q"}]}}}, False),
        ({"context": {"language": "EN-us"}}, False),  # a language was not there before
        ({"version": "1.0.3"}, False),
        (
            {
                "object": {
                    "objectType": "StatementRef",
                    "id": "9E13CEFD-53D3-4EAC-B5ED-2CF6693903BB",
                }
            },
            True,
        ),
    ],
)
def test_case_and_precision_rules(change: dict[str, Any], matches: bool) -> None:
    base: dict[str, Any] = {
        "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee",
        "actor": {"mbox": "mailto:Learner@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/attended"},
        "object": {"objectType": "StatementRef", "id": "9e13cefd-53d3-4eac-b5ed-2cf6693903bb"},
        "result": {"success": True, "duration": "PT1.25S"},
        "context": {"contextActivities": {"parent": [{"id": "http://example.com/p"}]}},
        "timestamp": "2013-05-18T05:32:34.804Z",
        "version": "1.0.0",
    }

    assert statements_equivalent(base, {**base, **change}) is matches
