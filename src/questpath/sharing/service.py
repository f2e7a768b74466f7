"""Progress sharing: the learner's settings, and the public page read through the progress and
tracks services, showing only the sections the learner chose."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth import repository as users
from questpath.auth.credentials import hash_secret, new_share_token
from questpath.auth.principal import UserLike
from questpath.problems import Conflict, FieldError, Invalid, NotFound
from questpath.progress import service as progress
from questpath.ruleset import Ruleset
from questpath.sharing import repository as repo
from questpath.sharing import rules
from questpath.sharing.badge import badge_svg
from questpath.sharing.models import ProgressShare
from questpath.sharing.schemas import (
    PublicProgress,
    SharedBadge,
    SharedLevel,
    SharedRank,
    SharedSkill,
    SharedStreaks,
    SharedTrackProgress,
    SharingRead,
    SharingUpdate,
)
from questpath.tracks import service as tracks

CALENDAR_DAYS = 365
NOT_SHARED = "nothing is shared at this address; the link may have been revoked"
BADGE_LABEL = "QuestPath"


def page_path(token: str) -> str:
    return f"/p/{token}"


def profile_path(handle: str) -> str:
    return f"/u/{handle}"


# The learner's settings ------------------------------------------------------------------------


def _read(
    share: ProgressShare | None, track_ids: list[uuid.UUID], new_token: str | None = None
) -> SharingRead:
    """The settings; the link's address only with `new_token`, the token made just now."""
    if share is None:
        return SharingRead(
            enabled=False,
            has_link=False,
            token=None,
            url=None,
            badge_url=None,
            handle=None,
            profile_url=None,
            profile_badge_url=None,
            sections=list(rules.DEFAULT_SECTIONS),
            tracks=[],
            updated_at=None,
        )
    page = page_path(new_token) if new_token else None
    profile = profile_path(share.handle) if share.handle else None
    return SharingRead(
        enabled=share.enabled,
        has_link=True,
        token=new_token,
        url=page,
        badge_url=page + "/badge.svg" if page else None,
        handle=share.handle,
        profile_url=profile,
        profile_badge_url=profile + "/badge.svg" if profile else None,
        sections=rules.chosen_sections([s for s in share.sections if s in rules.SECTIONS]),
        tracks=track_ids,
        updated_at=share.updated_at,
    )


async def settings_of(session: AsyncSession, user: UserLike) -> SharingRead:
    share = await repo.share_of(session, user.id)
    return _read(share, await repo.track_ids(session, user.id) if share else [])


async def update(
    session: AsyncSession, user: UserLike, body: SharingUpdate, now: datetime
) -> SharingRead:
    """Replace the settings; the link keeps its token (turning sharing off and on again brings
    the same link back), and `revoke` is what gives it a new one. The first call makes the link,
    and its answer is the only one that shows it."""
    handle = None
    if body.handle is not None and body.handle.strip():
        try:
            handle = rules.checked_handle(body.handle)
        except rules.HandleProblem as problem:
            raise Invalid.field("handle", problem.message) from problem
    own = {track.id for track in (await tracks.list_tracks(session, user)).items}
    unknown = [
        FieldError(f"tracks[{index}]", f"no track of yours has the id {track_id}")
        for index, track_id in enumerate(body.tracks)
        if track_id not in own
    ]
    if unknown:
        raise Invalid(unknown)
    if handle is not None:
        holder = await repo.by_handle(session, handle)
        if holder is not None and holder.user_id != user.id:
            raise _handle_taken(handle)
    share = await repo.share_of(session, user.id)
    sections = rules.chosen_sections(body.sections)
    new_token = None
    try:
        if share is None:
            made = new_share_token()
            new_token = made.token
            share = ProgressShare(
                user_id=user.id,
                enabled=body.enabled,
                token_hash=made.token_hash,
                handle=handle,
                sections=list(sections),
                created_at=now,
                updated_at=now,
            )
            await repo.add(session, share)
        else:
            share.enabled, share.handle, share.sections = body.enabled, handle, list(sections)
            share.updated_at = now
            await repo.flush(session)
    except IntegrityError as exc:  # another learner took the handle a moment ago
        raise _handle_taken(handle or "") from exc
    track_ids = list(dict.fromkeys(body.tracks))
    await repo.replace_tracks(session, user.id, track_ids)
    return _read(share, track_ids, new_token)


def _handle_taken(handle: str) -> Conflict:
    message = f"'{handle}' is taken by another learner; choose another"
    return Conflict(f"handle: {message}", errors=[FieldError("handle", message)])


async def revoke(session: AsyncSession, user: UserLike, now: datetime) -> SharingRead:
    """A new link, shown in this answer only: the old one answers 404 from now on. The handle
    and choices stay."""
    share = await repo.share_of(session, user.id)
    if share is None:
        raise NotFound("sharing was never turned on, so there is no link to revoke")
    made = new_share_token()
    share.token_hash, share.updated_at = made.token_hash, now
    await repo.flush(session)
    return _read(share, await repo.track_ids(session, user.id), made.token)


# The public page -------------------------------------------------------------------------------


async def public_by_token(
    session: AsyncSession, ruleset: Ruleset, token: str, now: datetime
) -> PublicProgress:
    share = await repo.by_token_hash(session, hash_secret(token))
    return await _public(session, ruleset, share, now, by_handle=False)


async def public_by_handle(
    session: AsyncSession, ruleset: Ruleset, handle: str, now: datetime
) -> PublicProgress:
    share = await repo.by_handle(session, rules.normalise_handle(handle))
    return await _public(session, ruleset, share, now, by_handle=True)


async def _public(
    session: AsyncSession,
    ruleset: Ruleset,
    share: ProgressShare | None,
    now: datetime,
    *,
    by_handle: bool,
) -> PublicProgress:
    """Sharing off, an unknown or revoked link, an unknown handle: all the same 404."""
    user = await users.get_user(session, share.user_id) if share and share.enabled else None
    if share is None or user is None:
        raise NotFound(NOT_SHARED)
    shown = set(rules.chosen_sections([s for s in share.sections if s in rules.SECTIONS]))
    today = progress.today_for(user, now)
    first = today - timedelta(days=CALENDAR_DAYS - 1)
    rows = await progress.read_rows(
        session,
        ruleset,
        user,
        now,
        since=first if "calendar" in shown else None,
        recent_topics="skill_levels" in shown,
    )
    standing = progress.progress_of(rows, ruleset, user)
    public = PublicProgress(
        handle=share.handle, indexable=by_handle and share.handle is not None, today=today
    )
    if "rank" in shown:
        public.rank = SharedRank(name=standing.rank.name, icon=standing.rank.icon)
    if "level" in shown:
        public.level = SharedLevel(
            level=standing.level,
            xp=standing.xp,
            level_progress_percent=standing.level_progress_percent,
        )
    if "streaks" in shown:
        public.streaks = SharedStreaks(
            current=standing.current_streak, longest=standing.longest_streak
        )
    if "badges" in shown:
        listing = progress.badges_of(progress.achievements_of(rows, ruleset), now)
        public.badges = [
            SharedBadge(name=b.name, description=b.description, icon=b.icon, points=b.points)
            for b in listing.earned
        ]
    if "skill_levels" in shown:
        public.skill_levels = [
            SharedSkill(topic=s.topic, level=s.level, exercises_completed=s.exercises_completed)
            for s in sorted(standing.skill_levels, key=lambda s: s.topic)
        ]
    if "calendar" in shown:
        public.activity = {s.date: s.events for s in progress.recent_snapshots(rows, first)}
    if "tracks" in shown:
        chosen = set(await repo.track_ids(session, user.id))
        public.tracks = [
            SharedTrackProgress(
                title=track.title,
                done=track.progress.done,
                total=track.progress.total,
                percent=track.progress.percent,
                finished=track.progress.finished,
            )
            for track in (await tracks.list_tracks(session, user)).items
            if track.id in chosen
        ]
    return public


def badge_of(public: PublicProgress) -> str:
    """The SVG badge: rank and current streak, each only if its section is shared."""
    message = rules.badge_message(
        public.rank.name if public.rank else None,
        public.streaks.current if public.streaks else None,
    )
    return badge_svg(BADGE_LABEL, message)
