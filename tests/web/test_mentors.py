"""Mentors in a real browser: the learner makes an invite link, a mentor who is not signed in
opens it, signs in, accepts, and reads the learner's progress on a page with nothing to change."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.helpers import PASSWORD
from tests.web.conftest import VIEWPORT, Screenshot
from tests.web.test_pages import import_track, log_exercise, sign_up


def test_a_mentor_signs_in_from_the_invite_accepts_and_reads_the_progress(
    page: Page, browser: Browser, live_server: str, screenshot: Screenshot
) -> None:
    sign_up(page)
    log_exercise(page, topic="recursion")
    import_track(page)
    page.goto("/settings")
    page.get_by_role("link", name="Mentors", exact=True).click()
    page.get_by_role("button", name="Make an invite link").click()
    expect(page.get_by_text("Copy it now: it will not be shown again.")).to_be_visible()
    link = page.get_by_label("Invite link").input_value()
    assert link.startswith(f"{live_server}/mentor-invites/")
    reports = {"settings": Axe().run(page)}

    context = browser.new_context(viewport=VIEWPORT, base_url=live_server)
    try:
        mentor = context.new_page()
        sign_up(mentor, "grace@example.com", "Grace")
        mentor.get_by_role("button", name="Sign out").click()
        mentor.goto(link)
        mentor.get_by_label("E-mail address").fill("grace@example.com")
        mentor.get_by_label("Password").fill(PASSWORD)
        mentor.get_by_role("button", name="Sign in").click()
        expect(mentor.get_by_role("heading", name="Become Ada's mentor")).to_be_visible()
        reports["invite"] = Axe().run(mentor)
        mentor.get_by_role("button", name="Accept").click()

        expect(mentor.get_by_role("heading", name="Ada", level=1)).to_be_visible()
        expect(mentor.get_by_text("You are now Ada's mentor.")).to_be_visible()
        expect(mentor.get_by_role("heading", name="Python Foundations")).to_be_visible()
        expect(mentor.get_by_role("rowheader", name="recursion")).to_be_visible()
        expect(mentor.get_by_role("combobox")).to_have_count(0)
        assert "ada@example.com" not in mentor.content()
        screenshot(mentor, "mentee")
        reports["mentee"] = Axe().run(mentor)
    finally:
        context.close()

    page.goto("/settings/mentors")
    expect(page.get_by_text("grace@example.com")).to_be_visible()
    failing = [
        f"{name}: {r.generate_report()}" for name, r in reports.items() if r.violations_count
    ]
    assert not failing, "\n".join(failing)
