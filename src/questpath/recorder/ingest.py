"""The event API's write: check a submission, record it through group commit, report each
event as created or duplicate."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from questpath.auth.principal import Principal
from questpath.events.drafts import Draft, EventKey, UnknownLearner
from questpath.events.schemas import AchievementUnlocked, EventIn, EventResult, EventsRecorded
from questpath.events.service import field_name, to_drafts
from questpath.problems import FieldError, Invalid
from questpath.progress.recording import Recorded

RecordDrafts = Callable[[list[Draft]], Awaitable[Recorded]]


async def record(
    record_drafts: RecordDrafts,
    principal: Principal,
    events: list[EventIn],
    now: datetime,
    *,
    batch: bool,
) -> EventsRecorded:
    """Store each new event once; report every event as created or duplicate.

    All or nothing: one invalid event rejects the whole submission before anything is written.
    `record_drafts` is the recorder's entry (group commit for requests), which also brings the
    learners' projections up to date in the same transaction.
    """
    drafts = to_drafts(principal, events, now, batch=batch)
    try:
        recorded = await record_drafts(drafts)
    except UnknownLearner as exc:
        raise Invalid(
            [
                FieldError(field_name(batch, i, "user_id"), f"no learner has the id {d.user_id}")
                for i, d in enumerate(drafts)
                if d.user_id in exc.user_ids
            ]
        ) from exc
    return report(drafts, recorded)


def report(drafts: list[Draft], recorded: Recorded) -> EventsRecorded:
    """Each draft as created (the first of its key, when the recorder inserted it) or as a
    duplicate, and what the new events unlocked."""
    first_index: dict[EventKey, int] = {}
    for index, draft in enumerate(drafts):
        first_index.setdefault(draft.key, index)
    results = [
        EventResult(
            index=index,
            id=draft.id,
            user_id=draft.user_id,
            status="created"
            if draft.key in recorded.created and first_index[draft.key] == index
            else "duplicate",
        )
        for index, draft in enumerate(drafts)
    ]
    created = sum(1 for result in results if result.status == "created")
    return EventsRecorded(
        created=created,
        duplicates=len(results) - created,
        results=results,
        achievements_unlocked=[
            AchievementUnlocked(user_id=user_id, **achievement.model_dump())
            for user_id, change in recorded.changes.items()
            for achievement in change.unlocked
        ],
    )
