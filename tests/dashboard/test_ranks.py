"""The rank guide: the dashboard's rank card and the ranks page, read as a browser reads them."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from questpath.app import create_app
from questpath.config import Settings
from questpath.ruleset import DEFAULT_RULES_FILE, Rank, default_ruleset
from tests.helpers import Account, days_ago, record_events
from tests.web.browsing import signed_up

RANKS = default_ruleset().ranks
BY_ID = {rank.id: rank for rank in RANKS}


def projects(count: int) -> list[dict[str, Any]]:
    return [{"kind": "project_completed", "occurred_at": days_ago(40)}] * count


async def complete_projects(client: httpx.AsyncClient, account: Account, count: int) -> None:
    if count:
        await record_events(client, account.headers, projects(count))


def shows_the_guide_of(part: str, rank: Rank) -> None:
    """Every text of `rank` is in this part of a page, the links with their addresses."""
    text = html.unescape(part)
    for line in (
        rank.focus,
        *rank.what_you_can_do,
        *rank.quality_expectations,
        *rank.common_challenges,
        *rank.next_steps,
    ):
        assert line in text, f"{rank.id}: {line!r} is missing"
    for resource in rank.resources:
        if resource.url:
            assert f'href="{resource.url}"' in part, resource.url
        assert resource.title in text, resource.title
    for heading in ("What you can do", "Quality expectations", "Common challenges", "Next steps"):
        assert f">{heading}</h3>" in part


def missing_line(projects_missing: int, rank: Rank) -> str:
    plural = "" if projects_missing == 1 else "s"
    return f"Complete {projects_missing} more project{plural} to reach {rank.name}."


def rank_card(page: str) -> str:
    start = page.index('aria-labelledby="rank-heading"')
    return page[start : page.index('aria-labelledby="level-heading"', start)]


def split_card(card: str) -> tuple[str, str]:
    """The rank card up to the next rank's guide, and that guide."""
    at = card.index("<details", card.index("<details") + 1)
    return card[:at], card[at:]


def ladder_entries(page: str) -> dict[str, str]:
    """Each rank's entry on the ranks page, by rank id."""
    parts = re.split(r'<li class="card rank[^"]*" id="rank-', page)[1:]
    return {part.split('"', 1)[0]: part for part in parts}


def no_old_wording(page: str) -> None:
    assert "to become" not in page
    assert "to go)" not in page
    assert not re.search(r"\d+ of \d+", rank_card(page) if "rank-heading" in page else page)


# The dashboard's rank card


async def test_a_new_learner_sees_the_novice_and_competent_guides_on_the_dashboard(
    client: httpx.AsyncClient,
) -> None:
    await signed_up(client)
    page = (await client.get("/")).text
    card = rank_card(page)
    novice, competent = RANKS[0], RANKS[1]

    yours, following = split_card(card)
    assert f"<summary>Your rank: {novice.name}</summary>" in yours
    shows_the_guide_of(yours, novice)
    assert f"<summary>Next: {competent.name}</summary>" in following
    shows_the_guide_of(following, competent)
    line = missing_line(competent.min_projects, competent)
    assert html.unescape(card).count(line) == 1
    assert 'aria-label="Projects completed toward Competent"' in card
    assert 'value="0"' in card
    assert '<a href="/ranks">Rank guide</a>' in card
    no_old_wording(page)


async def test_the_rank_card_follows_the_learner_up_the_ladder(
    client: httpx.AsyncClient,
) -> None:
    account = await signed_up(client)
    await complete_projects(client, account, 4)
    card = rank_card((await client.get("/")).text)
    competent, proficient = BY_ID["competent"], BY_ID["proficient"]

    yours, following = split_card(card)
    shows_the_guide_of(yours, competent)
    shows_the_guide_of(following, proficient)
    assert html.unescape(card).count(missing_line(2, proficient)) == 1
    percent = 4 * 100 // proficient.min_projects
    assert f'value="{percent}"' in card
    assert RANKS[0].focus not in html.unescape(card)  # the guide of a rank left behind


async def test_at_the_top_of_the_ladder_nothing_is_missing(client: httpx.AsyncClient) -> None:
    account = await signed_up(client)
    await complete_projects(client, account, RANKS[-1].min_projects)
    card = rank_card((await client.get("/")).text)

    assert card.count("<details") == 1
    shows_the_guide_of(card, RANKS[-1])
    assert "The top of the ladder." in card
    assert not re.search(r"Complete \d+ more project", card)
    assert "<progress" not in card


# The ranks page


async def test_the_ranks_page_shows_every_rank_and_highlights_the_learners(
    client: httpx.AsyncClient,
) -> None:
    account = await signed_up(client)
    await complete_projects(client, account, 1)
    response = await client.get("/ranks")

    assert response.status_code == 200
    page = response.text
    entries = ladder_entries(page)
    assert list(entries) == [rank.id for rank in RANKS]
    for rank in RANKS:
        shows_the_guide_of(entries[rank.id], rank)
    current = [rank_id for rank_id, part in entries.items() if 'aria-current="step"' in part]
    assert current == ["novice"]
    assert 'class="card rank current" id="rank-novice"' in page
    assert "Your rank</span>" in entries["novice"]
    assert "Next</span>" in entries["competent"]
    assert html.unescape(page).count(missing_line(2, BY_ID["competent"])) == 1
    assert f'You are <span aria-hidden="true">{RANKS[0].icon}</span> Novice' in page
    assert "1 project completed" in page
    assert '<a href="/ranks" aria-current="page">Ranks</a>' in page
    no_old_wording(page)


@pytest.mark.parametrize(
    ("done", "current", "passed"),
    [(3, "competent", ["novice"]), (9, "proficient", ["novice", "competent"])],
)
async def test_ranks_passed_are_marked_and_the_next_one_is_named(
    client: httpx.AsyncClient, done: int, current: str, passed: list[str]
) -> None:
    account = await signed_up(client)
    await complete_projects(client, account, done)
    page = (await client.get("/ranks")).text
    entries = ladder_entries(page)

    assert [r for r, part in entries.items() if 'aria-current="step"' in part] == [current]
    assert [r for r, part in entries.items() if "Passed</span>" in part] == passed
    index = [rank.id for rank in RANKS].index(current)
    following = RANKS[index + 1]
    missing = following.min_projects - done
    assert html.unescape(page).count(missing_line(missing, following)) == 1


async def test_the_ranks_page_at_the_top_says_so_and_asks_for_nothing(
    client: httpx.AsyncClient,
) -> None:
    account = await signed_up(client)
    await complete_projects(client, account, RANKS[-1].min_projects + 2)
    page = (await client.get("/ranks")).text

    assert "You have reached the top of the ladder." in page
    assert not re.search(r"Complete \d+ more project", page)
    assert f"{RANKS[-1].min_projects} or more projects" in page
    assert 'aria-current="step"' in ladder_entries(page)[RANKS[-1].id]


async def test_the_ranks_page_sends_a_visitor_to_sign_in(client: httpx.AsyncClient) -> None:
    response = await client.get("/ranks")

    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=%2Franks"


@pytest.mark.usefixtures("app")  # its teardown empties the database this test's app writes to
async def test_ranks_without_challenges_or_resources_show_neither_section(
    settings: Settings, tmp_path: Path
) -> None:
    """A rules file written before the two fields existed: its guide shows what it has."""
    text = re.sub(
        r"\n(common_challenges|resources) = \[\n.*?\n\]\n",
        "\n",
        DEFAULT_RULES_FILE.read_text(encoding="utf-8"),
        flags=re.S,
    )
    assert "common_challenges" not in text
    assert "resources =" not in text
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    other = create_app(settings.model_copy(update={"rules_file": path}))
    transport = httpx.ASGITransport(app=other, client=("198.51.100.9", 40000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            await signed_up(client)
            for page in ((await client.get("/ranks")).text, (await client.get("/")).text):
                assert ">What you can do</h3>" in page
                assert ">Next steps</h3>" in page
                assert ">Common challenges</h3>" not in page
                assert ">Resources</h3>" not in page
                assert RANKS[0].common_challenges[0] not in html.unescape(page)
    finally:
        await other.state.engine.dispose()
