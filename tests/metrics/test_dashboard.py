"""docs/grafana/questpath.json imports into Grafana and asks only for what /metrics exports."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from tests.metrics.scrape import LOOPBACK

DASHBOARD = Path(__file__).resolve().parents[2] / "docs" / "grafana" / "questpath.json"
SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "gauge": ("",),
}


def _panels() -> list[dict[str, Any]]:
    panels: list[dict[str, Any]] = json.loads(DASHBOARD.read_text())["panels"]
    return panels


def _referenced(panel: dict[str, Any]) -> set[str]:
    return {
        name
        for target in panel["targets"]
        for name in re.findall(r"\bquestpath_[a-z0-9_]+", target["expr"])
    }


@pytest.fixture
async def exported(app: FastAPI) -> dict[str, str]:
    """Every series name GET /metrics exports (also those no request has moved yet), each with
    the family it belongs to. The text format lists a counter's or histogram's `_created`
    series as a family of its own; it only says when the process started counting."""
    transport = httpx.ASGITransport(app=app, client=LOOPBACK)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/metrics")
    assert response.status_code == 200
    return {
        family.name + suffix: family.name
        for family in text_string_to_metric_families(response.text)
        if family.name.startswith("questpath_") and not family.name.endswith("_created")
        for suffix in SUFFIXES[family.type]
    }


def test_the_datasource_is_an_input_chosen_at_import() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    assert [i["name"] for i in dashboard["__inputs"]] == ["DS_PROMETHEUS"]
    for panel in dashboard["panels"]:
        assert panel["datasource"]["uid"] == "${DS_PROMETHEUS}"
        assert {t["datasource"]["uid"] for t in panel["targets"]} == {"${DS_PROMETHEUS}"}


async def test_every_metric_a_panel_queries_is_exported(exported: dict[str, str]) -> None:
    for panel in _panels():
        assert _referenced(panel), panel["title"]
        assert _referenced(panel) <= exported.keys(), panel["title"]


async def test_every_exported_metric_has_a_panel(exported: dict[str, str]) -> None:
    shown = {exported[name] for panel in _panels() for name in _referenced(panel)}
    assert shown == set(exported.values())
