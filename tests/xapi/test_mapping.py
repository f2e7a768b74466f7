"""From a statement to the event it stands for: verbs, scores, durations, topics and times. No
database."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from questpath.events.rules import CLIENT_KINDS
from questpath.events.schemas import EventIn
from questpath.ruleset import XapiRules, default_ruleset
from questpath.text import BIDI_CONTROLS
from questpath.xapi.mapping import (
    DEFAULT_MAPPING,
    MAX_SECONDS,
    VOIDED,
    MappedEvent,
    XapiMapping,
    duration_seconds,
    event_of,
    grade_of,
    last_segment,
    topic_of,
)

ADL = "http://adlnet.gov/expapi/verbs/"
COURSE = "http://adlnet.gov/expapi/activities/course"
LESSON = "http://adlnet.gov/expapi/activities/lesson"


def statement(verb: str, **parts: Any) -> dict[str, Any]:
    """A valid statement by Alice about an activity, with `parts` laid over it."""
    return {
        "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
        "actor": {"mbox": "mailto:alice@example.com"},
        "verb": {"id": verb if ":" in verb else ADL + verb},
        "object": {"id": "http://example.com/exercises/loops"},
        **parts,
    }


# Verbs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("verb", "kind"),
    [
        ("completed", "exercise_completed"),
        ("passed", "exercise_completed"),
        ("failed", "exercise_completed"),
        ("mastered", "exercise_completed"),
    ],
)
def test_finishing_verbs_count_as_exercises(verb: str, kind: str) -> None:
    event = event_of(statement(verb), DEFAULT_MAPPING)
    assert event == MappedEvent(kind, None, None, None, None)


@pytest.mark.parametrize(
    "verb",
    ["answered", "attempted", "scored", "progressed", "launched", "initialized", "terminated"],
)
def test_verbs_that_do_not_finish_anything_count_for_nothing(verb: str) -> None:
    timed = statement(verb, result={"duration": "PT10M", "score": {"scaled": 1}})
    assert event_of(timed, DEFAULT_MAPPING) is None


def test_a_voiding_statement_is_left_to_the_caller() -> None:
    voiding = statement(
        VOIDED, object={"objectType": "StatementRef", "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"}
    )
    mapping = XapiMapping.of(XapiRules(verbs={VOIDED: "check_in"}))
    assert event_of(voiding, mapping) is None


def test_an_experience_with_a_duration_is_a_study_session() -> None:
    event = event_of(statement("experienced", result={"duration": "PT25M"}), DEFAULT_MAPPING)
    assert event is not None
    assert (event.kind, event.time_spent_seconds) == ("study_session", 1500)


def test_an_experience_without_a_duration_is_a_check_in_by_default() -> None:
    event = event_of(statement("experienced"), DEFAULT_MAPPING)
    assert event is not None
    assert (event.kind, event.time_spent_seconds) == ("check_in", None)


def test_an_untimed_experience_counts_for_nothing_when_the_operator_says_none() -> None:
    mapping = XapiMapping.of(XapiRules(study_without_duration="none"))
    assert event_of(statement("experienced"), mapping) is None
    assert event_of(statement("experienced", result={"duration": "PT1M"}), mapping) is not None


def test_an_operator_s_verbs_replace_the_defaults() -> None:
    mapping = XapiMapping.of(
        XapiRules(verbs={"https://example.com/verbs/built": "project_completed"})
    )
    built = event_of(statement("https://example.com/verbs/built"), mapping)
    assert built is not None
    assert built.kind == "project_completed"
    assert event_of(statement("completed"), mapping) is None


@pytest.mark.parametrize(
    "target",
    [
        {"objectType": "StatementRef", "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"},
        {"objectType": "SubStatement", "actor": {"mbox": "mailto:a@example.com"}},
        {"objectType": "Agent", "mbox": "mailto:bob@example.com"},
        {"objectType": "Group", "member": [{"mbox": "mailto:bob@example.com"}]},
    ],
)
def test_only_an_activity_object_counts(target: dict[str, Any]) -> None:
    assert event_of(statement("completed", object=target), DEFAULT_MAPPING) is None
    activity = {"objectType": "Activity", "id": "http://example.com/a"}
    assert event_of(statement("completed", object=activity), DEFAULT_MAPPING) is not None


@given(st.text(min_size=1, max_size=80))
def test_a_verb_not_in_the_mapping_counts_for_nothing(name: str) -> None:
    verb = f"https://example.com/verbs/{name}"
    assert event_of(statement(verb, result={"duration": "PT1H"}), DEFAULT_MAPPING) is None


def test_every_default_kind_is_one_a_client_may_record() -> None:
    assert set(DEFAULT_MAPPING.verbs.values()) <= set(CLIENT_KINDS)
    assert DEFAULT_MAPPING.study_without_duration in CLIENT_KINDS


# Scores ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ({"scaled": 0.87}, 87.0),
        ({"scaled": 1}, 100.0),
        ({"scaled": 0}, 0.0),
        ({"scaled": -0.5}, 0.0),
        ({"scaled": 0.12345}, 12.35),
        ({"raw": 7, "min": 0, "max": 10}, 70.0),
        ({"raw": 15, "min": 10, "max": 20}, 50.0),
        ({"scaled": 0.5, "raw": 1, "min": 0, "max": 10}, 50.0),  # scaled wins
        ({"raw": 7}, None),  # a raw score out of nothing known
        ({"scaled": 10**400}, None),
        ({"scaled": True}, None),
        ({"raw": 3, "min": 5, "max": 5}, None),
        ({}, None),
        (None, None),
    ],
)
def test_the_grade_follows_the_score(score: Any, grade: float | None) -> None:
    assert grade_of(score) == grade


def test_a_statement_s_score_grades_its_exercise() -> None:
    event = event_of(statement("passed", result={"score": {"scaled": 0.9}}), DEFAULT_MAPPING)
    assert event is not None
    assert event.grade == 90.0


@given(st.floats(min_value=-1, max_value=1))
def test_any_scaled_score_gives_a_grade_from_0_to_100(scaled: float) -> None:
    grade = grade_of({"scaled": scaled})
    assert grade is not None
    assert 0 <= grade <= 100
    assert grade == (0.0 if scaled <= 0 else round(scaled * 100, 2))


@given(
    st.floats(min_value=-1e6, max_value=1e6),
    st.floats(min_value=-1e6, max_value=1e6),
    st.floats(min_value=1e-3, max_value=1e6),
)
def test_any_raw_score_within_its_range_gives_a_grade_from_0_to_100(
    low: float, offset: float, width: float
) -> None:
    raw = low + abs(offset) % width
    grade = grade_of({"raw": raw, "min": low, "max": low + width})
    assert grade is not None
    assert 0 <= grade <= 100


# Durations ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("duration", "seconds"),
    [
        ("PT1H2M3.5S", 3723),
        ("P1DT2H", 93600),
        ("PT0S", 0),
        ("PT0.99S", 0),
        ("PT1,5M", 90),
        ("P2W", 1_209_600),
        ("P1M", 2_592_000),
        ("P1Y", 31_536_000),
        ("PT90M", 5400),
        ("P1Y2D", None),  # more than a year and a day: not believed
        ("P", None),
        ("PT", None),
        ("P1H", None),  # hours belong after T
        ("PT1D", None),
        ("1H", None),
        ("PT-5S", None),
        ("", None),
        (None, None),
        (30, None),
    ],
)
def test_the_time_spent_follows_the_duration(duration: Any, seconds: int | None) -> None:
    assert duration_seconds(duration) == seconds


def _duration(days: int, hours: int, minutes: int, seconds: int, hundredths: int) -> str:
    time = f"T{hours}H{minutes}M{seconds}.{hundredths:02d}S"
    return f"P{days}D{time}"


@given(
    st.integers(0, 365),
    st.integers(0, 23),
    st.integers(0, 59),
    st.integers(0, 59),
    st.integers(0, 99),
)
def test_any_duration_within_a_year_round_trips_to_its_whole_seconds(
    days: int, hours: int, minutes: int, seconds: int, hundredths: int
) -> None:
    text = _duration(days, hours, minutes, seconds, hundredths)
    assert duration_seconds(text) == days * 86400 + hours * 3600 + minutes * 60 + seconds


@given(st.integers(0, MAX_SECONDS))
def test_any_number_of_seconds_written_as_a_duration_reads_back(seconds: int) -> None:
    assert duration_seconds(f"PT{seconds}S") == seconds
    assert duration_seconds(str(timedelta(seconds=seconds))) is None  # "1 day, 0:00:00" is not one


@given(st.text(max_size=20))
def test_any_text_gives_no_duration_or_an_allowed_one(text: str) -> None:
    seconds = duration_seconds(text)
    assert seconds is None or 0 <= seconds <= MAX_SECONDS


# Topics ---------------------------------------------------------------------------------------


def activity(iri: str, kind: str | None = None, **names: str) -> dict[str, Any]:
    definition: dict[str, Any] = {}
    if kind:
        definition["type"] = kind
    if names:
        definition["name"] = {tag.replace("_", "-"): text for tag, text in names.items()}
    return {"id": iri, **({"definition": definition} if definition else {})}


def with_context(**activities: list[dict[str, Any]]) -> dict[str, Any]:
    return statement("completed", context={"contextActivities": activities})


def test_a_category_activity_names_the_topic_in_english() -> None:
    category = activity("http://example.com/topics/sql", de="Datenbanken", en_US="Databases")
    assert topic_of(with_context(category=[category]), DEFAULT_MAPPING) == "Databases"


def test_without_english_the_first_language_names_the_topic() -> None:
    category = activity("http://example.com/topics/sql", de="Datenbanken", fr="Bases")
    assert topic_of(with_context(category=[category]), DEFAULT_MAPPING) == "Datenbanken"


def test_an_unnamed_activity_is_named_by_its_iri_s_last_segment() -> None:
    category = activity("http://example.com/topics/linear%20algebra/")
    assert topic_of(with_context(category=[category]), DEFAULT_MAPPING) == "linear algebra"


@pytest.mark.parametrize(
    ("iri", "segment"),
    [
        ("http://example.com/topics/sql", "sql"),
        ("http://example.com/topics#sql", "sql"),
        ("http://example.com/topics/sql?lang=en", "sql"),
        ("urn:topics:sql", "sql"),
        ("http://example.com/", "example.com"),
    ],
)
def test_the_last_segment_of_an_iri(iri: str, segment: str) -> None:
    assert last_segment(iri) == segment


def test_a_category_wins_over_a_course_parent() -> None:
    context = with_context(
        parent=[activity("http://example.com/courses/1", COURSE, en="Python for beginners")],
        category=[activity("http://example.com/topics/python", en="Python")],
    )
    assert topic_of(context, DEFAULT_MAPPING) == "Python"


def test_profile_categories_name_no_topic() -> None:
    context = with_context(
        category=[
            activity("https://w3id.org/xapi/cmi5/context/categories/moveon"),
            activity("http://example.com/profile", "http://adlnet.gov/expapi/activities/profile"),
        ],
        parent=[activity("http://example.com/courses/1", COURSE, en="Python for beginners")],
    )
    assert topic_of(context, DEFAULT_MAPPING) == "Python for beginners"


def test_a_parent_or_grouping_names_the_topic_only_when_of_a_topic_type() -> None:
    lesson = activity("http://example.com/lessons/1", LESSON, en="Lesson one")
    course = activity("http://example.com/courses/2", COURSE, en="Statistics")
    assert topic_of(with_context(parent=[lesson]), DEFAULT_MAPPING) is None
    assert topic_of(with_context(parent=[lesson], grouping=[course]), DEFAULT_MAPPING) == (
        "Statistics"
    )


def test_a_course_completed_names_its_own_topic() -> None:
    course = activity("http://example.com/courses/3", COURSE, en="Woodwork")
    event = event_of(statement("completed", object=course), DEFAULT_MAPPING)
    assert event is not None
    assert event.topic == "Woodwork"


def test_a_single_context_activity_not_in_an_array_is_read_too() -> None:
    context = statement(
        "completed", context={"contextActivities": {"category": activity("http://x.org/t/sql")}}
    )
    assert topic_of(context, DEFAULT_MAPPING) == "sql"


def test_an_exercise_with_no_context_has_no_topic() -> None:
    event = event_of(statement("completed"), DEFAULT_MAPPING)
    assert event is not None
    assert event.topic is None


def test_a_long_name_is_cut_to_a_topic_s_length() -> None:
    category = activity("http://example.com/t", en="x" * 99 + " yz")
    assert topic_of(with_context(category=[category]), DEFAULT_MAPPING) == "x" * 99


names = st.dictionaries(
    st.sampled_from(["en", "en-US", "de", "fr-CA", "und"]), st.text(max_size=300), max_size=3
)


@given(names, st.text(max_size=200))
def test_any_topic_is_at_most_100_characters_without_control_characters(
    name: dict[str, str], path: str
) -> None:
    category = {"id": f"http://example.com/{path}", "definition": {"name": name}}
    topic = topic_of(with_context(category=[category]), DEFAULT_MAPPING)
    if topic is not None:
        assert 1 <= len(topic) <= 100
        assert topic == topic.strip()
        assert not any(ord(char) < 32 or 127 <= ord(char) < 160 for char in topic)
        assert BIDI_CONTROLS.isdisjoint(topic)
        EventIn(kind="exercise_completed", topic=topic)  # a topic the event API accepts


# Times ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("timestamp", "moment"),
    [
        ("2026-03-01T10:15:00Z", datetime(2026, 3, 1, 10, 15, tzinfo=UTC)),
        (
            "2026-03-01T10:15:00.123456789+02:00",
            datetime(2026, 3, 1, 10, 15, 0, 123456, tzinfo=timezone(timedelta(hours=2))),
        ),
        ("2026-03-01T10:15:00", datetime(2026, 3, 1, 10, 15, tzinfo=UTC)),
        ("not a time", None),
        (None, None),
    ],
)
def test_the_event_happened_at_the_statement_s_timestamp(
    timestamp: str | None, moment: datetime | None
) -> None:
    parts = {"timestamp": timestamp} if timestamp is not None else {}
    event = event_of(statement("completed", **parts), DEFAULT_MAPPING)
    assert event is not None
    assert event.occurred_at == moment


# The rules file -------------------------------------------------------------------------------


def test_the_default_mapping_is_the_rules_file_s() -> None:
    assert XapiMapping.of(default_ruleset().xapi) == DEFAULT_MAPPING


# The documentation ------------------------------------------------------------------------------

XAPI_DOC = (Path(__file__).parents[2] / "docs" / "xapi.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(("verb", "kind"), sorted(DEFAULT_MAPPING.verbs.items()))
def test_every_default_verb_is_in_the_documented_table(verb: str, kind: str) -> None:
    assert f"| `{verb.removeprefix(ADL)}` | `{kind}` |" in XAPI_DOC


def test_the_documented_rules_file_section_is_the_default() -> None:
    block = XAPI_DOC.split("```toml\n", 1)[1].split("```", 1)[0]
    assert XapiRules.model_validate(tomllib.loads(block)["xapi"]) == XapiRules()
