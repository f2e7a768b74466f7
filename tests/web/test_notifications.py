"""Notifications in the browser: the header's unread count kept current over the event stream,
the list, marking read, and the settings page."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from tests.web.browsing import api_headers
from tests.web.conftest import Screenshot
from tests.web.test_pages import sign_up


def test_a_new_level_shows_in_the_header_and_the_list_where_it_is_marked_read(
    page: Page, live_server: str, screenshot: Screenshot
) -> None:
    sign_up(page)
    bell = page.get_by_role("link", name="Notifications")
    count = page.locator("[data-unread-count]")
    expect(count).to_be_hidden()

    response = httpx.post(
        f"{live_server}/api/events",
        json={"kind": "project_completed", "topic": "sql", "grade": 90},
        headers=api_headers(live_server),
        timeout=10,
    )
    assert response.status_code == 201
    unlocked = response.json()["achievements_unlocked"]
    told = len(unlocked) + 1  # the achievements, and level 2

    # Pushed over the stream, without a reload: a toast for the level, the count in the header.
    expect(page.locator(".toast-notification")).to_contain_text("You reached level 2")
    expect(count).to_be_visible()
    expect(page.locator("[data-unread-number]")).to_have_text(str(told))
    expect(bell).to_have_accessible_name(re.compile(rf"^Notifications\s*, {told} unread$"))
    screenshot(page, "header")

    bell.click()
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    items = page.locator(".notification")
    expect(items).to_have_count(told)
    expect(items.filter(has_text="You reached level 2")).to_have_count(1)
    for achievement in unlocked:
        expect(items.filter(has_text=achievement["name"])).to_have_count(1)
    expect(page.locator(".notification.unread")).to_have_count(told)
    screenshot(page, "list")

    items.first.get_by_role("button", name="Mark read").click()
    expect(page.locator(".notification.unread")).to_have_count(told - 1)
    expect(page.locator("[data-unread-number]")).to_have_text(str(told - 1))
    page.get_by_role("button", name=f"Mark all {told - 1} read").click()
    expect(page.locator(".notification.unread")).to_have_count(0)
    expect(count).to_be_hidden()


def test_reminders_are_chosen_on_the_settings_page(page: Page, screenshot: Screenshot) -> None:
    sign_up(page)
    page.goto("/settings")
    page.get_by_role("link", name="Notifications", exact=True).last.click()
    streak = page.get_by_label("when my streak would end tonight")
    reviews = page.get_by_label("when review cards are due")
    digest = page.get_by_label("E-mail me a digest")
    expect(streak).to_be_checked()
    expect(reviews).to_be_checked()
    expect(digest).to_be_disabled()  # this server sends no mail
    expect(page.get_by_text("This server does not send e-mail")).to_be_visible()

    streak.uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").first).to_contain_text("Your notification settings are saved.")
    expect(page.get_by_label("when my streak would end tonight")).not_to_be_checked()
    expect(page.get_by_label("when review cards are due")).to_be_checked()
    screenshot(page, "settings")
