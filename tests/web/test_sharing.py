"""Sharing in a real browser: the learner turns progress sharing on in the settings or shares a
track, copies the link shown that once, and a visitor who never signed in opens it."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.web.conftest import VIEWPORT, Screenshot
from tests.web.test_pages import import_track, log_exercise, sign_up


def test_a_learner_shares_progress_and_a_visitor_opens_the_link_signed_out(
    page: Page, browser: Browser, live_server: str, screenshot: Screenshot
) -> None:
    sign_up(page)
    log_exercise(page, topic="recursion")
    import_track(page)
    page.goto("/settings")
    page.get_by_role("link", name="Sharing").click()
    expect(page.get_by_role("heading", name="Sharing", level=1)).to_be_visible()

    page.get_by_label("Share my progress on a public page").check()
    page.get_by_label("Handle (optional)").fill("ada-learns")
    for section in ["Badges (earned achievements)", "Skill levels", "Activity calendar"]:
        page.get_by_label(section).check()
    page.get_by_label("Tracks you pick below").check()
    page.get_by_label("Python Foundations").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Sharing settings saved, and your link is made.")).to_be_visible()
    expect(page.get_by_text("Copy it now: it will not be shown again.")).to_be_visible()
    link = page.get_by_label("Public page", exact=True).input_value()
    assert link.startswith(f"{live_server}/p/")
    expect(page.get_by_role("img", name="Your badge: rank and streak")).to_be_visible()
    screenshot(page, "settings")
    settings_report = Axe().run(page)

    page.goto("/settings/sharing")
    expect(page.get_by_text("Your link is active.")).to_be_visible()
    expect(page.get_by_label("Public page", exact=True)).to_have_count(0)
    assert link not in page.content()

    visitor = browser.new_context(viewport=VIEWPORT)
    try:
        public = visitor.new_page()
        public.goto(link)
        expect(public.get_by_role("heading", name="ada-learns's progress", level=1)).to_be_visible()
        expect(public.get_by_role("heading", name="Rank")).to_be_visible()
        expect(public.get_by_role("heading", name="Badges")).to_be_visible()
        expect(public.get_by_role("row", name="recursion")).to_be_visible()
        expect(public.get_by_text("Python Foundations")).to_be_visible()
        expect(public.get_by_role("img", name="Activity over the last 365 days")).to_be_visible()
        expect(public.get_by_role("link", name="Sign out")).to_have_count(0)
        assert "ada@example.com" not in public.content()
        assert visitor.cookies() == []
        screenshot(public, "public")
        public_report = Axe().run(public)
        public.set_viewport_size({"width": 375, "height": 812})
        width = public.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the public page is {width}px wide"
        screenshot(public, "public-375")
    finally:
        visitor.close()
    failing = [r.generate_report() for r in (settings_report, public_report) if r.violations_count]
    assert not failing, "\n".join(failing)


def status_of(page: Page, url: str) -> int:
    response = page.goto(url)
    assert response is not None
    return response.status


def test_a_lost_progress_link_is_replaced_and_the_old_one_stops(
    page: Page, browser: Browser, live_server: str
) -> None:
    sign_up(page)
    page.goto("/settings/sharing")
    page.get_by_label("Share my progress on a public page").check()
    page.get_by_role("button", name="Save").click()
    old = page.get_by_label("Public page", exact=True).input_value()
    page.goto("/settings/sharing")

    page.get_by_role("button", name="Make a new link").click()

    expect(page.get_by_text("A new link is made, and the old one no longer works.")).to_be_visible()
    new = page.get_by_label("Public page", exact=True).input_value()
    assert new != old
    visitor = browser.new_context(viewport=VIEWPORT)
    try:
        public = visitor.new_page()
        assert status_of(public, old) == 404
        assert status_of(public, new) == 200
    finally:
        visitor.close()


def test_a_track_link_is_shown_once_replaced_and_turned_off(
    page: Page, browser: Browser, live_server: str, screenshot: Screenshot
) -> None:
    sign_up(page)
    import_track(page)
    page.get_by_role("button", name="Share a read-only link").click()
    expect(page.get_by_text("Copy the link now: it will not be shown again.")).to_be_visible()
    first = page.locator("#share-link").input_value()
    assert first.startswith(f"{live_server}/shared/")
    screenshot(page, "track-link")
    report = Axe().run(page)

    page.goto(page.url.removesuffix("/share"))  # later: the link is active, its address gone
    expect(page.get_by_text("A read-only link is active.")).to_be_visible()
    assert first not in page.content()
    page.get_by_role("button", name="Replace the link").click()
    expect(page.get_by_text("A new link is made, and the old one no longer works.")).to_be_visible()
    second = page.locator("#share-link").input_value()
    assert second != first

    visitor = browser.new_context(viewport=VIEWPORT)
    try:
        public = visitor.new_page()
        assert status_of(public, first) == 404
        assert status_of(public, second) == 200
        expect(public.get_by_role("heading", name="Python Foundations", level=1)).to_be_visible()
        page.get_by_role("button", name="Stop sharing").click()
        expect(page.get_by_role("button", name="Share a read-only link")).to_be_visible()
        assert status_of(public, second) == 404
    finally:
        visitor.close()
    assert not report.violations_count, report.generate_report()
