"""The browser test setup itself: real Chromium reaches the live app."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.web.conftest import Screenshot


def test_api_docs_render_in_the_browser(page: Page, screenshot: Screenshot) -> None:
    page.goto("/docs")
    title = page.get_by_role("heading", name="QuestPath")

    title.wait_for()

    assert "QuestPath" in title.inner_text()
    screenshot(page, "docs")


def test_health_answers_ok_to_the_browser(page: Page) -> None:
    response = page.goto("/health")

    assert response is not None
    assert response.json()["status"] == "ok"
