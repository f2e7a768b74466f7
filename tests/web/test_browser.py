"""The browser test setup itself: real Chromium reaches the live app."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.web.conftest import Screenshot


def test_api_docs_render_in_the_browser(page: Page, screenshot: Screenshot) -> None:
    page.goto("/docs")
    title = page.get_by_role("heading", name="QuestPath")

    # Swagger UI lays out the whole document (some 300 KB) before its title shows: seconds
    # of a busy machine's core, so this waits for it rendering, not for it being quick.
    title.wait_for(timeout=30_000)

    assert "QuestPath" in title.inner_text()
    screenshot(page, "docs")


def test_health_answers_ok_to_the_browser(page: Page) -> None:
    response = page.goto("/health")

    assert response is not None
    assert response.json()["status"] == "ok"
