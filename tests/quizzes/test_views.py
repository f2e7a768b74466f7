"""The quiz, review and question-bank pages used as a browser uses them: making a quiz from a
track, taking it, its results; reviewing a due question; adding, importing and deleting questions;
and who may use these pages."""

from __future__ import annotations

import asyncio
import html
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.helpers import Account, read_json
from tests.quizzes.fake_llm import FakeLlm, stall
from tests.web.browsing import page_token, signed_up, submit, texts

TRACK = """# Python web stack

## Web frameworks

- [ ] **FastAPI**: Builds asynchronous HTTP APIs from type hints and Pydantic models.
- [ ] **Django**: A batteries-included framework with an ORM, migrations and an admin site.
- [ ] **Flask**: A minimal microframework with routing and templating, extensions for the rest.

## Databases

- [ ] **PostgreSQL**: A relational database with transactions, indexes and rich JSON support.
- [ ] **SQLAlchemy**: The Python toolkit that maps classes to tables and composes SQL queries.
- [ ] **Alembic**: Schema migrations generated from model changes and applied in revision order.
"""
OPTIONS = ["A hash table", "A B-tree", "A linked list"]


# Helpers --------------------------------------------------------------------------------------


async def _import_track(client: httpx.AsyncClient, account: Account) -> str:
    response = await client.post(
        "/api/tracks/import",
        content=TRACK.encode(),
        headers={**account.headers, "Content-Type": "text/markdown"},
    )
    assert response.status_code == 201, response.text
    track_id: str = response.json()["id"]
    return track_id


async def _new_quiz(client: httpx.AsyncClient, fields: dict[str, str]) -> httpx.Response:
    return await submit(client, "/quizzes", fields, form_page="/quizzes")


async def _made_quiz(client: httpx.AsyncClient, track_id: str, count: int = 5) -> str:
    response = await _new_quiz(
        client, {"track_id": track_id, "count": str(count), "generator": "offline"}
    )
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/quizzes/([0-9a-f-]{36})", response.headers["location"])
    assert match, response.headers["location"]
    return match.group(1)


def _form_value(question: dict[str, Any]) -> str:
    """The form value of the right answer to a stored question."""
    answer = question["answer"]
    if question["type"] == "multiple_choice":
        return str(answer["correct"])
    if question["type"] == "true_false":
        return "true" if answer["correct"] else "false"
    return str(answer["accepted"][0])


async def _right_answers(
    client: httpx.AsyncClient, account: Account, quiz_id: str
) -> dict[str, str]:
    """Every question of the quiz answered right, as the quiz form sends it."""
    quiz = await read_json(client, f"/api/quizzes/{quiz_id}", account.headers)
    answers = {}
    for asked in quiz["questions"]:
        stored = await read_json(client, f"/api/questions/{asked['id']}", account.headers)
        answers[f"q-{asked['id']}"] = _form_value(stored)
    return answers


async def _question(
    client: httpx.AsyncClient, account: Account, body: dict[str, Any]
) -> dict[str, Any]:
    response = await client.post("/api/questions", json=body, headers=account.headers)
    assert response.status_code == 201, response.text
    question: dict[str, Any] = response.json()
    return question


async def _overdue(client: httpx.AsyncClient, account: Account, question_id: str) -> None:
    """Make the question due: a review forgotten ten days ago leaves its card overdue."""
    at = (datetime.now(UTC) - timedelta(days=10)).isoformat()
    response = await client.post(
        f"/api/reviews/{question_id}", json={"rating": "again", "at": at}, headers=account.headers
    )
    assert response.status_code == 200, response.text


def _error(page: str, field: str) -> str | None:
    match = re.search(rf'<p class="error" id="f-{re.escape(field)}-error">([^<]+)</p>', page)
    return html.unescape(match.group(1)) if match else None


def _text(page: str) -> str:
    """The page's text, tags removed and spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _toasts(page: str) -> list[str]:
    """The toasts the page shows (not the template that script copies)."""
    region = page.split('id="toasts"', 1)[1].split("<template", 1)[0]
    blocks = re.findall(r'<div class="toast toast-[a-z]+">(.*?)</div>', region, re.S)
    return [_text(block).removesuffix(" ×") for block in blocks]


def _review_id(page: str) -> str:
    match = re.search(r'name="review_id" value="([^"]+)"', page)
    assert match, "the review form has no id"
    return match.group(1)


# Making a quiz --------------------------------------------------------------------------------


async def test_a_quiz_from_a_track_is_taken_with_every_answer_right(
    client: httpx.AsyncClient,
) -> None:
    account = await signed_up(client)
    track_id = await _import_track(client, account)
    form_page = (await client.get("/quizzes")).text
    assert f'<option value="{track_id}">Python web stack</option>' in form_page
    assert "No quizzes yet" in form_page

    quiz_id = await _made_quiz(client, track_id, count=5)

    page = (await client.get(f"/quizzes/{quiz_id}")).text
    assert "Your quiz is ready 5 questions" in _toasts(page)
    assert "Quiz: Python web stack" in page
    assert page.count('<fieldset class="card question') == 5
    assert f'action="/quizzes/{quiz_id}/submit"' in page
    answers = await _right_answers(client, account, quiz_id)
    assert len(answers) == 5

    response = await submit(
        client, f"/quizzes/{quiz_id}/submit", answers, form_page=f"/quizzes/{quiz_id}"
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/quizzes/{quiz_id}"
    page = (await client.get(f"/quizzes/{quiz_id}")).text
    progress = await read_json(client, "/api/progress", account.headers)
    assert progress["xp"] > 0
    assert f"Score 100 · +{progress['xp']} XP 5 of 5 right" in _toasts(page)
    assert '<p class="stat" data-testid="score">100 <small>of 100</small></p>' in page
    assert page.count('<span class="chip done">Right</span>') == 5
    assert "Wrong" not in page
    assert page.count("Next review: ") == 5
    assert "<form" not in page.split("<main", 1)[1].split("</main>")[0]
    quiz = await read_json(client, f"/api/quizzes/{quiz_id}", account.headers)
    assert quiz["score"] == 100
    listing = _text((await client.get("/quizzes")).text)
    assert "Python web stack Score 100 5 questions" in listing


async def test_results_show_the_answer_given_beside_the_expected_one(
    client: httpx.AsyncClient,
) -> None:
    account = await signed_up(client)
    choice = await _question(
        client,
        account,
        {
            "type": "multiple_choice",
            "prompt": "Which structure backs most database indexes?",
            "answer": {"options": OPTIONS, "correct": 1},
            "explanation": "B-trees keep keys sorted and shallow.",
        },
    )
    truth = await _question(
        client,
        account,
        {
            "type": "true_false",
            "prompt": "SQLite runs as a separate server process.",
            "answer": {"correct": False},
        },
    )
    await _question(
        client,
        account,
        {
            "type": "cloze",
            "prompt": "A _____ bundles changes that succeed or fail together.",
            "answer": {"accepted": ["transaction"]},
        },
    )
    response = await _new_quiz(client, {"count": "3", "generator": "offline"})
    assert response.status_code == 303, response.text
    quiz_url = response.headers["location"]
    page = (await client.get(quiz_url)).text
    # Options are radio buttons whose values are their indexes; a cloze's blank is marked.
    for index, option in enumerate(OPTIONS):
        assert f'value="{index}"> <span>{option}</span>' in page
    assert '<span class="visually-hidden">blank</span>' in page
    assert 'label for="f-q-' in page

    response = await submit(
        client,
        f"{quiz_url}/submit",
        {f"q-{choice['id']}": "0", f"q-{truth['id']}": "false"},  # the blank left empty
        form_page=quiz_url,
    )

    assert response.status_code == 303
    page = (await client.get(quiz_url)).text
    assert "Score 33 · +" in _toasts(page)[0]
    results = [_text(r) for r in re.findall(r'<li class="card result[^"]*">(.*?)</li>', page, re.S)]
    by_prompt = {r.split(" Right ")[0].split(" Wrong ")[0]: r for r in results}
    assert len(by_prompt) == 3
    wrong_choice = by_prompt["1. Which structure backs most database indexes?"]
    assert "Wrong Your answer A hash table Expected A B-tree" in wrong_choice
    assert "B-trees keep keys sorted and shallow." in wrong_choice
    assert (
        "Right Your answer False Expected False"
        in by_prompt["2. SQLite runs as a separate server process."]
    )
    cloze = next(r for key, r in by_prompt.items() if key.startswith("3."))
    assert "Wrong Your answer Not answered Expected transaction" in cloze


async def test_a_second_submission_shows_a_friendly_message(client: httpx.AsyncClient) -> None:
    account = await signed_up(client)
    quiz_id = await _made_quiz(client, await _import_track(client, account), count=3)
    answers = await _right_answers(client, account, quiz_id)
    first = await submit(
        client, f"/quizzes/{quiz_id}/submit", answers, form_page=f"/quizzes/{quiz_id}"
    )
    assert first.status_code == 303
    xp = (await read_json(client, "/api/progress", account.headers))["xp"]

    # The form as it was drawn before the first submission, sent again (another tab, say).
    token = await page_token(client, "/quizzes")
    again = await client.post(f"/quizzes/{quiz_id}/submit", data={"csrf_token": token, **answers})

    assert again.status_code == 303
    assert again.headers["location"] == f"/quizzes/{quiz_id}"
    page = await client.get(f"/quizzes/{quiz_id}")
    assert page.status_code == 200
    assert (
        "You have submitted this quiz already Each quiz is graded once; its results are below."
        in _toasts(page.text)
    )
    assert 'data-testid="score">100' in page.text
    assert (await read_json(client, "/api/progress", account.headers))["xp"] == xp


async def test_an_answer_that_fits_no_question_is_refused_beside_it(
    client: httpx.AsyncClient,
) -> None:
    account = await signed_up(client)
    choice = await _question(
        client,
        account,
        {
            "type": "multiple_choice",
            "prompt": "Which structure backs most database indexes?",
            "answer": {"options": OPTIONS, "correct": 1},
        },
    )
    response = await _new_quiz(client, {"count": "1", "generator": "offline"})
    quiz_url = response.headers["location"]

    # A form altered in the browser: an option's text where its index belongs.
    response = await submit(
        client, f"{quiz_url}/submit", {f"q-{choice['id']}": "A B-tree"}, form_page=quiz_url
    )

    assert response.status_code == 422
    field = f"q-{choice['id']}"
    assert _error(response.text, field) == "This is not an answer to this question"
    assert f'aria-describedby="f-{field}-error"' in response.text
    quiz = await read_json(client, f"/api/{quiz_url.strip('/')}", account.headers)
    assert quiz["submitted_at"] is None


async def test_new_quiz_field_errors_are_shown_beside_their_fields(
    client: httpx.AsyncClient,
) -> None:
    account = await signed_up(client)
    await _import_track(client, account)

    response = await _new_quiz(client, {"count": "0", "topic": "databases"})
    assert response.status_code == 422
    assert _error(response.text, "count") == "Input should be greater than or equal to 1"
    assert 'id="f-count" name="count" type="number" value="0"' in response.text
    assert 'name="topic" type="text" value="databases"' in response.text
    assert 'aria-describedby="f-count-hint f-count-error" aria-invalid="true"' in response.text

    response = await _new_quiz(client, {"count": "many"})
    assert response.status_code == 422
    assert _error(response.text, "count") == "Input should be a valid integer"

    unknown = str(uuid.uuid4())
    response = await _new_quiz(client, {"track_id": unknown, "count": "5"})
    assert response.status_code == 422
    assert _error(response.text, "track_id") == "Is not one of your tracks: choose another"

    response = await _new_quiz(client, {"generator": "llm"})
    assert response.status_code == 422
    assert "No LLM server is configured" in (_error(response.text, "generator") or "")

    response = await _new_quiz(client, {"topic": "knitting", "generator": "offline"})
    assert response.status_code == 422
    assert "There is nothing to ask about" in (_error(response.text, "topic") or "")

    quizzes = await read_json(client, "/api/quizzes", account.headers)
    assert quizzes["items"] == []


async def test_an_llm_quiz_holds_no_database_session_while_it_waits(
    client: httpx.AsyncClient, app: FastAPI, llm_server: FakeLlm
) -> None:
    """While the LLM server keeps the quiz waiting, another form's write goes through (SQLite
    takes one writer at a time); the LLM's failure falls back to the offline generator."""
    account = await signed_up(client)
    track_id = await _import_track(client, account)
    app.state.settings = app.state.settings.model_copy(
        update={"llm_base_url": llm_server.base_url, "llm_model": "fake-model"}
    )
    llm_server.script(stall())
    token = await page_token(client, "/quizzes")
    making = asyncio.create_task(
        client.post(
            "/quizzes",
            data={"csrf_token": token, "track_id": track_id, "count": "3", "generator": "llm"},
        )
    )
    try:
        async with asyncio.timeout(10):
            # The fake server runs in a thread of its own, with no event to wait on.
            while not llm_server.requests:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            logged = await client.post(
                "/log/exercise", data={"csrf_token": token, "topic": "recursion"}
            )
        assert logged.status_code == 303
        assert not making.done()
    finally:
        llm_server.release_stalls()
    response = await making

    assert response.status_code == 303, response.text
    page = (await client.get(response.headers["location"])).text
    notice = re.search(r'<div class="notice" role="note">(.*?)</div>', page, re.S)
    assert notice
    assert "the questions come from the offline generator instead" in _text(notice.group(1))
    events = await read_json(client, "/api/events", account.headers)
    assert [e["kind"] for e in events["items"]] == ["exercise_completed"]


# Reviews --------------------------------------------------------------------------------------


async def test_a_due_question_is_answered_on_the_review_page(client: httpx.AsyncClient) -> None:
    account = await signed_up(client)
    question = await _question(
        client,
        account,
        {
            "type": "short_answer",
            "prompt": "Which Python tool generates schema migrations from models?",
            "answer": {"accepted": ["Alembic"]},
        },
    )
    await _overdue(client, account, question["id"])

    page = (await client.get("/reviews")).text
    assert '<p class="muted" data-testid="due-count">1 due now</p>' in page
    assert "Which Python tool generates schema migrations from models?" in page
    assert f'action="/reviews/{question["id"]}"' in page
    for rating in ("Again", "Hard", "Good", "Easy"):
        assert f'name="rating" value="{rating.lower()}" class="button">{rating}</button>' in page
    assert "Recall over the last 30 days: 0 %" in _text(page)
    assert 'data-chart="forecast-data"' in page
    review_id = _review_id(page)

    response = await submit(
        client,
        f"/reviews/{question['id']}",
        {"review_id": review_id, "answer": "alembic"},
        form_page="/reviews",
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/reviews"
    page = (await client.get("/reviews")).text
    [toast] = _toasts(page)
    assert re.fullmatch(
        r"Right · \+\d+ XP The answer: Alembic\. It comes back (today at \d\d:\d\d|tomorrow .*|in "
        r"\d+ days .*)\.",
        toast,
    ), toast
    stored = await read_json(client, f"/api/questions/{question['id']}", account.headers)
    assert stored["card"]["reviews"] == 2
    assert datetime.fromisoformat(stored["card"]["due"]) > datetime.now(UTC)
    assert "Nothing to review right now" in page
    assert "The next question is due" in _text(page)
    assert "Recall over the last 30 days: 50 %" in _text(page)

    # The same form sent again records nothing more.
    again = await submit(
        client,
        f"/reviews/{question['id']}",
        {"review_id": review_id, "answer": "alembic"},
        form_page="/reviews",
    )
    assert again.status_code == 303
    assert "That review was recorded already." in _toasts((await client.get("/reviews")).text)
    stored = await read_json(client, f"/api/questions/{question['id']}", account.headers)
    assert stored["card"]["reviews"] == 2


async def test_a_learner_rates_a_due_question_without_answering(
    client: httpx.AsyncClient,
) -> None:
    account = await signed_up(client)
    question = await _question(
        client,
        account,
        {
            "type": "multiple_choice",
            "prompt": "Which structure backs most database indexes?",
            "answer": {"options": OPTIONS, "correct": 1},
        },
    )
    await _overdue(client, account, question["id"])
    page = (await client.get("/reviews")).text
    assert 'type="radio" name="answer" value="1"> <span>A B-tree</span>' in page

    response = await submit(
        client,
        f"/reviews/{question['id']}",
        {"review_id": _review_id(page), "rating": "easy"},
        form_page="/reviews",
    )

    assert response.status_code == 303
    [toast] = _toasts((await client.get("/reviews")).text)
    assert toast.startswith("Rated Easy")
    assert "The answer: A B-tree." in toast
    events = await read_json(client, "/api/events", account.headers)
    assert events["items"][0]["kind"] == "quiz_reviewed"
    assert events["items"][0]["metadata"]["rating"] == 4


async def test_a_review_with_neither_answer_nor_rating_is_refused_beside_the_answer(
    client: httpx.AsyncClient,
) -> None:
    account = await signed_up(client)
    question = await _question(
        client,
        account,
        {
            "type": "short_answer",
            "prompt": "Name Python's ASGI toolkit.",
            "answer": {"accepted": ["Starlette"]},
        },
    )
    await _overdue(client, account, question["id"])
    page = (await client.get("/reviews")).text

    response = await submit(
        client, f"/reviews/{question['id']}", {"review_id": _review_id(page)}, form_page="/reviews"
    )

    assert response.status_code == 422
    assert "give the answer, a rating" in (_error(response.text, "answer") or "").lower()
    assert 'aria-invalid="true" aria-describedby="f-answer-error"' in response.text
    stored = await read_json(client, f"/api/questions/{question['id']}", account.headers)
    assert stored["card"]["reviews"] == 1


async def test_with_nothing_due_the_review_page_says_so(client: httpx.AsyncClient) -> None:
    await signed_up(client)

    page = await client.get("/reviews")

    assert page.status_code == 200
    text = _text(page.text)
    assert "0 due now" in text
    assert "Nothing to review right now" in text
    assert "Questions come here after you answer them in a quiz" in text
    assert "No reviews yet." in text
    assert 'href="/quizzes#new-quiz">Take a quiz</a>' in page.text
    assert "<canvas" not in page.text
    assert 'aria-current="page">Reviews</a>' in page.text


# The question bank ----------------------------------------------------------------------------


async def test_a_question_is_added_listed_and_deleted(client: httpx.AsyncClient) -> None:
    account = await signed_up(client)

    response = await submit(
        client,
        "/questions",
        {
            "type": "multiple_choice",
            "prompt": "Which structure backs most database indexes?",
            "options": "\n".join(OPTIONS) + "\n",
            "correct_option": "2",
            "explanation": "Sorted and shallow.",
            "topic": "databases",
            # Fields of other types are ignored.
            "accepted": "anything",
            "truth": "false",
        },
        form_page="/questions",
    )

    assert response.status_code == 303
    [question] = (await read_json(client, "/api/questions", account.headers))["items"]
    assert question["answer"] == {"options": OPTIONS, "correct": 1}
    assert question["topic"] == "databases"
    assert question["source"] == "authored"
    page = (await client.get("/questions")).text
    assert "Question added It joins your next quizzes." in _toasts(page)
    row = _text(re.findall(r"<tr>(.*?)</tr>", page, re.S)[1])
    assert row.startswith(
        "Which structure backs most database indexes? A B-tree Multiple choice databases Yours "
        "Not answered yet Delete"
    )

    response = await submit(client, f"/questions/{question['id']}/delete", form_page="/questions")

    assert response.status_code == 303
    assert (await read_json(client, "/api/questions", account.headers))["items"] == []
    page = (await client.get("/questions")).text
    assert "Question deleted" in _toasts(page)[0]
    assert "No questions yet." in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"type": "multiple_choice", "options": "Only one", "correct_option": "1"},
            "options",
            "Options must hold 2 to 6 choices",
        ),
        (
            {"type": "multiple_choice", "options": "A\nB\nC", "correct_option": "5"},
            "correct_option",
            "Give a number from 1 to 3",
        ),
        ({"type": "cloze", "accepted": "word"}, "prompt", "A cloze prompt must hold exactly"),
        ({"type": "short_answer", "accepted": ""}, "accepted", "Accepted must list at least"),
    ],
)
async def test_question_field_errors_are_shown_beside_their_fields(
    client: httpx.AsyncClient, fields: dict[str, str], field: str, message: str
) -> None:
    account = await signed_up(client)

    response = await submit(
        client,
        "/questions",
        {"prompt": "What does this ask?", "topic": "kept", **fields},
        form_page="/questions",
    )

    assert response.status_code == 422
    assert (_error(response.text, field) or "").startswith(message), _error(response.text, field)
    assert 'name="topic" type="text" value="kept"' in response.text
    assert ">What does this ask?</textarea>" in response.text
    assert f'<option value="{fields["type"]}" selected>' in response.text
    assert (await read_json(client, "/api/questions", account.headers))["items"] == []


async def test_a_csv_file_is_imported(client: httpx.AsyncClient) -> None:
    account = await signed_up(client)
    document = (
        "prompt,answer,options,topic\n"
        "Which structure backs most indexes?,B-tree,Hash table|B-tree|List,databases\n"
        "SQLite runs as a separate server process.,false,,databases\n"
    )

    response = await submit(
        client,
        "/questions/import",
        files={"file": ("bank.csv", document.encode(), "text/csv")},
        form_page="/questions",
    )

    assert response.status_code == 303
    page = (await client.get("/questions")).text
    assert "Imported 2 questions" in _toasts(page)
    items = (await read_json(client, "/api/questions", account.headers))["items"]
    assert {q["type"] for q in items} == {"multiple_choice", "true_false"}


async def test_a_csv_file_with_a_bad_row_lists_it_and_stores_nothing(
    client: httpx.AsyncClient,
) -> None:
    account = await signed_up(client)
    document = (
        "prompt,answer,options\n"
        "Which structure backs most indexes?,B-tree,Hash table|B-tree|List\n"
        "Which one is a queue?,Stack,Heap|Tree\n"
        ",empty prompt,\n"
    )

    response = await submit(
        client,
        "/questions/import",
        files={"file": ("bank.csv", document.encode(), "text/csv")},
        form_page="/questions",
    )

    assert response.status_code == 422
    alert = re.search(
        r'<div class="alert refused-rows" role="alert">(.*?)</div>', response.text, re.S
    )
    assert alert
    assert re.findall(r"<li>([^<]+)</li>", alert.group(1)) == [
        "Line 3, answer: must be one of the options",
        "Line 4, prompt: is empty",
    ]
    assert (await read_json(client, "/api/questions", account.headers))["items"] == []

    response = await submit(client, "/questions/import", form_page="/questions")
    assert response.status_code == 422
    assert _error(response.text, "file") == "Choose a CSV file to import"

    response = await submit(
        client,
        "/questions/import",
        files={"file": ("bank.csv", b"\xff\xfe not text", "text/csv")},
        form_page="/questions",
    )
    assert response.status_code == 422
    assert _error(response.text, "file") == "The file is not UTF-8 text"


# Who may use the pages ------------------------------------------------------------------------


async def test_forms_without_the_csrf_token_are_refused(client: httpx.AsyncClient) -> None:
    account = await signed_up(client)
    track_id = await _import_track(client, account)
    question = await _question(
        client,
        account,
        {"type": "true_false", "prompt": "Flask is a microframework.", "answer": {"correct": True}},
    )
    forged = [
        ("/quizzes", {"track_id": track_id, "generator": "offline"}),
        (f"/reviews/{question['id']}", {"answer": "true"}),
        ("/questions", {"type": "true_false", "prompt": "Forged?", "truth": "true"}),
        (f"/questions/{question['id']}/delete", {}),
    ]
    for url, data in forged:
        response = await client.post(url, data=data)
        assert response.status_code == 403, url
        assert "did not come from a QuestPath page" in response.text

    assert (await read_json(client, "/api/quizzes", account.headers))["items"] == []
    questions = (await read_json(client, "/api/questions", account.headers))["items"]
    assert [q["id"] for q in questions] == [question["id"]]
    assert questions[0]["card"] is None


async def test_signed_out_browsers_are_sent_to_sign_in(client: httpx.AsyncClient) -> None:
    quiz_id = uuid.uuid4()
    for url in ("/quizzes", "/reviews", "/questions", f"/quizzes/{quiz_id}"):
        response = await client.get(url)
        assert response.status_code == 303, url
        assert response.headers["location"].startswith("/sign-in?next=")

    response = await submit(client, "/quizzes", {"count": "3"})
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=%2Fquizzes"


async def test_another_learners_quiz_is_not_found(client: httpx.AsyncClient) -> None:
    account = await signed_up(client)
    quiz_id = await _made_quiz(client, await _import_track(client, account), count=2)
    client.cookies.clear()
    await signed_up(client, "grace@example.com")

    response = await client.get(f"/quizzes/{quiz_id}")

    assert response.status_code == 404
    assert texts(response.text, "lead") == [f"No quiz with the id {quiz_id}."]


async def test_the_dashboard_links_to_the_questions_due_for_review(
    client: httpx.AsyncClient,
) -> None:
    account = await signed_up(client)
    assert 'data-testid="reviews-due"' not in (await client.get("/")).text
    for prompt in ("Name Python's package index.", "Name Python's test runner."):
        question = await _question(
            client,
            account,
            {"type": "short_answer", "prompt": prompt, "answer": {"accepted": ["x"]}},
        )
        await _overdue(client, account, question["id"])

    page = (await client.get("/")).text

    assert '<a href="/reviews">2 questions to review</a>' in page
