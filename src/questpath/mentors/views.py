"""Pages of mentorship: the learner's mentors (/settings/mentors), the invite a mentor accepts,
and the mentor's read-only view of each mentee (/mentees)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from questpath.auth.dependencies import SignedIn
from questpath.auth.principal import Principal
from questpath.clock import Now
from questpath.dependencies import RulesetDep, SessionDep
from questpath.mentors import service
from questpath.mentors.schemas import MentorInviteRead, MentorUpdate
from questpath.problems import Problem
from questpath.progress.rules import MAX_HISTORY_DAYS
from questpath.web import forms, heatmap
from questpath.web.dependencies import verify_csrf
from questpath.web.flash import Toast
from questpath.web.formatting import block_markdown, inline_markdown, plain_text
from questpath.web.rendering import add_toast, redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

HISTORY_DAYS = 30
RECENT_EVENTS = 20
MARKDOWN = {"inline_md": inline_markdown, "block_md": block_markdown, "plain": plain_text}


# The learner's mentors -------------------------------------------------------------------------


async def _settings_page(
    request: Request,
    principal: Principal,
    session: SessionDep,
    now: Now,
    invite: MentorInviteRead | None = None,
) -> Response:
    return render(
        request,
        "mentors/settings.html",
        {
            "nav": "/settings",
            "mentors": (await service.list_mentors(session, principal.user)).items,
            "open_until": await service.open_invite(session, principal.user, now),
            "invite_link": str(request.base_url).rstrip("/") + invite.url if invite else None,
            "invite": invite,
        },
    )


@router.get("/settings/mentors")
async def mentors_page(
    request: Request, principal: SignedIn, session: SessionDep, now: Now
) -> Response:
    return await _settings_page(request, principal, session, now)


@router.post("/settings/mentors/invite")
async def create_invite(
    request: Request, principal: SignedIn, session: SessionDep, now: Now
) -> Response:
    invite = await service.create_invite(session, principal.user, now)
    return await _settings_page(request, principal, session, now, invite)


@router.post("/settings/mentors/invite/cancel")
async def cancel_invite(request: Request, principal: SignedIn, session: SessionDep) -> Response:
    await service.cancel_invite(session, principal.user)
    add_toast(request, Toast("success", "The invite link no longer works."))
    return redirect(request, "/settings/mentors")


@router.post("/settings/mentors/{user_id}/notes")
async def set_notes(
    user_id: uuid.UUID, request: Request, principal: SignedIn, session: SessionDep
) -> Response:
    posted = await forms.parse(request)
    body = MentorUpdate(allow_notes=posted.get("allow_notes") == "on")
    mentor = await service.update_mentor(session, principal.user, user_id, body)
    shown = "now sees your notes" if mentor.allow_notes else "no longer sees your notes"
    add_toast(request, Toast("success", f"{mentor.display_name} {shown}."))
    return redirect(request, "/settings/mentors")


@router.post("/settings/mentors/{user_id}/remove")
async def remove_mentor(
    user_id: uuid.UUID, request: Request, principal: SignedIn, session: SessionDep, now: Now
) -> Response:
    await service.remove_mentor(session, principal.user, user_id, now)
    add_toast(request, Toast("success", "That mentor no longer sees your progress."))
    return redirect(request, "/settings/mentors")


# Accepting an invite ---------------------------------------------------------------------------


@router.get("/mentor-invites/{token}")
async def invite_page(
    token: str, request: Request, principal: SignedIn, session: SessionDep, now: Now
) -> Response:
    """Signed-out visitors sign in first and come back; the link is used only by the button."""
    shown = await service.invitation(session, token, now)
    return render(
        request, "mentors/invite.html", {"invitation": shown, "token": token, "errors": {}}
    )


@router.post("/mentor-invites/{token}")
async def accept_invite(
    token: str, request: Request, principal: SignedIn, session: SessionDep, now: Now
) -> Response:
    try:
        mentee = await service.accept_invite(session, principal.user, token, now)
    except Problem as problem:
        if problem.status == 404:
            raise
        shown = await service.invitation(session, token, now)
        context = {"invitation": shown, "token": token, "errors": {"form": problem.detail}}
        return render(request, "mentors/invite.html", context, status_code=problem.status)
    add_toast(request, Toast("success", f"You are now {mentee.display_name}'s mentor."))
    return redirect(request, f"/mentees/{mentee.user_id}")


# The mentor's view -----------------------------------------------------------------------------


@router.get("/mentees")
async def mentees_page(request: Request, principal: SignedIn, session: SessionDep) -> Response:
    mentees = (await service.list_mentees(session, principal.user)).items
    return render(request, "mentors/mentees.html", {"nav": "/mentees", "mentees": mentees})


@router.post("/mentees/{user_id}/leave")
async def leave(
    user_id: uuid.UUID, request: Request, principal: SignedIn, session: SessionDep, now: Now
) -> Response:
    await service.leave(session, principal.user, user_id, now)
    add_toast(request, Toast("success", "You no longer mentor that learner."))
    return redirect(request, "/mentees")


@router.get("/mentees/{user_id}")
async def mentee_page(
    user_id: uuid.UUID,
    request: Request,
    principal: SignedIn,
    session: SessionDep,
    ruleset: RulesetDep,
    now: Now,
) -> Response:
    """Everything read-only: no form on it writes to the mentee."""
    mentee = await service.mentee(session, principal.user, user_id)
    standing = await service.progress_of(session, ruleset, mentee, now)
    year = await service.history_of(session, mentee, MAX_HISTORY_DAYS, None, None, now)
    tracks = [
        await service.track_of(session, mentee, track.id)
        for track in (await service.tracks_of(session, mentee)).items
    ]
    context: dict[str, Any] = {
        "nav": "/mentees",
        "mentee": mentee.read,
        "p": standing,
        "statistics": await service.statistics_of(session, ruleset, mentee, "all", now),
        "calendar": heatmap.calendar(standing.today, {s.date: s.events for s in year.snapshots}),
        "days": list(reversed(year.snapshots))[:HISTORY_DAYS],
        "tracks": tracks,
        "events": (await service.events_of(session, mentee, None, RECENT_EVENTS)).items,
        "today": standing.today,
        **MARKDOWN,
    }
    return render(request, "mentors/mentee.html", context)
