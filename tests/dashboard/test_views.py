"""The dashboard, the achievements page and logging activity, used as a browser uses them."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event

from questpath.auth.cache import CredentialCache
from tests.helpers import projection_differences
from tests.web.browsing import api_account, sign_up, submit, texts


def _test_ids(html: str) -> dict[str, str]:
    return {k: v.strip() for k, v in re.findall(r'data-testid="([\w-]+)">([^<]+)', html)}


async def test_dashboard_of_a_new_learner_invites_them_to_start(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    page = await client.get("/")
    assert page.status_code == 200
    assert _test_ids(page.text) == {"level": "1", "xp": "0", "current-streak": "0"}
    assert "Novice" in page.text
    assert "Import a track" in page.text
    assert 'data-chart="xp-data"' not in page.text  # no chart of nothing


async def test_logging_an_exercise_moves_xp_streak_and_shows_the_unlock(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    await sign_up(client)
    response = await submit(
        client,
        "/log/exercise",
        {"topic": "recursion", "grade": "92", "minutes": "12.5", "hints": "1"},
        form_page="/log",
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"

    account = await api_account(client)
    progress = (await client.get("/api/progress", headers=account.headers)).json()
    assert progress["exercises_completed"] == 1
    assert progress["total_time_spent_seconds"] == 750
    assert progress["hints_used"] == 1

    page = await client.get("/")
    ids = _test_ids(page.text)
    assert ids["xp"] == str(progress["xp"])
    assert int(ids["xp"]) > 0
    assert ids["current-streak"] == "1"
    assert "Exercise logged." in page.text
    unlocked = (await client.get("/api/progress/achievements", headers=account.headers)).json()
    first = next(a for a in unlocked["achievements"] if a["unlocked"])
    assert f"Achievement unlocked: {first['name']}" in page.text
    assert "recursion" in page.text  # the skill-level table
    assert await projection_differences(app, account) == []


async def test_the_same_form_sent_twice_is_logged_once(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    form = await client.get("/log")
    event_id = re.search(
        r'action="/log/exercise".*?name="event_id" value="([^"]+)"', form.text, re.S
    )
    assert event_id
    data = {"topic": "recursion", "grade": "80", "event_id": event_id.group(1)}
    await submit(client, "/log/exercise", data, form_page="/log")
    await client.get("/")
    await submit(client, "/log/exercise", data, form_page="/log")
    page = await client.get("/")
    assert "already logged" in page.text
    account = await api_account(client)
    progress = (await client.get("/api/progress", headers=account.headers)).json()
    assert progress["exercises_completed"] == 1


@pytest.mark.parametrize(
    ("activity", "data", "field", "kind_count"),
    [
        ("project", {"title": "URL shortener", "minutes": "90"}, None, "projects_completed"),
        ("study_session", {"minutes": "30", "topic": "graphs"}, None, "study_sessions"),
    ],
)
async def test_projects_and_study_sessions_are_logged(
    client: httpx.AsyncClient,
    activity: str,
    data: dict[str, str],
    field: str | None,
    kind_count: str,
) -> None:
    await sign_up(client)
    response = await submit(client, f"/log/{activity}", data, form_page="/log")
    assert response.status_code == 303
    account = await api_account(client)
    progress = (await client.get("/api/progress", headers=account.headers)).json()
    assert progress[kind_count] == 1
    events = (await client.get("/api/events", headers=account.headers)).json()["items"]
    if activity == "project":
        assert events[0]["metadata"] == {"title": "URL shortener"}
    assert events[0]["time_spent_seconds"] == int(data["minutes"]) * 60


@pytest.mark.parametrize(
    ("activity", "data", "errors"),
    [
        ("exercise", {"grade": "120"}, {"topic", "grade"}),
        ("exercise", {"topic": "x", "minutes": "-5", "hints": "1.5"}, {"minutes", "hints"}),
        ("project", {"grade": "abc"}, {"title", "grade"}),
        ("study_session", {"topic": "graphs"}, {"minutes"}),
    ],
)
async def test_bad_activity_is_explained_beside_each_field_and_stores_nothing(
    client: httpx.AsyncClient, activity: str, data: dict[str, str], errors: set[str]
) -> None:
    await sign_up(client)
    response = await submit(client, f"/log/{activity}", data, form_page="/log")
    assert response.status_code == 422
    prefix = {"exercise": "exercise-", "project": "project-", "study_session": "study-"}[activity]
    shown = set(re.findall(rf'id="f-{prefix}(\w+)-error"', response.text))
    assert shown == errors
    for value in data.values():
        assert f'value="{value}"' in response.text  # what was typed is kept
    account = await api_account(client)
    assert (await client.get("/api/events", headers=account.headers)).json()["items"] == []


async def test_topics_already_used_are_suggested(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    await submit(client, "/log/exercise", {"topic": "dynamic programming"}, form_page="/log")
    page = await client.get("/log")
    assert '<option value="dynamic programming">' in page.text


async def test_the_calendar_shades_days_in_the_learners_timezone(
    client: httpx.AsyncClient,
) -> None:
    await sign_up(client, timezone="Pacific/Auckland")
    account = await api_account(client)
    now = datetime.now(UTC)
    events = [
        {
            "kind": "exercise_completed",
            "topic": "t",
            "occurred_at": (now - timedelta(days=d)).isoformat(),
        }
        for d in (0, 1, 1, 40)
    ]
    response = await client.post("/api/events", json={"events": events}, headers=account.headers)
    assert response.status_code == 201
    page = await client.get("/")
    assert "3 active days in the last year" in page.text
    cells = re.findall(r'<span class="l(\d)" title="([^"]+)"', page.text)
    assert len(cells) == 365
    shaded = [title for level, title in cells if level != "0"]
    assert len(shaded) == 3
    assert any(": 2 events" in title for title in shaded)
    assert 'data-chart="xp-data"' in page.text


async def test_achievements_page_shows_earned_in_colour_and_locked_with_progress(
    client: httpx.AsyncClient,
) -> None:
    await sign_up(client)
    await submit(client, "/log/exercise", {"topic": "recursion"}, form_page="/log")
    account = await api_account(client)
    api = (await client.get("/api/progress/achievements", headers=account.headers)).json()
    page = await client.get("/achievements")
    assert page.status_code == 200
    earned = [a for a in api["achievements"] if a["unlocked"]]
    locked = [a for a in api["achievements"] if not a["unlocked"]]
    assert page.text.count('class="card achievement unlocked"') == len(earned)
    assert page.text.count('class="card achievement locked"') == len(locked)
    assert page.text.count("<progress") == len(locked)
    assert f"{len(earned)} of {len(earned) + len(locked)} earned" in page.text


async def test_an_unknown_page_is_an_html_404(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    response = await client.get("/no-such-page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert texts(response.text, "lead") == ["Not Found."]


# The dashboard made 16 statements (a learner with a track) before it read the learner's rows
# once for all its parts: the totals twice, the unlocked achievements three times, the window's
# days twice, and the tracks apart from their categories.
QUERIES_BEFORE_ONE_READ = 16
# Vacations came later: the streak shown today reads them, once.
VACATIONS = 1
# So did the header's unread notifications, which every signed-in page counts: once.
UNREAD = 1
TRACK = "# Python\n\n## Basics\n\n- [x] Variables\n- [ ] Loops\n\n## Next\n\n- [ ] Classes\n"


async def test_the_dashboard_reads_each_row_once(client: httpx.AsyncClient, app: FastAPI) -> None:
    await sign_up(client)
    account = await api_account(client)
    imported = await client.post(
        "/api/tracks/import",
        content=TRACK.encode(),
        headers={**account.headers, "Content-Type": "text/markdown"},
    )
    assert imported.status_code == 201, imported.text
    await submit(client, "/log/exercise", {"topic": "recursion", "grade": "80"}, form_page="/log")
    # The browser's session is checked and cached, as on any page; kept long enough that a slow
    # first render does not let it lapse, so only the dashboard's own reads are counted.
    app.state.authenticator.cache = CredentialCache(ttl=3600)
    await client.get("/")
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA", "COMMIT", "ROLLBACK")):
            statements.append(statement)

    engine = app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        page = await client.get("/")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert page.status_code == 200
    assert _test_ids(page.text)["current-streak"] == "1"
    assert "Loops" in page.text  # the learning path's open items
    assert "Classes" in page.text
    assert 0 < len(statements) <= QUERIES_BEFORE_ONE_READ // 2 + VACATIONS + UNREAD, "\n\n".join(
        statements
    )


SEED = (Path(__file__).parents[1] / "tracks" / "data" / "learning_track.md").read_text("utf-8")


def _path_groups(html: str) -> list[tuple[str, str, list[str]]]:
    """(heading, horizon, item titles) of each group of the learning-path card."""
    groups = re.findall(
        r'<h3 class="path-horizon">([^<]+)</h3>\s*<ol class="plain path-group" '
        r'data-horizon="(\w*)">(.*?)</ol>',
        html,
        re.DOTALL,
    )
    return [
        (heading, horizon, re.findall(r'<a href="/tracks/[^"]+#item-[^"]+">([^<]+)</a>', body))
        for heading, horizon, body in groups
    ]


async def test_the_dashboard_shows_the_written_learning_path_grouped_by_horizon(
    client: httpx.AsyncClient,
) -> None:
    await sign_up(client)
    account = await api_account(client)
    imported = await client.post(
        "/api/tracks/import",
        content=SEED.encode(),
        headers=account.headers | {"Content-Type": "text/markdown"},
    )
    assert imported.status_code == 201, imported.text
    path = (await client.get("/api/learning-path", headers=account.headers)).json()
    written = [
        (group["horizon"], [html.escape(item["title"], quote=False) for item in group["items"]])
        for group in path["groups"]
        if group["horizon"]
    ]
    assert [horizon for horizon, _ in written] == ["immediate", "short_term", "medium_term"]
    assert sum(len(titles) for _, titles in written) == 15

    page = await client.get("/")
    assert page.status_code == 200
    groups = _path_groups(page.text)
    assert [(horizon, titles) for _, horizon, titles in groups] == written
    assert [heading for heading, _, _ in groups] == ["Immediate", "Short term", "Medium term"]
    assert groups[0][2][0] == "Pre-commit hooks setup"
    more = path["total_open"] - 15
    assert f"{more} more open items in your tracks." in page.text
