"""The rules file: the shipped defaults, a custom file replacing them, and refused files."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from questpath import ruleset as ruleset_module
from questpath.events import rules as event_rules
from questpath.progress import rules as r
from questpath.ruleset import (
    DEFAULT_RULES_FILE,
    METRICS,
    LevelRules,
    Resource,
    Ruleset,
    RulesFileError,
    SkillLevelRules,
    XapiRules,
    default_ruleset,
    load_ruleset,
)

DEFAULT_TEXT = DEFAULT_RULES_FILE.read_text(encoding="utf-8")
DEFAULTS = default_ruleset()
DAY = date(2026, 1, 1)

CUSTOM = """
[xp]
exercise_base = 20
exercise_grade_step = 25
exercise_hint_penalty = 5
exercise_minimum = 2
project = 250
study_session_seconds_per_xp = 600
study_session_maximum = 6
streak_bonus = 1
streak_bonus_minimum_length = 2
item = 4
category_finished = 8
track_finished = 16
quiz_review = 3
quiz_review_daily_maximum = 9

[levels]
first_level_cost = 10
cost_increase = 1

[streaks]
freeze_every_days = 3
max_freezes = 1

[skill_levels]
base_level = "novice"
[[skill_levels.levels]]
name = "master"
min_exercises = 5
min_average_grade = 90

[reviews]
fast_seconds = 2
slow_seconds = 20
desired_retention = 0.8
maximum_interval_days = 90
learning_step_minutes = 1
relearning_step_minutes = 0

[predictions]
window_days = 7

[[ranks]]
id = "apprentice"
name = "Apprentice"
icon = "a"
min_projects = 0
focus = "Starting"
what_you_can_do = ["Begin"]
quality_expectations = ["It runs"]
next_steps = ["Build one"]

[[ranks]]
id = "journeyman"
name = "Journeyman"
icon = "j"
min_projects = 1
focus = "Going on"
what_you_can_do = ["Continue"]
quality_expectations = ["It works well"]
common_challenges = ["Finding time"]
next_steps = ["Keep going"]
resources = [
  { title = "A good book" },
  { title = "The reviews page", url = "/reviews" },
  { title = "A reference", url = "https://example.org/guide?page=2" },
]

[[achievements]]
id = "only-one"
name = "The Only One"
description = "Complete two projects."
category = "projects"
metric = "projects_completed"
threshold = 2
points = 7
icon = "1"
"""


def write(tmp_path: Path, text: str | bytes, name: str = "rules.toml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def variant(old: str, new: str) -> str:
    """The default rules text with exactly one occurrence of `old` replaced."""
    assert DEFAULT_TEXT.count(old) == 1, old
    return DEFAULT_TEXT.replace(old, new)


def achievement_index(achievement_id: str) -> int:
    return [a.id for a in DEFAULTS.achievements].index(achievement_id)


# The shipped defaults -------------------------------------------------------------------------


def test_the_defaults_load_from_the_shipped_file() -> None:
    assert load_ruleset() == DEFAULTS
    assert load_ruleset(DEFAULT_RULES_FILE) == DEFAULTS
    assert default_ruleset() is DEFAULTS


def test_the_default_numbers_are_the_specs() -> None:
    xp = DEFAULTS.xp
    assert (xp.exercise_base, xp.exercise_grade_step, xp.exercise_hint_penalty) == (10, 10, 2)
    assert xp.exercise_minimum == 1
    assert xp.project == 100
    assert (xp.study_session_seconds_per_xp, xp.study_session_maximum) == (300, 24)
    assert (xp.streak_bonus, xp.streak_bonus_minimum_length) == (5, 3)
    assert (DEFAULTS.levels.first_level_cost, DEFAULTS.levels.cost_increase) == (100, 50)
    assert (DEFAULTS.streaks.freeze_every_days, DEFAULTS.streaks.max_freezes) == (7, 2)
    assert DEFAULTS.skill_levels.names == ("beginner", "intermediate", "advanced", "expert")
    assert [(lv.min_exercises, lv.min_average_grade) for lv in DEFAULTS.skill_levels.levels] == [
        (10, 60),
        (30, 70),
        (50, 80),
    ]


def test_the_default_rank_ladder() -> None:
    assert [(rank.name, rank.min_projects) for rank in DEFAULTS.ranks] == [
        ("Novice", 0),
        ("Competent", 3),
        ("Proficient", 6),
        ("Expert", 10),
    ]


@pytest.mark.parametrize("rank", DEFAULTS.ranks, ids=lambda rank: rank.id)
def test_every_default_rank_has_non_empty_texts(rank) -> None:
    assert rank.id
    assert rank.name.strip()
    assert rank.icon.strip()
    assert rank.focus.strip()
    for texts in (
        rank.what_you_can_do,
        rank.quality_expectations,
        rank.common_challenges,
        rank.next_steps,
    ):
        assert len(texts) >= 3
        assert all(text.strip() for text in texts)
    assert rank.resources
    assert all(resource.title.strip() for resource in rank.resources)


@pytest.mark.parametrize("rank", DEFAULTS.ranks, ids=lambda rank: rank.id)
def test_every_default_rank_links_to_a_page_of_questpath_or_the_web(rank) -> None:
    links = [resource.url for resource in rank.resources if resource.url]
    assert links
    for link in links:
        assert re.fullmatch(r"https://\S+|/[a-z][a-z-]*", link), link


def test_the_default_rank_texts_are_for_any_subject_and_name_no_seed_files() -> None:
    """The ladder speaks to a learner of languages or woodwork as much as of programming."""
    words = " ".join(
        " ".join(
            (
                rank.focus,
                *rank.what_you_can_do,
                *rank.quality_expectations,
                *rank.common_challenges,
                *rank.next_steps,
                *(resource.title for resource in rank.resources),
            )
        )
        for rank in DEFAULTS.ranks
    ).lower()
    for jargon in (".md", "memory/", "shared-knowledge", "service", "endpoint", "deploy", "crud"):
        assert jargon not in words, jargon
    for jargon in ("code", "api", "test coverage", "debug", "async"):
        assert not re.search(rf"\b{jargon}\b", words), jargon


def test_there_are_at_least_20_default_achievements_with_unique_ids() -> None:
    ids = [a.id for a in DEFAULTS.achievements]
    assert len(ids) >= 20
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("achievement", DEFAULTS.achievements, ids=lambda a: a.id)
def test_every_default_achievement_has_every_field(achievement) -> None:
    assert re.fullmatch(r"[a-z0-9][a-z0-9_-]*", achievement.id)
    assert achievement.name.strip()
    assert achievement.description.strip()
    assert achievement.category.strip()
    assert achievement.metric in METRICS
    assert achievement.threshold >= 1
    assert achievement.points >= 0
    assert achievement.icon.strip()


def test_default_achievements_span_several_metrics_and_categories() -> None:
    assert len({a.metric for a in DEFAULTS.achievements}) >= 8
    assert len({a.category for a in DEFAULTS.achievements}) >= 4


def test_the_rules_are_frozen() -> None:
    with pytest.raises(ValidationError):
        DEFAULTS.xp.project = 1  # type: ignore[misc]


# A custom file --------------------------------------------------------------------------------


def test_a_custom_file_replaces_the_defaults_as_a_whole(tmp_path: Path) -> None:
    ruleset = load_ruleset(write(tmp_path, CUSTOM))
    assert ruleset != DEFAULTS
    assert ruleset.xp.project == 250
    assert ruleset.levels == LevelRules(first_level_cost=10, cost_increase=1)
    assert (ruleset.streaks.freeze_every_days, ruleset.streaks.max_freezes) == (3, 1)
    assert ruleset.skill_levels.names == ("novice", "master")
    assert ruleset.predictions.window_days == 7
    assert ruleset.reviews.desired_retention == 0.8
    assert [rank.id for rank in ruleset.ranks] == ["apprentice", "journeyman"]
    assert ruleset.ranks[1].common_challenges == ("Finding time",)
    assert ruleset.ranks[1].resources == (
        Resource(title="A good book"),
        Resource(title="The reviews page", url="/reviews"),
        Resource(title="A reference", url="https://example.org/guide?page=2"),
    )
    assert [a.id for a in ruleset.achievements] == ["only-one"]  # no default achievement is kept
    assert default_ruleset() == DEFAULTS  # the defaults themselves are untouched


def test_the_pure_rules_follow_a_custom_file(tmp_path: Path) -> None:
    ruleset = load_ruleset(write(tmp_path, CUSTOM))
    exercise = r.EventFacts("exercise_completed", DAY, grade=80, hints_used=1)
    assert r.event_xp(exercise, ruleset.xp) == 20 + 3 - 5
    session = r.EventFacts("study_session", DAY, time_spent_seconds=4000)
    assert r.event_xp(session, ruleset.xp) == 6
    assert [r.review_xp(n, ruleset.xp) for n in (0, 1, 3, 4)] == [0, 3, 9, 9]
    assert [r.xp_for_level(n, ruleset.levels) for n in (1, 2, 3, 4)] == [0, 10, 21, 33]
    assert r.rank_for(1, ruleset.ranks).rank.id == "journeyman"
    assert r.skill_level_for(5, 90, ruleset.skill_levels) == "master"
    assert r.skill_level_for(100, 89, ruleset.skill_levels) == "novice"


def test_a_file_with_only_some_sections_does_not_fall_back_to_the_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, "[xp]\n" + CUSTOM.split("[xp]\n", 1)[1].split("[levels]", 1)[0])
    with pytest.raises(RulesFileError) as caught:
        load_ruleset(path)
    message = str(caught.value)
    sections = ("levels", "streaks", "skill_levels", "reviews", "predictions", "ranks")
    for section in (*sections, "achievements"):
        assert section in message


# Files that are refused -----------------------------------------------------------------------


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"
    with pytest.raises(RulesFileError, match="cannot read") as caught:
        load_ruleset(path)
    assert str(path) in str(caught.value)


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RulesFileError, match="cannot read"):
        load_ruleset(tmp_path)


@pytest.mark.parametrize(
    "text",
    [
        "[xp\nproject = 1\n",
        "project = \n",
        DEFAULT_TEXT + "\n[xp]\nproject = 5\n",  # a table defined twice
        b"\xff\xfe not utf-8",
    ],
    ids=["unclosed-table", "missing-value", "duplicate-table", "not-utf-8"],
)
def test_a_file_that_is_not_toml_is_refused(tmp_path: Path, text) -> None:
    path = write(tmp_path, text)
    with pytest.raises(RulesFileError, match="not valid TOML") as caught:
        load_ruleset(path)
    assert str(path) in str(caught.value)


def test_an_unknown_metric_is_refused_and_named(tmp_path: Path) -> None:
    path = write(tmp_path, variant('metric = "xp"\n', 'metric = "karma"\n'))
    with pytest.raises(RulesFileError) as caught:
        load_ruleset(path)
    message = str(caught.value)
    assert f"achievements.{achievement_index('xp-1000')}.metric" in message
    assert str(path) in message


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("min_projects = 6\n", "min_projects = 2\n"),  # 0, 3, 2, 10
        ("min_projects = 6\n", "min_projects = 3\n"),  # 0, 3, 3, 10: not strictly ascending
        ("min_projects = 0\n", "min_projects = 1\n"),  # does not start at 0
        ("min_projects = 10\n", "min_projects = 0\n"),
    ],
)
def test_ranks_that_do_not_ascend_from_zero_are_refused(tmp_path: Path, old, new) -> None:
    with pytest.raises(RulesFileError) as caught:
        load_ruleset(write(tmp_path, variant(old, new)))
    message = str(caught.value)
    assert "ranks" in message
    assert "ascend" in message


def test_a_file_without_ranks_is_refused(tmp_path: Path) -> None:
    text = (
        CUSTOM.split("[[ranks]]", 1)[0]
        + "ranks = []\n"
        + "[[achievements]]"
        + (CUSTOM.split("[[achievements]]", 1)[1])
    )
    with pytest.raises(RulesFileError, match="ranks"):
        load_ruleset(write(tmp_path, text))


def test_a_rank_without_challenges_or_resources_loads_with_none(tmp_path: Path) -> None:
    """Both came later than the other texts: a rules file written before them still loads."""
    ruleset = load_ruleset(write(tmp_path, CUSTOM))
    apprentice = ruleset.ranks[0]
    assert (apprentice.common_challenges, apprentice.resources) == ((), ())


def test_duplicate_rank_ids_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, variant('id = "expert"\n', 'id = "novice"\n'))
    with pytest.raises(RulesFileError) as caught:
        load_ruleset(path)
    message = str(caught.value)
    assert "rank ids must be unique: 'novice'" in message
    assert str(path) in message


@pytest.mark.parametrize(
    ("rank", "new", "location"),
    [
        ("competent", 'resources = [{ url = "/reviews" }]', "ranks.1.resources.0.title"),
        ("competent", 'resources = [{ title = "" }]', "ranks.1.resources.0.title"),
        (
            "proficient",
            'resources = [{ title = "A", url = "javascript:alert(1)" }]',
            "ranks.2.resources.0.url",
        ),
        (
            "proficient",
            'resources = [{ title = "A", url = "//elsewhere.example/page" }]',
            "ranks.2.resources.0.url",
        ),
        (
            "proficient",
            'resources = [{ title = "A", url = "ftp://files.example/a" }]',
            "ranks.2.resources.0.url",
        ),
        (
            "proficient",
            'resources = [{ title = "A", url = "https://example.org/a b" }]',
            "ranks.2.resources.0.url",
        ),
        ("expert", 'resources = [{ title = "A", link = "/x" }]', "ranks.3.resources.0.link"),
        ("expert", 'resources = ["A book"]', "ranks.3.resources.0"),
        ("novice", 'common_challenges = ["Starting", ""]', "ranks.0.common_challenges.1"),
        ("novice", 'common_challenges = "Starting"', "ranks.0.common_challenges"),
        ("expert", f'common_challenges = ["{"x" * 201}"]', "ranks.3.common_challenges.0"),
    ],
)
def test_a_bad_challenge_or_resource_is_refused_naming_the_rank_and_field(
    tmp_path: Path, rank: str, new: str, location: str
) -> None:
    text = DEFAULT_TEXT
    start = text.index(f'id = "{rank}"\n')
    before = text.index("\nresources = [", start) if "resources" in new else None
    if before is None:
        before = text.index("\ncommon_challenges = [", start)
    end = text.index("]\n", before) + 2
    path = write(tmp_path, text[: before + 1] + new + "\n" + text[end:])
    with pytest.raises(RulesFileError) as caught:
        load_ruleset(path)
    message = str(caught.value)
    assert f"{location} (in rank '{rank}'):" in message
    assert str(path) in message


def test_an_error_in_an_achievement_names_the_achievement(tmp_path: Path) -> None:
    path = write(tmp_path, variant("threshold = 1000\n", "threshold = 0\n"))
    with pytest.raises(RulesFileError) as caught:
        load_ruleset(path)
    index = [a.threshold for a in DEFAULTS.achievements].index(1000)
    achievement = DEFAULTS.achievements[index].id
    assert f"achievements.{index}.threshold (in achievement '{achievement}'):" in str(caught.value)


def test_duplicate_achievement_ids_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, variant('id = "exercises-10"\n', 'id = "first-exercise"\n'))
    with pytest.raises(RulesFileError) as caught:
        load_ruleset(path)
    message = str(caught.value)
    assert "achievement ids" in message
    assert "unique" in message


@pytest.mark.parametrize(
    ("old", "new", "location"),
    [
        ("[xp]\n", "[xp]\nbonus_multiplier = 2\n", "xp.bonus_multiplier"),
        ("[levels]\n", "colour = 'red'\n[levels]\n", "xp.colour"),
        ("[predictions]\n", "[predictions]\nhorizon = 3\n", "predictions.horizon"),
        (
            'id = "first-exercise"\n',
            'id = "first-exercise"\nsecret = true\n',
            f"achievements.{achievement_index('first-exercise')}.secret",
        ),
        ('id = "novice"\n', 'id = "novice"\nmotto = "go"\n', "ranks.0.motto"),
    ],
)
def test_an_unknown_key_is_refused_and_named(tmp_path: Path, old, new, location) -> None:
    with pytest.raises(RulesFileError) as caught:
        load_ruleset(write(tmp_path, variant(old, new)))
    message = str(caught.value)
    assert location in message
    assert "extra" in message.lower()


def test_an_unknown_top_level_table_is_refused_and_named(tmp_path: Path) -> None:
    with pytest.raises(RulesFileError) as caught:
        load_ruleset(write(tmp_path, DEFAULT_TEXT + "\n[badges]\nshiny = true\n"))
    assert "badges" in str(caught.value)


@pytest.mark.parametrize(
    ("old", "new", "location"),
    [
        ("cost_increase = 50", "cost_increase = 0", "levels.cost_increase"),
        ("first_level_cost = 100", "first_level_cost = 0", "levels.first_level_cost"),
        ("exercise_grade_step = 10", "exercise_grade_step = 0", "xp.exercise_grade_step"),
        ("max_freezes = 2", "max_freezes = -1", "streaks.max_freezes"),
        ("window_days = 28", "window_days = 0", "predictions.window_days"),
        ("threshold = 1000\n", "threshold = 0\n", "achievements."),
        ("min_average_grade = 80", "min_average_grade = 101", "skill_levels.levels.2"),
        ("project = 100", 'project = "a lot"', "xp.project"),
    ],
)
def test_out_of_range_values_are_refused_and_named(tmp_path: Path, old, new, location) -> None:
    with pytest.raises(RulesFileError) as caught:
        load_ruleset(write(tmp_path, variant(old, new)))
    assert location in str(caught.value)


def test_each_level_must_cost_more_than_the_last() -> None:
    with pytest.raises(ValidationError, match="cost_increase"):
        LevelRules(first_level_cost=100, cost_increase=0)


@pytest.mark.parametrize(
    "levels",
    [
        [("advanced", 30, 70), ("intermediate", 10, 60)],  # descending
        [("a", 10, 60), ("b", 5, 80)],  # fewer exercises for the higher level
        [("same", 10, 60), ("same", 30, 70)],  # duplicate names
    ],
)
def test_skill_levels_must_ascend_with_distinct_names(levels) -> None:
    data = {
        "levels": [{"name": n, "min_exercises": e, "min_average_grade": g} for n, e, g in levels]
    }
    with pytest.raises(ValidationError, match="ascending"):
        SkillLevelRules.model_validate(data)


def test_skill_levels_out_of_order_in_a_file_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, variant("min_exercises = 50", "min_exercises = 20"))
    with pytest.raises(RulesFileError, match="skill_levels"):
        load_ruleset(path)


def test_an_empty_file_names_every_missing_section(tmp_path: Path) -> None:
    with pytest.raises(RulesFileError) as caught:
        load_ruleset(write(tmp_path, ""))
    message = str(caught.value)
    for section, field in Ruleset.model_fields.items():
        if field.is_required():
            assert f"{section}: Field required" in message
    assert "xapi" not in message  # the one section with a default for every key


# The xAPI section ------------------------------------------------------------------------------


def test_the_kinds_an_xapi_verb_may_give_are_those_a_client_may_record() -> None:
    assert sorted(ruleset_module.CLIENT_KINDS) == sorted(event_rules.CLIENT_KINDS)


def test_the_shipped_file_states_the_xapi_defaults() -> None:
    assert "[xapi]" in DEFAULT_TEXT
    assert DEFAULTS.xapi == XapiRules()
    assert DEFAULTS.xapi.verbs["http://adlnet.gov/expapi/verbs/completed"] == "exercise_completed"


def test_a_file_without_an_xapi_section_loads_with_the_xapi_defaults(tmp_path: Path) -> None:
    assert load_ruleset(write(tmp_path, CUSTOM)).xapi == XapiRules()


def test_a_custom_xapi_section_replaces_the_default_verbs(tmp_path: Path) -> None:
    text = (
        CUSTOM
        + """
[xapi]
study_without_duration = "none"
topic_activity_types = []
[xapi.verbs]
"https://example.com/verbs/built" = "project_completed"
"""
    )
    xapi = load_ruleset(write(tmp_path, text)).xapi
    assert xapi.verbs == {"https://example.com/verbs/built": "project_completed"}
    assert (xapi.study_without_duration, xapi.topic_activity_types) == ("none", ())
    assert xapi.ignored_categories == XapiRules().ignored_categories


@pytest.mark.parametrize(
    ("old", "new", "location"),
    [
        (
            '"http://adlnet.gov/expapi/verbs/passed" = "exercise_completed"',
            '"http://adlnet.gov/expapi/verbs/passed" = "exercise_passed"',
            "xapi.verbs.http://adlnet.gov/expapi/verbs/passed",
        ),
        (
            '"http://adlnet.gov/expapi/verbs/passed" = "exercise_completed"',
            '"http://adlnet.gov/expapi/verbs/passed" = "item_completed"',
            "xapi.verbs.http://adlnet.gov/expapi/verbs/passed",
        ),
        (
            '"http://adlnet.gov/expapi/verbs/passed" = "exercise_completed"',
            '"passed" = "exercise_completed"',
            "xapi.verbs.passed.[key]",
        ),
        ('study_without_duration = "check_in"', 'study_without_duration = "nap"', "xapi"),
    ],
)
def test_a_bad_xapi_section_is_refused_and_named(
    tmp_path: Path, old: str, new: str, location: str
) -> None:
    with pytest.raises(RulesFileError) as caught:
        load_ruleset(write(tmp_path, variant(old, new)))
    assert location in str(caught.value)


def test_an_untimed_study_session_cannot_stay_a_study_session(tmp_path: Path) -> None:
    text = variant(
        'study_without_duration = "check_in"', 'study_without_duration = "study_session"'
    )
    with pytest.raises(RulesFileError, match="study_without_duration cannot be 'study_session'"):
        load_ruleset(write(tmp_path, text))
