"""The streak settings page: the hour the learner's day starts, and vacations."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from questpath.auth.dependencies import CredentialCacheDep, SignedIn
from questpath.clock import Now
from questpath.dependencies import SessionDep
from questpath.problems import Problem
from questpath.progress import streak_settings
from questpath.progress.dependencies import RecorderDep
from questpath.progress.schemas import DayStartIn, VacationCreate
from questpath.progress.vacations import (
    MAX_DAY_START_HOUR,
    MAX_DAYS_AHEAD,
    MAX_PENDING_VACATIONS,
    MAX_VACATION_DAYS,
)
from questpath.web import forms
from questpath.web.dependencies import verify_csrf
from questpath.web.flash import Toast
from questpath.web.rendering import add_toast, redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

PAGE = "/settings/streaks"


def _only(posted: dict[str, str], *names: str) -> dict[str, str]:
    """The form's fields that the request body has, without the CSRF token."""
    return {name: posted[name] for name in names if name in posted}


async def _page(
    request: Request,
    principal: SignedIn,
    session: SessionDep,
    now: Now,
    *,
    day_start_errors: forms.Errors | None = None,
    vacation_errors: forms.Errors | None = None,
    vacation_values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    vacations = await streak_settings.list_vacations(session, principal.user, now)
    return render(
        request,
        "progress/streak_settings.html",
        {
            "nav": "/settings",
            "vacations": vacations,
            "hours": range(MAX_DAY_START_HOUR + 1),
            "day_start_errors": day_start_errors or {},
            "vacation_errors": vacation_errors or {},
            "vacation_values": vacation_values or {},
            "limits": {
                "days": MAX_VACATION_DAYS,
                "ahead": MAX_DAYS_AHEAD,
                "pending": MAX_PENDING_VACATIONS,
            },
        },
        status_code=status_code,
    )


@router.get(PAGE)
async def streak_settings_page(
    request: Request, principal: SignedIn, session: SessionDep, now: Now
) -> Response:
    return await _page(request, principal, session, now)


@router.post(PAGE + "/day-start")
async def set_day_start(
    request: Request,
    principal: SignedIn,
    session: SessionDep,
    recorder: RecorderDep,
    cache: CredentialCacheDep,
    now: Now,
) -> Response:
    posted = _only(await forms.fields(request), "day_start_hour")
    # A form posts text, and the API's model takes a number: give it the number the text spells.
    hour = posted.get("day_start_hour", "").strip()
    form, errors = forms.validate(
        DayStartIn, {"day_start_hour": int(hour)} if hour.isdigit() else posted
    )
    if form is None:
        return await _page(
            request, principal, session, now, day_start_errors=errors, status_code=422
        )
    read = await streak_settings.set_day_start(
        session, recorder, cache, principal, form.day_start_hour, now
    )
    add_toast(request, Toast("success", f"Your day now starts at {read.day_start_hour:02d}:00."))
    return redirect(request, PAGE)


@router.post(PAGE + "/vacations")
async def schedule_vacation(
    request: Request, principal: SignedIn, session: SessionDep, recorder: RecorderDep, now: Now
) -> Response:
    values = _only(await forms.fields(request), "start_date", "end_date")
    form, errors = forms.validate(VacationCreate, values)
    if form is not None:
        try:
            vacation = await streak_settings.schedule_vacation(
                session, recorder, principal, form.start_date, form.end_date, now
            )
        except Problem as problem:
            errors = forms.problem_errors(problem)
        else:
            add_toast(
                request,
                Toast(
                    "success",
                    f"Vacation from {vacation.start_date} to {vacation.end_date} is set.",
                    "Missed days in it neither break your streak nor spend a freeze.",
                ),
            )
            return redirect(request, PAGE)
    return await _page(
        request,
        principal,
        session,
        now,
        vacation_errors=errors,
        vacation_values=values,
        status_code=422,
    )


@router.post(PAGE + "/vacations/{vacation_id}/end")
async def end_vacation(
    vacation_id: str,
    request: Request,
    principal: SignedIn,
    session: SessionDep,
    recorder: RecorderDep,
    now: Now,
) -> Response:
    vacation = await streak_settings.end_vacation(session, recorder, principal, vacation_id, now)
    done = "cancelled" if vacation.status == "cancelled" else "ended"
    add_toast(request, Toast("success", f"The vacation is {done}."))
    return redirect(request, PAGE)
