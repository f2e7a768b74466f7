"""The webhooks settings page in a real browser: made, listed with a delivery, accessible."""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.web.test_pages import log_exercise, sign_up


def test_a_webhook_is_made_and_its_delivery_listed_on_an_accessible_page(page: Page) -> None:
    sign_up(page)
    page.goto("/settings/webhooks")
    page.get_by_label("Endpoint URL").fill("https://93.184.216.34/hooks")
    page.get_by_label("event.recorded").check()
    page.get_by_role("button", name="Add webhook").click()
    expect(page.get_by_label("Signing secret")).to_have_value(re.compile(r"^whsec_"))
    axe = Axe()
    made = axe.run(page)

    log_exercise(page)
    page.goto("/settings/webhooks")
    expect(page.get_by_label("Signing secret")).to_have_count(0)
    expect(page.get_by_role("table", name="Recent deliveries")).to_contain_text("event.recorded")
    listed = axe.run(page)

    page.get_by_role("button", name="Delete the webhook to https://93.184.216.34/hooks").click()
    expect(page.get_by_text("No webhooks yet.")).to_be_visible()
    assert not made.violations_count, made.generate_report()
    assert not listed.violations_count, listed.generate_report()
