"""An account rebuilt from its JSON export, on another server: `questpath user import`.

Every id is kept (the learner's, the events', the tracks', items', goals', questions' and
quizzes'), so that events still name their items and questions and a new export reads the same.
The events go in through the event log's own insert; everything derived from them (progress,
achievements' dates, vacations, day start, review cards) is then rebuilt from the log, as
`questpath verify --repair` does, never taken from the file. All in the caller's transaction:
a refused file changes nothing.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth import credentials, rules
from questpath.auth import repository as users
from questpath.auth.models import User
from questpath.events import repository as log
from questpath.export import archive
from questpath.goals import repository as goals_repo
from questpath.goals.models import Goal
from questpath.goals.schemas import Exercises
from questpath.leaderboards import repository as boards
from questpath.problems import Conflict, Invalid
from questpath.progress import rebuild
from questpath.progress import repository as progress_repo
from questpath.quizzes import repository as quizzes_repo
from questpath.quizzes.models import Question, Quiz
from questpath.recorder.repair import rebuild_learner
from questpath.ruleset import Ruleset
from questpath.tracks import repository as tracks_repo
from questpath.tracks.models import Track

EVENT_CHUNK = 1000
# Roles a file may give: an export handed to the operator must not make its holder an admin.
RESTORED_ROLES = ("learner", "mentor")


@dataclass
class Restored:
    """What came back, to tell the operator."""

    email: str
    events: int = 0
    tracks: int = 0
    items: int = 0
    goals: int = 0
    questions: int = 0
    quizzes: int = 0
    achievements: int = 0
    # Left behind: their secrets are never exported.
    api_keys: int = 0
    share_links: int = 0
    notes: list[str] = field(default_factory=list)


async def restore(
    session: AsyncSession, export: archive.Export, password: str, ruleset: Ruleset, now: datetime
) -> Restored:
    """Create the exported account here with `password`; refuse (Conflict or Invalid) when the
    address or the account's id is taken, or the password is too weak."""
    profile = export.profile
    email = profile.email.lower()
    if problem := rules.password_problem(password, email):
        raise Invalid.field("password", problem)
    if await users.get_user_by_email(session, email) is not None:
        raise Conflict(f"email: {email} already has an account on this server")
    if await users.get_user(session, profile.id) is not None:
        raise Conflict(
            f"profile.id: an account with the id {profile.id} exists on this server "
            "(was this export restored already?)"
        )
    restored = Restored(
        email,
        api_keys=len(export.api_keys),
        share_links=sum(t.share is not None for t in export.tracks)
        + bool(export.sharing and export.sharing.get("has_link")),
    )
    user = User(
        id=profile.id,
        email=email,
        password_hash=await asyncio.to_thread(credentials.hash_password, password),
        display_name=profile.display_name,
        timezone=profile.timezone,
        day_start_hour=profile.day_start_hour,
        role=profile.role if profile.role in RESTORED_ROLES else "learner",
        created_at=profile.created_at,
        updated_at=now,
    )
    if user.role != profile.role:
        restored.notes.append(
            f"The account was {profile.role!r} there and is a learner here: "
            "`questpath create-admin` makes it an admin."
        )
    try:
        await users.add(session, user)
        restored.events = await _add_events(session, user.id, export.events)
        for track in export.tracks:
            restored.items += await _add_track(session, user.id, track)
        restored.tracks = len(export.tracks)
        restored.questions, restored.quizzes = await _add_quizzes(session, user.id, export)
        restored.achievements = await _add_achievements(session, user.id, export, ruleset)
        await rebuild_learner(session, user, ruleset, now)
        restored.goals = await _add_goals(session, user.id, export.goals)
        if export.leaderboards is not None and export.leaderboards.listed:
            await boards.join(session, user.id, export.leaderboards.show_name, now)
        await session.flush()
    except IntegrityError as exc:  # a reference the validation could not check, edited by hand
        raise Invalid.field("file", "refers to rows it does not hold") from exc
    return restored


async def _add_events(
    session: AsyncSession, user_id: uuid.UUID, events: list[archive.Event]
) -> int:
    """The log as it was, each event with its ingestion-time local date, recording time and
    void mark; `xp` is not stored (the projections recompute it)."""
    added = 0
    for start in range(0, len(events), EVENT_CHUNK):
        chunk = events[start : start + EVENT_CHUNK]
        rows = [
            {
                "user_id": user_id,
                "event_id": e.id,
                "kind": e.kind,
                "occurred_at": e.occurred_at,
                "recorded_at": e.recorded_at,
                "local_date": e.local_date,
                "topic": e.topic,
                "grade": e.grade,
                "time_spent_seconds": e.time_spent_seconds,
                "hints_used": e.hints_used,
                "meta": e.metadata,
                "recorded_by_api_key": None,
                "voided_by": e.voided_by,
            }
            for e in chunk
        ]
        added += len(await log.insert_new(session, rows))
    return added


async def _add_track(session: AsyncSession, user_id: uuid.UUID, tree: archive.TrackTree) -> int:
    """One track's rows, parents before children; positions follow the export's order."""
    track = Track(
        user_id=user_id,
        id=tree.id,
        title=tree.title,
        description=tree.description,
        template_id=tree.template_id,
        created_at=tree.created_at,
        updated_at=tree.updated_at,
    )
    categories: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []

    def add_items(
        listed: list[archive.Item], category_id: uuid.UUID | None, parent_id: uuid.UUID | None
    ) -> None:
        for position, item in enumerate(listed):
            items.append(_item_row(user_id, tree, item, category_id, parent_id, position))
            add_items(item.children, category_id, item.id)

    def add_categories(listed: list[archive.Category], parent_id: uuid.UUID | None) -> None:
        for position, category in enumerate(listed):
            categories.append(
                {
                    "user_id": user_id,
                    "id": category.id,
                    "track_id": tree.id,
                    "parent_id": parent_id,
                    "position": position,
                    "title": category.title,
                    "notes": category.notes,
                }
            )
            add_items(category.items, category.id, None)
            add_categories(category.categories, category.id)

    add_items(tree.items, None, None)
    add_categories(tree.categories, None)
    archived = [
        _item_row(user_id, tree, item, item.category_id, item.parent_id, position)
        | {"archived_at": item.archived_at}
        for position, item in enumerate(tree.archived_items)
    ]
    await tracks_repo.add_track(session, track, categories, items + _parents_first(archived))
    return len(items) + len(archived)


def _item_row(
    user_id: uuid.UUID,
    tree: archive.TrackTree,
    item: archive.Item,
    category_id: uuid.UUID | None,
    parent_id: uuid.UUID | None,
    position: int,
) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "id": item.id,
        "track_id": tree.id,
        "category_id": category_id,
        "parent_id": parent_id,
        "position": position,
        "title": item.title,
        "description": item.description,
        "resources": [r.model_dump() for r in item.resources],
        "notes": item.notes,
        "state": item.state,
        "priority": item.priority,
        "horizon": item.horizon,
        "due_date": item.due_date,
        "topic": item.topic,
        "path_category_id": item.path_section_id,
        "path_position": item.path_position,
        "completed_at": item.completed_at,
        # Not exported: when the item last changed is at latest when its track did.
        "updated_at": tree.updated_at,
        "archived_at": None,
    }


def _parents_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Archived items (and their archived sub-items) ordered so that a parent precedes its
    children wherever both are archived."""
    placed: set[uuid.UUID] = set()
    ordered: list[dict[str, Any]] = []
    pending = rows
    archived_ids = {row["id"] for row in rows}
    while pending:
        ready = [r for r in pending if r["parent_id"] not in archived_ids - placed]
        if not ready:  # a cycle: the database refuses it below
            ready = pending
        ordered += ready
        placed |= {r["id"] for r in ready}
        pending = [r for r in pending if r["id"] not in placed]
    return ordered


async def _add_quizzes(
    session: AsyncSession, user_id: uuid.UUID, export: archive.Export
) -> tuple[int, int]:
    """The question bank, and the quizzes with their copies of the questions. The export shows
    a quiz's questions as asked, without answers: the copy takes them from the bank question
    of the same id, or, for one no longer in the bank, from the quiz's results."""
    bank = {q.id: q for q in export.questions}
    questions = [
        Question(user_id=user_id, **q.model_dump(exclude={"id"}), id=q.id) for q in export.questions
    ]
    quizzes = [
        Quiz(
            user_id=user_id,
            id=quiz.id,
            track_id=quiz.track_id,
            topic=quiz.topic,
            generator=quiz.generator,
            questions=[_quiz_copy(asked, bank, quiz) for asked in quiz.questions],
            warnings=quiz.warnings,
            created_at=quiz.created_at,
            submitted_at=quiz.submitted_at,
            score=quiz.score,
            results=[r.model_dump(mode="json") for r in quiz.results]
            if quiz.results is not None
            else None,
            time_spent_seconds=None,
        )
        for quiz in export.quizzes
    ]
    await quizzes_repo.add(session, [*questions, *quizzes])
    return len(questions), len(quizzes)


def _quiz_copy(
    asked: archive.QuestionAsked, bank: dict[uuid.UUID, archive.Question], quiz: archive.Quiz
) -> dict[str, object]:
    if (question := bank.get(asked.id)) is not None:
        answer, explanation = question.answer, question.explanation
    else:
        result = next((r for r in quiz.results or [] if r.question_id == asked.id), None)
        if quiz.submitted_at is None or result is None:
            raise Invalid.field(
                f"quizzes.{quiz.id}", f"asks question {asked.id}, which is not in the bank"
            )
        answer = {"options": asked.options} if asked.options is not None else {}
        explanation = result.explanation
    return {
        "id": str(asked.id),
        "type": asked.type,
        "prompt": asked.prompt,
        "answer": answer,
        "explanation": explanation,
        "topic": asked.topic,
        "source": asked.source,
    }


async def _add_achievements(
    session: AsyncSession, user_id: uuid.UUID, export: archive.Export, ruleset: Ruleset
) -> int:
    """The unlocked achievements with their unlocking times, those the log reaches or a void
    kept; the rebuild then files each under the day the log reaches it."""
    expected = (await rebuild.recompute(session, user_id, ruleset)).achievements
    kept = await progress_repo.achievements_kept_by_voids(session, user_id)
    days = {a: day.day for day in export.history for a in day.achievements_unlocked}
    rows = [
        {
            "user_id": user_id,
            "achievement_id": a.id,
            "unlocked_at": a.unlocked_at,
            "local_date": expected.get(a.id) or days.get(a.id) or a.unlocked_at.date(),
        }
        for a in export.achievements
        if a.unlocked and a.unlocked_at is not None and (a.id in expected or a.id in kept)
    ]
    await progress_repo.add_unlocked(session, rows)
    return len(rows)


async def _add_goals(session: AsyncSession, user_id: uuid.UUID, goals: list[archive.Goal]) -> int:
    """Goals as they stood. An exercise goal counts from a baseline the export does not hold:
    it is where the goal's progress comes out as exported, from the rebuilt counts."""
    totals = await progress_repo.totals(session, user_id)
    topics = await progress_repo.topics(session, user_id)
    for goal in goals:
        baseline = 0
        if isinstance(goal.target, Exercises):
            if goal.target.topic is None:
                done = totals.tally.exercises
            else:
                row = topics.get(goal.target.topic)
                done = row.tally.exercises if row is not None else 0
            baseline = max(0, done - (goal.progress.current if goal.progress else 0))
        await goals_repo.add(
            session,
            Goal(
                user_id=user_id,
                id=goal.id,
                title=goal.title,
                description=goal.description,
                target=goal.target.model_dump(mode="json"),
                baseline=baseline,
                target_date=goal.target_date,
                # Overdue is an active goal read after its date.
                status="active" if goal.status == "overdue" else goal.status,
                achieved_at=goal.achieved_at,
                created_at=goal.created_at,
                updated_at=goal.updated_at,
            ),
        )
    return len(goals)
