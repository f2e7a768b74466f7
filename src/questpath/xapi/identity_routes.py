"""/api/xapi/identities: the xAPI identities statements name a learner by. The learner's own
e-mail address is listed, marked implicit; accounts with an LMS and other identities are linked
here. Admins manage any learner's with `?user_id=`."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response, status

from questpath.auth import repository as users
from questpath.auth.dependencies import CanReadProfile, CanWriteAndReadProfile, CanWriteProfile
from questpath.auth.principal import Principal, UserLike
from questpath.clock import Now
from questpath.dependencies import SessionDep
from questpath.problems import Forbidden, NotFound
from questpath.xapi import identities
from questpath.xapi.identity_schemas import (
    XapiIdentifier,
    XapiIdentityCreate,
    XapiIdentityList,
    XapiIdentityRead,
    ifi_of,
)

router = APIRouter(prefix="/api/xapi/identities", tags=["xapi identities"])

AdminUserId = Annotated[uuid.UUID | None, Query(description="admins only: whose identities")]
NO_LEARNER: dict[int | str, dict[str, Any]] = {404: {"description": "no learner has the user_id"}}


async def _learner(
    session: SessionDep, principal: Principal, user_id: uuid.UUID | None, *, writes: bool
) -> UserLike:
    """Whose identities: the caller's own, or (admins) the learner named by `user_id`."""
    if user_id is None or user_id == principal.user.id:
        return principal.user
    if not principal.is_admin:
        verb = "manage" if writes else "read"
        raise Forbidden(f"you may {verb} only your own xAPI identities")
    user = await users.get_user(session, user_id)
    if user is None:
        raise NotFound(f"no learner has the id {user_id}")
    return user


def _read(identity: identities.Identity) -> XapiIdentityRead:
    return XapiIdentityRead(
        **XapiIdentifier.of_ifi(identity.ifi).model_dump(),
        id=identity.id,
        implicit=identity.implicit,
        created_at=identity.created_at,
    )


@router.get("", responses=NO_LEARNER)
async def list_identities(
    principal: CanReadProfile, session: SessionDep, user_id: AdminUserId = None
) -> XapiIdentityList:
    """The identities xAPI statements name the learner by: their own e-mail address (as `mbox`
    and `mbox_sha1sum`, implicit), then the ones linked, oldest first."""
    learner = await _learner(session, principal, user_id, writes=False)
    found = await identities.identities_of(session, learner)
    return XapiIdentityList(items=[_read(identity) for identity in found])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": XapiIdentityRead, "description": "the identity was linked to them already"},
        409: {"description": "another learner has the identity, or it is the learner's address"},
        **NO_LEARNER,
    },
)
async def link_identity(
    body: Annotated[XapiIdentityCreate, Body()],
    principal: CanWriteAndReadProfile,
    session: SessionDep,
    now: Now,
    response: Response,
    user_id: AdminUserId = None,
) -> XapiIdentityRead:
    """Link an identity: statements whose actor (or a member of whose group) has it count for
    the learner. One learner per identity; linking it again answers the same link (200)."""
    learner = await _learner(session, principal, user_id, writes=True)
    identity, created = await identities.link(session, learner, ifi_of(body), now)
    if not created:
        response.status_code = status.HTTP_200_OK
    return _read(identity)


@router.delete("/{identity_id:uuid}", status_code=status.HTTP_204_NO_CONTENT)
async def unlink_identity(
    identity_id: uuid.UUID,
    principal: CanWriteProfile,
    session: SessionDep,
    user_id: AdminUserId = None,
) -> Response:
    """Unlink an identity: statements stored from now on with it count for nobody (those
    stored before keep their events)."""
    learner = await _learner(session, principal, user_id, writes=True)
    await identities.unlink(session, learner, identity_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
