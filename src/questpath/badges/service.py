"""Publishing achievements as Open Badges 2.0: issuing hosted assertions, revoking them, and
the documents and images served at their public URLs.

An assertion names an achievement the learner unlocked. Unlocked achievements are never taken
back (a voided event leaves them unlocked, see `progress.rebuild`), so an assertion lives until
its learner revokes it or deletes their account.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool

from questpath.auth.principal import UserLike
from questpath.badges import image, rules
from questpath.badges import repository as repo
from questpath.badges.models import BadgeAssertion
from questpath.badges.rules import AssertionFacts, BadgeFacts, BadgeUrls
from questpath.badges.schemas import BadgeRead, BadgeSettingsRead, PublishedBadgesRead
from questpath.problems import Invalid, NotFound
from questpath.progress import repository as progress_repo
from questpath.progress.recording import Recorder
from questpath.ruleset import Achievement, Ruleset


def badge_facts(achievement: Achievement) -> BadgeFacts:
    return BadgeFacts(
        id=achievement.id,
        name=achievement.name,
        description=achievement.description,
        criteria=f"Unlocked the QuestPath achievement '{achievement.name}': "
        f"{achievement.description}",
    )


def _achievement(ruleset: Ruleset, achievement_id: str) -> Achievement | None:
    return next((a for a in ruleset.achievements if a.id == achievement_id), None)


def _facts(found: BadgeAssertion) -> AssertionFacts:
    return AssertionFacts(
        id=str(found.id),
        achievement_id=found.achievement_id,
        salt=found.salt,
        identity=found.identity,
        issued_on=found.issued_on,
    )


def _read(found: BadgeAssertion, ruleset: Ruleset, urls: BadgeUrls) -> BadgeRead:
    achievement = _achievement(ruleset, found.achievement_id)
    return BadgeRead(
        id=found.id,
        achievement=found.achievement_id,
        name=achievement.name if achievement else found.achievement_id,
        issued_on=found.issued_on,
        revoked=found.revoked_at is not None,
        revoked_at=found.revoked_at,
        url=urls.assertion(str(found.id)),
        image_url=urls.baked_image(str(found.id)),
    )


def _new(user_id: uuid.UUID, email: str, achievement_id: str, now: datetime) -> BadgeAssertion:
    salt = secrets.token_hex(16)
    return BadgeAssertion(
        user_id=user_id,
        id=uuid.uuid4(),
        achievement_id=achievement_id,
        salt=salt,
        identity=rules.recipient_identity(email, salt),
        issued_on=now,
        revoked_at=None,
    )


# The learner's badges ------------------------------------------------------------------------


async def settings_of(session: AsyncSession, user: UserLike) -> BadgeSettingsRead:
    return BadgeSettingsRead(publish_all=await repo.publishes_all(session, user.id))


async def update_settings(
    session: AsyncSession, recorder: Recorder, user: UserLike, publish_all: bool, now: datetime
) -> BadgeSettingsRead:
    """Turn publishing every achievement on (publishing those unlocked already) or off. Off
    publishes no new ones and leaves the published ones public until they are revoked."""
    await recorder.lock(session, user.id)
    await repo.set_publish_all(session, user.id, publish_all)
    if publish_all:
        unlocked = await progress_repo.unlocked(session, user.id)
        live = await repo.live_achievements(session, [user.id])
        repo.add(
            session,
            [
                _new(user.id, user.email, a, now)
                for a in sorted(unlocked)
                if (user.id, a) not in live and _achievement(recorder.ruleset, a)
            ],
        )
        await session.flush()
    return BadgeSettingsRead(publish_all=publish_all)


async def badges_of(
    session: AsyncSession, user: UserLike, ruleset: Ruleset, urls: BadgeUrls
) -> PublishedBadgesRead:
    found = await repo.assertions_of(session, user.id)
    return PublishedBadgesRead(badges=[_read(a, ruleset, urls) for a in found])


async def badge_of(
    session: AsyncSession,
    user: UserLike,
    assertion_id: uuid.UUID,
    ruleset: Ruleset,
    urls: BadgeUrls,
) -> BadgeRead:
    return _read(await _owned(session, user, assertion_id), ruleset, urls)


async def _owned(session: AsyncSession, user: UserLike, assertion_id: uuid.UUID) -> BadgeAssertion:
    found = await repo.assertion_of(session, user.id, assertion_id)
    if found is None:
        raise NotFound(f"no badge with the id '{assertion_id}'")
    return found


async def publish(
    session: AsyncSession,
    recorder: Recorder,
    user: UserLike,
    achievement_id: str,
    urls: BadgeUrls,
    now: datetime,
) -> tuple[BadgeRead, bool]:
    """Publish one unlocked achievement; the assertion published already if there is one.
    Returns it and whether it is new."""
    ruleset = recorder.ruleset
    if _achievement(ruleset, achievement_id) is None:
        raise Invalid.field("achievement", f"there is no achievement '{achievement_id}'")
    await recorder.lock(session, user.id)  # two requests publish it once
    if achievement_id not in await progress_repo.unlocked(session, user.id):
        raise Invalid.field("achievement", f"'{achievement_id}' is not unlocked yet")
    for found in await repo.assertions_of(session, user.id):
        if found.achievement_id == achievement_id and found.revoked_at is None:
            return _read(found, ruleset, urls), False
    created = _new(user.id, user.email, achievement_id, now)
    repo.add(session, [created])
    await session.flush()
    return _read(created, ruleset, urls), True


async def revoke(
    session: AsyncSession, user: UserLike, assertion_id: uuid.UUID, now: datetime
) -> None:
    """Revoke a published badge: its URL answers 410 Gone from now on. Revoking it again
    changes nothing."""
    await _owned(session, user, assertion_id)
    await repo.revoke(session, user.id, assertion_id, now)


async def ob3_of(
    session: AsyncSession,
    user: UserLike,
    assertion_id: uuid.UUID,
    ruleset: Ruleset,
    urls: BadgeUrls,
    issuer_name: str,
) -> dict[str, Any]:
    found = await _owned(session, user, assertion_id)
    achievement = _achievement(ruleset, found.achievement_id)
    if found.revoked_at is not None or achievement is None:
        raise NotFound(f"the badge '{assertion_id}' is revoked")
    return rules.ob3_credential(urls, issuer_name, badge_facts(achievement), _facts(found))


async def publish_unlocked(
    session: AsyncSession, unlocked: Mapping[uuid.UUID, list[str]], now: datetime
) -> None:
    """Publish what the recorder just unlocked, for the learners who publish every
    achievement. In the recorder's transaction, under its learner locks."""
    learners = {user_id for user_id, ids in unlocked.items() if ids}
    if not learners:
        return
    emails = await repo.publishing_emails(session, learners)
    if not emails:
        return
    live = await repo.live_achievements(session, emails)
    repo.add(
        session,
        [
            _new(user_id, email, a, now)
            for user_id, email in sorted(emails.items())
            for a in unlocked[user_id]
            if (user_id, a) not in live
        ],
    )


# Public documents ----------------------------------------------------------------------------


async def hosted_assertion(
    session: AsyncSession, assertion_id: uuid.UUID, urls: BadgeUrls
) -> tuple[dict[str, Any], bool]:
    """The hosted assertion and whether it is revoked; NotFound for an unknown id (or one of an
    erased account)."""
    found = await repo.assertion(session, assertion_id)
    if found is None:
        raise NotFound(f"no badge with the id '{assertion_id}'")
    if found.revoked_at is not None:
        return rules.revoked_document(urls, str(found.id)), True
    return rules.assertion_document(urls, _facts(found)), False


def badge_class(ruleset: Ruleset, achievement_id: str, urls: BadgeUrls) -> dict[str, Any]:
    achievement = _achievement(ruleset, achievement_id)
    if achievement is None:
        raise NotFound(f"no achievement '{achievement_id}'")
    return rules.badge_class_document(urls, badge_facts(achievement))


async def badge_image(ruleset: Ruleset, achievement_id: str) -> bytes:
    achievement = _achievement(ruleset, achievement_id)
    if achievement is None:
        raise NotFound(f"no achievement '{achievement_id}'")
    return await run_in_threadpool(image.medal_png, achievement.category)  # drawn once each


async def baked_image(
    session: AsyncSession, assertion_id: uuid.UUID, ruleset: Ruleset, urls: BadgeUrls
) -> bytes:
    """The badge image with the assertion baked in; NotFound once revoked, as a revoked badge
    is no longer to be shown."""
    found = await repo.assertion(session, assertion_id)
    if found is None or found.revoked_at is not None:
        raise NotFound(f"no badge with the id '{assertion_id}', or it is revoked")
    medal = await badge_image(ruleset, found.achievement_id)
    document = rules.assertion_document(urls, _facts(found))
    return image.baked_png(medal, json.dumps(document))


async def unlocked_with_badges(
    session: AsyncSession, user: UserLike, ruleset: Ruleset, urls: BadgeUrls
) -> list[tuple[Achievement, BadgeRead | None]]:
    """The learner's unlocked achievements in the ruleset's order, each with its published
    badge (None: not published)."""
    unlocked = await progress_repo.unlocked(session, user.id)
    live = {
        a.achievement_id: _read(a, ruleset, urls)
        for a in await repo.assertions_of(session, user.id)
        if a.revoked_at is None
    }
    return [(a, live.get(a.id)) for a in ruleset.achievements if a.id in unlocked]
