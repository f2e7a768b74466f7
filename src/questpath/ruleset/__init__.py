"""The configurable numbers behind progress: read from a TOML rules file and validated once.

The defaults ship as `rules.toml` beside this module; QUESTPATH_RULES_FILE replaces the file as a
whole. Every model is frozen, so the rules are plain values the pure functions can take.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

DEFAULT_RULES_FILE = Path(__file__).with_name("rules.toml")

Metric = Literal[
    "exercises_completed",
    "projects_completed",
    "study_sessions",
    "longest_streak",
    "active_days",
    "time_spent_seconds",
    "perfect_scores",
    "hintless_exercises",
    "items_completed",
    "categories_finished",
    "tracks_finished",
    "top_topic_exercises",
    "distinct_topics",
    "quizzes_completed",
    "quiz_reviews",
    "xp",
    "level",
]
METRICS: tuple[str, ...] = get_args(Metric)
NonNegative = Annotated[int, Field(ge=0)]
Positive = Annotated[int, Field(ge=1)]
Text = Annotated[str, Field(min_length=1, max_length=200)]
# An absolute http(s) address, or a path inside QuestPath such as "/reviews" (never "//host").
Link = Annotated[str, Field(pattern=r"^(https?://[^\s/]+[^\s]*|/([^\s/][^\s]*)?)$", max_length=500)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class XpRules(_Frozen):
    exercise_base: NonNegative
    exercise_grade_step: Positive
    exercise_hint_penalty: NonNegative
    exercise_minimum: NonNegative
    project: NonNegative
    study_session_seconds_per_xp: Positive
    study_session_maximum: NonNegative
    streak_bonus: NonNegative
    streak_bonus_minimum_length: Positive
    item: NonNegative
    category_finished: NonNegative
    track_finished: NonNegative
    quiz_review: NonNegative
    quiz_review_daily_maximum: NonNegative


class LevelRules(_Frozen):
    first_level_cost: Positive
    cost_increase: Positive  # positive, so each level costs more than the last


class StreakRules(_Frozen):
    freeze_every_days: Positive
    max_freezes: NonNegative


class SkillLevelRule(_Frozen):
    name: Annotated[str, Field(pattern=r"^[a-z][a-z_]*$")]
    min_exercises: Positive
    min_average_grade: Annotated[float, Field(ge=0, le=100)]


class SkillLevelRules(_Frozen):
    base_level: str = "beginner"
    levels: tuple[SkillLevelRule, ...]

    @model_validator(mode="after")
    def _ascending(self) -> SkillLevelRules:
        for lower, higher in zip(self.levels, self.levels[1:], strict=False):
            if (
                higher.name == lower.name
                or higher.min_exercises < lower.min_exercises
                or higher.min_average_grade < lower.min_average_grade
            ):
                raise ValueError(
                    "skill levels need distinct names and ascending thresholds: "
                    f"'{higher.name}' may not ask for less than '{lower.name}' before it"
                )
        return self

    @property
    def names(self) -> tuple[str, ...]:
        return (self.base_level, *(rule.name for rule in self.levels))


class ReviewRules(_Frozen):
    fast_seconds: NonNegative
    slow_seconds: Positive
    desired_retention: Annotated[float, Field(gt=0, lt=1)]
    maximum_interval_days: Positive
    learning_step_minutes: NonNegative
    relearning_step_minutes: NonNegative

    @model_validator(mode="after")
    def _fast_before_slow(self) -> ReviewRules:
        if self.fast_seconds >= self.slow_seconds:
            raise ValueError("fast_seconds must be less than slow_seconds")
        return self


class PredictionRules(_Frozen):
    window_days: Annotated[int, Field(ge=1, le=366)]


class Resource(_Frozen):
    """Something to read, watch or use at a rank: a title, and a link where there is one."""

    title: Text
    url: Link | None = None


class Rank(_Frozen):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$")]
    name: Text
    icon: Text
    min_projects: NonNegative
    focus: Text
    what_you_can_do: tuple[Text, ...]
    quality_expectations: tuple[Text, ...]
    # Optional, so that a rules file written before they existed still loads.
    common_challenges: tuple[Text, ...] = ()
    next_steps: tuple[Text, ...]
    resources: tuple[Resource, ...] = ()


class Achievement(_Frozen):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
    name: Text
    description: Text
    category: Annotated[str, Field(min_length=1, max_length=40)]
    metric: Metric
    threshold: Positive
    points: NonNegative
    icon: Text


# The kinds of event a client may record: `events.rules.CLIENT_KINDS`, which this layer may not
# import (tests/test_ruleset.py keeps the two the same).
ClientKind = Literal["check_in", "exercise_completed", "project_completed", "study_session"]
CLIENT_KINDS: tuple[str, ...] = get_args(ClientKind)
# An absolute IRI, as xAPI names verbs and activity types.
Iri = Annotated[str, Field(min_length=1, max_length=500, pattern=r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")]
ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
ADL_ACTIVITIES = "http://adlnet.gov/expapi/activities/"


def _default_xapi_verbs() -> dict[str, ClientKind]:
    return {
        f"{ADL_VERBS}completed": "exercise_completed",
        f"{ADL_VERBS}passed": "exercise_completed",
        f"{ADL_VERBS}failed": "exercise_completed",
        f"{ADL_VERBS}mastered": "exercise_completed",
        f"{ADL_VERBS}experienced": "study_session",
    }


class XapiRules(_Frozen):
    """How xAPI statements count (questpath.xapi.mapping applies them; docs/xapi.md explains).
    Every key has a default, so that a rules file written before the LRS existed still loads."""

    # Verb IRI -> event kind. A verb not listed is stored and counts for nothing.
    verbs: dict[Iri, ClientKind] = Field(default_factory=_default_xapi_verbs)
    # What a statement whose verb gives a study session but that has no duration becomes:
    # another kind, or "none" for nothing.
    study_without_duration: ClientKind | Literal["none"] = "check_in"
    # Activity types that name a topic when found as the statement's parent or grouping
    # context activity, or as its object (after the category activities, which name one always).
    topic_activity_types: tuple[Iri, ...] = (f"{ADL_ACTIVITIES}course", f"{ADL_ACTIVITIES}module")
    # Category activities whose IRI starts with one of these mark a profile, not a subject.
    ignored_categories: tuple[Iri, ...] = ("https://w3id.org/xapi/",)

    @model_validator(mode="after")
    def _duration_fallback_is_not_a_study_session(self) -> XapiRules:
        if self.study_without_duration == "study_session":
            raise ValueError(
                "study_without_duration cannot be 'study_session', which needs a duration"
            )
        return self


class Ruleset(_Frozen):
    xp: XpRules
    levels: LevelRules
    streaks: StreakRules
    skill_levels: SkillLevelRules
    predictions: PredictionRules
    reviews: ReviewRules
    ranks: Annotated[tuple[Rank, ...], Field(min_length=1)]
    achievements: tuple[Achievement, ...]
    xapi: XapiRules = XapiRules()

    @model_validator(mode="after")
    def _consistent(self) -> Ruleset:
        if self.ranks[0].min_projects != 0:
            raise ValueError(f"the first rank, '{self.ranks[0].id}', must have min_projects = 0")
        for lower, higher in zip(self.ranks, self.ranks[1:], strict=False):
            if higher.min_projects <= lower.min_projects:
                raise ValueError(
                    f"rank '{higher.id}' must need more projects than '{lower.id}' "
                    f"({higher.min_projects} <= {lower.min_projects})"
                )
        ranks: set[str] = set()
        for rank in self.ranks:
            if rank.id in ranks:
                raise ValueError(f"rank ids must be unique: '{rank.id}' appears more than once")
            ranks.add(rank.id)
        seen: set[str] = set()
        for achievement in self.achievements:
            if achievement.id in seen:
                raise ValueError(
                    f"achievement ids must be unique: '{achievement.id}' appears more than once"
                )
            seen.add(achievement.id)
        return self


class RulesFileError(Exception):
    """The rules file is missing, not TOML, or breaks the schema; the message says where."""


def load_ruleset(path: Path | None = None) -> Ruleset:
    """The rules in `path`, or the shipped defaults."""
    path = path or DEFAULT_RULES_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulesFileError(f"cannot read the rules file {path}: {exc.strerror}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RulesFileError(f"the rules file {path} is not valid TOML: {exc}") from exc
    try:
        return Ruleset.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{_location(error['loc'], data)}: {error['msg']}" for error in exc.errors()
        )
        raise RulesFileError(f"the rules file {path} is invalid: {problems}") from exc


def _location(loc: tuple[int | str, ...], data: dict[str, object]) -> str:
    """Where an error is, as a dotted path; inside a rank or an achievement, named by its id too,
    since "ranks.2" alone makes the reader count tables."""
    path = ".".join(map(str, loc)) or "file"
    if len(loc) >= 2 and loc[0] in ("ranks", "achievements") and isinstance(loc[1], int):
        entries = data.get(str(loc[0]))
        if isinstance(entries, list) and loc[1] < len(entries):
            entry = entries[loc[1]]
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                kind = "rank" if loc[0] == "ranks" else "achievement"
                return f"{path} (in {kind} '{entry['id']}')"
    return path


@cache
def default_ruleset() -> Ruleset:
    return load_ruleset()
