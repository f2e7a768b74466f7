"""The event API's use cases: check a submission and hand it to the recorder; read the log."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth.principal import Principal
from questpath.events import repository as repo
from questpath.events import rules
from questpath.events.models import Event
from questpath.events.schemas import (
    AchievementUnlocked,
    EventIn,
    EventPage,
    EventRead,
    EventResult,
    EventsRecorded,
)
from questpath.pagination import decode_cursor, encode_cursor
from questpath.problems import FieldError, Forbidden, Invalid, NotFound
from questpath.progress.recording import Draft, EventKey, Recorded, UnknownLearner

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
                FieldError(_field(batch, i, "user_id"), f"no learner has the id {d.user_id}")
                for i, d in enumerate(drafts)
                if d.user_id in exc.user_ids
            ]
        ) from exc
    return report(drafts, recorded)


def to_drafts(
    principal: Principal, events: list[EventIn], now: datetime, *, batch: bool
) -> list[Draft]:
    """The events as drafts for the recorder, after checking the event rules and that the
    caller may write for each learner named; raise 422 or 403 naming the field otherwise."""
    others = [i for i, e in enumerate(events) if e.user_id and e.user_id != principal.user.id]
    if others and not rules.may_record_for_others(
        principal.user.role, principal.has_scope("events:write")
    ):
        field = _field(batch, others[0], "user_id")
        raise Forbidden(f"{field}: you may record events only for yourself")
    errors = []
    for index, event in enumerate(events):
        errors += [
            FieldError(_field(batch, index, name), f"is required for {event.kind} events")
            for name in rules.missing_fields(event.kind, event.present_fields())
        ]
        if event.occurred_at is not None and (
            problem := rules.occurred_at_problem(event.occurred_at, now)
        ):
            errors.append(FieldError(_field(batch, index, "occurred_at"), problem))
    if errors:
        raise Invalid(errors)
    api_key_id = principal.api_key.id if principal.api_key else None
    return [
        Draft(
            user_id=event.user_id or principal.user.id,
            id=event.id or str(uuid.uuid4()),
            kind=event.kind,
            occurred_at=event.occurred_at or now,
            topic=event.topic,
            grade=event.grade,
            time_spent_seconds=event.time_spent_seconds,
            hints_used=event.hints_used,
            metadata=event.metadata,
            api_key_id=api_key_id,
        )
        for event in events
    ]


def _field(batch: bool, index: int, name: str) -> str:
    return f"events[{index}].{name}" if batch else name


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


async def list_events(
    session: AsyncSession,
    principal: Principal,
    user_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
) -> EventPage:
    owner = principal.readable_user_id(user_id, "events")
    before = None
    if cursor is not None:
        occurred_at, event_id = decode_cursor(cursor, 2)
        try:
            position = datetime.fromisoformat(occurred_at)
            if position.tzinfo is None:
                raise ValueError("naive datetime")
            before = (position.astimezone(UTC), str(event_id))
        except (TypeError, ValueError, OverflowError) as exc:
            raise Invalid.field("cursor", "is not a cursor returned by this endpoint") from exc
    rows = await repo.page(session, owner, before, limit + 1)
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor([last.occurred_at.isoformat(), last.event_id])
    return EventPage(
        items=[EventRead.model_validate(row) for row in rows[:limit]], next_cursor=next_cursor
    )


async def get_event(
    session: AsyncSession, principal: Principal, event_id: str, user_id: uuid.UUID | None
) -> Event:
    event = await repo.get(session, principal.readable_user_id(user_id, "events"), event_id)
    if event is None:
        raise NotFound(f"no event with the id '{event_id}'")
    return event
