"""Pages of spaced-repetition reviews: the question due first, answered or rated, and the
forecast of the days ahead. Also the answers as quiz and review forms send them and as pages
show them, shared with the quiz pages."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from markupsafe import Markup, escape
from pydantic import BaseModel, ConfigDict

from questpath.auth.dependencies import SignedIn
from questpath.auth.principal import Principal
from questpath.clock import Now
from questpath.dependencies import SessionDep
from questpath.events.schemas import AchievementUnlocked
from questpath.problems import Problem
from questpath.progress.dependencies import RecorderDep
from questpath.quizzes import bank, reviews
from questpath.quizzes.schemas import Forecast, RatingName, ReviewIn
from questpath.web import formatting, forms
from questpath.web.dependencies import verify_csrf
from questpath.web.flash import Toast, unlocked_toast
from questpath.web.rendering import add_toast, redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

RATINGS: dict[str, str] = {"again": "Again", "hard": "Hard", "good": "Good", "easy": "Easy"}
TYPE_NAMES: dict[str, str] = {
    "multiple_choice": "Multiple choice",
    "true_false": "True or false",
    "short_answer": "Short answer",
    "cloze": "Fill in the blank",
}
_BLANK_RUN = re.compile(r"_{3,}")
_BLANK = Markup(
    '<span class="blank"><span aria-hidden="true">_____</span>'
    '<span class="visually-hidden">blank</span></span>'
)
_MAX_INDEX_DIGITS = 3


# Answers, as forms send them and pages show them --------------------------------------------


def prompt_html(prompt: str, kind: str) -> Markup:
    """A prompt as HTML: the blank of a cloze is drawn as a line and read out as "blank"."""
    if kind != "cloze":
        return escape(prompt)
    return _BLANK.join(escape(part) for part in _BLANK_RUN.split(prompt))


def given_value(kind: str, text: str | None) -> Any:
    """A form's answer as the services take it: an option's index, a truth value or a text;
    None when left blank. Anything else is passed on as text, for the service to refuse."""
    if text is None:
        return None
    if kind == "multiple_choice" and text.isascii() and text.isdigit():
        return int(text) if len(text) <= _MAX_INDEX_DIGITS else text
    if kind == "true_false" and text in ("true", "false"):
        return text == "true"
    return text


def answer_text(kind: str, options: list[str] | None, value: Any) -> str:
    """An answer as a learner reads it: the option's text, True or False, or the text."""
    if value is None:
        return "Not answered"
    if kind == "multiple_choice" and type(value) is int and options and 0 <= value < len(options):
        return options[value]
    if kind == "true_false" and isinstance(value, bool):
        return "True" if value else "False"
    return str(value)


def due_text(due: datetime, now: datetime, timezone: str) -> str:
    """When a question comes back, on the learner's clock: "now", "today at 14:05",
    "tomorrow (24 Nov 2026)", "in 4 days (27 Nov 2026)"."""
    if due <= now:
        return "now"
    zone = ZoneInfo(timezone)
    local = due.astimezone(zone)
    days = (local.date() - now.astimezone(zone).date()).days
    if days == 0:
        return f"today at {local:%H:%M}"
    when = "tomorrow" if days == 1 else f"in {days} days"
    return f"{when} ({formatting.day(local.date())})"


def achievement_toasts(request: Request, unlocked: list[AchievementUnlocked]) -> None:
    for achievement in unlocked:
        add_toast(
            request, unlocked_toast(achievement.name, achievement.description, achievement.points)
        )


def page_helpers() -> dict[str, Any]:
    return {"prompt_html": prompt_html, "type_names": TYPE_NAMES}


# The review session ---------------------------------------------------------------------------


class ReviewForm(BaseModel):
    """One review. `review_id` is fixed when the form is drawn, so sending the same form twice
    (a double click, a reload) records one review."""

    model_config = ConfigDict(extra="ignore")

    review_id: uuid.UUID | None = None
    answer: str | None = None
    rating: RatingName | None = None


@dataclass(frozen=True)
class NextDue:
    """When the next question is due, for the page with nothing due now."""

    text: str
    count: int


def forecast_chart(forecast: Forecast) -> dict[str, Any]:
    return {
        "type": "bar",
        "labels": [f"{d.date:%a} {d.date.day}" for d in forecast.days],
        "datasets": [{"label": "Questions due", "data": [d.due for d in forecast.days]}],
    }


def _next_due(forecast: Forecast) -> NextDue | None:
    today = forecast.days[0].date if forecast.days else None
    for day in forecast.days:
        if day.due:
            if day.date == today:
                text = "later today"
            elif today is not None and (day.date - today).days == 1:
                text = f"tomorrow ({formatting.day(day.date)})"
            else:
                text = formatting.day(day.date)
            return NextDue(text, day.due)
    return None


async def _review_page(
    request: Request,
    principal: Principal,
    session: SessionDep,
    now: datetime,
    *,
    form: dict[str, str] | None = None,
    errors: forms.Errors | None = None,
    status_code: int = 200,
) -> Response:
    user, now = principal.user, now
    due = await reviews.due(session, user, 1, now)
    forecast = await reviews.forecast(session, user, now)
    form = form or {}
    return render(
        request,
        "quizzes/reviews.html",
        {
            **page_helpers(),
            "nav": "/reviews",
            "due": due.items[0] if due.items else None,
            "total_due": due.total_due,
            "forecast": forecast,
            "forecast_chart": forecast_chart(forecast),
            "next_due": _next_due(forecast),
            "form": form,
            "errors": errors or {},
            "review_id": form.get("review_id") or uuid.uuid4(),
            "ratings": RATINGS,
        },
        status_code=status_code,
    )


@router.get("/reviews")
async def reviews_page(
    request: Request, principal: SignedIn, session: SessionDep, now: Now
) -> Response:
    return await _review_page(request, principal, session, now)


@router.post("/reviews/{question_id}")
async def review_question(
    question_id: uuid.UUID,
    request: Request,
    principal: SignedIn,
    session: SessionDep,
    recorder: RecorderDep,
    now: Now,
) -> Response:
    data = await forms.fields(request)
    form, errors = forms.validate(ReviewForm, data)
    if form is not None:
        question = await bank.read(session, principal.user, question_id)
        review = ReviewIn(
            id=f"web:{form.review_id}" if form.review_id else None,
            answer=given_value(question.type, form.answer),
            rating=form.rating,
        )
        try:
            result = await reviews.review(
                session, recorder, principal.user, question_id, review, now
            )
        except Problem as problem:
            errors = forms.problem_errors(problem)
        else:
            options = question.answer.get("options") if question.type == "multiple_choice" else None
            expected = answer_text(question.type, options, result.expected)
            back = due_text(result.next_due, now, principal.user.timezone)
            if result.status == "duplicate":
                add_toast(request, Toast("success", "That review was recorded already."))
                return redirect(request, "/reviews")
            if form.answer is None and form.rating is not None:
                title = f"Rated {RATINGS[form.rating]}"
            else:
                title = "Right" if result.correct else "Not quite"
            xp = f" · +{result.xp_awarded} XP" if result.xp_awarded else ""
            body = f"The answer: {expected}. It comes back {back}."
            add_toast(request, Toast("success", f"{title}{xp}", body))
            achievement_toasts(request, result.achievements_unlocked)
            return redirect(request, "/reviews")
    return await _review_page(
        request, principal, session, now, form=data, errors=_shown(errors), status_code=422
    )


def _shown(errors: forms.Errors) -> forms.Errors:
    """A problem with the answer goes beside it; any other above the form."""
    rating = "choose one of the ratings: Again, Hard, Good or Easy"
    return forms.placed(
        ((name, rating if name == "rating" else message) for name, message in errors.items()),
        ("answer",),
    )
