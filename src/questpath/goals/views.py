"""Pages of goals: the learner's goals with their progress, setting one, changing and dropping it.

The new-goal form holds the fields of every target type, each type in its own fieldset, so it
works without script; the server reads only the fields of the type chosen.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth.dependencies import SignedIn
from questpath.auth.principal import UserLike
from questpath.clock import Now
from questpath.dependencies import RulesetDep, SessionDep
from questpath.goals import service
from questpath.goals.rules import ChosenStatus, Status
from questpath.goals.schemas import (
    Description,
    FinishCategory,
    FinishTrack,
    GoalCreate,
    GoalRead,
    GoalUpdate,
    Title,
)
from questpath.problems import Conflict, Problem
from questpath.progress.dependencies import RecorderDep
from questpath.ruleset import Ruleset
from questpath.tracks import service as track_service
from questpath.tracks.schemas import CategoryRead
from questpath.web import forms
from questpath.web.dependencies import verify_csrf
from questpath.web.flash import Toast
from questpath.web.rendering import add_toast, redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

TYPES: dict[str, str] = {
    "exercises": "Complete exercises",
    "skill_level": "Reach a skill level",
    "streak": "Keep a streak",
    "rank": "Reach a rank",
    "finish_track": "Finish a track",
    "finish_category": "Finish a category",
}
# Each type's target fields and the form fields that carry them. A category is chosen as
# "track id:category id" in one select, so the two can never disagree.
TARGET_FIELDS: dict[str, dict[str, str]] = {
    "exercises": {"count": "exercises_count", "topic": "exercises_topic"},
    "skill_level": {"topic": "skill_topic", "level": "skill_level"},
    "streak": {"days": "streak_days"},
    "rank": {"rank": "rank"},
    "finish_track": {"track_id": "track_id"},
    "finish_category": {"track_id": "category", "category_id": "category"},
}
# The API takes these as strict integers, so the form's text is converted first; anything else
# is passed on as typed, for the schema to refuse beside the field.
WHOLE_NUMBERS = frozenset({"count", "days"})
WHOLE_NUMBER = re.compile(r"[+-]?\d{1,9}")
GOAL_FIELDS = ("title", "description", "target_date")
STATUS_FILTERS: dict[str, str] = {
    "": "All",
    "active": "Active",
    "overdue": "Overdue",
    "achieved": "Achieved",
    "abandoned": "Abandoned",
}


class GoalEditForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    title: Title
    description: Description = ""
    target_date: date | None = None


class StatusForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    status: ChosenStatus


@dataclass(frozen=True)
class TrackChoice:
    id: uuid.UUID
    title: str
    categories: list[tuple[uuid.UUID, str]]  # each with its path of titles


# Reading the new-goal form --------------------------------------------------------------------


def target_of(data: dict[str, str]) -> dict[str, Any]:
    """The target the form describes: its type and only that type's fields."""
    kind = data.get("type", "")
    target: dict[str, Any] = {"type": kind} if kind else {}
    if kind == "finish_category":
        track_id, chosen, category_id = data.get("category", "").partition(":")
        if chosen:
            target.update(track_id=track_id, category_id=category_id)
        return target
    for name, form_name in TARGET_FIELDS.get(kind, {}).items():
        value = data.get(form_name)
        if value is None:
            continue
        if name in WHOLE_NUMBERS and WHOLE_NUMBER.fullmatch(value):
            target[name] = int(value)
        else:
            target[name] = value
    return target


def form_errors(errors: forms.Errors, kind: str) -> forms.Errors:
    """Errors named as the goal API names them ("target.count") renamed to the form's fields;
    any other goes above the form."""
    renamed = {"target": "type", "target.type": "type"}
    renamed.update({f"target.{t}": f for t, f in TARGET_FIELDS.get(kind, {}).items()})
    return forms.placed(errors.items(), GOAL_FIELDS, renamed)


# Names of what targets point at ---------------------------------------------------------------


def _category_paths(
    categories: list[CategoryRead], prefix: str = ""
) -> Iterator[tuple[uuid.UUID, str]]:
    for category in categories:
        path = f"{prefix} › {category.title}" if prefix else category.title
        yield category.id, path
        yield from _category_paths(category.categories, path)


async def _tracks(
    session: AsyncSession, user: UserLike, categories_of: set[uuid.UUID] | None = None
) -> list[TrackChoice]:
    """The learner's tracks, with the categories of those in `categories_of` (None: all)."""
    choices = []
    for track in (await track_service.list_tracks(session, user)).items:
        categories = []
        if categories_of is None or track.id in categories_of:
            tree = await track_service.read_track(session, user, track.id)
            categories = list(_category_paths(tree.categories))
        choices.append(TrackChoice(track.id, track.title, categories))
    return choices


async def _labels(
    session: AsyncSession, user: UserLike, ruleset: Ruleset, goals: list[GoalRead]
) -> dict[str, dict[Any, str]]:
    """What the goals' targets name, as the learner reads it: ranks, tracks and categories."""
    tracks: list[TrackChoice] = []
    if any(isinstance(goal.target, FinishTrack | FinishCategory) for goal in goals):
        categories_of = {g.target.track_id for g in goals if isinstance(g.target, FinishCategory)}
        tracks = await _tracks(session, user, categories_of)
    return {
        "ranks": {rank.id: f"{rank.icon} {rank.name}" for rank in ruleset.ranks},
        "tracks": {track.id: track.title for track in tracks},
        "categories": {
            category_id: f"{track.title} — {path}"
            for track in tracks
            for category_id, path in track.categories
        },
    }


# The list -------------------------------------------------------------------------------------


@router.get("/goals")
async def goals_page(
    request: Request,
    principal: SignedIn,
    session: SessionDep,
    ruleset: RulesetDep,
    now: Now,
    goal_status: Annotated[Status | None, Query(alias="status")] = None,
) -> Response:
    goals = await service.list_goals(session, ruleset, principal.user, goal_status, now)
    return render(
        request,
        "goals/list.html",
        {
            "goals": goals.items,
            "status": goal_status or "",
            "filters": STATUS_FILTERS,
            "labels": await _labels(session, principal.user, ruleset, goals.items),
        },
    )


# Setting a goal -------------------------------------------------------------------------------


async def _new_goal_page(
    request: Request,
    user: UserLike,
    session: AsyncSession,
    ruleset: Ruleset,
    form: dict[str, str],
    errors: forms.Errors,
    status_code: int = 200,
) -> Response:
    tracks = await _tracks(session, user)
    return render(
        request,
        "goals/new.html",
        {
            "form": form,
            "errors": errors,
            "types": TYPES,
            "ranks": ruleset.ranks,
            "levels": [level.name for level in ruleset.skill_levels.levels],
            "tracks": tracks,
        },
        status_code=status_code,
    )


@router.get("/goals/new")
async def new_goal_page(
    request: Request, principal: SignedIn, session: SessionDep, ruleset: RulesetDep
) -> Response:
    return await _new_goal_page(
        request, principal.user, session, ruleset, {"type": "exercises"}, {}
    )


@router.post("/goals/new")
async def create_goal(
    request: Request,
    principal: SignedIn,
    session: SessionDep,
    ruleset: RulesetDep,
    recorder: RecorderDep,
    now: Now,
) -> Response:
    data = await forms.fields(request)
    kind = data.get("type", "")
    body = {name: data[name] for name in GOAL_FIELDS if name in data}
    goal, errors = forms.validate(GoalCreate, {**body, "target": target_of(data)})
    status_code = 422
    if goal is not None:
        try:
            created = await service.create(session, recorder, principal.user, goal, now)
        except Problem as problem:
            errors, status_code = forms.problem_errors(problem), problem.status
        else:
            add_toast(request, _created_toast(created))
            return redirect(request, "/goals")
    return await _new_goal_page(
        request, principal.user, session, ruleset, data, form_errors(errors, kind), status_code
    )


def _created_toast(goal: GoalRead) -> Toast:
    if goal.status == "achieved":
        return Toast("success", f"Goal set: {goal.title}", "You have reached it already!")
    return Toast("success", f"Goal set: {goal.title}")


# Changing a goal ------------------------------------------------------------------------------


async def _edit_page(
    request: Request,
    goal: GoalRead,
    ruleset: Ruleset,
    session: AsyncSession,
    user: UserLike,
    form: dict[str, str] | None = None,
    errors: forms.Errors | None = None,
    status_code: int = 200,
) -> Response:
    if form is None:
        form = {
            "title": goal.title,
            "description": goal.description,
            "target_date": goal.target_date.isoformat() if goal.target_date else "",
        }
    return render(
        request,
        "goals/edit.html",
        {
            "goal": goal,
            "form": form,
            "errors": errors or {},
            "labels": await _labels(session, user, ruleset, [goal]),
        },
        status_code=status_code,
    )


@router.get("/goals/{goal_id}/edit")
async def edit_goal_page(
    goal_id: uuid.UUID,
    request: Request,
    principal: SignedIn,
    session: SessionDep,
    ruleset: RulesetDep,
    now: Now,
) -> Response:
    goal = await service.read(session, ruleset, principal.user, goal_id, now)
    return await _edit_page(request, goal, ruleset, session, principal.user)


@router.post("/goals/{goal_id}/edit")
async def edit_goal(
    goal_id: uuid.UUID,
    request: Request,
    principal: SignedIn,
    session: SessionDep,
    ruleset: RulesetDep,
    recorder: RecorderDep,
    now: Now,
) -> Response:
    data = await forms.fields(request)
    form, errors = forms.validate(GoalEditForm, data)
    if form is not None:
        update = GoalUpdate(
            title=form.title, description=form.description, target_date=form.target_date
        )
        goal = await service.update(session, recorder, principal.user, goal_id, update, now)
        add_toast(request, Toast("success", f"Goal saved: {goal.title}"))
        return redirect(request, "/goals")
    goal = await service.read(session, ruleset, principal.user, goal_id, now)
    return await _edit_page(request, goal, ruleset, session, principal.user, data, errors, 422)


@router.post("/goals/{goal_id}/status")
async def change_status(
    goal_id: uuid.UUID,
    request: Request,
    principal: SignedIn,
    session: SessionDep,
    ruleset: RulesetDep,
    recorder: RecorderDep,
    now: Now,
) -> Response:
    form, errors = forms.validate(StatusForm, await forms.fields(request))
    status_code = 422
    if form is not None:
        try:
            goal = await service.update(
                session, recorder, principal.user, goal_id, GoalUpdate(status=form.status), now
            )
        except Conflict as problem:
            errors, status_code = {"form": problem.detail}, problem.status
        else:
            add_toast(request, _status_toast(goal, form.status))
            return redirect(request, "/goals")
    goal = await service.read(session, ruleset, principal.user, goal_id, now)
    errors = {"form": errors.get("status", "")} if "status" in errors else errors
    return await _edit_page(
        request, goal, ruleset, session, principal.user, errors=errors, status_code=status_code
    )


def _status_toast(goal: GoalRead, requested: ChosenStatus) -> Toast:
    if requested == "abandoned":
        return Toast("success", f"Goal abandoned: {goal.title}", "You can reactivate it any time.")
    if goal.status == "achieved":
        return Toast("success", f"Goal reactivated: {goal.title}", "You have reached it already!")
    return Toast("success", f"Goal reactivated: {goal.title}")


@router.post("/goals/{goal_id}/delete")
async def delete_goal(
    goal_id: uuid.UUID, request: Request, principal: SignedIn, session: SessionDep
) -> Response:
    await service.delete(session, principal.user, goal_id)
    add_toast(request, Toast("success", "Goal deleted."))
    return redirect(request, "/goals")
