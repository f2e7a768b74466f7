"""The leaderboard page: the XP boards of the learner's week, month and all time and the board
of current streaks, and whether and how they take part."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from questpath.auth.dependencies import SignedIn
from questpath.clock import Now
from questpath.dependencies import SessionDep, SettingsDep
from questpath.leaderboards import service
from questpath.leaderboards.schemas import BoardKind, LeaderboardSettingsUpdate
from questpath.progress.periods import Period
from questpath.web import forms
from questpath.web.dependencies import verify_csrf
from questpath.web.flash import Toast
from questpath.web.rendering import add_toast, redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

PERIOD_NAMES: dict[Period, str] = {"week": "This week", "month": "This month", "all": "All time"}
BOARD_NAMES: dict[BoardKind, str] = {"xp": "XP", "streak": "Streak"}
TOP = 50


@router.get("/leaderboard")
async def leaderboard_page(
    request: Request,
    principal: SignedIn,
    session: SessionDep,
    settings: SettingsDep,
    now: Now,
    by: BoardKind = "xp",
    period: Period = "week",
) -> Response:
    secret = settings.signing_key()
    if by == "streak":
        period = "all"
    return render(
        request,
        "leaderboards/board.html",
        {
            "nav": "/leaderboard",
            "board": await service.any_board(session, principal.user, by, period, TOP, secret, now),
            "taking_part": await service.settings_of(session, principal.user, secret),
            "periods": PERIOD_NAMES,
            "boards": BOARD_NAMES,
        },
    )


@router.post("/leaderboard/settings")
async def update_settings(
    request: Request, principal: SignedIn, session: SessionDep, settings: SettingsDep, now: Now
) -> Response:
    posted = await forms.parse(request)
    body = LeaderboardSettingsUpdate(
        listed=posted.get("listed") == "on", show_name=posted.get("show_name") == "on"
    )
    saved = await service.update(session, principal.user, body, settings.signing_key(), now)
    message = (
        f"You are on the leaderboards as {saved.shown_as}."
        if saved.listed
        else "You have left the leaderboards."
    )
    add_toast(request, Toast("success", message))
    return redirect(request, "/leaderboard")
