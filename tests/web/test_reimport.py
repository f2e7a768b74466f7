"""Updating a track from an edited document in a real browser: the preview first, then Apply."""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.web.conftest import Screenshot
from tests.web.test_pages import import_track, sign_up


def edited(exported: str) -> str:
    """The export with an item removed, one renamed (its id keeps it) and one added."""
    lines = [line for line in exported.split("\n") if "Control flow" not in line]
    text = "\n".join(lines).replace("] Functions <!--", "] Functions and closures <!--")
    return text.replace("## 2. Testing\n", "## 2. Testing\n\n- [ ] Fixtures\n")


def test_a_learner_previews_an_edited_document_and_applies_it_keeping_their_progress(
    page: Page, screenshot: Screenshot
) -> None:
    sign_up(page)
    import_track(page)
    track_url = page.url
    states = page.get_by_label(re.compile(r"^State of "))
    states.first.select_option("done")
    expect(page.locator(".item.state-done")).to_have_count(1)

    exported = page.request.get(f"{track_url}/export?format=markdown").text()
    assert "<!-- qp:item" in exported
    page.get_by_text("Update from Markdown").click()
    page.get_by_label("Or paste the Markdown").fill(edited(exported))
    page.get_by_role("button", name="Preview the changes").click()

    preview = page.locator("#update-preview")
    expect(preview.get_by_role("heading", name="What the document changes")).to_be_visible()
    expect(preview.get_by_role("heading", name="Added (1)")).to_be_visible()
    expect(preview.locator(".update-added")).to_contain_text("Fixtures")
    expect(preview.locator(".update-changed")).to_contain_text("Functions and closures")
    expect(preview.locator(".update-changed")).to_contain_text("was “Functions”")
    expect(preview.locator(".update-removed")).to_contain_text("Control flow")
    expect(preview).to_contain_text("2 items unchanged")
    # Nothing is applied yet.
    expect(page.locator(".item", has_text="Control flow")).to_have_count(1)
    screenshot(page, "update-preview")
    report = Axe().run(page)

    preview.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("The track is updated from Markdown")).to_be_visible()
    assert page.url == track_url
    expect(page.locator(".item", has_text="Control flow")).to_have_count(0)
    expect(page.locator(".item", has_text="Fixtures")).to_have_count(1)
    expect(page.locator(".item", has_text="Functions and closures")).to_have_count(1)
    expect(page.locator(".item.state-done")).to_have_count(1)
    expect(page.locator(".item.state-done")).to_contain_text("Variables and types")
    screenshot(page, "updated")
    assert not report.violations_count, report.generate_report()


def test_a_document_without_items_is_refused_in_the_preview(page: Page) -> None:
    sign_up(page)
    import_track(page)
    page.get_by_text("Update from Markdown").click()
    page.get_by_label("Or paste the Markdown").fill("# Just prose\n\nNo checklist here.\n")
    page.get_by_role("button", name="Preview the changes").click()
    expect(page.locator("#update-preview [role=alert]")).to_contain_text("task-list items")
    expect(page.get_by_role("button", name="Apply")).to_have_count(0)
