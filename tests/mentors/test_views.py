"""The mentor pages over ASGI as browsers use them: the learner's invite link shown once, a
mentor accepting it, the read-only mentee page with notes only when allowed, and ending it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.helpers import Account
from tests.mentors.test_routes import ITEM_NOTE, METADATA, NOTES, busy
from tests.web.browsing import signed_up, submit

INVITE_LINK = re.compile(r'id="mentor-invite-link" class="secret" readonly value="([^"]+)"')
FORM_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')


def _browser(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def mentee_browser(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with _browser(app) as browser:
        yield browser


@pytest.fixture
async def mentor_browser(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with _browser(app) as browser:
        yield browser


async def _invite_link(browser: httpx.AsyncClient) -> str:
    made = await submit(browser, "/settings/mentors/invite", form_page="/settings/mentors")
    assert made.status_code == 200, made.text
    match = INVITE_LINK.search(made.text)
    assert match, "the page shows no invite link"
    return match.group(1)


async def _accepted(
    mentee_browser: httpx.AsyncClient, mentor_browser: httpx.AsyncClient
) -> tuple[Account, Account, dict[str, Any]]:
    mentee = await signed_up(mentee_browser, "mentee@example.com")
    mentor = await signed_up(mentor_browser, "mentor@example.com")
    track = await busy(mentee_browser, mentee)
    path = httpx.URL(await _invite_link(mentee_browser)).path
    accepted = await submit(mentor_browser, path, form_page=path)
    assert accepted.status_code == 303, accepted.text
    assert accepted.headers["location"] == f"/mentees/{mentee.id}"
    return mentee, mentor, track


async def test_the_invite_link_is_shown_once(mentee_browser: httpx.AsyncClient) -> None:
    await signed_up(mentee_browser, "mentee@example.com")

    link = await _invite_link(mentee_browser)
    again = await mentee_browser.get("/settings/mentors")

    assert link.startswith("http://testserver/mentor-invites/")
    assert httpx.URL(link).path.rsplit("/", 1)[1] not in again.text
    assert "An invite link is open until" in again.text


async def test_a_signed_out_visitor_signs_in_before_seeing_the_invite(
    mentee_browser: httpx.AsyncClient, mentor_browser: httpx.AsyncClient
) -> None:
    await signed_up(mentee_browser, "mentee@example.com")
    path = httpx.URL(await _invite_link(mentee_browser)).path

    response = await mentor_browser.get(path)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in")


async def test_the_mentor_accepts_and_sees_the_mentee_read_only_without_notes(
    mentee_browser: httpx.AsyncClient, mentor_browser: httpx.AsyncClient
) -> None:
    await _accepted(mentee_browser, mentor_browser)

    listing = await mentor_browser.get("/mentees")
    link = re.search(r'href="(/mentees/[0-9a-f-]+)"', listing.text)
    assert link, listing.text
    page = await mentor_browser.get(link.group(1))

    assert page.status_code == 200, page.text
    for shown in ("Mentored roadmap", "First step", 'data-testid="level"', "recursion"):
        assert shown in page.text
    for note in NOTES:
        assert note not in page.text
    # Nothing on the page writes: its only form is the sign-out in the header.
    assert FORM_ACTION.findall(page.text) == ["/sign-out"]


async def test_the_mentee_allows_notes_then_removes_the_mentor(
    mentee_browser: httpx.AsyncClient, mentor_browser: httpx.AsyncClient
) -> None:
    mentee, mentor, _ = await _accepted(mentee_browser, mentor_browser)
    settings = await mentee_browser.get("/settings/mentors")
    assert "mentor@example.com" in settings.text

    allowed = await submit(
        mentee_browser,
        f"/settings/mentors/{mentor.id}/notes",
        {"allow_notes": "on"},
        form_page="/settings/mentors",
    )
    assert allowed.status_code == 303, allowed.text
    page = await mentor_browser.get(f"/mentees/{mentee.id}")
    assert ITEM_NOTE in page.text
    assert METADATA in page.text
    assert "Your notes" not in page.text  # they are the mentee's, read by the mentor

    removed = await submit(
        mentee_browser, f"/settings/mentors/{mentor.id}/remove", form_page="/settings/mentors"
    )
    assert removed.status_code == 303, removed.text
    assert (await mentor_browser.get(f"/mentees/{mentee.id}")).status_code == 404
    assert "No mentors yet" in (await mentee_browser.get("/settings/mentors")).text


async def test_the_mentor_stops_mentoring(
    mentee_browser: httpx.AsyncClient, mentor_browser: httpx.AsyncClient
) -> None:
    mentee, _, _ = await _accepted(mentee_browser, mentor_browser)

    left = await submit(mentor_browser, f"/mentees/{mentee.id}/leave", form_page="/mentees")

    assert left.status_code == 303, left.text
    assert (await mentor_browser.get(f"/mentees/{mentee.id}")).status_code == 404
    assert "You mentor nobody yet" in (await mentor_browser.get("/mentees")).text


async def test_a_used_link_and_one_s_own_link_are_refused_on_the_page(
    mentee_browser: httpx.AsyncClient, mentor_browser: httpx.AsyncClient
) -> None:
    await signed_up(mentee_browser, "mentee@example.com")
    await signed_up(mentor_browser, "mentor@example.com")
    path = httpx.URL(await _invite_link(mentee_browser)).path

    own = await submit(mentee_browser, path, form_page=path)
    assert own.status_code == 409
    assert "your own invite" in own.text
    assert (await submit(mentor_browser, path, form_page=path)).status_code == 303

    used = await mentor_browser.get(path)
    assert used.status_code == 404
    assert "no open invite" in used.text.lower()
