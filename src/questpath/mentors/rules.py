"""When an invite may be accepted, and what of a mentee's activity a mentor sees. No database,
no clock: the caller passes `now`."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

INVITE_LIFETIME = timedelta(days=7)
NO_INVITE = "no open invite has this link; it may have been used, replaced or expired"


class InviteRefused(ValueError):
    """Why an invite cannot be accepted; `conflict`: the link is fine, the accepter is not."""

    def __init__(self, message: str, *, conflict: bool) -> None:
        super().__init__(message)
        self.message = message
        self.conflict = conflict


def invite_expiry(now: datetime) -> datetime:
    return now + INVITE_LIFETIME


def check_acceptance(
    *,
    expires_at: datetime,
    now: datetime,
    mentee_id: uuid.UUID,
    accepter_id: uuid.UUID,
    already_mentor: bool,
) -> None:
    """Raise InviteRefused unless `accepter_id` may become the mentee's mentor with this invite.
    An expired invite is as unknown as a used one: the link itself tells nothing."""
    if now >= expires_at:
        raise InviteRefused(NO_INVITE, conflict=False)
    if accepter_id == mentee_id:
        raise InviteRefused("this is your own invite: send the link to your mentor", conflict=True)
    if already_mentor:
        raise InviteRefused("you are already this learner's mentor", conflict=True)


def shown_metadata(metadata: dict[str, Any] | None, allow_notes: bool) -> dict[str, Any] | None:
    """An event's metadata is free text the learner wrote (a title, a note): a mentor sees it
    only when the mentee allows notes."""
    return metadata if allow_notes else None
