"""Quiz questions written by an LLM on any OpenAI-compatible chat-completions server.

`generate` asks for questions about track items (or a topic) as JSON matching a schema, checks
the answer with pydantic and the quiz rules, and returns the usable drafts. Every failure becomes
`GenerationFailed`, whose message is safe to show the learner: it never holds the API key.

Policy: one time budget (`timeout_seconds`) bounds all requests and waits together; an answer
that is not valid quiz JSON is sent back once with the error; an HTTP 429 is retried once after
its Retry-After when that fits in the budget; any other HTTP or connection error ends at once.
"""

from __future__ import annotations

import asyncio
import email.utils
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

import structlog
from pydantic import BaseModel, Field, ValidationError

from questpath.clock import utc_now
from questpath.config import Settings
from questpath.metrics.instruments import LLM_GENERATIONS
from questpath.quizzes import drafts
from questpath.quizzes.drafts import QuestionDraft, QuestionType, SourceItem
from questpath.quizzes.rules import draft_problem, normalise

if TYPE_CHECKING:
    # The client library is imported where a request is made: it takes about a second to
    # import, which every server process and command would pay without an LLM configured.
    import openai
    from openai.types.chat import ChatCompletionMessageParam
    from openai.types.shared_params import ResponseFormatJSONSchema

log = structlog.get_logger("questpath.llm")

MAX_ITEMS = 60  # source items sent in one request
MAX_DESCRIPTION = 800  # characters of each item description sent
MAX_DETAIL = 200  # characters of an error text kept in messages and logs
_FENCED = re.compile(r"^\s*```[a-zA-Z]*\s*(.*?)\s*```\s*$", re.DOTALL)
_BLANK_RUN = re.compile(r"_{3,}")
_NOT_A_COMPLETION = "the LLM server's answer was not a chat completion"


@dataclass(frozen=True)
class LlmConfig:
    base_url: str
    model: str
    api_key: str = field(repr=False)
    timeout_seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> LlmConfig | None:
        """The configured server, or None while quiz generation by LLM is off."""
        if not settings.llm_configured:
            return None
        key = settings.llm_api_key.get_secret_value()
        return cls(settings.llm_base_url, settings.llm_model, key, settings.llm_timeout_seconds)


@dataclass(frozen=True)
class Generated:
    drafts: list[QuestionDraft]
    warnings: list[str]


class GenerationFailed(Exception):
    """No questions came back; `str(exc)` is a short message fit for the learner."""

    def __init__(
        self, message: str, *, reason: str, status: int | None = None, detail: str | None = None
    ) -> None:
        super().__init__(message)
        self.reason = reason  # a code for logs: timeout, rate_limited, http_error, unreachable...
        self.status = status
        self.detail = detail  # for the log only: the server's own error text, shortened


class _Question(BaseModel):
    type: QuestionType
    prompt: str
    explanation: str = Field(default="", description="one or two sentences on why")
    item_title: str | None = Field(default=None, description="the source item's exact title")

    def answer(self) -> dict[str, Any]:
        raise NotImplementedError


class _MultipleChoice(_Question):
    type: Literal["multiple_choice"]
    options: list[str] = Field(description="2 to 6 distinct choices")
    correct_index: int = Field(description="0-based index of the one right option")

    def answer(self) -> dict[str, Any]:
        return {"options": [o.strip() for o in self.options], "correct": self.correct_index}


class _TrueFalse(_Question):
    type: Literal["true_false"]
    correct: bool

    def answer(self) -> dict[str, Any]:
        return {"correct": self.correct}


class _ShortAnswer(_Question):
    type: Literal["short_answer"]
    accepted_answers: list[str] = Field(description="answers counted as right, the best first")

    def answer(self) -> dict[str, Any]:
        return {"accepted": [a.strip() for a in self.accepted_answers if normalise(a)]}


class _Cloze(_Question):
    type: Literal["cloze"]
    accepted_answers: list[str] = Field(description="what fills the blank, the best first")

    def answer(self) -> dict[str, Any]:
        return {"accepted": [a.strip() for a in self.accepted_answers if normalise(a)]}


class _Answer(BaseModel):
    questions: list[
        Annotated[_MultipleChoice | _TrueFalse | _ShortAnswer | _Cloze, Field(discriminator="type")]
    ] = Field(min_length=1)


RESPONSE_FORMAT: ResponseFormatJSONSchema = {
    "type": "json_schema",
    "json_schema": {"name": "quiz_questions", "schema": _Answer.model_json_schema()},
}

SYSTEM_PROMPT = f"""You write quiz questions that help a learner review what they study.
Answer with one JSON object and nothing else (no prose, no code fences): {{"questions": [...]}}.
Each question is one of:
- {{"type": "multiple_choice", "prompt": "...", "options": ["...", "..."], "correct_index": 0,
  "explanation": "..."}} with 2 to 6 distinct options and correct_index the 0-based index of
  the one right option;
- {{"type": "true_false", "prompt": "a statement", "correct": true, "explanation": "..."}};
- {{"type": "short_answer", "prompt": "...", "accepted_answers": ["..."], "explanation": "..."}}
  with short answers that count as right, the best first;
- {{"type": "cloze", "prompt": "a sentence with one blank written {drafts.BLANK}",
  "accepted_answers": ["..."], "explanation": "..."}}.
Add "item_title" with the exact title of the source item a question is about.
A prompt must never contain its own answer. Mix the question types; keep answers short."""


def _clip(text: str, limit: int = MAX_DETAIL) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _messages(
    items: Sequence[SourceItem], count: int, topic: str | None, track_title: str | None
) -> list[ChatCompletionMessageParam]:
    lines = [f"Write {count} quiz question{'s' if count != 1 else ''}."]
    lines += [f"Track: {track_title}"] if track_title else []
    lines += [f"Topic: {topic}"] if topic else []
    lines += ["Source items:"] if items else []
    for item in items[:MAX_ITEMS]:
        category = f" (category: {item.category})" if item.category else ""
        description = _clip(item.description, MAX_DESCRIPTION)
        lines.append(f"- {item.title}{category}" + (f": {description}" if description else ""))
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": "\n".join(lines)},
    ]


def retry_after_milliseconds(value: str | None) -> float | None:
    """A retry-after-ms header (OpenAI's, finer than Retry-After) as seconds; None if unusable."""
    try:
        seconds = float(value) / 1000 if value is not None else math.nan
    except ValueError:
        return None
    return max(seconds, 0.0) if math.isfinite(seconds) else None


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """A Retry-After header as seconds from now (delay-seconds or HTTP-date); None if unusable."""
    if value is None or not value.strip():
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value.strip())
        except (TypeError, ValueError):
            return None
        when = when if when.tzinfo else when.replace(tzinfo=UTC)
        seconds = (when - (now or utc_now())).total_seconds()
    return max(seconds, 0.0) if math.isfinite(seconds) else None


def _parse(content: str | None) -> _Answer | str:
    """The answer, or a short readable reason why it is not valid quiz JSON."""
    if content is None or not content.strip():
        return "the answer was empty"
    if fenced := _FENCED.match(content):
        content = fenced.group(1)
    try:
        return _Answer.model_validate_json(content)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        where = [".".join(map(str, e["loc"])) for e in errors[:3]]
        parts = [
            f"{at}: {e['msg']}" if at else e["msg"] for at, e in zip(where, errors, strict=False)
        ]
        parts += [f"and {len(errors) - 3} more errors"] if len(errors) > 3 else []
        return _clip("; ".join(parts))


def _detail(body: object) -> str | None:
    """The error text in an error response's body, shortened, for the log."""
    if isinstance(body, dict):
        error = body.get("error", body)
        body = error.get("message", error) if isinstance(error, dict) else error
    return None if body is None else _clip(str(body))


class _Session:
    """The requests of one generation, sharing its deadline and its retries."""

    def __init__(self, client: openai.AsyncOpenAI, config: LlmConfig, deadline: float) -> None:
        self.client, self.config, self.deadline = client, config, deadline
        self.attempt = 0
        self.rate_limited = False

    def remaining(self) -> float:
        return self.deadline - asyncio.get_running_loop().time()

    def timed_out(self) -> GenerationFailed:
        seconds = f"{self.config.timeout_seconds:g}"
        return GenerationFailed(
            f"the LLM server did not answer within {seconds} s", reason="timeout"
        )

    async def complete(self, messages: list[ChatCompletionMessageParam]) -> str | None:
        """One chat completion's text, after at most one wait a 429 asks for."""
        import openai

        while True:
            self.attempt += 1
            try:
                completion: object = await self.client.chat.completions.create(
                    model=self.config.model,
                    messages=messages,
                    response_format=RESPONSE_FORMAT,
                    timeout=max(self.remaining(), 0.001),
                )
            except openai.RateLimitError as exc:
                headers = exc.response.headers
                wait = retry_after_milliseconds(headers.get("retry-after-ms"))
                if wait is None:
                    wait = retry_after_seconds(headers.get("retry-after"))
                if self.rate_limited or wait is None or wait >= self.remaining():
                    asked = f"; it asked to wait {math.ceil(wait)} s" if wait is not None else ""
                    message = f"the LLM server is rate limiting{asked}"
                    raise GenerationFailed(message, reason="rate_limited", status=429) from None
                self.rate_limited = True
                log.info("llm_retry", reason="rate_limited", attempt=self.attempt, wait_s=wait)
                await asyncio.sleep(wait)
                continue
            except openai.APITimeoutError:
                raise self.timed_out() from None
            except openai.APIStatusError as exc:
                message, status = f"the LLM server answered HTTP {exc.status_code}", exc.status_code
                detail = _detail(exc.body)
                failed = GenerationFailed(
                    message, reason="http_error", status=status, detail=detail
                )
                raise failed from None
            except openai.APIConnectionError:
                message = "could not reach the LLM server"
                raise GenerationFailed(message, reason="unreachable") from None
            except openai.APIError:
                raise GenerationFailed(_NOT_A_COMPLETION, reason="bad_response") from None
            # A server that ignores the protocol can give text or a half-filled object back.
            choices = getattr(completion, "choices", None)
            if not isinstance(choices, list):
                raise GenerationFailed(_NOT_A_COMPLETION, reason="bad_response")
            content = getattr(getattr(choices[0], "message", None), "content", None)
            return content if isinstance(content, str) else None

    async def questions(self, messages: list[ChatCompletionMessageParam]) -> _Answer:
        """Valid quiz JSON, asking once more with the error when the first answer is not."""
        content = await self.complete(messages)
        answer = _parse(content)
        if isinstance(answer, _Answer):
            return answer
        log.info("llm_retry", reason="invalid_output", attempt=self.attempt, error=answer)
        correction = f"That answer could not be used: {answer}. Reply again with only the JSON "
        retry: list[ChatCompletionMessageParam] = [
            *messages,
            {"role": "assistant", "content": (content or "")[:8000]},
            {"role": "user", "content": correction + "object described above."},
        ]
        answer = _parse(await self.complete(retry))
        if isinstance(answer, _Answer):
            return answer
        message = f"the LLM's answer was not valid quiz JSON: {answer}"
        raise GenerationFailed(message, reason="invalid_output")


def _draft(question: _Question, items: dict[str, SourceItem], topic: str | None) -> QuestionDraft:
    item = items.get(normalise(question.item_title)) if question.item_title else None
    prompt = question.prompt.strip()
    return QuestionDraft(
        type=question.type,
        prompt=_BLANK_RUN.sub(drafts.BLANK, prompt) if question.type == "cloze" else prompt,
        answer=question.answer(),
        explanation=question.explanation.strip(),
        topic=item.topic if item is not None and item.topic is not None else topic,
        item_id=item.id if item is not None else None,
    )


def _problem(draft: QuestionDraft) -> str | None:
    """Why a well-formed question cannot be stored (the quiz rules, then the length limits)."""
    if problem := draft_problem(draft):
        return problem
    texts = draft.answer.get("options") or draft.answer.get("accepted") or []
    if len(draft.prompt) > drafts.MAX_PROMPT or any(len(t) > drafts.MAX_ANSWER_TEXT for t in texts):
        return "the question is too long"
    if len(draft.explanation) > drafts.MAX_EXPLANATION:
        return "the explanation is too long"
    return None


def _usable(
    answer: _Answer, items: Sequence[SourceItem], topic: str | None
) -> tuple[list[QuestionDraft], list[str]]:
    """The drafts fit to store, and why each other question was left out."""
    by_title: dict[str, SourceItem] = {}
    for item in items:
        by_title.setdefault(normalise(item.title), item)
    usable: list[QuestionDraft] = []
    dropped: list[str] = []
    prompts: set[str] = set()
    for question in answer.questions:
        draft = _draft(question, by_title, topic)
        problem = _problem(draft)
        if problem is None and normalise(draft.prompt) in prompts:
            problem = "the same prompt came twice"
        if problem is None:
            prompts.add(normalise(draft.prompt))
            usable.append(draft)
        else:
            dropped.append(problem)
    return usable, dropped


def _reasons(dropped: list[str]) -> str:
    counts = Counter(dropped).items()
    return "; ".join(r if n == 1 else f"{r} ({n} questions)" for r, n in counts)


def _warnings(usable: list[QuestionDraft], dropped: list[str], count: int) -> list[str]:
    warnings = []
    if dropped:
        were = "was unusable and was" if len(dropped) == 1 else "were unusable and were"
        total = len(usable) + len(dropped)
        left_out = f"{len(dropped)} of the LLM's {total} questions {were} left out"
        warnings.append(f"{left_out}: {_reasons(dropped)}")
    if len(usable) < count:
        warnings.append(f"the LLM wrote {len(usable)} usable questions of the {count} asked for")
    return warnings


async def generate(
    config: LlmConfig,
    items: Sequence[SourceItem],
    count: int,
    *,
    topic: str | None,
    track_title: str | None,
) -> Generated:
    """Up to `count` checked question drafts about `items` (or `topic`), written by the LLM."""
    if count < 1:
        raise ValueError("count must be at least 1")
    import openai

    deadline = asyncio.get_running_loop().time() + config.timeout_seconds
    client = openai.AsyncOpenAI(
        base_url=config.base_url,
        api_key=config.api_key or "not-needed",
        timeout=config.timeout_seconds,
        max_retries=0,
    )
    # The client fills these from OPENAI_ORG_ID and OPENAI_PROJECT_ID, which belong to some
    # other use of this machine: the configured server is told nothing it was not given.
    client.organization = client.project = None
    session = _Session(client, config, deadline)
    try:
        async with client:
            try:
                async with asyncio.timeout_at(deadline):
                    answer = await session.questions(_messages(items, count, topic, track_title))
            except TimeoutError:
                raise session.timed_out() from None
        usable, dropped = _usable(answer, items, topic)
        if not usable:
            message = f"none of the LLM's questions were usable: {_reasons(dropped)}"
            raise GenerationFailed(_clip(message), reason="no_usable_questions")
    except GenerationFailed as exc:
        LLM_GENERATIONS.labels(exc.reason).inc()
        key, detail = config.api_key, exc.detail
        log.warning(
            "llm_generation_failed",
            reason=exc.reason,
            status=exc.status,
            attempt=session.attempt,
            model=config.model,
            error=str(exc),
            detail=detail.replace(key, "[redacted]") if detail and key else detail,
        )
        raise
    LLM_GENERATIONS.labels("ok").inc()
    log.info("llm_generation_done", attempts=session.attempt, drafts=len(usable))
    return Generated(drafts=usable[:count], warnings=_warnings(usable, dropped, count))
