"""All SQL of the statements resource."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from questpath.db import dialect_of, insert_for
from questpath.events.models import Event
from questpath.xapi.models import XapiAttachment, XapiStatement, XapiStatementTerm
from questpath.xapi.terms import Term


@dataclass(frozen=True)
class Visibility:
    """Which statements a reader sees: every one, its account's, or its key's."""

    owner_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None

    def apply(self, query: Select[Any]) -> Select[Any]:
        if self.api_key_id is not None:
            return query.where(XapiStatement.api_key_id == self.api_key_id)
        if self.owner_id is not None:
            return query.where(XapiStatement.owner_id == self.owner_id)
        return query


@dataclass(frozen=True)
class Filters:
    terms: tuple[tuple[str, bool], ...] = ()  # (hashed term, related ones too)
    since: datetime | None = None
    until: datetime | None = None
    after_seq: int | None = None  # the cursor of `more`: past this statement, in the order
    ascending: bool = False


async def by_ids(
    session: AsyncSession, ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, XapiStatement]:
    if not ids:
        return {}
    rows = await session.scalars(select(XapiStatement).where(XapiStatement.id.in_(ids)))
    return {row.id: row for row in rows}


async def insert(session: AsyncSession, rows: list[dict[str, Any]]) -> dict[uuid.UUID, int]:
    """Insert the statements whose id is new; the seq of each inserted, by id."""
    statement = (
        insert_for(dialect_of(session), XapiStatement)
        .on_conflict_do_nothing(index_elements=[XapiStatement.id])
        .returning(XapiStatement.id, XapiStatement.seq)
    )
    return {row.id: row.seq for row in await session.execute(statement, rows)}


async def terms_of(session: AsyncSession, seqs: Collection[int]) -> dict[int, set[Term]]:
    found: dict[int, set[Term]] = {seq: set() for seq in seqs}
    if seqs:
        rows = await session.execute(
            select(XapiStatementTerm.seq, XapiStatementTerm.term, XapiStatementTerm.related).where(
                XapiStatementTerm.seq.in_(seqs)
            )
        )
        for seq, term, related in rows:
            found[seq].add((term, related))
    return found


async def add_terms(session: AsyncSession, terms: dict[int, set[Term]]) -> None:
    rows = [
        {"seq": seq, "term": term, "related": related}
        for seq, found in terms.items()
        for term, related in found
    ]
    if rows:
        await session.execute(
            insert_for(dialect_of(session), XapiStatementTerm).on_conflict_do_nothing(), rows
        )


async def referrers(
    session: AsyncSession, ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, list[int]]:
    """The seqs of stored statements whose object is a StatementRef to each of `ids`."""
    found: dict[uuid.UUID, list[int]] = {}
    if ids:
        rows = await session.execute(
            select(XapiStatement.refers_to, XapiStatement.seq).where(
                XapiStatement.refers_to.in_(ids)
            )
        )
        for refers_to, seq in rows:
            if refers_to is not None:
                found.setdefault(refers_to, []).append(seq)
    return found


async def mark_voided(session: AsyncSession, ids: Iterable[uuid.UUID]) -> None:
    await session.execute(
        update(XapiStatement).where(XapiStatement.id.in_(list(ids))).values(voided=True)
    )


async def store_attachments(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(
            insert_for(dialect_of(session), XapiAttachment).on_conflict_do_nothing(), rows
        )


async def attachments(session: AsyncSession, hashes: Collection[str]) -> list[XapiAttachment]:
    if not hashes:
        return []
    return list(
        await session.scalars(select(XapiAttachment).where(XapiAttachment.sha2.in_(hashes)))
    )


async def one(
    session: AsyncSession, visibility: Visibility, statement_id: uuid.UUID, *, voided: bool
) -> XapiStatement | None:
    query = select(XapiStatement).where(
        XapiStatement.id == statement_id, XapiStatement.voided == voided
    )
    return (await session.scalars(visibility.apply(query))).first()


async def find(
    session: AsyncSession, visibility: Visibility, filters: Filters, limit: int
) -> list[XapiStatement]:
    """Up to `limit` unvoided statements that match every filter, in stored order."""
    query = select(XapiStatement).where(XapiStatement.voided.is_(False))
    for term, related in filters.terms:
        matching = select(XapiStatementTerm.seq).where(XapiStatementTerm.term == term)
        if not related:
            matching = matching.where(XapiStatementTerm.related.is_(False))
        query = query.where(XapiStatement.seq.in_(matching))
    if filters.since is not None:
        query = query.where(XapiStatement.stored > filters.since)
    if filters.until is not None:
        query = query.where(XapiStatement.stored <= filters.until)
    if filters.after_seq is not None:
        past = (
            XapiStatement.seq > filters.after_seq
            if filters.ascending
            else XapiStatement.seq < filters.after_seq
        )
        query = query.where(past)
    order = XapiStatement.seq.asc() if filters.ascending else XapiStatement.seq.desc()
    return list(await session.scalars(visibility.apply(query).order_by(order).limit(limit)))


async def recorded_as(
    session: AsyncSession, user_id: uuid.UUID
) -> list[tuple[uuid.UUID, bool, str | None]]:
    """Each statement that counts for the learner: (id, voided, the voided_by of its event, or
    "missing" when the event is not in the log)."""
    rows = await session.execute(
        select(XapiStatement.id, XapiStatement.voided, Event.event_id, Event.voided_by)
        .outerjoin(
            Event,
            (Event.user_id == XapiStatement.user_id) & (Event.event_id == XapiStatement.event_id),
        )
        .where(XapiStatement.user_id == user_id, XapiStatement.event_id.is_not(None))
        .order_by(XapiStatement.seq)
    )
    return [
        (statement_id, voided, voided_by if event_id is not None else "missing")
        for statement_id, voided, event_id, voided_by in rows
    ]
