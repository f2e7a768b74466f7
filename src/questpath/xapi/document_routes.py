"""The document resources (/activities/state, /activities/profile, /agents/profile) and the
activities and agents resources (Communication 2.2 to 2.7).

Each route reads its query parameters through `params`, which refuses unknown, repeated,
missing and malformed ones with a 400 naming the parameter, then calls one service function."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from questpath.clock import Now
from questpath.dependencies import SessionDep
from questpath.xapi import documents
from questpath.xapi.access import Reader, Writer
from questpath.xapi.agents import ifi
from questpath.xapi.document_models import ACTIVITY_PROFILE, AGENT_PROFILE, STATE
from questpath.xapi.document_rules import Preconditions, etag_of, person_of
from questpath.xapi.documents import DocumentKey
from questpath.xapi.params import (
    activity_id_param,
    agent_param,
    known_params,
    registration_param,
    required,
    timestamp_param,
)

router = APIRouter(tags=["documents"])
NO_CONTENT = 204


@dataclass(frozen=True)
class Resource:
    name: str
    id_param: str
    context: tuple[str, ...]  # the parameters that name the context, required but registration
    # A PUT over an existing document must send If-Match or If-None-Match (Communication
    # 3.1.s4.b13): the profile resources; the state resource permits PUT without them (3.1.s3).
    conflict_without_headers: bool


STATE_RESOURCE = Resource(STATE, "stateId", ("activityId", "agent", "registration"), False)
ACTIVITY_PROFILE_RESOURCE = Resource(ACTIVITY_PROFILE, "profileId", ("activityId",), True)
AGENT_PROFILE_RESOURCE = Resource(AGENT_PROFILE, "profileId", ("agent",), True)


@dataclass(frozen=True)
class Addressed:
    key: DocumentKey
    registration_given: bool
    since: datetime | None


def _addressed(
    resource: Resource, request: Request, *, id_required: bool, since: bool = False
) -> Addressed:
    allowed = {*resource.context, resource.id_param, *(("since",) if since else ())}
    params = known_params(request.query_params.multi_items(), allowed)
    activity_id = agent = registration = ""
    if "activityId" in resource.context:
        activity_id = activity_id_param(required(params, "activityId"))
    if "agent" in resource.context:
        agent = ifi(agent_param(required(params, "agent"))) or ""
    if "registration" in params:
        registration = registration_param(params["registration"])
    document_id = (
        required(params, resource.id_param) if id_required else params.get(resource.id_param, "")
    )
    return Addressed(
        DocumentKey(resource.name, activity_id, agent, registration, document_id),
        registration_given="registration" in params,
        since=timestamp_param(params["since"]) if "since" in params else None,
    )


def _preconditions(request: Request) -> Preconditions:
    return Preconditions(request.headers.get("if-match"), request.headers.get("if-none-match"))


def _last_modified(when: datetime) -> str:
    return format_datetime(when.astimezone(UTC), usegmt=True)


async def _get(
    resource: Resource, request: Request, caller: Reader, session: SessionDep
) -> Response:
    found = _addressed(resource, request, id_required=False, since=True)
    if found.key.document_id:
        document = await documents.document(session, caller.user_id, found.key)
        return Response(
            document.content,
            media_type=document.content_type,
            headers={
                "ETag": f'"{document.etag}"',
                "Last-Modified": _last_modified(document.updated),
            },
        )
    ids, latest = await documents.document_ids(
        session,
        caller.user_id,
        found.key,
        any_registration=not found.registration_given,
        since=found.since,
    )
    body = json.dumps(ids).encode()
    headers = {"ETag": f'"{etag_of(body)}"'}
    if latest is not None:
        headers["Last-Modified"] = _last_modified(latest)
    return Response(body, media_type="application/json", headers=headers)


async def _put(
    resource: Resource, request: Request, caller: Writer, session: SessionDep, now: Now
) -> Response:
    found = _addressed(resource, request, id_required=True)
    await documents.put(
        session,
        caller.user_id,
        found.key,
        await request.body(),
        request.headers.get("content-type"),
        _preconditions(request),
        now,
        conflict_without_headers=resource.conflict_without_headers,
    )
    return Response(status_code=NO_CONTENT)


async def _post(
    resource: Resource, request: Request, caller: Writer, session: SessionDep, now: Now
) -> Response:
    found = _addressed(resource, request, id_required=True)
    await documents.post(
        session,
        caller.user_id,
        found.key,
        await request.body(),
        request.headers.get("content-type"),
        _preconditions(request),
        now,
    )
    return Response(status_code=NO_CONTENT)


async def _delete(
    resource: Resource, request: Request, caller: Writer, session: SessionDep
) -> Response:
    found = _addressed(resource, request, id_required=resource is not STATE_RESOURCE)
    if found.key.document_id:
        await documents.delete_one(session, caller.user_id, found.key, _preconditions(request))
    else:
        await documents.delete_all(
            session, caller.user_id, found.key, any_registration=not found.registration_given
        )
    return Response(status_code=NO_CONTENT)


@router.get("/activities/state")
async def get_state(request: Request, caller: Reader, session: SessionDep) -> Response:
    """One state document by stateId, or the array of stateIds of the context (with `since`)."""
    return await _get(STATE_RESOURCE, request, caller, session)


@router.put("/activities/state", status_code=NO_CONTENT)
async def put_state(request: Request, caller: Writer, session: SessionDep, now: Now) -> Response:
    """Store a state document in place of any there."""
    return await _put(STATE_RESOURCE, request, caller, session, now)


@router.post("/activities/state", status_code=NO_CONTENT)
async def post_state(request: Request, caller: Writer, session: SessionDep, now: Now) -> Response:
    """Store a state document, or merge a JSON object into the one there."""
    return await _post(STATE_RESOURCE, request, caller, session, now)


@router.delete("/activities/state", status_code=NO_CONTENT)
async def delete_state(request: Request, caller: Writer, session: SessionDep) -> Response:
    """Delete one state document, or without a stateId every one of the context."""
    return await _delete(STATE_RESOURCE, request, caller, session)


@router.get("/activities/profile")
async def get_activity_profile(request: Request, caller: Reader, session: SessionDep) -> Response:
    """One activity profile document by profileId, or the array of profileIds (with `since`)."""
    return await _get(ACTIVITY_PROFILE_RESOURCE, request, caller, session)


@router.put("/activities/profile", status_code=NO_CONTENT)
async def put_activity_profile(
    request: Request, caller: Writer, session: SessionDep, now: Now
) -> Response:
    """Store an activity profile document; over an existing one, If-Match or If-None-Match."""
    return await _put(ACTIVITY_PROFILE_RESOURCE, request, caller, session, now)


@router.post("/activities/profile", status_code=NO_CONTENT)
async def post_activity_profile(
    request: Request, caller: Writer, session: SessionDep, now: Now
) -> Response:
    """Store an activity profile document, or merge a JSON object into the one there."""
    return await _post(ACTIVITY_PROFILE_RESOURCE, request, caller, session, now)


@router.delete("/activities/profile", status_code=NO_CONTENT)
async def delete_activity_profile(
    request: Request, caller: Writer, session: SessionDep
) -> Response:
    """Delete an activity profile document."""
    return await _delete(ACTIVITY_PROFILE_RESOURCE, request, caller, session)


@router.get("/agents/profile")
async def get_agent_profile(request: Request, caller: Reader, session: SessionDep) -> Response:
    """One agent profile document by profileId, or the array of profileIds (with `since`)."""
    return await _get(AGENT_PROFILE_RESOURCE, request, caller, session)


@router.put("/agents/profile", status_code=NO_CONTENT)
async def put_agent_profile(
    request: Request, caller: Writer, session: SessionDep, now: Now
) -> Response:
    """Store an agent profile document; over an existing one, If-Match or If-None-Match."""
    return await _put(AGENT_PROFILE_RESOURCE, request, caller, session, now)


@router.post("/agents/profile", status_code=NO_CONTENT)
async def post_agent_profile(
    request: Request, caller: Writer, session: SessionDep, now: Now
) -> Response:
    """Store an agent profile document, or merge a JSON object into the one there."""
    return await _post(AGENT_PROFILE_RESOURCE, request, caller, session, now)


@router.delete("/agents/profile", status_code=NO_CONTENT)
async def delete_agent_profile(request: Request, caller: Writer, session: SessionDep) -> Response:
    """Delete an agent profile document."""
    return await _delete(AGENT_PROFILE_RESOURCE, request, caller, session)


@router.get("/activities")
async def get_activity(request: Request, _caller: Reader, session: SessionDep) -> JSONResponse:
    """The Activity object with its canonical definition, as statements defined it."""
    params = known_params(request.query_params.multi_items(), {"activityId"})
    activity_id = activity_id_param(required(params, "activityId"))
    return JSONResponse(await documents.activity(session, activity_id))


@router.get("/agents")
async def get_person(request: Request, _caller: Reader) -> JSONResponse:
    """The Person object of an agent: what this LRS knows of it, which is the agent itself."""
    params = known_params(request.query_params.multi_items(), {"agent"})
    return JSONResponse(person_of(agent_param(required(params, "agent"))))
