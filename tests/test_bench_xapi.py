"""The xAPI benchmark's statements, written straight into the tables, are what the LRS finds."""

from __future__ import annotations

import json

import httpx
from bench.xapi import _fill_async

from questpath.config import Settings
from tests.xapi.helpers import basic


async def test_the_benchmarks_statements_answer_the_lrs_filters_as_stored_ones_would(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    key_id, secret, registrations = await _fill_async(settings.database_url, 300)
    headers = basic(key_id, secret)

    everything = await client.get("/xapi/statements", params={"limit": 0}, headers=headers)
    assert everything.status_code == 200, everything.text
    statements = everything.json()["statements"]
    assert len(statements) == 300
    actor = statements[0]["actor"]
    agent = json.dumps({"mbox": actor["mbox"]})
    found = await client.get(
        "/xapi/statements", params={"agent": agent, "limit": 0}, headers=headers
    )
    expected = [s["id"] for s in statements if s["actor"]["mbox"] == actor["mbox"]]
    assert [s["id"] for s in found.json()["statements"]] == expected
    course = statements[0]["context"]["contextActivities"]["parent"][0]["id"]
    related = await client.get(
        "/xapi/statements",
        params={"activity": course, "related_activities": "true", "limit": 0},
        headers=headers,
    )
    in_course = [
        s["id"]
        for s in statements
        if s["context"]["contextActivities"]["parent"][0]["id"] == course
    ]
    assert [s["id"] for s in related.json()["statements"]] == in_course
    assert registrations
