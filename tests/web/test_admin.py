"""The admin page in real Chromium: an admin disables an account and makes an invite link."""

from __future__ import annotations

import os
import subprocess

import httpx
from playwright.sync_api import Page, expect

from questpath.config import Settings
from tests.auth.test_routes import QUESTPATH_CLI
from tests.helpers import PASSWORD
from tests.web.conftest import Screenshot
from tests.web.test_pages import sign_up


def test_an_admin_disables_an_account_and_makes_an_invite_in_the_browser(
    page: Page, live_server: str, settings: Settings, screenshot: Screenshot
) -> None:
    ada = httpx.post(
        f"{live_server}/api/auth/register",
        json={"email": "ada@example.com", "password": PASSWORD},
        timeout=30,
    )
    assert ada.status_code == 201, ada.text
    sign_up(page, "root@example.com", "Root")
    expect(page.get_by_role("link", name="Admin", exact=True)).to_have_count(0)
    env = {
        **os.environ,
        "QUESTPATH_DATABASE_URL": settings.database_url,
        "QUESTPATH_DATA_DIR": str(settings.data_dir),
        "QUESTPATH_ADMIN_PASSWORD": PASSWORD,
    }
    promoted = subprocess.run(
        [str(QUESTPATH_CLI), "create-admin", "root@example.com"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert promoted.returncode == 0, promoted.stderr

    page.goto("/")
    page.get_by_role("link", name="Admin", exact=True).click()
    expect(page.get_by_role("heading", name="Admin", level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has_text="ada@example.com")
    row.get_by_role("button", name="Disable").click()
    expect(page.get_by_text("ada@example.com is disabled")).to_be_visible()
    expect(row.get_by_text("Disabled", exact=True)).to_be_visible()
    refused = httpx.post(
        f"{live_server}/api/auth/login",
        json={"email": "ada@example.com", "password": PASSWORD},
        timeout=30,
    )
    assert refused.status_code == 403, refused.text

    page.get_by_label("E-mail address (optional)").fill("bob@example.com")
    page.get_by_role("button", name="Create invite").click()
    link = page.get_by_label("Invite link").input_value()
    assert f"{live_server}/sign-up?invite=" in link
    expect(page.get_by_role("row").filter(has_text="bob@example.com")).to_be_visible()
    assert screenshot(page, "admin").stat().st_size > 0
