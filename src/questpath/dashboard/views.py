"""Pages of progress: the dashboard, the rank guide, achievements, and logging activity."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from questpath.auth.dependencies import SignedIn
from questpath.auth.principal import Principal
from questpath.clock import Now
from questpath.dashboard import service
from questpath.dependencies import RulesetDep, SessionDep
from questpath.events import service as events
from questpath.events.schemas import MAX_SECONDS, AchievementUnlocked, EventIn, Topic
from questpath.problems import Problem
from questpath.progress import service as progress
from questpath.progress.dependencies import RecorderDep
from questpath.recorder import ingest
from questpath.ruleset import Ruleset
from questpath.web import forms, heatmap
from questpath.web.dependencies import verify_csrf
from questpath.web.flash import Toast, unlocked_toast
from questpath.web.rendering import add_toast, redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

PATH_ITEMS_ON_DASHBOARD = 6
NEXT_ACHIEVEMENTS = 4
Activity = Literal["exercise", "project", "study_session"]
EVENT_KINDS: dict[str, str] = {
    "exercise": "exercise_completed",
    "project": "project_completed",
    "study_session": "study_session",
}
# What the event rules call a field, and the form field that carries it.
FORM_FIELDS = {"time_spent_seconds": "minutes", "hints_used": "hints", "metadata": "title"}


@router.get("/")
async def dashboard(
    request: Request, principal: SignedIn, session: SessionDep, ruleset: RulesetDep, now: Now
) -> Response:
    shown = await service.dashboard(
        session, ruleset, principal.user, now, days=heatmap.DAYS, path_items=PATH_ITEMS_ON_DASHBOARD
    )
    standing, achievements, path = shown.progress, shown.achievements, shown.path
    upcoming = sorted(
        (a for a in achievements if not a.unlocked),
        key=lambda a: (-a.progress, a.eta or standing.today + timedelta(days=36500), a.target),
    )[:NEXT_ACHIEVEMENTS]
    counts = {s.date: s.events for s in shown.days}
    xp_before = standing.xp - sum(s.xp_gained for s in shown.days)
    return render(
        request,
        "progress/dashboard.html",
        {
            "nav": "/",
            "p": standing,
            "calendar": heatmap.calendar(standing.today, counts),
            "xp_chart": _xp_chart(shown.days, xp_before),
            "upcoming": upcoming,
            "unlocked_count": sum(a.unlocked for a in achievements),
            "path_groups": path.groups,
            "path_items": [item for group in path.groups for item in group.items],
            "open_items": path.total_open,
            "reviews_due": shown.reviews_due,
        },
    )


def _xp_chart(snapshots: list[Any], xp_before: int) -> dict[str, Any]:
    """Total XP at the end of each active day of the year: a line that only goes up."""
    labels, totals, running = [], [], xp_before
    for snapshot in snapshots:
        running += snapshot.xp_gained
        labels.append(snapshot.date.isoformat())
        totals.append(running)
    return {"type": "line", "labels": labels, "datasets": [{"label": "Total XP", "data": totals}]}


@router.get("/ranks")
async def ranks_page(
    request: Request, principal: SignedIn, session: SessionDep, ruleset: RulesetDep, now: Now
) -> Response:
    guide = await service.rank_guide(session, ruleset, principal.user, now)
    return render(
        request,
        "progress/ranks.html",
        {"nav": "/ranks", "p": guide.progress, "ladder": guide.ladder},
    )


@router.get("/achievements")
async def achievements_page(
    request: Request, principal: SignedIn, session: SessionDep, ruleset: RulesetDep, now: Now
) -> Response:
    listing = await progress.achievements(session, ruleset, principal.user, now)
    items, badges = listing.achievements, progress.badges_of(listing, now)
    earned = sorted((a for a in items if a.unlocked), key=lambda a: a.unlocked_at or now)
    locked = sorted((a for a in items if not a.unlocked), key=lambda a: (-a.progress, a.target))
    return render(
        request,
        "progress/achievements.html",
        {"nav": "/achievements", "earned": earned, "locked": locked, "badges": badges},
    )


# Logging activity -------------------------------------------------------------------------------


class ActivityForm(BaseModel):
    """One logged activity. `event_id` is fixed when the form is drawn, so sending the same form
    twice (a double click, a reload) records it once."""

    model_config = ConfigDict(extra="ignore")

    event_id: uuid.UUID | None = None
    topic: Topic | None = None
    title: str | None = Field(None, max_length=200)
    grade: float | None = Field(None, ge=0, le=100, allow_inf_nan=False)
    minutes: float | None = Field(None, ge=0, le=MAX_SECONDS / 60, allow_inf_nan=False)
    hints: int | None = Field(None, ge=0, le=10_000)

    def event(self, activity: Activity) -> EventIn:
        return EventIn(
            id=f"web:{self.event_id}" if self.event_id else None,
            kind=EVENT_KINDS[activity],
            topic=self.topic,
            grade=self.grade,
            time_spent_seconds=round(self.minutes * 60) if self.minutes is not None else None,
            hints_used=self.hints,
            metadata={"title": self.title} if self.title else None,
        )


def _missing(activity: Activity, values: dict[str, str]) -> forms.Errors:
    """The fields each kind of activity needs that the form left empty."""
    needed = {
        "exercise": ("topic", "name the topic you practised, e.g. recursion"),
        "project": ("title", "name the project"),
        "study_session": ("minutes", "say how many minutes you studied"),
    }
    name, message = needed[activity]
    return {} if values.get(name) else {name: message}


async def _log_page(
    request: Request,
    principal: Principal,
    session: SessionDep,
    ruleset: Ruleset,
    now: datetime,
    *,
    active: Activity = "exercise",
    values: dict[str, str] | None = None,
    errors: forms.Errors | None = None,
    status_code: int = 200,
) -> Response:
    skills = await progress.skill_levels(session, ruleset, principal.user, now)
    return render(
        request,
        "progress/log.html",
        {
            "nav": "/log",
            "active": active,
            "values": values or {},
            "errors": errors or {},
            "topics": [s.topic for s in skills.skill_levels],
            "event_ids": {a: uuid.uuid4() for a in EVENT_KINDS},
        },
        status_code=status_code,
    )


@router.get("/log")
async def log_page(
    request: Request, principal: SignedIn, session: SessionDep, ruleset: RulesetDep, now: Now
) -> Response:
    return await _log_page(request, principal, session, ruleset, now)


@router.post("/log/{activity}")
async def log_activity(
    request: Request,
    activity: Annotated[Activity, Path()],
    principal: SignedIn,
    session: SessionDep,
    recorder: RecorderDep,
    now: Now,
) -> Response:
    values = await forms.fields(request)
    form, errors = forms.validate(ActivityForm, values)
    errors = _missing(activity, values) | errors
    if form is not None and not errors:
        try:
            drafts = events.to_drafts(principal, [form.event(activity)], now, batch=False)
            report = ingest.report(drafts, await recorder.record(session, drafts, now))
        except Problem as problem:
            errors = forms.problem_errors(problem, FORM_FIELDS)
        else:
            _report_toasts(request, activity, report.created == 0, report.achievements_unlocked)
            return redirect(request, "/")
    return await _log_page(
        request,
        principal,
        session,
        recorder.ruleset,
        now,
        active=activity,
        values=values,
        errors=errors,
        status_code=422,
    )


def _report_toasts(
    request: Request, activity: Activity, duplicate: bool, unlocked: list[AchievementUnlocked]
) -> None:
    what = {"exercise": "Exercise", "project": "Project", "study_session": "Study session"}[
        activity
    ]
    if duplicate:
        add_toast(request, Toast("success", f"{what} was already logged; nothing changed."))
        return
    add_toast(request, Toast("success", f"{what} logged."))
    for achievement in unlocked:
        add_toast(
            request, unlocked_toast(achievement.name, achievement.description, achievement.points)
        )
