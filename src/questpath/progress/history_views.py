"""Pages of the learner's record over time: statistics by period and day-by-day history."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict

from questpath.auth.dependencies import SignedIn
from questpath.clock import Now
from questpath.dependencies import RulesetDep, SessionDep
from questpath.problems import Problem
from questpath.progress import service
from questpath.progress.schemas import Period, StatisticsRead
from questpath.web import forms
from questpath.web.dependencies import verify_csrf
from questpath.web.rendering import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

PERIODS: dict[str, str] = {
    "daily": "Today",
    "weekly": "Last 7 days",
    "monthly": "Last 30 days",
    "all": "All time",
}
DateText = Annotated[str | None, Query(max_length=40)]


class HistoryRange(BaseModel):
    model_config = ConfigDict(extra="ignore")

    start_date: date | None = None
    end_date: date | None = None


def trend_chart(stats: StatisticsRead) -> dict[str, Any]:
    """The 7-day trend as charts.js draws it: exercises on the left axis, grade on the right."""
    return {
        "type": "line",
        "labels": [f"{p.date:%a} {p.date.day}" for p in stats.trend_7d],
        "datasets": [
            {
                "label": "Exercises",
                "data": [p.exercises_completed for p in stats.trend_7d],
                "axis": "y",
            },
            {
                "label": "Average grade",
                "data": [p.average_grade for p in stats.trend_7d],
                "axis": "y2",
            },
        ],
    }


def grade_chart(stats: StatisticsRead) -> dict[str, Any]:
    return {
        "type": "bar",
        "labels": list(stats.grade_distribution),
        "datasets": [{"label": "Exercises", "data": list(stats.grade_distribution.values())}],
    }


@router.get("/statistics")
async def statistics_page(
    request: Request,
    principal: SignedIn,
    session: SessionDep,
    ruleset: RulesetDep,
    now: Now,
    period: Period = "weekly",
) -> Response:
    stats = await service.statistics(session, ruleset, principal.user, period, now)
    return render(
        request,
        "progress/statistics.html",
        {
            "stats": stats,
            "periods": PERIODS,
            "trend_chart": trend_chart(stats),
            "grade_chart": grade_chart(stats),
        },
    )


@router.get("/history")
async def history_page(
    request: Request,
    principal: SignedIn,
    session: SessionDep,
    ruleset: RulesetDep,
    now: Now,
    start_date: DateText = None,
    end_date: DateText = None,
) -> Response:
    entered = {
        name: value.strip()
        for name, value in (("start_date", start_date), ("end_date", end_date))
        if value and value.strip()
    }
    dates, errors = forms.validate(HistoryRange, entered)
    history = None
    if dates is not None:
        try:
            history = await service.history(
                session, principal.user, None, dates.start_date, dates.end_date, now
            )
        except Problem as problem:
            errors = forms.problem_errors(problem)
    if history is not None:
        entered = {"start_date": str(history.start_date), "end_date": str(history.end_date)}
    return render(
        request,
        "progress/history.html",
        {
            "form": entered,
            "errors": errors,
            "history": history,
            "achievements": {a.id: a for a in ruleset.achievements},
        },
        status_code=200 if history is not None else 422,
    )
