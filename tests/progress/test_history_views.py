"""The statistics and history pages and the export download, used as a browser uses them: they
show what the progress API reports for the same learner."""

from __future__ import annotations

import html
import json
import re
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from questpath.web import formatting
from tests.helpers import Account, days_ago, local_today, read_json, record_events
from tests.web.browsing import signed_up, texts


async def _record_a_month(client: httpx.AsyncClient, account: Account) -> None:
    await record_events(
        client,
        account.headers,
        [
            {
                "kind": "exercise_completed",
                "topic": "recursion",
                "grade": 92,
                "time_spent_seconds": 600,
                "hints_used": 1,
                "occurred_at": days_ago(0),
            },
            {
                "kind": "exercise_completed",
                "topic": "recursion",
                "grade": 75,
                "hints_used": 2,
                "occurred_at": days_ago(0),
            },
            {"kind": "project_completed", "occurred_at": days_ago(3)},
            {
                "kind": "exercise_completed",
                "topic": "loops",
                "grade": 55,
                "occurred_at": days_ago(2),
            },
            {
                "kind": "exercise_completed",
                "topic": "loops",
                "grade": 81,
                "occurred_at": days_ago(12),
            },
            {"kind": "study_session", "time_spent_seconds": 1800, "occurred_at": days_ago(45)},
        ],
    )


def _headline(page: str) -> dict[str, str]:
    pairs = re.findall(r"<dt>([^<]+)</dt><dd class=\"stat\">([^<]*)</dd>", page)
    return {name: html.unescape(value) for name, value in pairs}


def _chart(page: str, chart_id: str) -> dict[str, Any]:
    match = re.search(rf'<script type="application/json" id="{chart_id}">(.*?)</script>', page)
    assert match, f"the page has no data for the chart {chart_id}"
    assert f'data-chart="{chart_id}"' in page
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def _table_rows(page: str) -> list[list[str]]:
    """The cells of each body row of the page's first table, as text."""
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S)
    assert body, "the page has no table"
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([html.unescape(re.sub(r"<[^>]+>|\s+", " ", c)).strip() for c in cells])
    return [[" ".join(cell.split()) for cell in row] for row in rows]


# Statistics -----------------------------------------------------------------------------------


@pytest.mark.parametrize("period", ["daily", "weekly", "monthly", "all"])
async def test_statistics_page_shows_what_the_api_reports_for_the_period(
    client: httpx.AsyncClient, period: str
) -> None:
    account = await signed_up(client)
    await _record_a_month(client, account)
    api = await read_json(client, "/api/progress/statistics", account.headers, period=period)

    response = await client.get("/statistics", params={"period": period})

    assert response.status_code == 200
    page = response.text
    assert _headline(page) == {
        "Exercises": formatting.number(api["exercises_completed"]),
        "Projects": formatting.number(api["projects_completed"]),
        "Study sessions": formatting.number(api["study_sessions"]),
        "Average grade": formatting.grade(api["average_grade"]),
        "Time spent": formatting.duration(api["time_spent_seconds"]),
        "Hints per exercise": formatting.number(api["hints_per_exercise"]),
        "XP gained": formatting.number(api["xp_gained"]),
    }
    assert re.search(rf'href="/statistics\?period={period}"[^>]*aria-current="page"', page)
    assert page.count('aria-current="page"') == 2  # the period, and "Statistics" in the nav

    trend = _chart(page, "trend-data")
    assert trend["type"] == "line"
    assert len(trend["labels"]) == 7
    exercises, grades = trend["datasets"]
    assert exercises["data"] == [p["exercises_completed"] for p in api["trend_7d"]]
    assert grades["data"] == [p["average_grade"] for p in api["trend_7d"]]
    assert (exercises["axis"], grades["axis"]) == ("y", "y2")

    grade_chart = _chart(page, "grades-data")
    assert grade_chart["type"] == "bar"
    assert grade_chart["labels"] == list(api["grade_distribution"])
    assert grade_chart["datasets"][0]["data"] == list(api["grade_distribution"].values())

    topics = _table_rows(page.split('id="topics-heading"')[1])
    assert topics == [
        [
            t["topic"],
            str(t["exercises_completed"]),
            formatting.grade(t["average_grade"]),
            str(t["items_completed"]),
        ]
        for t in api["by_topic"]
    ]
    assert "/static/web/charts.js" in page


async def test_statistics_periods_count_different_days(client: httpx.AsyncClient) -> None:
    account = await signed_up(client)
    await _record_a_month(client, account)

    counts = {}
    for period in ("daily", "weekly", "monthly", "all"):
        page = (await client.get("/statistics", params={"period": period})).text
        counts[period] = (_headline(page)["Exercises"], _headline(page)["Study sessions"])

    assert counts == {
        "daily": ("2", "0"),
        "weekly": ("3", "0"),
        "monthly": ("4", "0"),
        "all": ("4", "1"),
    }


async def test_statistics_open_on_the_last_7_days(client: httpx.AsyncClient) -> None:
    await signed_up(client)

    page = (await client.get("/statistics")).text

    assert re.search(r'href="/statistics\?period=weekly"[^>]*aria-current="page"', page)


async def test_statistics_of_a_new_learner_invite_them_to_log_something(
    client: httpx.AsyncClient,
) -> None:
    await signed_up(client)

    response = await client.get("/statistics", params={"period": "all"})

    assert response.status_code == 200
    page = response.text
    assert "Nothing logged yet" in page
    assert 'href="/log"' in page
    assert "data-chart" not in page  # no charts of nothing
    assert "No exercises in the last 7 days" in page
    assert "No graded exercises in this period" in page
    assert "<tbody>" not in page
    assert _headline(page)["Exercises"] == "0"
    assert _headline(page)["Average grade"] == "—"


async def test_statistics_for_a_quiet_period_point_to_all_time(client: httpx.AsyncClient) -> None:
    account = await signed_up(client)
    await record_events(
        client, account.headers, [{"kind": "exercise_completed", "occurred_at": days_ago(20)}]
    )

    page = (await client.get("/statistics", params={"period": "weekly"})).text

    assert "Nothing logged in the last 7 days" in page
    assert 'href="/statistics?period=all"' in page


async def test_an_unknown_period_is_refused_with_a_page(client: httpx.AsyncClient) -> None:
    await signed_up(client)

    response = await client.get("/statistics", params={"period": "yearly"})

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")


# History --------------------------------------------------------------------------------------


async def test_history_shows_one_row_per_active_day_of_the_last_30(
    client: httpx.AsyncClient,
) -> None:
    account = await signed_up(client)
    await _record_a_month(client, account)
    api = await read_json(client, "/api/progress/history", account.headers)

    response = await client.get("/history")

    assert response.status_code == 200
    page = response.text
    snapshots = api["snapshots"]
    assert len(snapshots) == 4  # today, 2, 3 and 12 days ago; not 45 days ago
    rows = _table_rows(page)
    assert [row[0] for row in rows] == [
        formatting.day(local_today() - timedelta(days=n)) for n in (0, 2, 3, 12)
    ]
    by_day = {row[0]: row for row in rows}
    for snap in snapshots:
        day = formatting.day(date.fromisoformat(snap["date"]))
        assert by_day[day][1:9] == [
            str(snap["events"]),
            str(snap["exercises_completed"]),
            str(snap["projects_completed"]),
            str(snap["study_sessions"]),
            formatting.duration(snap["time_spent_seconds"]),
            formatting.grade(snap["average_grade"]),
            formatting.number(snap["xp_gained"]),
            str(snap["streak"]),
        ]
    first_day = by_day[formatting.day(local_today() - timedelta(days=12))]
    assert "First Steps" in first_day[9]  # the achievement unlocked that day
    assert f'value="{api["start_date"]}"' in page
    assert f'value="{api["end_date"]}"' in page


async def test_history_shows_the_range_asked_for(client: httpx.AsyncClient) -> None:
    account = await signed_up(client)
    await _record_a_month(client, account)
    start = (local_today() - timedelta(days=50)).isoformat()
    end = (local_today() - timedelta(days=3)).isoformat()
    api = await read_json(
        client, "/api/progress/history", account.headers, start_date=start, end_date=end
    )

    page = (await client.get("/history", params={"start_date": start, "end_date": end})).text

    rows = _table_rows(page)
    assert [row[0] for row in rows] == [
        formatting.day(date.fromisoformat(s["date"])) for s in reversed(api["snapshots"])
    ]
    assert len(rows) == 3  # 3, 12 and 45 days ago
    assert f'value="{start}"' in page
    assert f'value="{end}"' in page


async def test_history_of_a_quiet_range_says_so(client: httpx.AsyncClient) -> None:
    await signed_up(client)

    response = await client.get("/history")

    assert response.status_code == 200
    assert "No activity between these dates" in response.text
    assert "<tbody>" not in response.text


async def test_a_range_ending_before_it_starts_is_refused_beside_the_end_date(
    client: httpx.AsyncClient,
) -> None:
    account = await signed_up(client)
    params = {"start_date": "2026-03-10", "end_date": "2026-03-01"}
    api = await client.get("/api/progress/history", params=params, headers=account.headers)
    message = api.json()["errors"][0]["message"]

    response = await client.get("/history", params=params)

    assert response.status_code == 422
    page = response.text
    error = re.search(r'<p class="error" id="f-end_date-error">([^<]+)</p>', page)
    assert error
    assert error.group(1) == message[:1].upper() + message[1:]
    assert 'aria-describedby="f-end_date-hint f-end_date-error"' in page
    assert 'value="2026-03-10"' in page
    assert 'value="2026-03-01"' in page
    assert "<tbody>" not in page


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"start_date": "2026-03-10"}, "end_date", "Is required with start_date"),
        ({"end_date": "2026-03-10"}, "start_date", "Is required with end_date"),
        (
            {"start_date": "2024-01-01", "end_date": "2026-01-01"},
            "end_date",
            "The range may cover at most 366 days",
        ),
        ({"start_date": "2026-02-30", "end_date": "2026-03-10"}, "start_date", "Input should be"),
    ],
)
async def test_an_incomplete_or_impossible_range_names_the_field(
    client: httpx.AsyncClient, params: dict[str, str], field: str, message: str
) -> None:
    await signed_up(client)

    response = await client.get("/history", params=params)

    assert response.status_code == 422
    error = re.search(rf'<p class="error" id="f-{field}-error">([^<]+)</p>', response.text)
    assert error
    assert error.group(1).startswith(message)
    assert len(texts(response.text, "error")) == 1


# Export ---------------------------------------------------------------------------------------


async def test_export_from_the_history_page_is_the_api_export(client: httpx.AsyncClient) -> None:
    account = await signed_up(client)
    await _record_a_month(client, account)
    page = (await client.get("/history")).text
    assert 'href="/history/export?format=json"' in page
    assert 'href="/history/export?format=csv"' in page
    # The page says what the export holds: the whole account, without secrets.
    for words in ("whole account", "enough to rebuild it", "tracks", "goals", "never a key"):
        assert words in page, words

    for fmt in ("json", "csv"):
        from_page = await client.get("/history/export", params={"format": fmt})
        from_api = await client.get(
            "/api/progress/export", params={"format": fmt}, headers=account.headers
        )

        assert from_page.status_code == from_api.status_code == 200
        for header in ("content-type", "content-disposition"):
            assert from_page.headers[header] == from_api.headers[header]
        assert from_page.headers["content-disposition"].startswith("attachment; filename=")
        if fmt == "csv":
            assert from_page.text == from_api.text
            assert len(from_page.text.strip().splitlines()) == 1 + 6
        else:
            exported, expected = from_page.json(), from_api.json()
            assert exported.pop("exported_at")
            assert expected.pop("exported_at")
            assert exported == expected
            assert len(exported["events"]) == 6


async def test_export_needs_a_session(client: httpx.AsyncClient) -> None:
    response = await client.get("/history/export", params={"format": "csv"})

    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=%2Fhistory%2Fexport%3Fformat%3Dcsv"


async def test_an_unknown_export_format_is_refused_with_a_page(client: httpx.AsyncClient) -> None:
    await signed_up(client)

    response = await client.get("/history/export", params={"format": "xml"})

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("path", ["/statistics", "/history"])
async def test_the_pages_send_a_visitor_to_sign_in(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)

    assert response.status_code == 303
    assert response.headers["location"] == f"/sign-in?next=%2F{path[1:]}"
