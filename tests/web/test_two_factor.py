"""Two-factor sign-in in real Chromium: set up from the account page, then a sign-in in two
steps, with a recovery code (the code that turned it on is used, and the next one may be thirty
seconds away)."""

from __future__ import annotations

import pyotp
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.helpers import PASSWORD
from tests.web.test_pages import sign_up


def test_a_learner_turns_on_two_factor_sign_in_and_signs_in_with_a_recovery_code(
    page: Page,
) -> None:
    axe = Axe()
    sign_up(page)
    page.goto("/settings/account")
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    qr_code = page.get_by_role("img", name="QR code of the key for your authenticator app")
    expect(qr_code).to_be_visible()
    assert not axe.run(page).violations_count
    secret = page.locator("code.secret").inner_text()

    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_text("Your recovery codes.")).to_be_visible()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10

    page.get_by_role("button", name="Sign out Ada").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto("/sign-in?next=/goals")
    page.get_by_label("E-mail address").fill("ada@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()
    assert not axe.run(page).violations_count
    page.get_by_label("Code").fill("abcd-abcd-abcd")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_label("Code")).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("9 recovery codes remain")).to_be_visible()
    assert page.url.endswith("/goals")
