"""Reminders that come with the time of day, not with a write: run by every server process.

Each sweep works out, for each (timezone, day start) that accounts have, whether it is past
the evening hour (a streak at risk) or the morning hour (review cards due, and the e-mail
digest) in those learners' current day, and makes what is due in one transaction per group.
A reminder has a key of its kind and day, so processes sweeping together make it once; a
digest is claimed with one conditional UPDATE before it is sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from questpath import mail
from questpath.clock import utc_now
from questpath.config import Settings
from questpath.notifications import repository as repo
from questpath.notifications.hub import publish
from questpath.notifications.rules import (
    Draft,
    link_of,
    reminder_day,
    reminder_key,
    streak_at_risk,
    title_of,
)
from questpath.notifications.service import row
from questpath.progress import repository as progress_repo
from questpath.progress.rules import StreakState
from questpath.progress.vacations import VacationDays
from questpath.ruleset import Ruleset

log = structlog.get_logger("questpath.notifications")
UnitOfWork = Callable[[], AbstractAsyncContextManager[AsyncSession]]
# A streak whose last active day is further back than its freezes reach is only alive through
# a vacation; one this long ago is looked at no more.
LONGEST_VACATION_LOOKED_AT = timedelta(days=31)
DIGEST_WINDOW = timedelta(days=1)


class ReminderSweeper:
    def __init__(
        self,
        write: UnitOfWork,
        settings: Settings,
        ruleset: Ruleset,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._write = write
        self._settings = settings
        self._ruleset = ruleset
        self._clock = clock

    async def run(self) -> None:
        while True:
            try:
                await self.sweep()
            except Exception:  # a busy or unreachable database: the next sweep tries again
                log.warning("reminder sweep failed", exc_info=True)
            await asyncio.sleep(self._settings.notifications_sweep_seconds)

    async def sweep(self) -> int:
        """One pass over every group; returns how many reminders it made."""
        now = self._clock()
        async with self._write() as session:
            groups = await repo.day_groups(session)
        made = 0
        for timezone, day_start in groups:
            mails: list[mail.Mail] = []
            async with self._write() as session:
                made += await self._remind(session, timezone, day_start, now, mails)
            for message in mails:  # after the claim committed: a digest is sent once
                await mail.send(message, self._settings)
        return made

    async def _remind(
        self,
        session: AsyncSession,
        timezone: str,
        day_start: int,
        now: datetime,
        mails: list[mail.Mail],
    ) -> int:
        settings = self._settings
        rows = []
        evening = reminder_day(now, timezone, day_start, settings.notifications_evening_hour)
        if evening is not None:
            rows += await self._streaks(session, timezone, day_start, evening, now)
        morning = reminder_day(now, timezone, day_start, settings.notifications_morning_hour)
        if morning is not None:
            key = reminder_key("reviews.due", morning)
            for user_id, count in await repo.due_reviews(session, timezone, day_start, now, key):
                data = {"count": count, "day": morning.isoformat()}
                rows.append(row(user_id, Draft("reviews.due", data, key), now))
        stored = await repo.add(session, rows)
        await publish(session, stored)
        if morning is not None and settings.mail_configured:
            mails += await self._digests(session, timezone, day_start, morning, now)
        return len(stored)

    async def _streaks(
        self, session: AsyncSession, timezone: str, day_start: int, today: date, now: datetime
    ) -> list[dict[str, object]]:
        key = reminder_key("streak.at_risk", today)
        reach = timedelta(days=self._ruleset.streaks.max_freezes + 1)
        earliest = today - reach - LONGEST_VACATION_LOOKED_AT
        found = await repo.streak_candidates(session, timezone, day_start, earliest, today, key)
        vacations = await progress_repo.vacations_of(session, [r.user_id for r in found])
        rows = []
        for candidate in found:
            state = StreakState(
                candidate.streak_last_date, candidate.streak_run, candidate.streak_freezes
            )
            days = VacationDays.of(vacations[candidate.user_id].values())
            length = streak_at_risk(state, today, days)
            if length:
                data = {"streak": length, "day": today.isoformat()}
                rows.append(row(candidate.user_id, Draft("streak.at_risk", data, key), now))
        return rows

    async def _digests(
        self, session: AsyncSession, timezone: str, day_start: int, today: date, now: datetime
    ) -> list[mail.Mail]:
        claimed = await repo.claim_digests(session, timezone, day_start, today)
        if not claimed:
            return []
        unread = await repo.unread_for_digest(session, claimed, now - DIGEST_WINDOW)
        people = await repo.addresses(session, claimed)
        lines: dict[object, list[str]] = {}
        base = self._settings.public_url
        for notification in unread:
            title = title_of(notification.kind, notification.data)
            link = base + link_of(notification.kind, notification.data)
            lines.setdefault(notification.user_id, []).append(f"- {title}\n  {link}")
        return [
            digest_mail(people[user_id], lines[user_id], base, today)
            for user_id in claimed
            if user_id in lines and user_id in people
        ]


def digest_mail(person: tuple[str, str], lines: list[str], base: str, day: date) -> mail.Mail:
    email, name = person
    count = len(lines)
    body = (
        f"Hello {name},\n\nYou have {count} unread notification{'s' if count != 1 else ''} "
        f"from the last day on QuestPath:\n\n"
        + "\n".join(lines)
        + f"\n\nSee them all at {base}/notifications\n"
        f"Turn this daily e-mail off at {base}/settings/notifications\n"
    )
    return mail.Mail(
        to=email,
        subject=f"QuestPath: your day, {day.isoformat()}",
        body=body,
        kind="notification_digest",
    )
