"""Sharing API: the caller's public progress page, its link, handle and what it shows."""

from __future__ import annotations

from fastapi import APIRouter

from questpath.auth.dependencies import CanReadProfile, CanWriteAndReadProfile
from questpath.clock import Now
from questpath.dependencies import SessionDep
from questpath.sharing import service
from questpath.sharing.schemas import SharingRead, SharingUpdate

router = APIRouter(prefix="/api", tags=["sharing"])


@router.get("/sharing")
async def read_sharing(principal: CanReadProfile, session: SessionDep) -> SharingRead:
    """Whether the public progress page is on and has a link, the handle and the choices. The
    link's address is not here: it is shown once, in the answer that made it."""
    return await service.settings_of(session, principal.user)


@router.put(
    "/sharing",
    responses={
        409: {"description": "the handle is taken by another learner"},
        422: {"description": "an invalid handle, section or track; `errors` names the field"},
    },
)
async def update_sharing(
    body: SharingUpdate, principal: CanWriteAndReadProfile, session: SessionDep, now: Now
) -> SharingRead:
    """Turn the public page on or off and choose what it shows. The first call makes the link
    and is the only answer that shows it (`token`, `url`, `badge_url`); later ones leave them
    null. The link keeps its token until it is revoked; with sharing off, the link, the profile
    and the badge all answer 404."""
    return await service.update(session, principal.user, body, now)


@router.post("/sharing/revoke", responses={404: {"description": "sharing was never turned on"}})
async def revoke_sharing(
    principal: CanWriteAndReadProfile, session: SessionDep, now: Now
) -> SharingRead:
    """A new link in place of the old one, which answers 404 at once. This answer is the only
    one that shows the new link (`token`, `url`, `badge_url`): store it now."""
    return await service.revoke(session, principal.user, now)
