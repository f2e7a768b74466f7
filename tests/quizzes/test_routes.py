"""The quiz APIs through the real app on real databases: the question bank and its CSV import,
quizzes generated offline or by an LLM server on loopback, grading that feeds progress, and
reviews scheduled by FSRS."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, update

from questpath import verify
from questpath.auth.models import User
from questpath.db import transaction
from questpath.quizzes.models import ReviewCard
from questpath.quizzes.scheduling import FORECAST_DAYS
from tests.helpers import (
    Account,
    all_events,
    assert_problem,
    days_ago,
    field_errors,
    projection_differences,
    read_json,
)
from tests.quizzes import fake_llm

TRACK = """# Python backend

## Web frameworks

- [ ] FastAPI: Build asynchronous HTTP services with automatic OpenAPI documentation
- [ ] Flask: A lightweight synchronous framework with a minimal core and many extensions
- [ ] Django: A batteries-included framework with an object-relational mapper and admin

## Databases

- [ ] PostgreSQL: An advanced relational database with transactions and rich indexing
- [ ] SQLite: An embedded database stored in a single file on the local disk
- [ ] Redis: An in-memory key-value store used for caching and message queues
"""

MULTIPLE_CHOICE = {
    "type": "multiple_choice",
    "prompt": "Which HTTP method is idempotent?",
    "answer": {"options": ["POST", "PUT", "PATCH"], "correct": 1},
    "explanation": "PUT replaces the resource, so repeating it changes nothing.",
    "topic": "http",
}
SHORT_ANSWER = {
    "type": "short_answer",
    "prompt": "What does SQL stand for?",
    "answer": {"accepted": ["Structured Query Language"]},
    "topic": "sql",
}


async def import_track(client: httpx.AsyncClient, learner: Account) -> str:
    response = await client.post(
        "/api/tracks/import",
        content=TRACK.encode(),
        headers={**learner.headers, "Content-Type": "text/markdown"},
    )
    assert response.status_code == 201, response.text
    track_id: str = response.json()["id"]
    return track_id


async def new_quiz(client: httpx.AsyncClient, learner: Account, **body: Any) -> dict[str, Any]:
    response = await client.post("/api/quizzes", json=body, headers=learner.headers)
    assert response.status_code == 201, response.text
    quiz: dict[str, Any] = response.json()
    return quiz


async def right_answer(client: httpx.AsyncClient, learner: Account, question_id: str) -> Any:
    question = await read_json(client, f"/api/questions/{question_id}", learner.headers)
    answer = question["answer"]
    if question["type"] in ("multiple_choice", "true_false"):
        return answer["correct"]
    return answer["accepted"][0]


async def wrong_answer(client: httpx.AsyncClient, learner: Account, question_id: str) -> Any:
    question = await read_json(client, f"/api/questions/{question_id}", learner.headers)
    answer = question["answer"]
    if question["type"] == "multiple_choice":
        return (answer["correct"] + 1) % len(answer["options"])
    if question["type"] == "true_false":
        return not answer["correct"]
    return "certainly not this"


async def progress_xp(client: httpx.AsyncClient, learner: Account) -> int:
    progress = await read_json(client, "/api/progress", learner.headers)
    xp: int = progress["xp"]
    return xp


async def add_question(
    client: httpx.AsyncClient, learner: Account, body: dict[str, Any]
) -> dict[str, Any]:
    response = await client.post("/api/questions", json=body, headers=learner.headers)
    assert response.status_code == 201, response.text
    question: dict[str, Any] = response.json()
    return question


async def review(
    client: httpx.AsyncClient, learner: Account, question_id: str, **body: Any
) -> httpx.Response:
    return await client.post(f"/api/reviews/{question_id}", json=body, headers=learner.headers)


# The question bank ----------------------------------------------------------------------------


async def test_each_question_type_is_stored_and_read_back(client, learner) -> None:
    bodies = [
        MULTIPLE_CHOICE,
        SHORT_ANSWER,
        {"type": "true_false", "prompt": "SQLite is a server.", "answer": {"correct": False}},
        {
            "type": "cloze",
            "prompt": "A _____ key identifies each row of a table.",
            "answer": {"accepted": ["primary"]},
        },
    ]
    for body in bodies:
        created = await add_question(client, learner, body)
        read = await read_json(client, f"/api/questions/{created['id']}", learner.headers)
        assert read == created
        assert (read["type"], read["prompt"], read["answer"]) == (
            body["type"],
            body["prompt"],
            body["answer"],
        )
        assert read["source"] == "authored"
        assert read["card"] is None
    page = await read_json(client, "/api/questions", learner.headers)
    assert [q["prompt"] for q in page["items"]] == [b["prompt"] for b in reversed(bodies)]
    only_sql = await read_json(client, "/api/questions", learner.headers, topic="sql")
    assert [q["prompt"] for q in only_sql["items"]] == [SHORT_ANSWER["prompt"]]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({**MULTIPLE_CHOICE, "answer": {"options": ["a", "A"], "correct": 0}}, "distinct"),
        ({**MULTIPLE_CHOICE, "answer": {"options": ["a"], "correct": 0}}, "2 to 6"),
        ({**MULTIPLE_CHOICE, "answer": {"options": ["a", "b"], "correct": 2}}, "index"),
        ({**SHORT_ANSWER, "answer": {"accepted": []}}, "at least one"),
        ({**SHORT_ANSWER, "type": "cloze"}, "exactly one blank"),
        ({**SHORT_ANSWER, "type": "true_false"}, "true or false"),
    ],
)
async def test_answer_data_that_does_not_fit_the_type_is_refused(
    client, learner, body, message
) -> None:
    response = await client.post("/api/questions", json=body, headers=learner.headers)
    errors = field_errors(response)
    assert message in errors["answer"]
    assert (await read_json(client, "/api/questions", learner.headers))["items"] == []


async def test_a_question_is_changed_checked_and_deleted(client, learner) -> None:
    created = await add_question(client, learner, MULTIPLE_CHOICE)
    url = f"/api/questions/{created['id']}"
    response = await client.patch(
        url, json={"answer": {"options": ["GET", "POST"], "correct": 0}}, headers=learner.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["answer"]["options"] == ["GET", "POST"]
    # Changing the type alone leaves answer data that no longer fits.
    response = await client.patch(url, json={"type": "true_false"}, headers=learner.headers)
    assert "true or false" in field_errors(response)["type"]
    assert (await read_json(client, url, learner.headers))["type"] == "multiple_choice"
    response = await client.delete(url, headers=learner.headers)
    assert response.status_code == 204
    assert_problem(await client.get(url, headers=learner.headers), 404)


async def test_another_learners_question_is_not_found(client, learner, other_learner) -> None:
    created = await add_question(client, learner, MULTIPLE_CHOICE)
    url = f"/api/questions/{created['id']}"
    assert_problem(await client.get(url, headers=other_learner.headers), 404)
    assert_problem(await client.delete(url, headers=other_learner.headers), 404)
    assert_problem(
        await client.post(
            f"/api/reviews/{created['id']}", json={"rating": "good"}, headers=other_learner.headers
        ),
        404,
    )


async def test_a_csv_bank_is_imported_with_each_type_inferred(client, learner) -> None:
    csv = (
        "prompt,answer,explanation,topic,options\n"
        "What does SQL stand for?,Structured Query Language|SQL language,Acronym.,sql,\n"
        "SQLite needs a server process.,false,It is embedded.,sql,\n"
        "A _____ key identifies a row.,primary,,sql,\n"
        'Which is a relational database?,PostgreSQL,,databases,"Redis|PostgreSQL|Memcached"\n'
    )
    response = await client.post(
        "/api/questions/import",
        content=csv.encode(),
        headers={**learner.headers, "Content-Type": "text/csv"},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["created"] == 4
    kinds = [q["type"] for q in body["questions"]]
    assert kinds == ["short_answer", "true_false", "cloze", "multiple_choice"]
    assert body["questions"][0]["answer"]["accepted"] == [
        "Structured Query Language",
        "SQL language",
    ]
    assert body["questions"][1]["answer"] == {"correct": False}
    assert body["questions"][3]["answer"] == {
        "options": ["Redis", "PostgreSQL", "Memcached"],
        "correct": 1,
    }
    page = await read_json(client, "/api/questions", learner.headers, limit=2)
    assert len(page["items"]) == 2
    assert page["next_cursor"]


async def test_a_csv_upload_with_bad_rows_reports_each_and_stores_nothing(client, learner) -> None:
    csv = (
        "Prompt,Answer,Topic\n"
        "Good question?,yes,x\n"
        ",missing prompt,x\n"
        "Which?,Neither,x\n"
        "Name the keyword,the keyword,x\n"
    )
    rows = csv.replace("Which?,Neither,x", "Which?,Neither,x")
    files = {"file": ("bank.csv", rows.encode(), "text/csv")}
    response = await client.post("/api/questions/import", files=files, headers=learner.headers)
    errors = field_errors(response)
    assert set(errors) == {"rows[3].prompt", "rows[5].prompt"}
    assert "gives its answer away" in errors["rows[5].prompt"]
    assert (await read_json(client, "/api/questions", learner.headers))["items"] == []


async def test_a_csv_without_the_required_columns_is_refused_by_its_header(client, learner) -> None:
    response = await client.post(
        "/api/questions/import",
        content=b"question,solution\nA?,b\n",
        headers={**learner.headers, "Content-Type": "text/csv"},
    )
    message = field_errors(response)["header"]
    assert "unknown column 'question'" in message
    assert "the column 'prompt' is missing" in message


# Quizzes from the offline generator -----------------------------------------------------------


async def test_a_quiz_about_a_track_asks_without_giving_the_answers(client, learner) -> None:
    track_id = await import_track(client, learner)
    quiz = await new_quiz(client, learner, track_id=track_id, count=5, generator="offline")
    assert quiz["generator"] == "offline"
    assert quiz["warnings"] == []
    assert len(quiz["questions"]) == 5
    assert len({q["id"] for q in quiz["questions"]}) == 5
    for question in quiz["questions"]:
        assert "answer" not in question
        assert "explanation" not in question
        assert question["source"] == "offline"
        if question["type"] == "multiple_choice":
            assert 2 <= len(question["options"]) <= 6
        else:
            assert question["options"] is None
    assert quiz["submitted_at"] is None
    assert quiz["results"] is None
    read = await read_json(client, f"/api/quizzes/{quiz['id']}", learner.headers)
    assert read == quiz
    bank = await read_json(client, "/api/questions", learner.headers, source="offline")
    assert {q["id"] for q in bank["items"]} == {q["id"] for q in quiz["questions"]}


async def test_submitting_a_quiz_grades_it_and_feeds_progress(client, app, learner) -> None:
    track_id = await import_track(client, learner)
    quiz = await new_quiz(client, learner, track_id=track_id, count=4, generator="offline")
    questions = quiz["questions"]
    answers = [
        {
            "question_id": q["id"],
            "answer": await (right_answer if i < 3 else wrong_answer)(client, learner, q["id"]),
            "time_spent_seconds": 20,
        }
        for i, q in enumerate(questions)
    ]
    before = await progress_xp(client, learner)
    response = await client.post(
        f"/api/quizzes/{quiz['id']}/submit", json={"answers": answers}, headers=learner.headers
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["score"], result["correct"], result["total"]) == (75.0, 3, 4)
    assert [r["correct"] for r in result["results"]] == [True, True, True, False]
    assert [r["rating"] for r in result["results"]] == ["good", "good", "good", "again"]
    assert all(r["explanation"] for r in result["results"])
    assert result["xp_awarded"] == await progress_xp(client, learner) - before
    assert result["xp_awarded"] >= 10 + 7  # as an exercise graded 75
    assert "first-quiz" in {a["id"] for a in result["achievements_unlocked"]}

    events = [e for e in await all_events(client, learner.headers) if e["kind"] == "quiz_completed"]
    assert len(events) == 1
    assert events[0]["grade"] == 75.0
    assert events[0]["time_spent_seconds"] == 80
    assert events[0]["metadata"]["total"] == 4
    progress = await read_json(client, "/api/progress", learner.headers)
    assert progress["current_streak"] == 1
    skills = await read_json(client, "/api/progress/skill-levels", learner.headers)
    assert any(s["exercises_completed"] == 1 for s in skills["skill_levels"]), skills

    for question, outcome in zip(questions, result["results"], strict=True):
        card = (await read_json(client, f"/api/questions/{question['id']}", learner.headers))[
            "card"
        ]
        assert card["reviews"] == 1
        assert datetime.fromisoformat(card["due"]) == datetime.fromisoformat(outcome["next_due"])
    read = await read_json(client, f"/api/quizzes/{quiz['id']}", learner.headers)
    assert read["score"] == 75.0
    assert read["results"] == result["results"]
    assert await projection_differences(app, learner) == []


async def test_a_quiz_is_graded_once(client, learner) -> None:
    track_id = await import_track(client, learner)
    quiz = await new_quiz(client, learner, track_id=track_id, count=2, generator="offline")
    url = f"/api/quizzes/{quiz['id']}/submit"
    first = await client.post(url, json={"answers": []}, headers=learner.headers)
    assert first.status_code == 200, first.text
    assert first.json()["score"] == 0.0  # nothing answered: every question counts as wrong
    again = await client.post(url, json={"answers": []}, headers=learner.headers)
    assert "submitted" in assert_problem(again, 409)["detail"]
    events = await all_events(client, learner.headers)
    assert [e["kind"] for e in events].count("quiz_completed") == 1


async def test_unknown_questions_and_wrong_answer_shapes_are_refused(client, learner) -> None:
    track_id = await import_track(client, learner)
    quiz = await new_quiz(client, learner, track_id=track_id, count=6, generator="offline")
    by_type = {q["type"]: q for q in quiz["questions"]}
    answers: list[dict[str, Any]] = [{"question_id": str(uuid.uuid4()), "answer": 0}]
    expected = {"answers[0].question_id"}
    if "multiple_choice" in by_type:
        answers.append({"question_id": by_type["multiple_choice"]["id"], "answer": "PUT"})
        expected.add(f"answers[{len(answers) - 1}].answer")
    if "true_false" in by_type:
        answers.append({"question_id": by_type["true_false"]["id"], "answer": "yes"})
        expected.add(f"answers[{len(answers) - 1}].answer")
    response = await client.post(
        f"/api/quizzes/{quiz['id']}/submit", json={"answers": answers}, headers=learner.headers
    )
    assert set(field_errors(response)) == expected
    read = await read_json(client, f"/api/quizzes/{quiz['id']}", learner.headers)
    assert read["submitted_at"] is None
    assert await all_events(client, learner.headers) == []


async def test_a_topic_quiz_draws_on_the_bank(client, learner) -> None:
    await add_question(client, learner, SHORT_ANSWER)
    quiz = await new_quiz(client, learner, topic="sql", count=3, generator="offline")
    assert [q["prompt"] for q in quiz["questions"]] == [SHORT_ANSWER["prompt"]]
    assert quiz["generator"] == "bank"


async def test_a_quiz_with_nothing_to_ask_about_names_the_field(client, learner) -> None:
    response = await client.post(
        "/api/quizzes", json={"topic": "rust", "generator": "offline"}, headers=learner.headers
    )
    assert "nothing to ask about" in field_errors(response)["topic"]
    response = await client.post(
        "/api/quizzes", json={"count": 51, "track_id": "nope"}, headers=learner.headers
    )
    assert set(field_errors(response)) == {"count", "track_id"}
    response = await client.post(
        "/api/quizzes", json={"track_id": str(uuid.uuid4())}, headers=learner.headers
    )
    assert_problem(response, 404)


# Quizzes from an LLM server -------------------------------------------------------------------


async def test_auto_uses_the_configured_llm(client, learner, llm) -> None:
    track_id = await import_track(client, learner)
    llm.script(
        fake_llm.questions(
            fake_llm.multiple_choice(
                prompt="Which framework ships an admin interface?",
                options=["Flask", "Django", "FastAPI"],
                correct_index=1,
                item_title="Django",
            ),
            fake_llm.true_false(prompt="Redis keeps its data in memory.", correct=True),
        )
    )
    quiz = await new_quiz(client, learner, track_id=track_id, count=2)
    assert quiz["generator"] == "llm"
    assert [q["source"] for q in quiz["questions"]] == ["llm", "llm"]
    assert quiz["warnings"] == []
    request = llm.requests[0]
    assert request.body["model"] == "tutor-1"
    assert "Django" in str(request.body["messages"])


@pytest.mark.parametrize(
    ("behaviours", "said"),
    [
        ((fake_llm.server_error(500),), "HTTP 500"),
        ((fake_llm.invalid_json(), fake_llm.invalid_json()), "not valid quiz JSON"),
        ((fake_llm.wrong_shape(), fake_llm.wrong_shape()), "not valid quiz JSON"),
        ((fake_llm.rate_limited("60"),), "rate limiting"),
        ((fake_llm.stall(30),), "did not answer within 2"),
    ],
    ids=["500", "invalid-json", "wrong-shape", "429", "stall"],
)
async def test_llm_failures_fall_back_to_the_offline_generator_and_say_so(
    client, learner, llm, behaviours, said
) -> None:
    track_id = await import_track(client, learner)
    llm.script(*behaviours)
    quiz = await new_quiz(client, learner, track_id=track_id, count=3, generator="llm")
    assert quiz["generator"] == "offline"
    assert {q["source"] for q in quiz["questions"]} == {"offline"}
    assert len(quiz["questions"]) == 3
    assert len(quiz["warnings"]) == 1
    assert said in quiz["warnings"][0]
    assert "offline generator" in quiz["warnings"][0]
    assert "sk-secret-key-123" not in str(quiz)


async def test_asking_for_the_llm_when_none_is_configured_names_the_generator(
    client, learner
) -> None:
    track_id = await import_track(client, learner)
    response = await client.post(
        "/api/quizzes", json={"track_id": track_id, "generator": "llm"}, headers=learner.headers
    )
    assert "QUESTPATH_LLM_BASE_URL" in field_errors(response)["generator"]


# Reviews --------------------------------------------------------------------------------------


async def test_a_card_moves_out_after_good_and_back_in_after_again(client, learner) -> None:
    question = await add_question(client, learner, SHORT_ANSWER)
    qid = question["id"]
    start = datetime.now(UTC) - timedelta(days=400)
    first = await review(
        client, learner, qid, answer="structured query language!", at=start.isoformat()
    )
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["correct"], body["rating"], body["reviews"]) == (True, "good", 1)
    due = datetime.fromisoformat(body["next_due"])
    goods = []
    for _ in range(3):
        response = await review(client, learner, qid, rating="good", at=due.isoformat())
        goods.append(response.json())
        following = datetime.fromisoformat(response.json()["next_due"])
        assert following - due > timedelta(0)
        due = following
    intervals = [datetime.fromisoformat(g["next_due"]) for g in goods]
    assert intervals == sorted(intervals)
    assert goods[-1]["stability"] > goods[0]["stability"]
    again = (await review(client, learner, qid, answer="wrong", at=due.isoformat())).json()
    assert (again["correct"], again["rating"]) == (False, "again")
    assert again["stability"] < goods[-1]["stability"]
    assert datetime.fromisoformat(again["next_due"]) - due < timedelta(days=1)
    assert again["expected"] == "Structured Query Language"


async def test_due_questions_come_most_overdue_first_without_answers(client, learner) -> None:
    old = await add_question(client, learner, SHORT_ANSWER)
    older = await add_question(client, learner, MULTIPLE_CHOICE)
    fresh = await add_question(client, learner, {**SHORT_ANSWER, "prompt": "What is DDL?"})
    now = datetime.now(UTC)
    await review(
        client, learner, old["id"], rating="good", at=(now - timedelta(days=5)).isoformat()
    )
    await review(
        client, learner, older["id"], rating="good", at=(now - timedelta(days=9)).isoformat()
    )
    await review(client, learner, fresh["id"], rating="easy")
    due = await read_json(client, "/api/reviews/due", learner.headers)
    assert [d["question"]["id"] for d in due["items"]] == [older["id"], old["id"]]
    assert due["total_due"] == 2
    assert "answer" not in due["items"][0]["question"]
    assert due["items"][0]["question"]["options"] == MULTIPLE_CHOICE["answer"]["options"]
    limited = await read_json(client, "/api/reviews/due", learner.headers, limit=1)
    assert (len(limited["items"]), limited["total_due"]) == (1, 2)


async def test_the_forecast_counts_every_card_due_in_the_next_two_weeks(client, learner) -> None:
    now = datetime.now(UTC)
    ids = []
    for n in range(5):
        q = await add_question(client, learner, {**SHORT_ANSWER, "prompt": f"Question {n}?"})
        ids.append(q["id"])
        await review(
            client, learner, q["id"], rating="good", at=(now - timedelta(days=n * 3)).isoformat()
        )
    forecast = await read_json(client, "/api/reviews/forecast", learner.headers)
    assert len(forecast["days"]) == FORECAST_DAYS
    assert forecast["cards"] == 5
    dues = []
    for qid in ids:
        card = (await read_json(client, f"/api/questions/{qid}", learner.headers))["card"]
        dues.append(datetime.fromisoformat(card["due"]))
    last_day = datetime.fromisoformat(forecast["days"][-1]["date"]).date()
    within = [d for d in dues if d.date() <= last_day]
    assert sum(day["due"] for day in forecast["days"]) == len(within)
    overdue = sum(d <= now for d in dues)
    assert forecast["days"][0]["due"] >= overdue


async def test_retention_is_the_share_of_reviews_recalled(client, learner) -> None:
    empty = await read_json(client, "/api/reviews/forecast", learner.headers)
    assert (empty["retention"], empty["reviews_last_30_days"]) == (None, 0)
    q = await add_question(client, learner, SHORT_ANSWER)
    for rating in ("good", "again", "hard", "easy"):
        response = await review(client, learner, q["id"], rating=rating)
        assert response.status_code == 200, response.text
    forecast = await read_json(client, "/api/reviews/forecast", learner.headers)
    assert forecast["reviews_last_30_days"] == 4
    assert forecast["recalled_last_30_days"] == 3
    assert forecast["retention"] == 0.75


async def test_review_xp_is_two_each_up_to_fifty_a_day(client, app, learner) -> None:
    q = await add_question(client, learner, SHORT_ANSWER)
    yesterday = datetime.fromisoformat(days_ago(1))  # noon yesterday, UTC: one local day
    awarded = []
    for n in range(30):
        at = (yesterday + timedelta(minutes=n)).isoformat()
        response = await review(client, learner, q["id"], rating="good", at=at)
        assert response.status_code == 200, response.text
        awarded.append(response.json()["xp_awarded"])
    assert awarded[:25] == [2] * 25
    assert awarded[25:] == [0] * 5
    assert await progress_xp(client, learner) == 50
    assert await projection_differences(app, learner) == []


async def test_a_repeated_review_id_records_once(client, learner) -> None:
    q = await add_question(client, learner, SHORT_ANSWER)
    first = await review(client, learner, q["id"], rating="good", id="review-1")
    again = await review(client, learner, q["id"], rating="again", id="review-1")
    assert (first.json()["status"], again.json()["status"]) == ("created", "duplicate")
    assert again.json()["next_due"] == first.json()["next_due"]
    assert again.json()["xp_awarded"] == 0
    kinds = [e["kind"] for e in await all_events(client, learner.headers)]
    assert kinds == ["quiz_reviewed"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "answer"),
        ({"rating": "perfect"}, "rating"),
        ({"answer": 3}, "answer"),
        ({"rating": "good", "at": "2020-01-01T00:00:00"}, "at"),
        ({"rating": "good", "at": "2999-01-01T00:00:00+00:00"}, "at"),
    ],
)
async def test_a_bad_review_is_refused_and_changes_nothing(client, learner, body, field) -> None:
    q = await add_question(client, learner, SHORT_ANSWER)
    response = await review(client, learner, q["id"], **body)
    assert field in field_errors(response)
    assert await all_events(client, learner.headers) == []
    assert (await read_json(client, f"/api/questions/{q['id']}", learner.headers))["card"] is None


async def test_a_review_cannot_go_back_before_the_last_one(client, learner) -> None:
    q = await add_question(client, learner, SHORT_ANSWER)
    await review(client, learner, q["id"], rating="good")
    earlier = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    response = await review(client, learner, q["id"], rating="good", at=earlier)
    assert "after the question's last review" in field_errors(response)["at"]


async def test_verify_recomputes_the_cards_from_the_log_and_repair_rebuilds_them(
    client, app, learner
) -> None:
    track_id = await import_track(client, learner)
    quiz = await new_quiz(client, learner, track_id=track_id, count=3, generator="offline")
    await client.post(
        f"/api/quizzes/{quiz['id']}/submit", json={"answers": []}, headers=learner.headers
    )
    qid = quiz["questions"][0]["id"]
    await review(client, learner, qid, rating="good")
    assert await projection_differences(app, learner) == []
    card_before = (await read_json(client, f"/api/questions/{qid}", learner.headers))["card"]

    key = (ReviewCard.user_id == uuid.UUID(learner.id), ReviewCard.question_id == uuid.UUID(qid))
    async with transaction(app.state.sessionmaker) as session:
        await session.execute(
            update(ReviewCard).where(*key).values(stability=ReviewCard.stability * 2)
        )
        await session.execute(
            delete(ReviewCard).where(
                ReviewCard.user_id == uuid.UUID(learner.id),
                ReviewCard.question_id == uuid.UUID(quiz["questions"][1]["id"]),
            )
        )
    found = await projection_differences(app, learner)
    assert sorted((d.table, d.key, d.field) for d in found) == sorted(
        [
            ("review_cards", qid, "stability"),
            ("review_cards", quiz["questions"][1]["id"], "row"),
        ]
    )

    async with transaction(app.state.sessionmaker) as session:
        user = await session.get(User, uuid.UUID(learner.id))
        assert user is not None
        await verify.repair(session, user, app.state.ruleset, datetime.now(UTC))
    assert await projection_differences(app, learner) == []
    card_after = (await read_json(client, f"/api/questions/{qid}", learner.headers))["card"]
    assert card_after == card_before


async def test_the_export_holds_the_bank_the_quizzes_and_capped_review_xp(client, learner) -> None:
    track_id = await import_track(client, learner)
    quiz = await new_quiz(client, learner, track_id=track_id, count=2, generator="offline")
    await client.post(
        f"/api/quizzes/{quiz['id']}/submit", json={"answers": []}, headers=learner.headers
    )
    authored = (await add_question(client, learner, SHORT_ANSWER))["id"]
    noon = datetime.fromisoformat(days_ago(1))
    for n in range(27):
        at = (noon + timedelta(minutes=n)).isoformat()
        assert (await review(client, learner, authored, rating="good", at=at)).status_code == 200
    response = await client.get("/api/progress/export", headers=learner.headers)
    body = response.json()
    assert [q["id"] for q in body["quizzes"]] == [quiz["id"]]
    assert body["quizzes"][0]["score"] == 0.0
    exported = {q["id"]: q for q in body["questions"]}
    assert set(exported) == {authored, *(q["id"] for q in quiz["questions"])}
    assert exported[quiz["questions"][0]["id"]]["card"]["reviews"] == 1
    assert exported[authored]["card"]["reviews"] == 27
    reviews = [e for e in body["events"] if e["kind"] == "quiz_reviewed"]
    assert len(reviews) == 27
    assert sum(e["xp"] for e in reviews) == 50


async def test_quizzes_are_listed_newest_first_a_page_at_a_time(client, learner) -> None:
    await add_question(client, learner, SHORT_ANSWER)
    made = [
        (await new_quiz(client, learner, topic="sql", generator="offline"))["id"] for _ in range(3)
    ]
    first = await read_json(client, "/api/quizzes", learner.headers, limit=2)
    second = await read_json(
        client, "/api/quizzes", learner.headers, limit=2, cursor=first["next_cursor"]
    )
    assert [q["id"] for q in first["items"] + second["items"]] == made[::-1]
    assert second["next_cursor"] is None
    response = await client.get("/api/quizzes?cursor=nonsense", headers=learner.headers)
    assert "cursor" in field_errors(response)


@pytest.mark.parametrize("path", ["/api/quizzes", "/api/questions"])
@pytest.mark.parametrize(
    "position",
    [
        ["9999-12-31T23:59:59-14:00", "00000000-0000-0000-0000-000000000000"],
        ["0001-01-01T00:00:00+14:00", "00000000-0000-0000-0000-000000000000"],
        [12, "00000000-0000-0000-0000-000000000000"],
    ],
)
async def test_a_cursor_at_the_edge_of_the_calendar_is_refused_naming_it(
    client, learner, path: str, position: list[Any]
) -> None:
    cursor = base64.urlsafe_b64encode(json.dumps(position).encode()).decode()
    response = await client.get(path, params={"cursor": cursor}, headers=learner.headers)
    assert_problem(response, 422)
    assert "cursor" in field_errors(response)


async def test_concurrent_submissions_grade_a_quiz_once(client, app, learner) -> None:
    track_id = await import_track(client, learner)
    quiz = await new_quiz(client, learner, track_id=track_id, count=3, generator="offline")
    url = f"/api/quizzes/{quiz['id']}/submit"
    responses = await asyncio.gather(
        *(client.post(url, json={"answers": []}, headers=learner.headers) for _ in range(4))
    )
    assert sorted(r.status_code for r in responses) == [200, 409, 409, 409]
    kinds = [e["kind"] for e in await all_events(client, learner.headers)]
    assert kinds.count("quiz_completed") == 1
    assert await projection_differences(app, learner) == []


async def test_a_retried_offline_review_records_once(client, learner) -> None:
    q = await add_question(client, learner, SHORT_ANSWER)
    at = (datetime.now(UTC) - timedelta(hours=3)).isoformat()
    first = await review(client, learner, q["id"], rating="good", at=at, id="phone-7")
    again = await review(client, learner, q["id"], rating="good", at=at, id="phone-7")
    assert first.status_code == 200, first.text
    assert again.status_code == 200, again.text
    assert (first.json()["status"], again.json()["status"]) == ("created", "duplicate")
    assert again.json()["next_due"] == first.json()["next_due"]
    kinds = [e["kind"] for e in await all_events(client, learner.headers)]
    assert kinds == ["quiz_reviewed"]
