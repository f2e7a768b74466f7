"""Quizzes: compose one from a track or a topic, generate its new questions, grade it.

Making a quiz may wait on an LLM server for many seconds, so it runs in three steps and holds no
database transaction while it waits: read the sources in a read-only snapshot, generate, then
store the questions and the quiz in the caller's unit of work.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from questpath.auth.principal import UserLike
from questpath.config import Settings
from questpath.db import read_snapshot
from questpath.events.drafts import SystemEvent, system_event_id
from questpath.metrics.instruments import LLM_FALLBACKS
from questpath.pagination import created_cursor, decode_created_cursor
from questpath.problems import Conflict, FieldError, Invalid, NotFound
from questpath.progress.recording import Recorder
from questpath.quizzes import bank, llm, offline, reviews
from questpath.quizzes import repository as repo
from questpath.quizzes import rules as quiz_rules
from questpath.quizzes.drafts import QuestionDraft, Source, SourceItem
from questpath.quizzes.models import Question, Quiz, ReviewCard
from questpath.quizzes.schemas import (
    QuestionResult,
    QuizCreate,
    QuizPage,
    QuizRead,
    QuizResult,
    QuizSubmit,
)
from questpath.tracks import service as tracks
from questpath.tracks.tree import CategoryNode

UnitOfWork = Callable[[], AbstractAsyncContextManager[AsyncSession]]


# Sources --------------------------------------------------------------------------------------


def source_items(root: CategoryNode) -> list[SourceItem]:
    """Every item of a track, sub-items too, with the title of the category holding it."""

    def walk(category: CategoryNode, titles: tuple[str, ...]) -> Iterator[SourceItem]:
        title, outer = (titles[0], titles[1:]) if titles else ("", ())
        for node in category.items:
            for item in node.walk():
                row = item.row
                links = tuple(resource["title"] for resource in row.resources)
                yield SourceItem(
                    row.id, row.title, row.description, title, item.topic, links, outer
                )
        for child in category.categories:
            yield from walk(child, (child.title, *titles))

    return list(walk(root, ()))


@dataclass
class Plan:
    """What a quiz may ask about: track items to generate from, and the bank to draw on."""

    quiz_id: uuid.UUID
    data: QuizCreate
    generator: str  # offline or llm
    track_title: str | None = None
    items: list[SourceItem] = field(default_factory=list)
    bank: list[Question] = field(default_factory=list)
    cards: dict[uuid.UUID, ReviewCard] = field(default_factory=dict)


def _generator(data: QuizCreate, settings: Settings) -> str:
    if data.generator == "auto":
        return "llm" if settings.llm_configured else "offline"
    if data.generator == "llm" and not settings.llm_configured:
        raise Invalid.field(
            "generator",
            "no LLM server is configured (QUESTPATH_LLM_BASE_URL and QUESTPATH_LLM_MODEL); "
            "use auto or offline",
        )
    return data.generator


async def plan(engine: AsyncEngine, user: UserLike, data: QuizCreate, settings: Settings) -> Plan:
    """Read what the quiz may ask about, in a snapshot that never blocks a writer."""
    found = Plan(uuid.uuid4(), data, _generator(data, settings))
    async with read_snapshot(engine) as conn:
        session = AsyncSession(bind=conn)
        try:
            if data.track_id is not None:
                track = await tracks.own_track(session, user, data.track_id)
                found.track_title = track.title
                found.items = source_items(await tracks.load_tree(session, track))
            else:
                trees = await tracks.all_trees(session, user)
                found.items = [item for _, root in trees for item in source_items(root)]
            if data.topic is not None:
                found.items = [i for i in found.items if i.topic == data.topic]
            item_ids = {i.id for i in found.items} if data.track_id is not None else None
            found.bank = await repo.bank(session, user.id, data.topic, item_ids)
            found.cards = await repo.cards(session, user.id, (q.id for q in found.bank))
        finally:
            await session.close()
    if not found.items and not found.bank and found.generator == "offline":
        where = "topic" if data.topic and data.track_id is None else "track_id"
        raise Invalid.field(
            where,
            "there is nothing to ask about: no track item with a title and no question in "
            "the bank" + (f" for the topic '{data.topic}'" if data.topic else ""),
        )
    return found


# Generation -----------------------------------------------------------------------------------


@dataclass
class Drafts:
    drafts: list[tuple[QuestionDraft, Source]]
    warnings: list[str]
    generator: str


async def generate(found: Plan, settings: Settings) -> Drafts:
    """New questions from the planned generator. The LLM's failures fall back to the offline
    generator, and the warnings say so."""
    count, seed = found.data.count, str(found.quiz_id)
    if found.generator == "offline":
        made = offline.generate(found.items, count, seed=seed)
        return Drafts([(d, "offline") for d in made], [], "offline")
    config = llm.LlmConfig.from_settings(settings)
    assert config is not None, "the generator is llm only when one is configured"
    try:
        result = await llm.generate(
            config, found.items, count, topic=found.data.topic, track_title=found.track_title
        )
    except llm.GenerationFailed as exc:
        LLM_FALLBACKS.labels("all").inc()
        made = offline.generate(found.items, count, seed=seed)
        warning = f"{exc}; the questions come from the offline generator instead"
        return Drafts([(d, "offline") for d in made], [warning], "offline")
    drafts: list[tuple[QuestionDraft, Source]] = [(d, "llm") for d in result.drafts]
    warnings = list(result.warnings)
    missing = count - len(drafts)
    if missing > 0:
        asked = {d.prompt for d, _ in drafts}
        extra = [
            d for d in offline.generate(found.items, count, seed=seed) if d.prompt not in asked
        ]
        drafts += [(d, "offline") for d in extra[:missing]]
        if extra:
            LLM_FALLBACKS.labels("top_up").inc()
            warnings.append(f"{len(extra[:missing])} questions come from the offline generator")
    return Drafts(drafts, warnings, "llm")


# Storing and reading --------------------------------------------------------------------------


def _top_up(found: Plan, chosen: list[Question]) -> list[Question]:
    """Fill the quiz from the bank: questions never answered first, then the soonest due."""
    taken = {q.id for q in chosen}

    def order(q: Question) -> tuple[bool, datetime]:
        card = found.cards.get(q.id)
        return (card is not None, card.due if card else datetime.min.replace(tzinfo=UTC))

    spare = sorted((q for q in found.bank if q.id not in taken), key=order)
    return chosen + spare[: found.data.count - len(chosen)]


def quiz_read(quiz: Quiz) -> QuizRead:
    return QuizRead(
        id=quiz.id,
        track_id=quiz.track_id,
        topic=quiz.topic,
        generator=quiz.generator,
        questions=[bank.asked(q) for q in quiz.questions],
        warnings=quiz.warnings,
        created_at=quiz.created_at,
        submitted_at=quiz.submitted_at,
        score=quiz.score,
        results=[QuestionResult.model_validate(r) for r in quiz.results] if quiz.results else None,
    )


async def store(
    session: AsyncSession, user: UserLike, found: Plan, made: Drafts, now: datetime
) -> QuizRead:
    chosen = (await bank.keep(session, user, made.drafts, now))[: found.data.count]
    chosen = _top_up(found, chosen)
    if not chosen:
        raise Invalid.field("count", "no question could be made or drawn from the bank")
    quiz = Quiz(
        user_id=user.id,
        id=found.quiz_id,
        track_id=found.data.track_id,
        topic=found.data.topic,
        generator=made.generator if made.drafts else "bank",
        questions=[bank.snapshot_of(q) for q in chosen],
        warnings=made.warnings,
        created_at=now,
    )
    await repo.add(session, [quiz])
    return quiz_read(quiz)


async def create(
    engine: AsyncEngine,
    unit_of_work: UnitOfWork,
    settings: Settings,
    user: UserLike,
    data: QuizCreate,
    now: datetime,
) -> QuizRead:
    """Make a quiz: plan in a snapshot, generate outside any transaction, then store."""
    found = await plan(engine, user, data, settings)
    made = await generate(found, settings)
    async with unit_of_work() as session:
        return await store(session, user, found, made, now)


async def read(session: AsyncSession, user: UserLike, quiz_id: uuid.UUID) -> QuizRead:
    quiz = await repo.quiz(session, user.id, quiz_id)
    if quiz is None:
        raise NotFound(f"no quiz with the id {quiz_id}")
    return quiz_read(quiz)


async def page(session: AsyncSession, user: UserLike, cursor: str | None, limit: int) -> QuizPage:
    rows = await repo.quizzes_page(session, user.id, decode_created_cursor(cursor), limit + 1)
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = created_cursor(last.created_at, last.id)
    return QuizPage(items=[quiz_read(q) for q in rows[:limit]], next_cursor=next_cursor)


async def everything(session: AsyncSession, user: UserLike) -> list[QuizRead]:
    """Every quiz, oldest first: for the export."""
    return [quiz_read(q) for q in await repo.all_quizzes(session, user.id)]


# Grading --------------------------------------------------------------------------------------


def _answers_by_question(quiz: Quiz, data: QuizSubmit) -> dict[str, int]:
    """Each answered question's index in `data.answers`, after checking ids and shapes."""
    kinds = {q["id"]: q["type"] for q in quiz.questions}
    errors: list[FieldError] = []
    found: dict[str, int] = {}
    for index, answer in enumerate(data.answers):
        qid = str(answer.question_id)
        if qid not in kinds:
            errors.append(
                FieldError(f"answers[{index}].question_id", "is not a question of this quiz")
            )
        elif qid in found:
            errors.append(
                FieldError(f"answers[{index}].question_id", "answers the same question twice")
            )
        elif answer.answer is not None and (
            problem := quiz_rules.answer_shape_problem(kinds[qid], answer.answer)
        ):
            errors.append(FieldError(f"answers[{index}].answer", f"{problem} ({kinds[qid]})"))
        else:
            found[qid] = index
    if errors:
        raise Invalid(errors)
    return found


async def submit(
    session: AsyncSession,
    recorder: Recorder,
    user: UserLike,
    quiz_id: uuid.UUID,
    data: QuizSubmit,
    now: datetime,
) -> QuizResult:
    """Grade a quiz once. Its answers become the first reviews of their questions' cards, and a
    `quiz_completed` event graded by the score carries XP, streaks and skill levels along.
    Questions left unanswered count as wrong."""
    ruleset = recorder.ruleset
    await recorder.lock(session, user.id)
    quiz = await repo.quiz_for_update(session, user.id, quiz_id)
    if quiz is None:
        raise NotFound(f"no quiz with the id {quiz_id}")
    if quiz.submitted_at is not None:
        raise Conflict(f"this quiz was submitted at {quiz.submitted_at.isoformat()}")
    given = _answers_by_question(quiz, data)
    limits = ruleset.reviews
    graded = []
    for question in quiz.questions:
        index = given.get(question["id"])
        answer = data.answers[index] if index is not None else None
        value = answer.answer if answer is not None else None
        correct = value is not None and quiz_rules.is_correct(
            question["type"], question["answer"], value
        )
        seconds = answer.time_spent_seconds if answer else None
        rating = (
            quiz_rules.RATINGS[answer.rating]
            if answer is not None and answer.rating is not None
            else quiz_rules.rating_for(correct, seconds, limits.fast_seconds, limits.slow_seconds)
        )
        graded.append((question, value, correct, rating))
    score = quiz_rules.score(correct for _, _, correct, _ in graded)
    total_time = data.time_spent_seconds
    if total_time is None and any(a.time_spent_seconds is not None for a in data.answers):
        total_time = sum(a.time_spent_seconds or 0 for a in data.answers)
    ratings = {q["id"]: rating for q, _, _, rating in graded}
    event = SystemEvent(
        id=f"quiz:{quiz.id}",
        kind="quiz_completed",
        topic=quiz_rules.quiz_topic(quiz.topic, (q["topic"] for q in quiz.questions)),
        grade=score,
        time_spent_seconds=total_time,
        metadata={
            "quiz_id": str(quiz.id),
            "correct": sum(correct for _, _, correct, _ in graded),
            "total": len(graded),
            "ratings": ratings,
        },
    )
    stored, xp, unlocked = await reviews.record(session, recorder, user, [event], now)
    if (user.id, system_event_id(event)) not in stored.created:
        raise Conflict("this quiz was submitted already")
    cards = await reviews.advance_cards(
        session, ruleset, user, {uuid.UUID(qid): r for qid, r in ratings.items()}, now
    )
    results = [
        QuestionResult(
            question_id=uuid.UUID(question["id"]),
            prompt=question["prompt"],
            given=value,
            correct=correct,
            expected=quiz_rules.expected_answer(question["type"], question["answer"]),
            explanation=question["explanation"],
            rating=quiz_rules.RATING_NAMES[rating],
            next_due=card.due if (card := cards.get(uuid.UUID(question["id"]))) else None,
        )
        for question, value, correct, rating in graded
    ]
    quiz.submitted_at = now
    quiz.score = score
    quiz.time_spent_seconds = total_time
    quiz.results = [r.model_dump(mode="json") for r in results]
    await session.flush()
    return QuizResult(
        id=quiz.id,
        score=score,
        correct=sum(r.correct for r in results),
        total=len(results),
        results=results,
        xp_awarded=xp,
        achievements_unlocked=unlocked,
    )
