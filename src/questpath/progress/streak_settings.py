"""Use cases of the streak settings: the hour a learner's day starts, and vacations.

Each change is an event in the log, recorded through the recorder under the learner's lock, so a
recomputation from the log gives the same vacations, streaks and day start as the projections.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth import repository as users
from questpath.auth.cache import CredentialCache
from questpath.auth.principal import Principal, UserLike
from questpath.db import after_commit
from questpath.events.drafts import SystemEvent
from questpath.events.rules import local_date
from questpath.problems import Conflict, Invalid, NotFound
from questpath.progress import repository as repo
from questpath.progress.recording import Recorder
from questpath.progress.schemas import DayStartRead, VacationList, VacationRead
from questpath.progress.vacations import (
    DAY_START_CHANGED,
    VACATION_ENDED,
    VACATION_SCHEDULED,
    Vacation,
    VacationProblem,
    check_end,
    check_new_vacation,
    current_vacation,
    ended_vacation,
)


def _today(principal: Principal, now: datetime, day_start_hour: int | None = None) -> date:
    user = principal.user
    hour = user.day_start_hour if day_start_hour is None else day_start_hour
    return local_date(now, user.timezone, hour)


def vacation_read(vacation: Vacation, today: date) -> VacationRead:
    return VacationRead(
        id=vacation.id,
        start_date=vacation.first_day,
        end_date=vacation.last_day,
        planned_end_date=vacation.planned_last_day,
        status=vacation.status(today),
    )


def _refused(problem: VacationProblem) -> Exception:
    if problem.conflict:
        return Conflict(f"{problem.field} {problem.message}")
    return Invalid.field(problem.field, problem.message)


# The day start --------------------------------------------------------------------------------


async def set_day_start(
    session: AsyncSession,
    recorder: Recorder,
    cache: CredentialCache,
    principal: Principal,
    hour: int,
    now: datetime,
) -> DayStartRead:
    """Set the hour the learner's day starts, recording a `day_start_changed` event. Events
    stored from now on take their local date with it; stored ones keep theirs."""
    user_id = principal.user.id
    await recorder.lock(session, user_id)
    current = await users.day_start_hour(session, user_id)
    if current is None:
        raise NotFound("this account no longer exists")
    if current != hour:
        numbered = len(await repo.day_start_log(session, user_id)) + 1
        await users.set_day_start_hour(session, user_id, hour, now)
        change = SystemEvent(
            id=f"day-start:{numbered:06d}",
            kind=DAY_START_CHANGED,
            metadata={"day_start_hour": hour, "previous_day_start_hour": current},
        )
        await recorder.record(session, [change.draft(user_id)], now)
        after_commit(session, partial(cache.forget_user, user_id))
    return DayStartRead(day_start_hour=hour, today=_today(principal, now, hour))


# Vacations ------------------------------------------------------------------------------------


async def list_vacations(session: AsyncSession, user: UserLike, now: datetime) -> VacationList:
    today = local_date(now, user.timezone, user.day_start_hour)
    vacations = (await repo.vacations(session, user.id)).values()
    ongoing = current_vacation(vacations, today)
    return VacationList(
        items=[
            vacation_read(v, today)
            for v in sorted(vacations, key=lambda v: (v.first_day, v.id), reverse=True)
        ],
        on_vacation_until=ongoing.last_day if ongoing else None,
    )


async def schedule_vacation(
    session: AsyncSession,
    recorder: Recorder,
    principal: Principal,
    start: date,
    end: date,
    now: datetime,
) -> VacationRead:
    """Schedule a vacation from `start` to `end` (local dates, inclusive), recording a
    `vacation_scheduled` event."""
    user_id = principal.user.id
    today = _today(principal, now)
    await recorder.lock(session, user_id)
    try:
        check_new_vacation(start, end, today, (await repo.vacations(session, user_id)).values())
    except VacationProblem as problem:
        raise _refused(problem) from problem
    vacation_id = str(uuid.uuid4())
    event = SystemEvent(
        id=f"vacation:{vacation_id}",
        kind=VACATION_SCHEDULED,
        metadata={
            "vacation_id": vacation_id,
            "first_day": start.isoformat(),
            "last_day": end.isoformat(),
        },
    )
    await recorder.record(session, [event.draft(user_id)], now)
    return vacation_read(Vacation(vacation_id, start, end, end), today)


async def end_vacation(
    session: AsyncSession,
    recorder: Recorder,
    principal: Principal,
    vacation_id: str,
    now: datetime,
) -> VacationRead:
    """End an ongoing vacation (today is no longer covered) or cancel an upcoming one,
    recording a `vacation_ended` event. Days already past stay vacation days, and so do the
    days up to the last active one, so that no streak already counted can shrink."""
    user_id = principal.user.id
    today = _today(principal, now)
    await recorder.lock(session, user_id)
    vacation = (await repo.vacations(session, user_id)).get(vacation_id)
    if vacation is None:
        raise NotFound(f"no vacation has the id {vacation_id}")
    try:
        check_end(vacation, today)
    except VacationProblem as problem:
        raise _refused(problem) from problem
    last_active = (await repo.totals(session, user_id)).streak.last_date
    ended = ended_vacation(vacation, today, last_active)
    event = SystemEvent(
        id=f"vacation:{vacation_id}:end",
        kind=VACATION_ENDED,
        metadata={"vacation_id": vacation_id, "last_day": ended.last_day.isoformat()},
    )
    await recorder.record(session, [event.draft(user_id)], now)
    return vacation_read(ended, today)
