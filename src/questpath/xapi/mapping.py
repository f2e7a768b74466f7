"""How a stored xAPI statement becomes progress: the event it stands for, or nothing.

Pure: no database, no clock, no settings. The statement is valid xAPI 1.0.3 (checked where it
arrives); the operator's choices come in as an `XapiMapping`, read from the `[xapi]` section of
the rules file. docs/xapi.md ("From statements to progress") is the reader's version of this.

- The verb decides the kind (`XapiMapping.verbs`); a verb not listed counts for nothing, and
  so does `voided`, which the caller handles by voiding the event of the statement it names.
- Only an Activity object counts: a SubStatement is something planned, not done; a
  StatementRef is about another statement (which counts by itself); an Agent or Group object
  is something done to a person, not learning of an activity.
- `result.score.scaled` (-1 to 1) gives the grade (0 to 100): a negative score is a grade of 0,
  the bottom of QuestPath's scale. Without `scaled`, `raw` within `min` and `max` gives it.
- `result.duration` gives the time spent, in whole seconds; a study session needs it, and one
  without becomes `study_without_duration` (a check-in by default) or nothing.
- The topic is the name of the first category activity that is not a profile marker; else of
  the first parent, grouping or object activity whose type is one of `topic_activity_types`.
- The time is the statement's `timestamp` (read as UTC when it carries no offset).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any
from urllib.parse import unquote

from questpath.ruleset import XapiRules
from questpath.text import BIDI_CONTROLS

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
PROFILE_TYPE = "http://adlnet.gov/expapi/activities/profile"
MAX_TOPIC_LENGTH = 100
# The longest time an event may carry (events.schemas.MAX_SECONDS): a longer duration is not
# believed, and counts as none.
MAX_SECONDS = 366 * 24 * 3600
# ISO 8601 has no fixed length for a year or a month: these are the usual conventions.
UNIT_SECONDS = {
    "years": 365 * 86400,
    "months": 30 * 86400,
    "weeks": 7 * 86400,
    "days": 86400,
    "hours": 3600,
    "minutes": 60,
    "seconds": 1,
}
_NUMBER = r"\d+(?:[.,]\d+)?"
DURATION = re.compile(
    rf"^P(?!$)(?:(?P<years>{_NUMBER})Y)?(?:(?P<months>{_NUMBER})M)?(?:(?P<weeks>{_NUMBER})W)?"
    rf"(?:(?P<days>{_NUMBER})D)?(?:T(?=\d)(?:(?P<hours>{_NUMBER})H)?(?:(?P<minutes>{_NUMBER})M)?"
    rf"(?:(?P<seconds>{_NUMBER})S)?)?$"
)
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
ENGLISH = ("en", "en-us", "en-gb")


@dataclass(frozen=True)
class MappedEvent:
    """The event a statement stands for; the caller records it for the statement's learner."""

    kind: str  # an EVENT_KINDS client kind
    grade: float | None  # 0-100
    time_spent_seconds: int | None
    topic: str | None  # at most 100 characters, no control characters
    occurred_at: datetime | None  # the statement's timestamp (aware); None: when stored


@dataclass(frozen=True)
class XapiMapping:
    """The operator's choices (the rules file's `[xapi]`; DEFAULT_MAPPING holds the defaults)."""

    verbs: Mapping[str, str]  # verb IRI -> event kind; verbs not listed count for nothing
    study_without_duration: str | None  # what an untimed study session becomes; None: nothing
    topic_activity_types: frozenset[str]  # parent, grouping or object activities naming a topic
    ignored_categories: tuple[str, ...]  # category IRI prefixes that mark profiles, not topics

    @classmethod
    def of(cls, rules: XapiRules) -> XapiMapping:
        fallback = rules.study_without_duration
        return cls(
            verbs=MappingProxyType(dict(rules.verbs)),
            study_without_duration=None if fallback == "none" else fallback,
            topic_activity_types=frozenset(rules.topic_activity_types),
            ignored_categories=tuple(rules.ignored_categories),
        )


DEFAULT_MAPPING = XapiMapping.of(XapiRules())


def event_of(statement: Mapping[str, Any], mapping: XapiMapping) -> MappedEvent | None:
    """The event `statement` stands for, or None when it counts for nothing."""
    verb = _mapping(statement.get("verb")).get("id")
    if not isinstance(verb, str) or verb == VOIDED:
        return None
    kind = mapping.verbs.get(verb)
    target = _mapping(statement.get("object"))
    if kind is None or target.get("objectType", "Activity") != "Activity":
        return None
    result = _mapping(statement.get("result"))
    seconds = duration_seconds(result.get("duration"))
    if kind == "study_session" and seconds is None:
        kind = mapping.study_without_duration
        if kind is None:
            return None
    return MappedEvent(
        kind=kind,
        grade=grade_of(result.get("score")),
        time_spent_seconds=seconds,
        topic=topic_of(statement, mapping),
        occurred_at=timestamp_of(statement.get("timestamp")),
    )


def grade_of(score: Any) -> float | None:
    """The grade (0-100, to the hundredth) of a result's score: `scaled` (-1 to 1, a negative
    score is 0), else `raw` within `min` and `max`; None when neither is there."""
    if not isinstance(score, Mapping):
        return None
    scaled, raw, low, high = (_number(score.get(key)) for key in ("scaled", "raw", "min", "max"))
    if scaled is not None:
        fraction = scaled
    elif raw is not None and low is not None and high is not None and high > low:
        fraction = (raw - low) / (high - low)
    else:
        return None
    return round(min(1.0, max(0.0, fraction)) * 100, 2)


def duration_seconds(duration: Any) -> int | None:
    """The whole seconds of an ISO 8601 duration ("PT1H2M3.5S" is 3723, "P1DT2H" 93600; a year
    counts 365 days and a month 30), or None if it is not one or is longer than a year and a day.
    """
    if not isinstance(duration, str) or not (match := DURATION.match(duration)):
        return None
    total = sum(
        (
            Decimal(value.replace(",", ".")) * UNIT_SECONDS[unit]
            for unit, value in match.groupdict().items()
            if value is not None
        ),
        Decimal(0),
    )
    seconds = int(total)  # whole seconds, rounded down
    return seconds if seconds <= MAX_SECONDS else None


def timestamp_of(timestamp: Any) -> datetime | None:
    """The moment of an ISO 8601 timestamp, aware (UTC when it has no offset), or None."""
    if not isinstance(timestamp, str):
        return None
    # Python reads at most 6 digits of a fraction; xAPI allows more.
    text = re.sub(r"(\.\d{6})\d+", r"\1", timestamp.strip())
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def topic_of(statement: Mapping[str, Any], mapping: XapiMapping) -> str | None:
    """The statement's topic: a category activity's name (the content's own tag for what it is
    about) wins; else a parent, grouping or object activity of a type the mapping names."""
    context = _mapping(_mapping(statement.get("context")).get("contextActivities"))
    for activity in _activities(context.get("category")):
        identifier = activity.get("id")
        if _type_of(activity) == PROFILE_TYPE or (
            isinstance(identifier, str) and identifier.startswith(mapping.ignored_categories)
        ):
            continue
        if topic := readable_name(activity):
            return topic
    candidates = [
        *_activities(context.get("parent")),
        *_activities(context.get("grouping")),
        _mapping(statement.get("object")),
    ]
    for activity in candidates:
        if _type_of(activity) in mapping.topic_activity_types and (
            topic := readable_name(activity)
        ):
            return topic
    return None


def readable_name(activity: Mapping[str, Any]) -> str | None:
    """An activity's name in English (en, en-US, en-GB, any en-*), else in its first language,
    else its IRI's last segment; cleaned to a topic (see `clean_topic`)."""
    names = _mapping(_mapping(activity.get("definition")).get("name"))
    texts = {str(tag).lower(): text for tag, text in names.items() if isinstance(text, str)}
    preferred = [texts[tag] for tag in ENGLISH if tag in texts]
    preferred += [text for tag, text in texts.items() if tag.startswith("en-")]
    preferred += list(texts.values())
    identifier = activity.get("id")
    if isinstance(identifier, str):
        preferred.append(last_segment(identifier))
    return next((topic for text in preferred if (topic := clean_topic(text))), None)


def last_segment(iri: str) -> str:
    """The last part of an IRI that names something: its fragment, else its last path segment
    (or the last part of a URN), percent-decoded."""
    rest, _, fragment = iri.partition("#")
    if fragment:
        return unquote(fragment)
    parts = [part for part in re.split(r"[/:]", rest.split("?", 1)[0]) if part]
    return unquote(parts[-1]) if parts else ""


def clean_topic(text: str) -> str | None:
    """`text` as a topic: control and bidirectional control characters gone, whitespace runs
    made one space, cut to 100 characters; None when nothing is left."""
    text = CONTROL_CHARACTERS.sub(" ", text)
    text = "".join(char for char in text if char not in BIDI_CONTROLS)
    text = " ".join(text.split())[:MAX_TOPIC_LENGTH].strip()
    return text or None


def _activities(value: Any) -> Iterator[Mapping[str, Any]]:
    """The activities of a contextActivities entry: an array, or (as 1.0.0 allowed) one."""
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, Mapping):
            yield item


def _type_of(activity: Mapping[str, Any]) -> Any:
    return _mapping(activity.get("definition")).get("type")


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _number(value: Any) -> float | None:
    """A JSON number as a float; None for anything else (true and false are not numbers)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except OverflowError:  # an integer too large for a float
        return None
    return number if math.isfinite(number) else None
