"""The seed track's written learning path on the dashboard, in real Chromium on a fresh
database."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from questpath.tracks.rules import horizon_for_heading
from tests.web.conftest import Screenshot
from tests.web.test_pages import sign_up

SEED = (Path(__file__).parents[1] / "tracks" / "data" / "learning_track.md").read_text("utf-8")


def written_path() -> list[tuple[str, list[str]]]:
    """(horizon, entry texts) of each section under "## Learning Path", read line by line."""
    section = re.search(r"^## Learning Path\n(.*?)^---", SEED, re.DOTALL | re.MULTILINE)
    assert section is not None
    found: list[tuple[str, list[str]]] = []
    for line in section[1].splitlines():
        if line.startswith("### "):
            found.append((str(horizon_for_heading(line[4:])), []))
        elif entry := re.match(r"\d+\. (.*)", line):
            found[-1][1].append(entry[1])
    return found


def test_the_seed_track_s_learning_path_shows_on_the_dashboard_by_horizon(
    page: Page, screenshot: Screenshot
) -> None:
    sign_up(page)
    page.goto("/tracks")
    page.get_by_label("Or paste the Markdown").fill(SEED)
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("heading", name="Learning Track", level=1)).to_be_visible()

    page.goto("/")
    card = page.locator("section", has=page.get_by_role("heading", name="Today's learning path"))
    expected = written_path()
    groups = card.locator("ol.path-group")
    expect(groups).to_have_count(len(expected))
    for index, (horizon, entries) in enumerate(expected):
        group = groups.nth(index)
        expect(group).to_have_attribute("data-horizon", horizon)
        links = group.locator("li.path-item > a")
        expect(links).to_have_count(len(entries))
        for number, entry in enumerate(entries):
            # A linked entry shows the item it names, whose title may say more or less.
            first_word = re.escape(entry.split()[0])
            expect(links.nth(number)).to_have_text(re.compile(rf"^{first_word}", re.IGNORECASE))
    expect(card.get_by_role("heading", name="Immediate", level=3)).to_be_visible()
    shot = screenshot(page, "learning-path")
    assert shot.stat().st_size > 0

    card.get_by_role("link", name="Pre-commit hooks setup").click()
    expect(page.get_by_role("heading", name="Learning Track", level=1)).to_be_visible()
