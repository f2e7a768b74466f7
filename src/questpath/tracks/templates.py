"""Built-in track templates a learner can adopt as their own track."""

from __future__ import annotations

from questpath.ruleset import Ruleset
from questpath.tracks.drafts import CategoryDraft, ItemDraft, TrackDraft

LEARNING_PROGRESSION = "learning-progression"


def _bullets(lines: tuple[str, ...] | list[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)


def learning_progression(ruleset: Ruleset) -> TrackDraft:
    """The rank ladder as a track: a category per rank, with what a learner of that rank can do
    and the next steps to the rank above as items. Built from the rules in force, so an
    operator's own ladder gives its own template."""
    categories = []
    for rank in ruleset.ranks:
        topic = f"{rank.name} rank"
        notes = (
            f"{rank.icon} **{rank.focus}**, from {rank.min_projects} completed projects.\n\n"
            f"Quality expectations:\n\n{_bullets(rank.quality_expectations)}"
        )
        categories.append(
            CategoryDraft(
                title=rank.name,
                notes=notes,
                children=(
                    CategoryDraft(
                        title="What you can do",
                        items=tuple(ItemDraft(t, topic=topic) for t in rank.what_you_can_do),
                    ),
                    CategoryDraft(
                        title="Next steps",
                        items=tuple(ItemDraft(t, topic=topic) for t in rank.next_steps),
                    ),
                ),
            )
        )
    return TrackDraft(
        CategoryDraft(
            title="Learning Progression",
            notes=(
                f"The rank ladder from {ruleset.ranks[0].name} to {ruleset.ranks[-1].name}. "
                "Each rank lists what you can do at that level and the next steps towards the one "
                "above. Ranks follow completed projects."
            ),
            children=tuple(categories),
        )
    )


def templates(ruleset: Ruleset) -> dict[str, TrackDraft]:
    return {LEARNING_PROGRESSION: learning_progression(ruleset)}
