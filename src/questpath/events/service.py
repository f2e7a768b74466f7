"""The event API's use cases: check a submission and turn it into drafts for the recorder;
read the log."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth.principal import Principal
from questpath.events import repository as repo
from questpath.events import rules
from questpath.events.drafts import Draft
from questpath.events.models import Event
from questpath.events.schemas import (
    EventIn,
    EventPage,
    EventRead,
)
from questpath.pagination import decode_cursor, encode_cursor
from questpath.problems import FieldError, Forbidden, Invalid, NotFound


def to_drafts(
    principal: Principal, events: list[EventIn], now: datetime, *, batch: bool
) -> list[Draft]:
    """The events as drafts for the recorder, after checking the event rules and that the
    caller may write for each learner named; raise 422 or 403 naming the field otherwise."""
    others = [i for i, e in enumerate(events) if e.user_id and e.user_id != principal.user.id]
    if others and not rules.may_record_for_others(
        principal.user.role, principal.has_scope("events:write")
    ):
        field = field_name(batch, others[0], "user_id")
        raise Forbidden(f"{field}: you may record events only for yourself")
    errors = []
    for index, event in enumerate(events):
        errors += [
            FieldError(field_name(batch, index, name), f"is required for {event.kind} events")
            for name in rules.missing_fields(event.kind, event.present_fields())
        ]
        if event.occurred_at is not None and (
            problem := rules.occurred_at_problem(event.occurred_at, now)
        ):
            errors.append(FieldError(field_name(batch, index, "occurred_at"), problem))
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


def writable_user_id(principal: Principal, user_id: uuid.UUID | None) -> uuid.UUID:
    """Whose events a write may change: the caller's own, or anyone's for an admin's
    events:write credentials."""
    if user_id is None or user_id == principal.user.id:
        return principal.user.id
    if not rules.may_record_for_others(principal.user.role, principal.has_scope("events:write")):
        raise Forbidden("user_id: you may change only your own events")
    return user_id


def field_name(batch: bool, index: int, name: str) -> str:
    return f"events[{index}].{name}" if batch else name


async def list_events(
    session: AsyncSession,
    principal: Principal,
    user_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
) -> EventPage:
    return await events_page(session, principal.readable_user_id(user_id, "events"), cursor, limit)


async def events_page(
    session: AsyncSession, owner: uuid.UUID, cursor: str | None, limit: int
) -> EventPage:
    """The learner's events, newest first, from `cursor` on."""
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
