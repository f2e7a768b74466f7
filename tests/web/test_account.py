"""The account page in real Chromium: a new password, and a deletion taken back."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.helpers import PASSWORD
from tests.web.conftest import Screenshot
from tests.web.test_pages import sign_up

NEW_PASSWORD = "a brand new passphrase"


def test_a_learner_changes_the_password_then_asks_for_deletion_and_keeps_the_account(
    page: Page, screenshot: Screenshot
) -> None:
    sign_up(page)
    page.goto("/settings")
    page.get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", name="Account", level=1)).to_be_visible()
    expect(page.get_by_role("cell", name="(this browser)")).to_be_visible()

    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Password changed")).to_be_visible()

    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Delete my account in 7 days").click()
    expect(page.get_by_text("Is not this account's password")).to_be_visible()
    page.get_by_label("Your password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Delete my account in 7 days").click()
    page.goto("/")
    warning = page.get_by_role("status").filter(has_text="will be deleted on")
    expect(warning).to_be_visible()
    assert screenshot(page, "deletion-pending").stat().st_size > 0

    warning.get_by_role("link", name="Keep my account").click()
    page.get_by_role("button", name="Keep my account").click()
    expect(page.get_by_text("Your account stays.")).to_be_visible()
    expect(page.get_by_text("will be deleted on")).to_have_count(0)
