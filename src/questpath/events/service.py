"""Recording events: the single write path for all progress."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth import repository as users
from questpath.auth.principal import Principal, UserLike
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
from questpath.events.store import event_row, store
from questpath.goals import service as goals
from questpath.pagination import decode_cursor, encode_cursor
from questpath.problems import FieldError, Forbidden, Invalid, NotFound
from questpath.progress.ruleset import Rules
from questpath.progress.state import Changes


async def record(
    session: AsyncSession,
    principal: Principal,
    events: list[EventIn],
    now: datetime,
    rules: Rules,
    *,
    batch: bool,
) -> tuple[EventsRecorded, dict[uuid.UUID, Changes]]:
    """Store each new event once; report every event as created or duplicate.

    All or nothing: one invalid event rejects the whole submission before anything is written.
    The new events' learners have their projections brought up to date in the same transaction;
    their changes are returned beside the report.
    """

    def field(index: int, name: str) -> str:
        return f"events[{index}].{name}" if batch else name

    owners = await _owners(session, principal, events, field)
    errors = _rule_errors(events, now, field)
    if errors:
        raise Invalid(errors)

    keys: list[tuple[uuid.UUID, str]] = []
    first_index: dict[tuple[uuid.UUID, str], int] = {}
    rows: list[dict[str, Any]] = []
    for index, event in enumerate(events):
        owner = owners[event.user_id or principal.user.id]
        key = (owner.id, event.id or str(uuid.uuid4()))
        keys.append(key)
        if key not in first_index:  # a repeat inside one batch duplicates its first appearance
            first_index[key] = index
            rows.append(
                event_row(
                    owner,
                    key[1],
                    event.kind,
                    event.occurred_at or now,
                    now,
                    topic=event.topic,
                    grade=event.grade,
                    time_spent_seconds=event.time_spent_seconds,
                    hints_used=event.hints_used,
                    metadata=event.metadata,
                    api_key_id=principal.api_key.id if principal.api_key else None,
                )
            )

    stored = await store(session, rows, now, rules)
    created, changes = stored.created, stored.changes
    for user_id in sorted({user_id for user_id, _ in created}):
        await goals.settle(session, rules, owners[user_id], now)
    results = [
        EventResult(
            index=index,
            id=key[1],
            user_id=key[0],
            status="created" if key in created and first_index[key] == index else "duplicate",
        )
        for index, key in enumerate(keys)
    ]
    unlocked = [
        AchievementUnlocked(user_id=user_id, **achievement.model_dump())
        for user_id, change in changes.items()
        for achievement in change.unlocked
    ]
    report = EventsRecorded(
        created=len(created),
        duplicates=len(results) - len(created),
        results=results,
        achievements_unlocked=unlocked,
    )
    return report, changes


def _rule_errors(
    events: list[EventIn], now: datetime, field: Callable[[int, str], str]
) -> list[FieldError]:
    """What the event rules refuse in `events`, each named by its field."""
    errors = []
    for index, event in enumerate(events):
        errors += [
            FieldError(field(index, name), f"is required for {event.kind} events")
            for name in rules.missing_fields(event.kind, event.present_fields())
        ]
        if event.occurred_at is not None and (
            problem := rules.occurred_at_problem(event.occurred_at, now)
        ):
            errors.append(FieldError(field(index, "occurred_at"), problem))
    return errors


async def _owners(
    session: AsyncSession,
    principal: Principal,
    events: list[EventIn],
    field: Callable[[int, str], str],
) -> dict[uuid.UUID, UserLike]:
    """The learners the events belong to, after checking the caller may write for each."""
    owners: dict[uuid.UUID, UserLike] = {principal.user.id: principal.user}
    others = {e.user_id for e in events if e.user_id and e.user_id != principal.user.id}
    if not others:
        return owners
    if not rules.may_record_for_others(principal.user.role, principal.has_scope("events:write")):
        index = next(i for i, e in enumerate(events) if e.user_id in others)
        raise Forbidden(f"{field(index, 'user_id')}: you may record events only for yourself")
    found = await users.get_users(session, others)
    missing = [
        FieldError(field(i, "user_id"), f"no learner has the id {e.user_id}")
        for i, e in enumerate(events)
        if e.user_id in others and e.user_id not in found
    ]
    if missing:
        raise Invalid(missing)
    return owners | found


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
