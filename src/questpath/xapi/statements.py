"""The statements resource's use cases: store statements (voiding, attachments, progress) and
read them back.

A new statement is stored with its id, `stored`, `authority` and `version` set, the terms its
queries match, and, when it maps to progress for a learner the caller may write for, an event
recorded through the recorder in the same transaction. A voiding statement marks its target
voided and voids the target's event, so `questpath verify` sees the compensating event.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from questpath.events.drafts import Draft
from questpath.events.rules import XAPI_ID_PREFIX, occurred_at_problem
from questpath.problems import Conflict, FieldError, Forbidden
from questpath.progress.recording import Recorder
from questpath.xapi import documents, identities, mapping, validation
from questpath.xapi import statement_store as store
from questpath.xapi.access import Caller
from questpath.xapi.agents import ifi
from questpath.xapi.attachments import Part
from questpath.xapi.comparison import statements_equivalent
from questpath.xapi.formats import iso
from questpath.xapi.models import XapiStatement
from questpath.xapi.terms import statement_terms

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
DEFAULT_VERSION = "1.0.0"


def stored_form(
    statement: Mapping[str, Any], statement_id: uuid.UUID, authority: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """The statement as the LRS keeps it: its id, `stored`, `authority`, `version` and
    `timestamp` set (the timestamp defaults to the time stored)."""
    stamp = iso(now)
    out = listed_context_activities(statement)
    out["id"] = str(statement_id)
    out["stored"] = stamp
    out["authority"] = authority
    out.setdefault("version", DEFAULT_VERSION)
    out.setdefault("timestamp", stamp)
    return out


def listed_context_activities(statement: Mapping[str, Any]) -> dict[str, Any]:
    """The statement with each context activity given alone made a list of one, as the LRS
    must return them (in a SubStatement too)."""
    out = dict(statement)
    context = out.get("context")
    if isinstance(context, Mapping) and isinstance(context.get("contextActivities"), Mapping):
        listed = {
            name: value if isinstance(value, list) else [value]
            for name, value in context["contextActivities"].items()
        }
        out["context"] = {**context, "contextActivities": listed}
    obj = out.get("object")
    if isinstance(obj, Mapping) and obj.get("objectType") == "SubStatement":
        out["object"] = listed_context_activities(obj)
    return out


def authority_of(caller: Caller, home_page: str) -> dict[str, Any]:
    """The Agent a statement is stored on the authority of: the API key (or the person)."""
    name = str(caller.key_id or caller.user_id)
    return {"objectType": "Agent", "account": {"homePage": home_page, "name": name}}


def is_voiding(statement: Mapping[str, Any]) -> bool:
    return bool(statement["verb"]["id"] == VOIDED)


async def store_statements(
    session: AsyncSession,
    caller: Caller,
    statements: Sequence[Mapping[str, Any]],
    *,
    recorder: Recorder,
    home_page: str,
    now: datetime,
    attachments: Sequence[Part] = (),
    batch: bool = False,
    counting: mapping.XapiMapping = mapping.DEFAULT_MAPPING,
) -> list[uuid.UUID]:
    """Store the valid `statements` (all or nothing) and return their ids in order.

    A statement whose id is stored already is skipped when it is the same statement, and a 409
    when it is not. In a `batch`, errors name fields by position: "[2].id" for the third's id.
    `counting` is how statements count as progress (the rules file's `[xapi]`).
    """
    ids = _ids(statements)
    existing = await store.by_ids(session, ids)
    new: list[tuple[uuid.UUID, dict[str, Any]]] = []
    positions: dict[uuid.UUID, int] = {}
    for index, (statement_id, statement) in enumerate(zip(ids, statements, strict=True)):
        if statement_id in existing:
            if not statements_equivalent(existing[statement_id].statement, dict(statement)):
                raise Conflict(
                    f"{_field(batch, index, 'id')}: a different statement with the id "
                    f"{statement_id} is stored already; statements never change"
                )
            continue
        new.append((statement_id, dict(statement)))
        positions[statement_id] = index
    if not new:
        return ids
    targets = await _voiding_targets(session, caller, new, positions, batch)
    authority = authority_of(caller, home_page)
    stored_at = now.replace(microsecond=now.microsecond // 1000 * 1000)  # as `stored` shows it
    counted = [(i, s) for i, s in new if not is_voiding(s)]
    drafts = await _drafts(session, caller, counted, counting, now)
    rows = []
    for statement_id, statement in new:
        kept = stored_form(statement, statement_id, authority, stored_at)
        draft = drafts.get(statement_id)
        obj = statement["object"]
        rows.append(
            {
                "id": statement_id,
                "owner_id": caller.user_id,
                "api_key_id": caller.key_id,
                "stored": stored_at,
                "verb_id": statement["verb"]["id"],
                "refers_to": uuid.UUID(obj["id"])
                if obj.get("objectType") == "StatementRef"
                else None,
                "voided": False,
                "user_id": draft.user_id if draft else None,
                "event_id": draft.id if draft else None,
                "statement": kept,
            }
        )
    inserted = await store.insert(session, rows)
    if len(inserted) < len(rows):  # another request stored some of the same ids meanwhile
        raise Conflict("statements with these ids were stored at the same moment; send again")
    await _index(session, rows, inserted)
    await documents.remember_activities(
        session, [a for _, statement in new for a in activities_of(statement)]
    )
    await store.store_attachments(
        session,
        [
            {"sha2": a.sha2, "content_type": a.content_type, "content": a.content}
            for a in attachments
        ],
    )
    if targets:
        await store.mark_voided(session, [t.id for t in targets])
        for target in targets:
            if target.user_id is not None and target.event_id is not None:
                await recorder.void(session, target.user_id, target.event_id, now)
    if drafts:
        await recorder.record(session, list(drafts.values()), now)
    return ids


def activities_of(statement: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every Activity a statement carries: its object, its context activities, and a
    SubStatement's."""
    holders = [statement]
    if statement["object"].get("objectType") == "SubStatement":
        holders.append(statement["object"])
    found: list[dict[str, Any]] = []
    for holder in holders:
        if holder["object"].get("objectType", "Activity") == "Activity":
            found.append(holder["object"])
        context = holder.get("context")
        if isinstance(context, dict):
            for listed in (context.get("contextActivities") or {}).values():
                found += listed if isinstance(listed, list) else [listed]
    return found


def _field(batch: bool, index: int, name: str) -> str:
    return f"[{index}].{name}" if batch else name


def _ids(statements: Sequence[Mapping[str, Any]]) -> list[uuid.UUID]:
    """Each statement's id, made for those without one (validation refused repeated ids)."""
    return [uuid.UUID(s["id"]) if "id" in s else uuid.uuid4() for s in statements]


async def _voiding_targets(
    session: AsyncSession,
    caller: Caller,
    new: list[tuple[uuid.UUID, dict[str, Any]]],
    positions: Mapping[uuid.UUID, int],
    batch: bool,
) -> list[XapiStatement]:
    """The stored statements the voiding statements among `new` void (a target not stored yet
    is no reason to refuse, as the spec says).

    A voiding statement cannot be voided: one that targets it is stored and voids nothing. A
    statement with the voided verb whose own target was never stored voided nothing, so it is
    no voiding statement in that sense, and can be voided (as the conformance suite expects)."""
    wanted: dict[uuid.UUID, int] = {}
    for statement_id, statement in new:
        if not is_voiding(statement):
            continue
        index = positions[statement_id]
        wanted[uuid.UUID(statement["object"]["id"])] = index  # a StatementRef: validated
    found = await store.by_ids(session, wanted)
    theirs = {t.refers_to for t in found.values() if is_voiding(t.statement) and t.refers_to}
    stored = (await store.by_ids(session, theirs)).keys()
    targets = []
    for target_id, target in found.items():
        field = _field(batch, wanted[target_id], "object.id")
        if is_voiding(target.statement) and target.refers_to in stored:
            continue
        if target.owner_id != caller.user_id and not caller.principal.is_admin:
            raise Forbidden(f"{field}: you may void only statements your account stored")
        if not target.voided:
            targets.append(target)
    return targets


async def _drafts(
    session: AsyncSession,
    caller: Caller,
    statements: list[tuple[uuid.UUID, dict[str, Any]]],
    counting: mapping.XapiMapping,
    now: datetime,
) -> dict[uuid.UUID, Draft]:
    """The events the statements count as, by statement id: for the learner the actor is,
    when the caller may write for that learner (an admin for anyone, others for themselves)."""
    mapped = []
    for statement_id, statement in statements:
        event = mapping.event_of(statement, counting)
        actor = ifi(statement["actor"])
        if event is not None and actor is not None:
            mapped.append((statement_id, statement, event, actor))
    learners = await identities.resolve(session, {actor for *_, actor in mapped})
    drafts = {}
    for statement_id, statement, event, actor in mapped:
        learner = learners.get(actor)
        if learner is None or not (caller.principal.is_admin or learner == caller.user_id):
            continue
        occurred_at = event.occurred_at
        if occurred_at is not None and occurred_at_problem(occurred_at, now):
            occurred_at = None  # outside what the log accepts: count it when it was stored
        drafts[statement_id] = Draft(
            user_id=learner,
            id=XAPI_ID_PREFIX + str(statement_id),
            kind=event.kind,
            occurred_at=occurred_at,
            topic=event.topic,
            grade=event.grade,
            time_spent_seconds=event.time_spent_seconds,
            metadata={"xapi_statement": str(statement_id), "verb": statement["verb"]["id"]},
            api_key_id=caller.key_id,
        )
    return drafts


async def _index(
    session: AsyncSession, rows: list[dict[str, Any]], inserted: dict[uuid.UUID, int]
) -> None:
    """Store each new statement's terms, with those of the statement its StatementRef targets,
    and give the new terms to stored statements that targeted one of them before it came."""
    own = {row["id"]: statement_terms(row["statement"]) for row in rows}
    terms = {inserted[statement_id]: set(found) for statement_id, found in own.items()}
    refs = {inserted[row["id"]]: row["refers_to"] for row in rows if row["refers_to"]}
    stored_targets = await store.by_ids(session, set(refs.values()) - own.keys())
    stored_terms = await store.terms_of(session, {t.seq for t in stored_targets.values()})
    for seq, target_id in refs.items():
        if target_id in own:
            terms[seq] |= own[target_id]
        elif target_id in stored_targets:
            terms[seq] |= stored_terms[stored_targets[target_id].seq]
    for target_id, seqs in (await store.referrers(session, set(own))).items():
        for seq in seqs:
            if seq not in terms:
                terms[seq] = set(own[target_id])
    await store.add_terms(session, terms)


def violations_as_errors(violations: Sequence[validation.Violation]) -> list[FieldError]:
    return [FieldError(v.field, v.message, v.rule) for v in violations]
