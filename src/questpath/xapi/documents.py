"""The document resources' service and repository: state, activity profile and agent profile
documents in the caller's account, and the activities' canonical definitions."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from questpath.clock import utc_now
from questpath.db import dialect_of, insert_for
from questpath.problems import Conflict, NotFound
from questpath.xapi.document_models import XapiActivity, XapiDocument
from questpath.xapi.document_rules import (
    NotMergeable,
    Outcome,
    Preconditions,
    Stored,
    etag_of,
    is_json,
    merged_definition,
    posted,
    precondition,
)
from questpath.xapi.errors import PreconditionFailed, XapiBadRequest

DEFAULT_TYPE = "application/octet-stream"


@dataclass(frozen=True)
class DocumentKey:
    """Which document: '' for a part the resource does not use. With `document_id` '' it names
    the context whose documents a list or a delete of all covers."""

    resource: str
    activity_id: str = ""
    agent: str = ""
    registration: str = ""
    document_id: str = ""


@dataclass(frozen=True)
class Document:
    content: bytes
    content_type: str
    etag: str
    updated: datetime


def _where(user_id: uuid.UUID, key: DocumentKey, *, any_registration: bool = False) -> list[Any]:
    t = XapiDocument.__table__.c
    found = [
        t.user_id == user_id,
        t.resource == key.resource,
        t.activity_id == key.activity_id,
        t.agent == key.agent,
    ]
    if not any_registration:
        found.append(t.registration == key.registration)
    if key.document_id:
        found.append(t.document_id == key.document_id)
    return found


async def document(session: AsyncSession, user_id: uuid.UUID, key: DocumentKey) -> Document:
    t = XapiDocument.__table__.c
    row = (
        await session.execute(
            select(t.content, t.content_type, t.etag, t.updated).where(*_where(user_id, key))
        )
    ).first()
    if row is None:
        raise NotFound(f"no document with id {key.document_id!r} here")
    return Document(*row)


async def document_ids(
    session: AsyncSession,
    user_id: uuid.UUID,
    key: DocumentKey,
    *,
    any_registration: bool,
    since: datetime | None,
) -> tuple[list[str], datetime | None]:
    """The ids of the documents in the context (updated after `since`, exclusive) and when the
    latest of them was updated."""
    t = XapiDocument.__table__.c
    query = select(t.document_id, func.max(t.updated)).where(
        *_where(user_id, key, any_registration=any_registration)
    )
    if since is not None:
        query = query.where(t.updated > since)
    rows = (await session.execute(query.group_by(t.document_id).order_by(t.document_id))).all()
    latest = max((updated for _, updated in rows), default=None)
    return [document_id for document_id, _ in rows], latest


async def _current(session: AsyncSession, user_id: uuid.UUID, key: DocumentKey) -> Stored | None:
    """The stored document, locked until the unit of work ends (on PostgreSQL)."""
    t = XapiDocument.__table__.c
    row = (
        await session.execute(
            select(t.content, t.content_type).where(*_where(user_id, key)).with_for_update()
        )
    ).first()
    return None if row is None else Stored(row.content, row.content_type)


def _check(current: Stored | None, headers: Preconditions, *, conflict: bool) -> None:
    outcome = precondition(
        None if current is None else etag_of(current.content),
        headers,
        conflict_without_headers=conflict,
    )
    if outcome is Outcome.PRECONDITION_FAILED:
        raise PreconditionFailed(
            "the document's current ETag does not satisfy If-Match / If-None-Match; "
            "fetch it again and retry"
        )
    if outcome is Outcome.HEADER_REQUIRED:
        raise XapiBadRequest.of(
            "precondition.required",
            "If-None-Match",
            "a profile document is PUT with If-None-Match: * to create it, or If-Match with "
            "its current ETag to replace it",
        )
    if outcome is Outcome.CONFLICT:
        raise Conflict(
            "the document exists: check its current state, and send If-Match with its "
            "current ETag (or If-None-Match: * to create only) to replace it"
        )


def _sent(content: bytes, content_type: str | None) -> Stored:
    """The document of a PUT or POST; one declared JSON must be JSON."""
    stored = Stored(content, content_type or DEFAULT_TYPE)
    if is_json(stored.content_type):
        try:
            json.loads(content)
        except ValueError as exc:
            raise XapiBadRequest.of(
                "document", "content", "is declared application/json but is not JSON"
            ) from exc
    return stored


async def _write(
    session: AsyncSession, user_id: uuid.UUID, key: DocumentKey, stored: Stored, now: datetime
) -> None:
    values = {
        "content": stored.content,
        "content_type": stored.content_type[:255],
        "etag": etag_of(stored.content),
        "updated": now,
    }
    stmt = insert_for(dialect_of(session), XapiDocument).values(
        user_id=user_id,
        resource=key.resource,
        activity_id=key.activity_id,
        agent=key.agent,
        registration=key.registration,
        document_id=key.document_id,
        **values,
    )
    pk = ["user_id", "resource", "activity_id", "agent", "registration", "document_id"]
    await session.execute(stmt.on_conflict_do_update(index_elements=pk, set_=values))


async def put(
    session: AsyncSession,
    user_id: uuid.UUID,
    key: DocumentKey,
    content: bytes,
    content_type: str | None,
    headers: Preconditions,
    now: datetime,
    *,
    conflict_without_headers: bool,
) -> None:
    """Store the document in place of any there (Communication 2.3, 2.6, 2.7), if the
    preconditions hold; a profile document that exists needs one of them."""
    sent = _sent(content, content_type)
    current = await _current(session, user_id, key)
    _check(current, headers, conflict=conflict_without_headers)
    await _write(session, user_id, key, sent, now)


async def post(
    session: AsyncSession,
    user_id: uuid.UUID,
    key: DocumentKey,
    content: bytes,
    content_type: str | None,
    headers: Preconditions,
    now: datetime,
) -> None:
    """Store the document, or merge it into the JSON object there (Communication 2.2.s7)."""
    sent = _sent(content, content_type)
    current = await _current(session, user_id, key)
    _check(current, headers, conflict=False)
    try:
        result = posted(current, sent)
    except NotMergeable as exc:
        raise XapiBadRequest.of("document-merge", "content", str(exc)) from exc
    await _write(session, user_id, key, result, now)


async def delete_one(
    session: AsyncSession, user_id: uuid.UUID, key: DocumentKey, headers: Preconditions
) -> None:
    """Delete the document if the preconditions hold; deleting none is no error."""
    current = await _current(session, user_id, key)
    _check(current, headers, conflict=False)
    await session.execute(delete(XapiDocument).where(*_where(user_id, key)))


async def delete_all(
    session: AsyncSession, user_id: uuid.UUID, key: DocumentKey, *, any_registration: bool
) -> None:
    """Delete every document of the context (the state resource without a stateId)."""
    context = replace(key, document_id="")
    await session.execute(
        delete(XapiDocument).where(*_where(user_id, context, any_registration=any_registration))
    )


async def remember_activities(session: AsyncSession, activities: list[dict[str, Any]]) -> None:
    """Merge the definitions the activities carry into the canonical ones: a later definition
    wins property by property, language maps key by key. Called for every activity of a stored
    statement; activities without a definition change nothing."""
    found: dict[str, dict[str, Any]] = {}
    for activity in activities:
        activity_id, definition = activity.get("id"), activity.get("definition")
        if isinstance(activity_id, str) and isinstance(definition, dict):
            found[activity_id] = merged_definition(found.get(activity_id, {}), definition)
    if not found:
        return
    now = utc_now()
    ids = sorted(found)  # one order for every writer: no deadlock
    await session.execute(
        insert_for(dialect_of(session), XapiActivity).on_conflict_do_nothing(
            index_elements=["activity_id"]
        ),
        [{"activity_id": i, "definition": {}, "updated": now} for i in ids],
    )
    t = XapiActivity.__table__.c
    rows = await session.execute(
        select(t.activity_id, t.definition)
        .where(t.activity_id.in_(ids))
        .order_by(t.activity_id)
        .with_for_update()
    )
    stored = {activity_id: definition or {} for activity_id, definition in rows}
    await session.execute(  # bulk UPDATE by primary key
        update(XapiActivity),
        [
            {
                "activity_id": i,
                "definition": merged_definition(stored.get(i, {}), found[i]),
                "updated": now,
            }
            for i in ids
        ],
    )


async def activity(session: AsyncSession, activity_id: str) -> dict[str, Any]:
    """The Activity object with its canonical definition, or only its id when none is known
    (Communication 2.5.s2.b1)."""
    t = XapiActivity.__table__.c
    definition = await session.scalar(select(t.definition).where(t.activity_id == activity_id))
    found: dict[str, Any] = {"objectType": "Activity", "id": activity_id}
    if definition:
        found["definition"] = definition
    return found
