"""/xapi/statements: PUT one statement, POST one or many, GET one or a filtered page."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from questpath.clock import Now
from questpath.dependencies import SessionDep
from questpath.problems import NotFound
from questpath.xapi import statement_query, validation
from questpath.xapi import statement_store as store
from questpath.xapi.access import Caller, Reader, Writer
from questpath.xapi.attachments import (
    AttachmentError,
    Part,
    build_multipart,
    check_attachments,
    media_type,
    parse_multipart,
)
from questpath.xapi.errors import XapiBadRequest
from questpath.xapi.formats import accepted_languages, formatted
from questpath.xapi.mapping import XapiMapping
from questpath.xapi.signatures import SignatureError, check_signature
from questpath.xapi.statements import store_statements, violations_as_errors

router = APIRouter(tags=["statements"])
JSON_TYPES = ("application/json",)


@dataclass(frozen=True)
class Sent:
    """A request's statements (one or a list, as sent) and its attachments' parts by hash."""

    body: Any
    parts: dict[str, Part]


async def _sent(request: Request) -> Sent:
    """The statements of a request, checked: JSON, or multipart/mixed with attachments whose
    hashes match and signatures that verify."""
    content_type = request.headers.get("content-type", "")
    kind = media_type(content_type)
    raw = await request.body()
    try:
        if kind == "multipart/mixed":
            multipart = parse_multipart(raw, content_type)
            sent = Sent(multipart.statements, dict(multipart.parts))
        elif kind in JSON_TYPES:
            try:
                sent = Sent(json.loads(raw), {})
            except ValueError as exc:
                raise XapiBadRequest.of("json", "body", f"is not valid JSON: {exc}") from exc
        else:
            raise XapiBadRequest.of(
                "content-type",
                "Content-Type",
                "statements are sent as application/json, or multipart/mixed with attachments",
            )
        violations = validation.statements_violations(sent.body)
        if violations:
            raise XapiBadRequest(violations_as_errors(violations))
        statements = sent.body if isinstance(sent.body, list) else [sent.body]
        check_attachments(statements, sent.parts)
        for index, statement in enumerate(statements):
            field = f"statements[{index}]" if isinstance(sent.body, list) else "statement"
            check_signature(statement, sent.parts, field)
    except (AttachmentError, SignatureError) as exc:
        raise XapiBadRequest.of(exc.rule, exc.field, str(exc)) from exc
    return sent


@router.put("/statements", status_code=204)
async def put_statement(
    request: Request, caller: Writer, session: SessionDep, now: Now
) -> Response:
    """Store one statement under the `statementId` parameter (204); the same statement again
    changes nothing, a different one under a stored id is a 409."""
    params = request.query_params
    if "statementId" not in params:
        raise XapiBadRequest.of("parameter", "statementId", "is required to PUT a statement")
    try:
        statement_id = uuid.UUID(params["statementId"])
    except ValueError as exc:
        raise XapiBadRequest.of("uuid", "statementId", "must be a UUID") from exc
    extra = [name for name in params if name != "statementId"]
    if extra:
        raise XapiBadRequest.of("parameter.unknown", extra[0], "is not a parameter of PUT")
    sent = await _sent(request)
    body = sent.body
    if isinstance(body, list):
        raise XapiBadRequest.of("statement.single", "body", "PUT stores one statement; POST many")
    if "id" in body and uuid.UUID(body["id"]) != statement_id:
        raise XapiBadRequest.of("statement.id", "id", "differs from the statementId parameter")
    await _store(request, caller, session, now, [{**body, "id": str(statement_id)}], sent.parts)
    return Response(status_code=204)


@router.post("/statements")
async def post_statements(
    request: Request, caller: Writer, session: SessionDep, now: Now
) -> list[str]:
    """Store one statement or an array of them, all or nothing; answers their ids in order."""
    if request.query_params:
        name = next(iter(request.query_params))
        raise XapiBadRequest.of("parameter.unknown", name, "is not a parameter of POST")
    sent = await _sent(request)
    batch = isinstance(sent.body, list)
    statements = sent.body if batch else [sent.body]
    ids = await _store(request, caller, session, now, statements, sent.parts, batch=batch)
    return [str(statement_id) for statement_id in ids]


async def _store(
    request: Request,
    caller: Caller,
    session: Any,
    now: Any,
    statements: list[dict[str, Any]],
    parts: dict[str, Part],
    *,
    batch: bool = False,
) -> list[uuid.UUID]:
    return await store_statements(
        session,
        caller,
        statements,
        recorder=request.app.state.recorder,
        home_page=request.app.state.settings.public_url,
        now=now,
        attachments=list(parts.values()),
        batch=batch,
        counting=XapiMapping.of(request.app.state.ruleset.xapi),
    )


@router.get("/statements")
async def get_statements(
    request: Request, caller: Reader, session: SessionDep, now: Now
) -> Response:
    """One statement by `statementId` (or a voided one by `voidedStatementId`), or the
    statements matching every filter given, newest stored first, with a `more` link."""
    query = statement_query.parse(request.query_params.multi_items())
    visibility = _visibility(caller)
    languages = accepted_languages(request.headers.get("accept-language"))
    headers: dict[str, str] = {}
    if query.statement_id is not None:
        row = await store.one(session, visibility, query.statement_id, voided=query.voided)
        if row is None:
            which = "voided statement" if query.voided else "statement"
            raise NotFound(f"no {which} with the id {query.statement_id}")
        headers["Last-Modified"] = format_datetime(row.stored, usegmt=True)
        one = formatted(row.statement, query.form, languages)
        if query.attachments:
            return await _with_attachments(session, one, [row.statement], headers)
        return JSONResponse(one, headers=headers)
    rows = await store.find(session, visibility, query.filters, query.limit + 1)
    if rows:  # as xAPI 2.0 asks: the latest `stored` among those answered
        headers["Last-Modified"] = format_datetime(max(r.stored for r in rows), usegmt=True)
    more = ""
    if len(rows) > query.limit:
        rows = rows[: query.limit]
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
        params.append(("cursor", str(rows[-1].seq)))
        more = f"{request.scope.get('root_path', '')}/statements?{urlencode(params)}"
    body = {
        "statements": [formatted(r.statement, query.form, languages) for r in rows],
        "more": more,
    }
    if query.attachments:
        return await _with_attachments(session, body, [r.statement for r in rows], headers)
    return JSONResponse(body, headers=headers)


async def _with_attachments(
    session: AsyncSession, body: Any, statements: list[dict[str, Any]], headers: dict[str, str]
) -> Response:
    """`body` as the first part of a multipart/mixed answer, with the attachments the
    statements carry (those whose content is stored here) as the parts after it."""
    hashes = {
        attachment["sha2"]
        for statement in statements
        for attachment in statement.get("attachments", [])
        if isinstance(attachment, dict) and isinstance(attachment.get("sha2"), str)
    }
    stored = await store.attachments(session, hashes)
    parts = [Part(a.content_type, a.sha2, a.content, {}) for a in stored]
    content, content_type = build_multipart(json.dumps(body).encode(), parts)
    return Response(content, media_type=content_type, headers=headers)


def _visibility(caller: Caller) -> store.Visibility:
    if caller.reads_only_its_own:
        return store.Visibility(api_key_id=caller.key_id)
    if caller.reads_everything:
        return store.Visibility()
    return store.Visibility(owner_id=caller.user_id)
