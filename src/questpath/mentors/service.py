"""Mentorship: invite links, accepting them, who mentors whom, ending it, and what a mentor
reads of a mentee. Every read checks the mentorship anew, so ended access stops at once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth import repository as users
from questpath.auth.credentials import hash_secret, new_invite_token
from questpath.auth.models import User
from questpath.auth.principal import UserLike
from questpath.events import service as events
from questpath.events.schemas import EventPage
from questpath.mentors import repository as repo
from questpath.mentors import rules
from questpath.mentors.models import MentorInvite, Mentorship
from questpath.mentors.schemas import (
    MenteeList,
    MenteeRead,
    MentorInviteRead,
    MentorList,
    MentorRead,
    MentorshipRecord,
    MentorUpdate,
)
from questpath.problems import Conflict, NotFound
from questpath.progress import service as progress
from questpath.progress.schemas import HistoryRead, ProgressRead, StatisticsRead
from questpath.ruleset import Ruleset
from questpath.tracks import service as tracks
from questpath.tracks.schemas import TrackList, TrackRead

NOT_MENTORED = "you mentor no learner with the id {}"
NO_MENTOR = "no mentor of yours has the id {}"


def invite_path(token: str) -> str:
    return f"/mentor-invites/{token}"


# The mentee's side -----------------------------------------------------------------------------


async def create_invite(session: AsyncSession, user: UserLike, now: datetime) -> MentorInviteRead:
    """A new invite link in place of any open one, which stops working at once."""
    made = new_invite_token()
    invite = MentorInvite(
        user_id=user.id,
        token_hash=made.token_hash,
        created_at=now,
        expires_at=rules.invite_expiry(now),
    )
    await repo.replace_invite(session, invite)
    return MentorInviteRead(
        token=made.token, url=invite_path(made.token), expires_at=invite.expires_at
    )


async def open_invite(session: AsyncSession, user: UserLike, now: datetime) -> datetime | None:
    """When the learner's open invite expires; None when there is none."""
    invite = await repo.invite_of(session, user.id)
    return invite.expires_at if invite and invite.expires_at > now else None


async def cancel_invite(session: AsyncSession, user: UserLike) -> None:
    if not await repo.delete_invite(session, user.id):
        raise NotFound("you have no open invite")


def _mentor_read(mentorship: Mentorship, mentor: User) -> MentorRead:
    return MentorRead(
        user_id=mentor.id,
        display_name=mentor.display_name,
        email=mentor.email,
        allow_notes=mentorship.allow_notes,
        started_at=mentorship.started_at,
    )


async def list_mentors(session: AsyncSession, user: UserLike) -> MentorList:
    rows = await repo.mentors_of(session, user.id)
    return MentorList(items=[_mentor_read(mentorship, mentor) for mentorship, mentor in rows])


async def _mentorship(
    session: AsyncSession, mentee_id: uuid.UUID, mentor_id: uuid.UUID, missing: str
) -> Mentorship:
    found = await repo.active(session, mentee_id=mentee_id, mentor_id=mentor_id)
    if found is None:
        raise NotFound(missing)
    return found


async def update_mentor(
    session: AsyncSession, user: UserLike, mentor_id: uuid.UUID, body: MentorUpdate
) -> MentorRead:
    mentorship = await _mentorship(session, user.id, mentor_id, NO_MENTOR.format(mentor_id))
    mentorship.allow_notes = body.allow_notes
    await repo.flush(session)
    mentor = await users.get_user(session, mentor_id)
    assert mentor is not None  # the row refers to it, and goes with it
    return _mentor_read(mentorship, mentor)


async def remove_mentor(
    session: AsyncSession, user: UserLike, mentor_id: uuid.UUID, now: datetime
) -> None:
    mentorship = await _mentorship(session, user.id, mentor_id, NO_MENTOR.format(mentor_id))
    mentorship.ended_at = now
    await repo.flush(session)


async def records_of(session: AsyncSession, user: UserLike) -> list[MentorshipRecord]:
    """Every mentorship of the account, for its export."""
    return [
        MentorshipRecord(
            role="mentee" if mentorship.mentee_id == user.id else "mentor",
            other_user_id=other.id,
            other_display_name=other.display_name,
            allow_notes=mentorship.allow_notes,
            started_at=mentorship.started_at,
            ended_at=mentorship.ended_at,
        )
        for mentorship, other in await repo.all_of(session, user.id)
    ]


# The mentor's side -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Invitation:
    """Who invites, as the accept page shows them before the mentor says yes."""

    mentee_name: str
    expires_at: datetime


async def _invite(session: AsyncSession, token: str, now: datetime) -> MentorInvite:
    invite = await repo.invite_by_hash(session, hash_secret(token))
    if invite is None or invite.expires_at <= now:
        raise NotFound(rules.NO_INVITE)
    return invite


async def invitation(session: AsyncSession, token: str, now: datetime) -> Invitation:
    invite = await _invite(session, token, now)
    mentee = await users.get_user(session, invite.user_id)
    assert mentee is not None  # the invite goes with the account
    return Invitation(mentee_name=mentee.display_name, expires_at=invite.expires_at)


async def accept_invite(
    session: AsyncSession, user: UserLike, token: str, now: datetime
) -> MenteeRead:
    """Become the inviter's mentor, without their notes until they allow them. The link is used
    up, even when two accept it at once: only one deletes it."""
    invite = await _invite(session, token, now)
    already = await repo.active(session, mentee_id=invite.user_id, mentor_id=user.id)
    try:
        rules.check_acceptance(
            expires_at=invite.expires_at,
            now=now,
            mentee_id=invite.user_id,
            accepter_id=user.id,
            already_mentor=already is not None,
        )
    except rules.InviteRefused as refused:
        raise (Conflict if refused.conflict else NotFound)(refused.message) from refused
    mentee_id = invite.user_id
    if not await repo.use_invite(session, invite.token_hash, now):
        raise NotFound(rules.NO_INVITE)
    mentorship = Mentorship(
        mentee_id=mentee_id, mentor_id=user.id, allow_notes=False, started_at=now, ended_at=None
    )
    await repo.add(session, mentorship)
    mentee = await users.get_user(session, mentee_id)
    assert mentee is not None
    return _mentee_read(mentorship, mentee)


def _mentee_read(mentorship: Mentorship, mentee: UserLike) -> MenteeRead:
    return MenteeRead(
        user_id=mentee.id,
        display_name=mentee.display_name,
        allow_notes=mentorship.allow_notes,
        started_at=mentorship.started_at,
    )


async def list_mentees(session: AsyncSession, user: UserLike) -> MenteeList:
    rows = await repo.mentees_of(session, user.id)
    return MenteeList(items=[_mentee_read(mentorship, mentee) for mentorship, mentee in rows])


async def leave(session: AsyncSession, user: UserLike, mentee_id: uuid.UUID, now: datetime) -> None:
    mentorship = await _mentorship(session, mentee_id, user.id, NOT_MENTORED.format(mentee_id))
    mentorship.ended_at = now
    await repo.flush(session)


# What a mentor reads ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Mentee:
    """A learner the reader mentors now: whose progress to read, and whether notes show."""

    user: UserLike
    read: MenteeRead

    @property
    def allow_notes(self) -> bool:
        return self.read.allow_notes


async def mentee(session: AsyncSession, mentor: UserLike, mentee_id: uuid.UUID) -> Mentee:
    """The mentee, while `mentor` mentors them; 404 alike for an ended mentorship, a learner
    never mentored and no learner at all."""
    mentorship = await _mentorship(session, mentee_id, mentor.id, NOT_MENTORED.format(mentee_id))
    user = await users.get_user(session, mentee_id)
    assert user is not None
    return Mentee(user=user, read=_mentee_read(mentorship, user))


async def progress_of(
    session: AsyncSession, ruleset: Ruleset, shown: Mentee, now: datetime
) -> ProgressRead:
    return await progress.progress(session, ruleset, shown.user, now)


async def statistics_of(
    session: AsyncSession, ruleset: Ruleset, shown: Mentee, period: str, now: datetime
) -> StatisticsRead:
    return await progress.statistics(session, ruleset, shown.user, period, now)


async def history_of(
    session: AsyncSession,
    shown: Mentee,
    days: int | None,
    start: date | None,
    end: date | None,
    now: datetime,
) -> HistoryRead:
    return await progress.history(session, shown.user, days, start, end, now)


async def tracks_of(session: AsyncSession, shown: Mentee) -> TrackList:
    return await tracks.list_tracks(session, shown.user)


async def track_of(session: AsyncSession, shown: Mentee, track_id: uuid.UUID) -> TrackRead:
    return await tracks.read_track_for_mentor(
        session, shown.user, track_id, with_notes=shown.allow_notes
    )


async def events_of(
    session: AsyncSession, shown: Mentee, cursor: str | None, limit: int
) -> EventPage:
    page = await events.events_page(session, shown.user.id, cursor, limit)
    return page.model_copy(
        update={
            "items": [
                event.model_copy(
                    update={"metadata": rules.shown_metadata(event.metadata, shown.allow_notes)}
                )
                for event in page.items
            ]
        }
    )
