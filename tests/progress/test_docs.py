"""docs/rules.md documents every default of the shipped rules file, with its current value."""

from __future__ import annotations

from pathlib import Path

import pytest

from questpath.progress.rules import xp_for_level
from questpath.ruleset import default_ruleset

RULES = default_ruleset()
DOC = (Path(__file__).parents[2] / "docs" / "rules.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("achievement", RULES.achievements, ids=lambda a: a.id)
def test_every_achievement_is_listed_with_its_threshold_and_points(achievement) -> None:
    a = achievement
    row = (
        f"| `{a.id}` | {a.name} | {a.category} | `{a.metric}` | {a.threshold} | {a.points} "
        f"| {a.icon} |"
    )
    assert row in DOC


@pytest.mark.parametrize(
    ("section", "values"),
    [
        ("xp", RULES.xp.model_dump()),
        ("levels", RULES.levels.model_dump()),
        ("streaks", RULES.streaks.model_dump()),
        ("predictions", RULES.predictions.model_dump()),
        ("reviews", RULES.reviews.model_dump()),
    ],
)
def test_every_number_is_documented_with_its_default(section, values) -> None:
    assert f"(`[{section}]`)" in DOC
    for key, value in values.items():
        assert f"`{key}` ({value})" in DOC, f"{section}.{key} = {value} is not in docs/rules.md"


def test_the_level_table_matches_the_curve() -> None:
    for level in range(1, 11):
        start = xp_for_level(level, RULES.levels)
        cost = xp_for_level(level + 1, RULES.levels) - start
        assert f"| {level} | {start} | {cost} |" in DOC


def test_every_rank_is_listed_with_its_project_range() -> None:
    for index, rank in enumerate(RULES.ranks):
        following = RULES.ranks[index + 1] if index + 1 < len(RULES.ranks) else None
        span = (
            f"{rank.min_projects}–{following.min_projects - 1}"
            if following
            else f"{rank.min_projects}+"
        )
        assert f"| {rank.icon} {rank.name} | {span} | {rank.focus} |" in DOC


def test_every_skill_level_threshold_is_documented() -> None:
    for level in RULES.skill_levels.levels:
        row = f"| {level.name} | ≥ {level.min_exercises} | ≥ {level.min_average_grade:g} |"
        assert row in DOC
