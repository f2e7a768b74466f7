"""The JSON export read back: pydantic models of the sections a restore needs, so that a
hand-edited file cannot put nonsense into the database.

Only what the log does not hold is read: profile, tracks, goals, questions, quizzes, unlocked
achievements and the events. Derived sections (progress, history, skill levels, review cards,
vacations) are left to the log; API keys and share links cannot come back, their secrets were
never exported.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, model_validator

from questpath.auth.schemas import DisplayName, Timezone
from questpath.events.rules import EVENT_KINDS, SYSTEM_ID_PREFIX
from questpath.events.schemas import EventId, Topic
from questpath.export.account import FORMAT, FORMAT_VERSION
from questpath.goals.rules import Status
from questpath.goals.schemas import Description, Target
from questpath.goals.schemas import Title as GoalTitle
from questpath.problems import FieldError, Invalid, field_path
from questpath.quizzes.drafts import QuestionType, Source
from questpath.quizzes.rules import answer_data_problem
from questpath.quizzes.schemas import Explanation, Prompt, QuestionResult
from questpath.tracks.drafts import Horizon, ItemState, Priority
from questpath.tracks.schemas import LongText, ResourceWrite, Title

MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_ROWS = 1_000_000  # of any one section: a bound on memory, far above any real account


class _Read(BaseModel):
    """A section as the export writes it: derived fields are ignored."""

    model_config = ConfigDict(extra="ignore")


class Profile(_Read):
    id: uuid.UUID
    email: Annotated[str, Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")]
    display_name: DisplayName
    timezone: Timezone
    day_start_hour: int = Field(ge=0, le=23)
    role: Literal["learner", "mentor", "admin"]
    created_at: AwareDatetime


class Item(_Read):
    id: uuid.UUID
    title: Title
    description: LongText
    resources: list[ResourceWrite] = Field(max_length=100)
    notes: LongText
    state: ItemState
    priority: Priority
    horizon: Horizon | None
    due_date: date | None
    topic: Topic | None
    path_position: int | None = Field(ge=0)
    path_section_id: uuid.UUID | None
    completed_at: AwareDatetime | None
    children: list[Item] = Field(max_length=MAX_ROWS)


class ArchivedItem(Item):
    category_id: uuid.UUID | None
    parent_id: uuid.UUID | None
    archived_at: AwareDatetime


class Category(_Read):
    id: uuid.UUID
    title: Title
    notes: LongText
    items: list[Item] = Field(max_length=MAX_ROWS)
    categories: list[Category] = Field(max_length=MAX_ROWS)


class TrackTree(_Read):
    id: uuid.UUID
    title: Title
    description: LongText
    template_id: Annotated[str, Field(max_length=64)] | None
    created_at: AwareDatetime
    updated_at: AwareDatetime
    items: list[Item] = Field(max_length=MAX_ROWS)
    categories: list[Category] = Field(max_length=MAX_ROWS)
    archived_items: list[ArchivedItem] = Field(max_length=MAX_ROWS)
    share: dict[str, Any] | None = None  # its link's token was never exported


class GoalProgress(_Read):
    current: int = Field(ge=0)


class Goal(_Read):
    id: uuid.UUID
    title: GoalTitle
    description: Description
    target: Target
    target_date: date | None
    status: Status
    progress: GoalProgress | None
    achieved_at: AwareDatetime | None
    created_at: AwareDatetime
    updated_at: AwareDatetime


class Question(_Read):
    id: uuid.UUID
    type: QuestionType
    prompt: Prompt
    answer: dict[str, Any]
    explanation: Explanation
    topic: Topic | None
    item_id: uuid.UUID | None
    source: Source
    created_at: AwareDatetime
    updated_at: AwareDatetime

    @model_validator(mode="after")
    def _answer_fits_the_type(self) -> Question:
        if problem := answer_data_problem(self.type, self.prompt, self.answer):
            raise ValueError(f"answer: {problem}")
        return self


class QuestionAsked(_Read):
    id: uuid.UUID
    type: QuestionType
    prompt: Prompt
    options: list[str] | None
    topic: Topic | None
    source: Source


class Quiz(_Read):
    id: uuid.UUID
    track_id: uuid.UUID | None
    topic: Topic | None
    generator: Literal["offline", "llm", "bank"]
    questions: list[QuestionAsked] = Field(max_length=50)
    warnings: list[Annotated[str, Field(max_length=1000)]] = Field(max_length=50)
    created_at: AwareDatetime
    submitted_at: AwareDatetime | None
    score: float | None = Field(ge=0, le=100)
    results: list[QuestionResult] | None = Field(max_length=50)


class Achievement(_Read):
    id: Annotated[str, Field(min_length=1, max_length=64)]
    unlocked: bool
    unlocked_at: AwareDatetime | None


class Day(_Read):
    """A day of the history: only the achievements it unlocked are read."""

    day: date = Field(alias="date")
    achievements_unlocked: list[Annotated[str, Field(max_length=64)]] = Field(max_length=10_000)


class Event(BaseModel):
    """One event exactly as the export writes it; a field it never writes (a learner's id, say)
    is refused."""

    model_config = ConfigDict(extra="forbid")

    id: EventId
    kind: str
    occurred_at: AwareDatetime
    recorded_at: AwareDatetime
    local_date: date
    topic: Topic | None
    grade: float | None = Field(ge=0, le=100)
    time_spent_seconds: int | None = Field(ge=0)
    hints_used: int | None = Field(ge=0)
    xp: int  # what it earned by the exporting server's rules: recomputed here
    metadata: dict[str, Any] | None
    voided_by: EventId | None

    @model_validator(mode="after")
    def _known_kind(self) -> Event:
        if self.kind not in EVENT_KINDS:
            raise ValueError(f"kind: unknown event kind {self.kind!r}")
        if EVENT_KINDS[self.kind].system != self.id.startswith(SYSTEM_ID_PREFIX):
            raise ValueError(f"id: {self.id!r} does not fit an event of kind {self.kind!r}")
        return self


class Leaderboards(_Read):
    listed: bool
    show_name: bool


class Export(_Read):
    format: Literal["questpath-export"]
    format_version: Literal[2]
    profile: Profile
    achievements: list[Achievement] = Field(max_length=10_000)
    questions: list[Question] = Field(max_length=MAX_ROWS)
    quizzes: list[Quiz] = Field(max_length=MAX_ROWS)
    tracks: list[TrackTree] = Field(max_length=MAX_ROWS)
    goals: list[Goal] = Field(max_length=MAX_ROWS)
    history: list[Day] = Field(max_length=MAX_ROWS)
    # Metadata only, never restored: the secrets were not exported.
    api_keys: list[dict[str, Any]] = Field(max_length=MAX_ROWS)
    sharing: dict[str, Any] | None = None
    leaderboards: Leaderboards | None = None  # added within version 2
    events: list[Event] = Field(max_length=10 * MAX_ROWS)


def categories_of(track: TrackTree) -> Iterator[Category]:
    stack = list(track.categories)
    while stack:
        category = stack.pop()
        yield category
        stack += category.categories


def items_of(track: TrackTree) -> Iterator[Item]:
    """Every item of the track, sub-items and archived ones included."""
    stack: list[Item] = [*track.items, *track.archived_items]
    stack += [item for category in categories_of(track) for item in category.items]
    while stack:
        item = stack.pop()
        yield item
        stack += item.children


def consistency_problem(export: Export) -> FieldError | None:
    """What makes the sections disagree with each other, if anything: ids repeated, voids that
    do not match, done items the log never completed."""
    for section, ids in (
        ("events", [e.id for e in export.events]),
        ("questions", [q.id for q in export.questions]),
        ("quizzes", [q.id for q in export.quizzes]),
        ("goals", [g.id for g in export.goals]),
        ("tracks", [t.id for t in export.tracks]),
        ("tracks", [c.id for t in export.tracks for c in categories_of(t)]),
        ("tracks", [i.id for t in export.tracks for i in items_of(t)]),
    ):
        if repeated := [str(x) for x, n in Counter(ids).items() if n > 1][:1]:
            return FieldError(section, f"the id {repeated[0]} appears more than once")
    return _void_problem(export.events) or _done_item_problem(export)


def _void_problem(events: list[Event]) -> FieldError | None:
    """Each voided event names an `event_voided` event that voids it, and each of those voids
    an event marked with it."""
    by_id = {e.id: e for e in events}
    for event in events:
        if event.voided_by is not None:
            void = by_id.get(event.voided_by)
            if void is None or void.kind != "event_voided" or _voids(void) != event.id:
                return FieldError("events", f"{event.id!r} is voided by no event that voids it")
        if event.kind == "event_voided":
            target = by_id.get(_voids(event) or "")
            if target is None or target.voided_by != event.id:
                return FieldError("events", f"{event.id!r} voids no event marked as voided by it")
    return None


def _voids(event: Event) -> str | None:
    voided = (event.metadata or {}).get("voids")
    return voided if isinstance(voided, str) else None


def _done_item_problem(export: Export) -> FieldError | None:
    """A done item earned its `item_completed` event: one without it would be done for no
    credit, so the file was edited."""
    completed = {e.id for e in export.events if e.kind == "item_completed"}
    for track in export.tracks:
        for item in items_of(track):
            if item.state == "done" and f"{SYSTEM_ID_PREFIX}item:{item.id}" not in completed:
                message = f"item {item.id} is done but the log never completed it"
                return FieldError("tracks", message)
    return None


def parse(data: bytes) -> Export:
    """The export in `data`, or `Invalid` naming the first thing wrong with it."""
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise Invalid.field("file", "is not JSON: not an account export") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise Invalid.field("format", f"is not {FORMAT!r}: the file is not an account export")
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise Invalid.field(
            "format_version",
            f"{version!r} is not a version this server reads (it reads {FORMAT_VERSION})",
        )
    try:
        export = Export.model_validate(document)
    except ValidationError as invalid:
        error = invalid.errors()[0]
        message = error["msg"].removeprefix("Value error, ")
        raise Invalid.field(field_path(["file", *error["loc"]]), message) from invalid
    if problem := consistency_problem(export):
        raise Invalid([problem])
    return export
