"""The LLM question generator against a fake OpenAI-compatible server on loopback."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from questpath.config import Settings
from questpath.observability import configure_logging
from questpath.quizzes.drafts import BLANK, QuestionDraft, SourceItem
from questpath.quizzes.llm import (
    Generated,
    GenerationFailed,
    LlmConfig,
    generate,
    retry_after_milliseconds,
    retry_after_seconds,
)
from tests.quizzes.fake_llm import (
    FakeLlm,
    Reply,
    Status,
    cloze,
    free_port_url,
    invalid_json,
    multiple_choice,
    questions,
    rate_limited,
    server_error,
    short_answer,
    stall,
    true_false,
    wrong_shape,
)

API_KEY = "sk-questpath-test-4f9c2e7d1b"
MODEL = "quiz-writer-7b"

BTREE = SourceItem(
    id=uuid.uuid4(),
    title="B-tree index",
    description="A balanced tree that keeps its keys sorted, so lookups and range scans are cheap.",
    category="Databases",
    topic="databases",
)
WAL = SourceItem(
    id=uuid.uuid4(),
    title="Write-ahead log",
    description="Changes go to an append-only log before the data files, for crash recovery.",
    category="",
)
ITEMS = [BTREE, WAL]

GOOD_CHOICE = multiple_choice(
    "Which structure do most relational databases use for their default index?",
    ["Hash table", "B-tree", "Linked list"],
    1,
    item_title="B-tree index",
)
GOOD_TRUTH = true_false("The log is written after the data files change.", False)


def config(server: FakeLlm | str, timeout: float = 5.0, api_key: str = API_KEY) -> LlmConfig:
    base_url = server if isinstance(server, str) else server.base_url
    return LlmConfig(base_url=base_url, model=MODEL, api_key=api_key, timeout_seconds=timeout)


async def run(
    server: FakeLlm | str, count: int = 4, budget: float = 5.0, **kwargs: Any
) -> Generated:
    kwargs.setdefault("topic", "storage")
    kwargs.setdefault("track_title", "Databases 101")
    return await generate(config(server, budget), ITEMS, count, **kwargs)


async def fails(server: FakeLlm | str, count: int = 4, budget: float = 5.0) -> str:
    with pytest.raises(GenerationFailed) as caught:
        await run(server, count, budget)
    return str(caught.value)


def messages(server: FakeLlm, index: int) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = server.requests[index].body["messages"]
    return result


# Valid answers ------------------------------------------------------------------------------


async def test_valid_answer_becomes_drafts_linked_to_items(llm_server: FakeLlm) -> None:
    llm_server.script(
        questions(
            GOOD_CHOICE,
            true_false(
                "A write-ahead log is written only after the data files have changed.",
                False,
                item_title="write-ahead LOG",
                explanation="The log comes first.",
            ),
            short_answer(
                "What is written before the data files so that a crash can be recovered?",
                [" the write-ahead log ", "WAL", ""],
            ),
            cloze(
                "A B-tree keeps its keys ___ for cheap range scans.",
                ["sorted"],
                item_title="B-tree index",
            ),
        )
    )

    generated = await run(llm_server)

    assert generated.warnings == []
    assert generated.drafts == [
        QuestionDraft(
            type="multiple_choice",
            prompt=GOOD_CHOICE["prompt"],
            answer={"options": ["Hash table", "B-tree", "Linked list"], "correct": 1},
            explanation="Because.",
            topic="databases",  # the item's own topic
            item_id=BTREE.id,
        ),
        QuestionDraft(
            type="true_false",
            prompt="A write-ahead log is written only after the data files have changed.",
            answer={"correct": False},
            explanation="The log comes first.",
            topic="storage",  # the item has no topic: the requested one
            item_id=WAL.id,
        ),
        QuestionDraft(
            type="short_answer",
            prompt="What is written before the data files so that a crash can be recovered?",
            answer={"accepted": ["the write-ahead log", "WAL"]},
            explanation="Because.",
            topic="storage",
            item_id=None,
        ),
        QuestionDraft(
            type="cloze",
            prompt=f"A B-tree keeps its keys {BLANK} for cheap range scans.",
            answer={"accepted": ["sorted"]},
            explanation="Because.",
            topic="databases",
            item_id=BTREE.id,
        ),
    ]
    assert len(llm_server.requests) == 1


async def test_request_carries_model_key_schema_and_source_material(llm_server: FakeLlm) -> None:
    llm_server.script(questions(GOOD_CHOICE))

    await run(llm_server, count=3)

    [request] = llm_server.requests
    assert request.method == "POST"
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.body["model"] == MODEL
    response_format = request.body["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["name"] == "quiz_questions"
    schema = response_format["json_schema"]["schema"]
    assert schema["required"] == ["questions"]
    assert set(schema["$defs"]) >= {"_MultipleChoice", "_TrueFalse", "_ShortAnswer", "_Cloze"}
    system, user = request.body["messages"]
    assert system["role"] == "system"
    assert '"questions"' in system["content"]
    assert BLANK in system["content"]
    assert user["role"] == "user"
    assert "Write 3 quiz questions." in user["content"]
    assert "Track: Databases 101" in user["content"]
    assert "Topic: storage" in user["content"]
    assert f"- B-tree index (category: Databases): {BTREE.description}" in user["content"]
    assert f"- Write-ahead log: {WAL.description}" in user["content"]


async def test_topic_alone_is_source_enough(llm_server: FakeLlm) -> None:
    llm_server.script(questions(GOOD_TRUTH))

    generated = await generate(config(llm_server), [], 1, topic="query planning", track_title=None)

    assert [(d.topic, d.item_id) for d in generated.drafts] == [("query planning", None)]
    user = messages(llm_server, 0)[1]["content"]
    assert user == "Write 1 quiz question.\nTopic: query planning"


async def test_without_an_api_key_a_placeholder_is_sent(llm_server: FakeLlm) -> None:
    llm_server.script(questions(GOOD_TRUTH))

    await generate(config(llm_server, api_key=""), ITEMS, 1, topic=None, track_title=None)

    assert llm_server.requests[0].headers["authorization"] == "Bearer not-needed"


async def test_code_fenced_json_is_accepted(llm_server: FakeLlm) -> None:
    fenced = "```json\n" + json.dumps({"questions": [GOOD_TRUTH]}) + "\n```"
    llm_server.script(Reply(fenced))

    generated = await run(llm_server, count=1)

    assert [d.prompt for d in generated.drafts] == [GOOD_TRUTH["prompt"]]
    assert len(llm_server.requests) == 1


async def test_at_most_count_drafts_come_back(llm_server: FakeLlm) -> None:
    many = [true_false(f"Statement number {n} about indexes is true.", True) for n in range(5)]
    llm_server.script(questions(*many))

    generated = await run(llm_server, count=3)

    assert [d.prompt for d in generated.drafts] == [q["prompt"] for q in many[:3]]
    assert generated.warnings == []


async def test_fewer_questions_than_asked_is_a_warning(llm_server: FakeLlm) -> None:
    llm_server.script(questions(GOOD_CHOICE, GOOD_TRUTH))

    generated = await run(llm_server, count=5)

    assert len(generated.drafts) == 2
    assert generated.warnings == ["the LLM wrote 2 usable questions of the 5 asked for"]


# Invalid answers: one retry carrying the error ------------------------------------------------


async def test_invalid_json_then_valid_succeeds(llm_server: FakeLlm) -> None:
    llm_server.script(invalid_json(), questions(GOOD_TRUTH))

    generated = await run(llm_server, count=1)

    assert [d.prompt for d in generated.drafts] == [GOOD_TRUTH["prompt"]]
    first, second = messages(llm_server, 0), messages(llm_server, 1)
    assert second[:2] == first
    bad_answer, correction = second[2:]
    assert bad_answer == {"role": "assistant", "content": invalid_json().content}
    assert correction["role"] == "user"
    assert correction["content"].startswith("That answer could not be used: Invalid JSON")
    assert "Reply again with only the JSON object" in correction["content"]


async def test_invalid_json_twice_fails(llm_server: FakeLlm) -> None:
    llm_server.script(invalid_json(), invalid_json())

    message = await fails(llm_server)

    assert message.startswith("the LLM's answer was not valid quiz JSON: Invalid JSON")
    assert len(llm_server.requests) == 2


async def test_wrong_shape_then_valid_succeeds(llm_server: FakeLlm) -> None:
    llm_server.script(wrong_shape(), questions(GOOD_CHOICE))

    generated = await run(llm_server, count=1)

    assert [d.type for d in generated.drafts] == ["multiple_choice"]
    correction = messages(llm_server, 1)[-1]["content"]
    assert "questions: Field required" in correction


async def test_wrong_shape_twice_fails(llm_server: FakeLlm) -> None:
    bad_question = questions({"type": "essay", "prompt": "Discuss B-trees."})
    llm_server.script(wrong_shape(), bad_question)

    message = await fails(llm_server)

    assert message.startswith("the LLM's answer was not valid quiz JSON: questions.0: ")
    assert "essay" in message
    assert len(llm_server.requests) == 2


async def test_an_empty_question_list_is_invalid(llm_server: FakeLlm) -> None:
    llm_server.script(questions(), Reply(None))

    message = await fails(llm_server)

    assert "at least 1 item" in messages(llm_server, 1)[-1]["content"]
    assert message == "the LLM's answer was not valid quiz JSON: the answer was empty"


# Unusable questions ---------------------------------------------------------------------------


async def test_unusable_questions_are_left_out_with_a_warning(llm_server: FakeLlm) -> None:
    llm_server.script(
        questions(
            short_answer("What does WAL stand for in a write-ahead log?", ["write-ahead log"]),
            GOOD_CHOICE,
            multiple_choice("Pick the tree.", ["B-tree", "b-tree", "Heap"], 0),
            cloze("Nothing to fill in here.", ["anything"]),
            multiple_choice("Which is a log?", ["WAL", "Heap"], 5),
            GOOD_TRUTH,
            GOOD_TRUTH | {"explanation": "The same question again."},
        )
    )

    generated = await run(llm_server, count=2)

    assert [d.prompt for d in generated.drafts] == [GOOD_CHOICE["prompt"], GOOD_TRUTH["prompt"]]
    assert generated.warnings == [
        "5 of the LLM's 7 questions were unusable and were left out: "
        "the prompt gives its answer away; options must be distinct; "
        f"a cloze prompt must hold exactly one blank ({BLANK}); "
        "correct must be the index of the right option; the same prompt came twice"
    ]


async def test_no_usable_question_fails(llm_server: FakeLlm) -> None:
    giveaway = short_answer("Is the answer yes?", ["yes"])
    llm_server.script(questions(giveaway, giveaway | {"prompt": "Is it yes? Say yes."}))

    message = await fails(llm_server)

    assert message == (
        "none of the LLM's questions were usable: the prompt gives its answer away (2 questions)"
    )
    assert len(llm_server.requests) == 1


# Rate limits, time limits and server errors ---------------------------------------------------


async def test_rate_limit_waits_for_retry_after_then_succeeds(llm_server: FakeLlm) -> None:
    llm_server.script(rate_limited("1"), questions(GOOD_TRUTH))

    started = time.monotonic()
    generated = await run(llm_server, count=1)

    assert time.monotonic() - started >= 0.95  # it waited as asked before asking again
    assert len(generated.drafts) == 1
    assert len(llm_server.requests) == 2
    assert messages(llm_server, 1) == messages(llm_server, 0)


async def test_rate_limit_longer_than_the_budget_fails_at_once(llm_server: FakeLlm) -> None:
    llm_server.script(rate_limited("120"), questions(GOOD_TRUTH))

    message = await fails(llm_server, budget=5)

    assert message == "the LLM server is rate limiting; it asked to wait 120 s"
    assert len(llm_server.requests) == 1


async def test_rate_limit_with_an_http_date(llm_server: FakeLlm) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    llm_server.script(rate_limited(later))

    message = await fails(llm_server, budget=5)

    assert message.startswith("the LLM server is rate limiting; it asked to wait 3")
    assert message.endswith(" s")
    assert len(llm_server.requests) == 1


async def test_rate_limit_is_retried_once_only(llm_server: FakeLlm) -> None:
    llm_server.script(rate_limited("0"), rate_limited("0"), questions(GOOD_TRUTH))

    message = await fails(llm_server)

    assert message == "the LLM server is rate limiting; it asked to wait 0 s"
    assert len(llm_server.requests) == 2


async def test_rate_limit_without_retry_after_fails(llm_server: FakeLlm) -> None:
    llm_server.script(rate_limited(None), questions(GOOD_TRUTH))

    assert await fails(llm_server) == "the LLM server is rate limiting"
    assert len(llm_server.requests) == 1


def test_retry_after_milliseconds_values() -> None:
    assert retry_after_milliseconds("1500") == 1.5
    assert retry_after_milliseconds("-20") == 0.0
    for unusable in (None, "", "soon", "inf", "nan"):
        assert retry_after_milliseconds(unusable) is None


async def test_rate_limit_honours_retry_after_ms_before_retry_after(llm_server: FakeLlm) -> None:
    limited = Status(
        429, {"error": {"message": "slow down"}}, {"retry-after-ms": "200", "Retry-After": "600"}
    )
    llm_server.script(limited, questions(GOOD_CHOICE))

    result = await run(llm_server, count=1)

    assert len(result.drafts) == 1
    assert len(llm_server.requests) == 2


async def test_openai_environment_variables_are_not_sent_to_the_server(
    llm_server: FakeLlm, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_ORG_ID", "org-from-elsewhere")
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj-from-elsewhere")
    llm_server.script(questions(GOOD_CHOICE))

    await run(llm_server, count=1)

    [request] = llm_server.requests
    assert "openai-organization" not in request.headers
    assert "openai-project" not in request.headers


def test_retry_after_values() -> None:
    now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("2", now) == 2.0
    assert retry_after_seconds(" 1.5 ", now) == 1.5
    assert retry_after_seconds("Sat, 01 Mar 2025 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Sat, 01 Mar 2025 11:00:00 GMT", now) == 0.0
    assert retry_after_seconds("-3", now) == 0.0
    for unusable in (None, "", "soon", "inf", "nan"):
        assert retry_after_seconds(unusable, now) is None


async def test_a_stalled_server_hits_the_time_limit(llm_server: FakeLlm) -> None:
    llm_server.script(stall(30))

    started = time.monotonic()
    message = await fails(llm_server, budget=1)

    assert message == "the LLM server did not answer within 1 s"
    assert time.monotonic() - started < 5  # not the 30 s of the stall
    assert len(llm_server.requests) == 1


async def test_the_time_limit_covers_all_attempts_together(llm_server: FakeLlm) -> None:
    llm_server.script(invalid_json(), stall(30))

    message = await fails(llm_server, budget=1)

    assert message == "the LLM server did not answer within 1 s"
    assert len(llm_server.requests) == 2


@pytest.mark.parametrize("status", [500, 503, 401, 404])
async def test_an_http_error_fails_without_retry(llm_server: FakeLlm, status: int) -> None:
    llm_server.script(server_error(status), questions(GOOD_TRUTH))

    assert await fails(llm_server) == f"the LLM server answered HTTP {status}"
    assert len(llm_server.requests) == 1


async def test_a_non_json_success_is_not_a_completion(llm_server: FakeLlm) -> None:
    llm_server.script(Status(200, "<html>hello</html>", {"content-type": "text/html"}))

    assert await fails(llm_server) == "the LLM server's answer was not a chat completion"


async def test_a_closed_port_is_unreachable() -> None:
    assert await fails(free_port_url()) == "could not reach the LLM server"


# Secrets --------------------------------------------------------------------------------------


@pytest.mark.usefixtures("restore_logging")
async def test_failures_are_logged_once_without_the_key(
    llm_server: FakeLlm, capsys: pytest.CaptureFixture[str]
) -> None:
    # Logging as the app sets it up in production: JSON lines on stderr (here: capsys's).
    configure_logging("INFO", "json")
    echoing = Status(401, {"error": {"message": f"Incorrect API key provided: {API_KEY}"}})
    llm_server.script(echoing, rate_limited("60"), invalid_json(), invalid_json(), stall(30))
    failures: list[str] = []
    for budget in (5, 5, 5, 1):
        with pytest.raises(GenerationFailed) as caught:
            await run(llm_server, budget=budget)
        failures.append(str(caught.value))
        assert API_KEY not in repr(caught.value.args)
        assert caught.value.__cause__ is None  # no chained client error holding the response

    captured = capsys.readouterr()
    assert API_KEY not in captured.out + captured.err
    lines = [json.loads(line) for line in captured.err.splitlines() if line.startswith("{")]
    logged = [line for line in lines if line["event"] == "llm_generation_failed"]
    assert [(e["level"], e["reason"], e["status"], e["attempt"]) for e in logged] == [
        ("warning", "http_error", 401, 1),
        ("warning", "rate_limited", 429, 1),
        ("warning", "invalid_output", None, 2),
        ("warning", "timeout", None, 1),
    ]
    assert [e["error"] for e in logged] == failures
    assert logged[0]["detail"] == "Incorrect API key provided: [redacted]"
    assert all(e["model"] == MODEL for e in logged)
    # The key did travel, where it belongs: in the Authorization header.
    assert {r.headers["authorization"] for r in llm_server.requests} == {f"Bearer {API_KEY}"}


def test_config_comes_from_settings_and_hides_the_key() -> None:
    settings = Settings(
        llm_base_url="http://127.0.0.1:9/v1",
        llm_model=MODEL,
        llm_api_key=API_KEY,
        llm_timeout_seconds=7.5,
    )
    llm = LlmConfig.from_settings(settings)

    assert llm == LlmConfig("http://127.0.0.1:9/v1", MODEL, API_KEY, 7.5)
    assert API_KEY not in repr(llm)
    assert LlmConfig.from_settings(Settings(llm_base_url="", llm_model=MODEL)) is None
    assert LlmConfig.from_settings(Settings(llm_base_url="http://x/v1", llm_model="")) is None
