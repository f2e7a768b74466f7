"""Cohort pages: the learner's cohorts and a form to make one, a cohort's progress, leaderboard
and members, and the page an invite link opens."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from questpath.auth.dependencies import SignedIn
from questpath.clock import Now
from questpath.cohorts import service
from questpath.cohorts.schemas import CohortCreate, CohortInvite
from questpath.dependencies import SessionDep, SettingsDep
from questpath.leaderboards.schemas import BoardKind
from questpath.leaderboards.views import BOARD_NAMES, PERIOD_NAMES, TOP
from questpath.progress.periods import Period
from questpath.web import forms
from questpath.web.dependencies import verify_csrf
from questpath.web.flash import Toast
from questpath.web.rendering import add_toast, redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])


@router.get("/cohorts")
async def cohorts_page(request: Request, principal: SignedIn, session: SessionDep) -> Response:
    cohorts = await service.mine(session, principal.user)
    return render(request, "cohorts/list.html", {"nav": "/cohorts", "cohorts": cohorts})


@router.post("/cohorts")
async def create_cohort(
    request: Request,
    principal: SignedIn,
    session: SessionDep,
    settings: SettingsDep,
    now: Now,
) -> Response:
    posted = await forms.parse(request)
    try:
        body = CohortCreate(name=posted.get("name", ""))
    except ValidationError:
        add_toast(request, Toast("error", "Give the cohort a name of 1 to 100 characters."))
        return redirect(request, "/cohorts")
    made = await service.create(session, principal.user, body, now)
    return await _cohort_page(
        request, principal, session, settings, now, made.id, "week", made.invite
    )


@router.get("/cohorts/join/{token}")
async def invite_page(
    request: Request, principal: SignedIn, session: SessionDep, token: str
) -> Response:
    cohort = await service.by_invite(session, token)
    return render(
        request, "cohorts/join.html", {"nav": "/cohorts", "cohort": cohort, "token": token}
    )


@router.post("/cohorts/join/{token}")
async def join_cohort(
    request: Request, principal: SignedIn, session: SessionDep, now: Now, token: str
) -> Response:
    joined = await service.join(session, principal.user, token, now)
    add_toast(request, Toast("success", f"You joined {joined.name}."))
    return redirect(request, f"/cohorts/{joined.id}")


@router.get("/cohorts/{cohort_id:uuid}")
async def cohort_page(
    request: Request,
    principal: SignedIn,
    session: SessionDep,
    settings: SettingsDep,
    now: Now,
    cohort_id: uuid.UUID,
    by: BoardKind = "xp",
    period: Period = "week",
) -> Response:
    return await _cohort_page(
        request,
        principal,
        session,
        settings,
        now,
        cohort_id,
        "all" if by == "streak" else period,
        by=by,
    )


async def _cohort_page(
    request: Request,
    principal: SignedIn,
    session: SessionDep,
    settings: SettingsDep,
    now: Now,
    cohort_id: uuid.UUID,
    period: Period,
    invite: CohortInvite | None = None,
    by: BoardKind = "xp",
) -> Response:
    secret = settings.signing_key()
    context: dict[str, Any] = {
        "nav": "/cohorts",
        "cohort": await service.read(session, principal.user, cohort_id, now),
        "board": await service.board(
            session, principal.user, cohort_id, by, period, TOP, secret, now
        ),
        "periods": PERIOD_NAMES,
        "boards": BOARD_NAMES,
        "me": principal.user.id,
        "invite_link": str(request.base_url).rstrip("/") + invite.url if invite else None,
    }
    return render(request, "cohorts/cohort.html", context)


@router.post("/cohorts/{cohort_id:uuid}/invite")
async def renew_invite(
    request: Request,
    principal: SignedIn,
    session: SessionDep,
    settings: SettingsDep,
    now: Now,
    cohort_id: uuid.UUID,
) -> Response:
    invite = await service.new_invite(session, principal.user, cohort_id)
    return await _cohort_page(request, principal, session, settings, now, cohort_id, "week", invite)


@router.post("/cohorts/{cohort_id:uuid}/members/{user_id}/remove")
async def remove_member(
    request: Request,
    principal: SignedIn,
    session: SessionDep,
    cohort_id: uuid.UUID,
    user_id: uuid.UUID,
) -> Response:
    await service.remove_member(session, principal.user, cohort_id, user_id)
    if user_id == principal.user.id:
        add_toast(request, Toast("success", "You left the cohort."))
        return redirect(request, "/cohorts")
    add_toast(request, Toast("success", "The member was removed."))
    return redirect(request, f"/cohorts/{cohort_id:uuid}")


@router.post("/cohorts/{cohort_id:uuid}/delete")
async def delete_cohort(
    request: Request, principal: SignedIn, session: SessionDep, cohort_id: uuid.UUID
) -> Response:
    await service.delete(session, principal.user, cohort_id)
    add_toast(request, Toast("success", "The cohort was deleted."))
    return redirect(request, "/cohorts")
