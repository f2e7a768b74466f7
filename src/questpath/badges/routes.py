"""Badges API: publish unlocked achievements as Open Badges 2.0 assertions, list and revoke
them, publish every achievement as it unlocks, and an Open Badges 3.0 form of each."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response, status

from questpath.auth.dependencies import CanReadProfile, CanWriteAndReadProfile, CanWriteProfile
from questpath.badges import service
from questpath.badges.rules import BadgeUrls
from questpath.badges.schemas import (
    BadgeCreate,
    BadgeRead,
    BadgeSettingsRead,
    BadgeSettingsUpdate,
    Ob3Credential,
    PublishedBadgesRead,
)
from questpath.clock import Now
from questpath.dependencies import RulesetDep, SessionDep, SettingsDep
from questpath.progress.dependencies import RecorderDep

router = APIRouter(prefix="/api", tags=["badges"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "no badge of the caller has this id"}
}


@router.get("/badges/settings")
async def read_badge_settings(principal: CanReadProfile, session: SessionDep) -> BadgeSettingsRead:
    """Whether every achievement is published as it unlocks. Off until the learner turns it on."""
    return await service.settings_of(session, principal.user)


@router.put(
    "/badges/settings",
    responses={422: {"description": "`publish_all` is missing or not a boolean"}},
)
async def update_badge_settings(
    body: BadgeSettingsUpdate,
    principal: CanWriteAndReadProfile,
    session: SessionDep,
    recorder: RecorderDep,
    now: Now,
) -> BadgeSettingsRead:
    """Publish every unlocked achievement now and each new one as it unlocks (`publish_all:
    true`), or stop publishing new ones. Turning it off revokes nothing: revoke each badge."""
    return await service.update_settings(session, recorder, principal.user, body.publish_all, now)


@router.get("/badges")
async def list_badges(
    principal: CanReadProfile, session: SessionDep, ruleset: RulesetDep, settings: SettingsDep
) -> PublishedBadgesRead:
    """The caller's published badges, newest first, revoked ones too."""
    return await service.badges_of(session, principal.user, ruleset, BadgeUrls(settings.public_url))


@router.post(
    "/badges",
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": BadgeRead, "description": "the achievement was published already"},
        422: {"description": "no such achievement, or the caller has not unlocked it"},
    },
)
async def publish_badge(
    body: BadgeCreate,
    principal: CanWriteAndReadProfile,
    session: SessionDep,
    recorder: RecorderDep,
    settings: SettingsDep,
    now: Now,
    response: Response,
) -> BadgeRead:
    """Publish an unlocked achievement as a hosted Open Badges 2.0 assertion, public at `url`
    to anyone with the link until revoked. Publishing it again answers the same badge (200)."""
    urls = BadgeUrls(settings.public_url)
    badge, created = await service.publish(
        session, recorder, principal.user, body.achievement, urls, now
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return badge


@router.get("/badges/{badge_id:uuid}", responses=NOT_FOUND)
async def read_badge(
    badge_id: uuid.UUID,
    principal: CanReadProfile,
    session: SessionDep,
    ruleset: RulesetDep,
    settings: SettingsDep,
) -> BadgeRead:
    urls = BadgeUrls(settings.public_url)
    return await service.badge_of(session, principal.user, badge_id, ruleset, urls)


@router.delete(
    "/badges/{badge_id:uuid}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND
)
async def revoke_badge(
    badge_id: uuid.UUID, principal: CanWriteProfile, session: SessionDep, now: Now
) -> Response:
    """Revoke a published badge: its assertion answers 410 Gone and its image 404 from now on.
    The achievement stays unlocked and can be published again, as a new badge."""
    await service.revoke(session, principal.user, badge_id, now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/badges/{badge_id:uuid}/ob3",
    responses={404: {"description": "no badge of the caller has this id, or it is revoked"}},
)
async def read_badge_ob3(
    badge_id: uuid.UUID,
    principal: CanReadProfile,
    session: SessionDep,
    ruleset: RulesetDep,
    settings: SettingsDep,
) -> Ob3Credential:
    """The badge as an Open Badges 3.0 `OpenBadgeCredential`, unsigned (no `proof`): its `id`
    is the hosted 2.0 assertion, which verifies it."""
    urls = BadgeUrls(settings.public_url)
    return await service.ob3_of(
        session, principal.user, badge_id, ruleset, urls, settings.badge_issuer_name
    )
