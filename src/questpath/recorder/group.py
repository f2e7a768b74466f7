"""Group commit: the events of concurrent requests in one process, recorded in one transaction.

A request hands its drafts over and waits; one writer task takes every submission waiting at
that moment, records them together (one lock statement, one insert, one statement per
projection table), commits, and answers each request with its own part. While it commits, the
next group gathers, so the busier the server, the larger the groups; an idle server records
each submission at once.

A submission that names an unknown learner fails alone before anything is written. Should the
group's transaction fail for any other reason, each submission is retried in a transaction of
its own, so one bad member never fails another's request. Correctness never depends on
grouping: idempotency, batch atomicity and per-learner order are the single-request rules.

The writer's SQL is counted (see sql_timing) in full for every request of the group: each one
waited for all of it, so a slow request shows the group transaction it sat in.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import deque
from contextlib import nullcontext
from dataclasses import dataclass, field

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from questpath.clock import utc_now
from questpath.db import transaction
from questpath.events.drafts import Draft, EventKey, UnknownLearner
from questpath.metrics.instruments import GROUP_COMMIT_EVENTS, GROUP_COMMIT_REQUESTS
from questpath.progress.recording import Recorded
from questpath.recorder.core import EventRecorder
from questpath.recorder.lock import lock_learners
from questpath.sql_timing import SqlTally, current_tally, stop_tallying, tallying

MAX_GROUP_DRAFTS = 5000  # bounds one transaction; a larger single submission still goes alone

log = structlog.get_logger("questpath.recorder")


@dataclass
class _Submission:
    drafts: list[Draft]
    sql: SqlTally | None = field(default_factory=current_tally)  # the submitting request's
    done: asyncio.Future[Recorded] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class GroupCommit:
    """One per process (per app): records submissions from concurrent requests together."""

    def __init__(
        self,
        recorder: EventRecorder,
        maker: async_sessionmaker[AsyncSession],
        write_queue: asyncio.Lock | None = None,
    ) -> None:
        self.recorder = recorder
        self._maker = maker
        self._write_queue = write_queue  # SQLite: the app-wide queue for its one write lock
        self._pending: deque[_Submission] = deque()
        self._writer: asyncio.Task[None] | None = None

    async def record(self, drafts: list[Draft]) -> Recorded:
        """Record `drafts` (all or nothing) and return what was stored, once it is committed.

        Raise `UnknownLearner` when a draft names no learner; nothing is stored then.
        """
        submission = _Submission(drafts)
        self._pending.append(submission)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(self._drain())
        return await asyncio.shield(submission.done)

    async def _drain(self) -> None:
        stop_tallying()  # the task inherited the first submitter's context; _commit counts
        while self._pending:
            group: list[_Submission] = []
            size = 0
            while self._pending and (
                not group or size + len(self._pending[0].drafts) <= MAX_GROUP_DRAFTS
            ):
                submission = self._pending.popleft()
                group.append(submission)
                size += len(submission.drafts)
            try:
                await self._commit(group)
            except Exception as exc:  # noqa: BLE001 - any failure: isolate the failing member
                if len(group) == 1:
                    _settle(group[0], exc)
                    continue
                log.warning("group commit failed; retrying its members one by one", error=repr(exc))
                for submission in group:
                    try:
                        await self._commit([submission])
                    except Exception as own:  # noqa: BLE001 - it fails its own request
                        _settle(submission, own)

    async def _commit(self, group: list[_Submission]) -> None:
        with tallying() as sql:
            try:
                await self._write(group)
            finally:
                for submission in group:
                    if submission.sql is not None:
                        submission.sql.add(sql)

    async def _write(self, group: list[_Submission]) -> None:
        now = utc_now()
        async with self._write_queue or nullcontext(), transaction(self._maker) as session:
            learners = {d.user_id for s in group for d in s.drafts}
            timezones = await lock_learners(session, learners)
            accepted = []
            for submission in group:
                missing = {d.user_id for d in submission.drafts} - timezones.keys()
                if missing:
                    _settle(submission, UnknownLearner(missing))
                else:
                    accepted.append(submission)
            drafts = [d for s in accepted for d in s.drafts]
            recorded = await self.recorder.record_locked(session, drafts, timezones, now)
        if accepted:
            GROUP_COMMIT_REQUESTS.observe(len(accepted))
            GROUP_COMMIT_EVENTS.observe(len(drafts))
        for submission, part in zip(accepted, _split(accepted, recorded), strict=True):
            _settle(submission, part)


def _split(group: list[_Submission], recorded: Recorded) -> list[Recorded]:
    """Each submission's part of a group's result: an event created by the group is created
    for the first submission that carried it (a duplicate for the others), and a learner's
    changes go to the last submission that created events for them, which completed them."""
    owner: dict[EventKey, int] = {}
    last_for: dict[uuid.UUID, int] = {}
    for index, submission in enumerate(group):
        for draft in submission.drafts:
            if draft.key in recorded.created and draft.key not in owner:
                owner[draft.key] = index
                last_for[draft.user_id] = index
    return [
        Recorded(
            created={key for key, i in owner.items() if i == index},
            changes={u: c for u, c in recorded.changes.items() if last_for.get(u) == index},
        )
        for index in range(len(group))
    ]


def _settle(submission: _Submission, outcome: Recorded | BaseException) -> None:
    if submission.done.done():
        return
    if isinstance(outcome, BaseException):
        submission.done.set_exception(outcome)
    else:
        submission.done.set_result(outcome)
