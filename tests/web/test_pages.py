"""The web dashboard end to end, as a learner uses it: real Chromium against the live app."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

import httpx
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from questpath.ruleset import default_ruleset
from tests.helpers import PASSWORD
from tests.web.browsing import api_headers
from tests.web.conftest import Screenshot

TRACK = """# Python Foundations

## 1. Basics

- [ ] Variables and types
- [ ] Control flow
- [ ] Functions

## 2. Testing

- [ ] Write a first pytest test
"""
PAGES = [
    "/",
    "/tracks",
    "/quizzes",
    "/reviews",
    "/questions",
    "/log",
    "/statistics",
    "/history",
    "/achievements",
    "/ranks",
    "/leaderboard",
    "/cohorts",
    "/goals",
    "/settings",
    "/settings/sharing",
    "/settings/mentors",
    "/mentees",
    "/settings/badges",
    "/settings/streaks",
    "/settings/account",
    "/settings/webhooks",
    "/notifications",
    "/settings/notifications",
]


def sign_up(page: Page, email: str = "ada@example.com", name: str = "Ada") -> None:
    page.goto("/sign-up")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Display name (optional)").fill(name)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name=f"Hello, {name}")).to_be_visible()


def import_track(page: Page) -> None:
    page.goto("/tracks")
    page.get_by_label("Or paste the Markdown").fill(TRACK)
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("heading", name="Python Foundations", level=1)).to_be_visible()


def log_exercise(page: Page, topic: str = "recursion", grade: str = "90") -> None:
    page.goto("/log")
    exercise = page.locator("form[action='/log/exercise']")
    exercise.get_by_label("Topic").fill(topic)
    exercise.get_by_label("Grade (0–100)").fill(grade)
    exercise.get_by_label("Time (minutes)").fill("20")
    exercise.get_by_role("button", name="Log exercise").click()
    page.wait_for_url(re.compile(r"/$"))


def make_quiz(page: Page, count: str = "4") -> str:
    """A quiz on the imported track from the offline generator; its path."""
    page.goto("/quizzes")
    page.get_by_label("Track", exact=True).select_option(label="Python Foundations")
    page.get_by_label("Number of questions").fill(count)
    page.get_by_label("Questions made by").select_option("offline")
    page.get_by_role("button", name="Make the quiz").click()
    expect(page.get_by_role("heading", name="Quiz: Python Foundations", level=1)).to_be_visible()
    return urlparse(page.url).path


def due_question(live_server: str) -> dict[str, Any]:
    """A question of the bank, forgotten in a review ten days ago: it is due now."""
    headers = api_headers(live_server)
    question: dict[str, Any] = httpx.post(
        f"{live_server}/api/questions",
        json={
            "type": "short_answer",
            "prompt": "Which tool runs the tests of this track?",
            "answer": {"accepted": ["pytest"]},
            "explanation": "pytest finds and runs the test_ functions.",
        },
        headers=headers,
        timeout=10,
    ).json()
    at = (datetime.now(UTC) - timedelta(days=10)).isoformat()
    response = httpx.post(
        f"{live_server}/api/reviews/{question['id']}",
        json={"rating": "again", "at": at},
        headers=headers,
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return question


def test_a_new_learner_imports_ticks_logs_and_sees_their_progress(
    page: Page, live_server: str, screenshot: Screenshot
) -> None:
    sign_up(page)
    import_track(page)
    states = page.get_by_label(re.compile(r"^State of "))
    expect(states).to_have_count(4)
    for index in (0, 1):
        states.nth(index).select_option("done")
        expect(page.locator(".item.state-done")).to_have_count(index + 1)
    # Ticking the first item unlocked an achievement, shown in place without a reload.
    expect(page.locator(".toast-achievement").first).to_contain_text("Achievement unlocked")
    screenshot(page, "track")

    log_exercise(page)
    expect(page.get_by_test_id("current-streak")).to_have_text("1")
    xp = int(page.get_by_test_id("xp").inner_text().replace(",", ""))
    assert xp > 0
    expect(page.locator(".toast-achievement").first).to_contain_text("First Steps")
    screenshot(page, "dashboard")

    progress = httpx.get(f"{live_server}/api/progress", headers=api_headers(live_server)).json()
    assert progress["xp"] == xp
    assert progress["current_streak"] == 1
    assert progress["exercises_completed"] == 1


def test_a_learner_reads_the_rank_guide_from_the_dashboard(
    page: Page, live_server: str, screenshot: Screenshot
) -> None:
    novice, competent = default_ruleset().ranks[:2]
    sign_up(page)
    response = httpx.post(
        f"{live_server}/api/events",
        json={"events": [{"kind": "project_completed", "metadata": {"title": "A first essay"}}]},
        headers=api_headers(live_server),
        timeout=10,
    )
    assert response.status_code == 201, response.text
    page.goto("/")
    card = page.locator("section[aria-labelledby='rank-heading']")
    expect(card.get_by_text("Complete 2 more projects to reach Competent.")).to_be_visible()
    expect(
        card.get_by_role("progressbar", name="Projects completed toward Competent")
    ).to_have_attribute("value", "33")
    expect(card.get_by_text(competent.what_you_can_do[0])).to_be_hidden()  # folded away
    card.get_by_text(f"Next: {competent.name}").click()
    expect(card.get_by_text(competent.what_you_can_do[0])).to_be_visible()
    expect(card.get_by_text(competent.common_challenges[0])).to_be_visible()
    screenshot(page, "dashboard-rank")

    card.get_by_role("link", name="Rank guide").click()
    expect(page.get_by_role("heading", name="Rank guide", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Ranks")).to_have_attribute("aria-current", "page")
    current = page.locator("li[aria-current='step']")
    expect(current).to_have_count(1)
    expect(current.get_by_role("heading", level=2)).to_have_text(f"{novice.icon} {novice.name}")
    expect(current.get_by_text(novice.next_steps[0])).to_be_visible()
    expect(page.get_by_text("Complete 2 more projects to reach Competent.")).to_have_count(1)
    for rank in default_ruleset().ranks:
        expect(page.locator(f"#rank-{rank.id}").get_by_text(rank.focus)).to_be_visible()
    screenshot(page, "ranks")


def test_a_learner_joins_the_leaderboard_under_an_alias_and_then_by_name(
    page: Page, live_server: str, screenshot: Screenshot
) -> None:
    sign_up(page)
    log_exercise(page)
    page.get_by_role("link", name="Leaderboard").click()
    expect(page.get_by_role("heading", name="Leaderboard", level=1)).to_be_visible()
    expect(page.get_by_text("Nobody is on this board yet.")).to_be_visible()

    page.get_by_label("Show me on the leaderboards").check()
    page.get_by_role("button", name="Save").click()

    expect(
        page.get_by_text(re.compile(r"You are on the leaderboards as \w+ \w+ \d{4}\."))
    ).to_be_visible()
    expect(page.get_by_text("You are #1 of 1")).to_be_visible()
    mine = page.locator("tr[aria-current='true']")
    expect(mine).to_contain_text("You")
    expect(mine).not_to_contain_text("Ada")
    screenshot(page, "leaderboard")

    page.get_by_label("Show my display name instead of my alias").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("tr[aria-current='true']")).to_contain_text("Ada")
    page.get_by_role("link", name="All time").click()
    expect(page.get_by_role("heading", name="All time", level=2)).to_be_visible()
    page.get_by_role("link", name="Streak", exact=True).click()
    expect(page.get_by_role("heading", name="Current streaks", level=2)).to_be_visible()
    expect(page.get_by_text("You are #1 of 1 with a streak of 1 day.")).to_be_visible()
    expect(page.get_by_role("navigation", name="Period")).to_have_count(0)
    assert Axe().run(page).violations_count == 0
    screenshot(page, "leaderboard-streak")
    page.get_by_role("link", name="XP", exact=True).click()
    expect(page.get_by_role("heading", name="This week", level=2)).to_be_visible()

    page.get_by_label("Show me on the leaderboards").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("You have left the leaderboards.")).to_be_visible()
    expect(page.get_by_text("Nobody is on this board yet.")).to_be_visible()


def test_a_learner_makes_a_cohort_and_its_invite_page_and_board_pass_axe(
    page: Page, live_server: str, screenshot: Screenshot
) -> None:
    sign_up(page)
    log_exercise(page)
    page.get_by_role("link", name="Cohorts").click()
    expect(page.get_by_text("You are in no cohort yet.")).to_be_visible()

    page.get_by_label("Name").fill("Evening SQL")
    page.get_by_role("button", name="Make the cohort").click()

    expect(page.get_by_role("heading", name="Evening SQL", level=1)).to_be_visible()
    link = page.get_by_role("textbox", name="Invite link").input_value()
    assert re.fullmatch(rf"{re.escape(live_server)}/cohorts/join/[\w-]+", link), link
    together = page.get_by_role("region", name="Together")
    expect(together.locator(".card", has_text="Members")).to_contain_text("1")
    expect(together.locator(".card", has_text="Active this week")).to_contain_text("1")
    assert Axe().run(page).violations_count == 0
    screenshot(page, "cohort")
    page.get_by_role("link", name="Streak", exact=True).click()
    expect(
        page.get_by_role("heading", name="Leaderboard · Current streaks", level=2)
    ).to_be_visible()
    assert Axe().run(page).violations_count == 0

    page.goto(link)
    expect(page.get_by_role("heading", name="Join Evening SQL", level=1)).to_be_visible()
    assert Axe().run(page).violations_count == 0
    page.get_by_role("button", name="Join the cohort").click()
    expect(page.get_by_text("You joined Evening SQL.")).to_be_visible()
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Delete the cohort").click()
    expect(page.get_by_role("heading", name="Evening SQL", level=1)).to_be_visible()
    assert asked == [
        "Delete the cohort “Evening SQL”? Every member leaves it, and this cannot be undone."
    ]
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete the cohort").click()
    expect(page.get_by_text("The cohort was deleted.")).to_be_visible()
    expect(page.get_by_text("You are in no cohort yet.")).to_be_visible()


def test_a_learner_publishes_an_achievement_as_a_badge_and_revokes_it(
    page: Page, live_server: str, screenshot: Screenshot
) -> None:
    sign_up(page)
    log_exercise(page)
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Badges").click()
    expect(page.get_by_role("heading", name="Badges", level=1)).to_be_visible()
    expect(page.get_by_text("Not published")).to_be_visible()

    page.get_by_role("button", name="Publish First Steps").click()

    expect(page.get_by_text("'First Steps' is published as a badge.")).to_be_visible()
    link = page.get_by_role("link", name="Link").get_attribute("href")
    assert link is not None
    assertion = httpx.get(f"{live_server}{urlparse(link).path}", timeout=10)
    assert assertion.json()["type"] == "Assertion"
    screenshot(page, "badges")

    page.get_by_role("button", name="Revoke First Steps").click()
    expect(page.get_by_text("The badge is revoked")).to_be_visible()
    expect(page.get_by_text("Not published")).to_be_visible()
    assert httpx.get(f"{live_server}{urlparse(link).path}", timeout=10).status_code == 410


def test_a_learner_takes_a_quiz_and_then_reviews_what_is_due(
    page: Page, live_server: str, screenshot: Screenshot
) -> None:
    sign_up(page)
    import_track(page)
    quiz_path = make_quiz(page)
    expect(page.locator(".toast").first).to_contain_text("Your quiz is ready")
    headers = api_headers(live_server)
    quiz = httpx.get(f"{live_server}/api{quiz_path}", headers=headers, timeout=10).json()
    questions = page.locator("fieldset.question")
    expect(questions).to_have_count(len(quiz["questions"]))
    for index, asked in enumerate(quiz["questions"]):
        stored = httpx.get(
            f"{live_server}/api/questions/{asked['id']}", headers=headers, timeout=10
        ).json()
        answer, fieldset = stored["answer"], questions.nth(index)
        if stored["type"] == "multiple_choice":
            option = answer["options"][answer["correct"]]
            fieldset.get_by_label(option, exact=True).check()
        elif stored["type"] == "true_false":
            fieldset.get_by_label("True" if answer["correct"] else "False", exact=True).check()
        else:
            fieldset.get_by_role("textbox").fill(answer["accepted"][0])
    screenshot(page, "quiz")
    page.get_by_role("button", name="Submit answers").click()

    expect(page.get_by_test_id("score")).to_have_text("100 of 100")
    expect(page.locator(".toast").first).to_contain_text(re.compile(r"Score 100 · \+\d+ XP"))
    expect(page.locator(".result .chip.done")).to_have_count(len(quiz["questions"]))
    screenshot(page, "quiz-results")

    question = due_question(live_server)
    page.get_by_role("link", name="Go to reviews").click()
    expect(page.get_by_test_id("due-count")).to_have_text("1 due now")
    expect(page.get_by_role("group", name=question["prompt"])).to_be_visible()
    expect(page.locator("canvas[data-chart]")).to_be_visible()
    screenshot(page, "reviews")
    page.get_by_label("Your answer").fill("pytest")
    page.get_by_role("button", name="Check answer").click()

    expect(page.locator(".toast").first).to_contain_text("Right")
    expect(page.locator(".toast").first).to_contain_text("The answer: pytest.")
    expect(page.get_by_role("heading", name="Nothing to review right now")).to_be_visible()
    screenshot(page, "reviews-done")
    stored = httpx.get(
        f"{live_server}/api/questions/{question['id']}", headers=headers, timeout=10
    ).json()
    assert stored["card"]["reviews"] == 2


def test_an_unlock_recorded_elsewhere_pops_up_on_the_open_dashboard(
    page: Page, live_server: str, screenshot: Screenshot
) -> None:
    sign_up(page)
    expect(page.locator(".toast-achievement")).to_have_count(0)
    response = httpx.post(
        f"{live_server}/api/events",
        json={"kind": "exercise_completed", "topic": "recursion", "grade": 100},
        headers=api_headers(live_server),
        timeout=10,
    )
    assert response.status_code == 201
    names = [a["name"] for a in response.json()["achievements_unlocked"]]
    toasts = page.locator(".toast-achievement")
    expect(toasts).to_have_count(len(names))
    for name in names:
        expect(toasts.filter(has_text=name)).to_have_count(1)
    screenshot(page, "toast")


def test_settings_change_the_timezone_the_dashboard_counts_days_in(
    browser: Browser, live_server: str, screenshot: Screenshot
) -> None:
    context = browser.new_context(base_url=live_server, timezone_id="America/New_York")
    page = context.new_page()
    try:
        page.goto("/sign-up")
        # The browser's own zone is proposed on sign-up.
        expect(page.get_by_label("Timezone")).to_have_value("America/New_York")
        sign_up(page)
        page.goto("/settings")
        page.get_by_label("Timezone").fill("Asia/Tokyo")
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".toast").first).to_contain_text("Settings saved.")
        expect(page.get_by_label("Timezone")).to_have_value("Asia/Tokyo")
        page.goto("/")
        expect(page.get_by_text("Days count on your clock (Asia/Tokyo)")).to_be_visible()
        screenshot(page, "settings")
    finally:
        context.close()


def test_a_form_post_without_the_csrf_token_is_refused(page: Page, live_server: str) -> None:
    sign_up(page)
    # The browser sends its session cookie, but the request lacks the page's token.
    response = page.request.post("/log/exercise", form={"topic": "forged", "grade": "100"})
    assert response.status == 403
    assert "did not come from a QuestPath page" in response.text()
    events = httpx.get(f"{live_server}/api/events", headers=api_headers(live_server)).json()
    assert events["items"] == []


def test_a_form_on_another_site_cannot_post_as_the_learner(page: Page, live_server: str) -> None:
    sign_up(page)
    page.set_content(
        f'<form method="post" action="{live_server}/log/exercise">'
        '<input name="topic" value="forged"><button>go</button></form>'
    )
    page.get_by_role("button", name="go").click()
    page.wait_for_load_state()
    assert page.url.startswith(live_server)
    events = httpx.get(f"{live_server}/api/events", headers=api_headers(live_server)).json()
    assert events["items"] == []


def test_every_page_fits_a_375px_screen_without_sideways_scrolling(
    browser: Browser, live_server: str, screenshot: Screenshot
) -> None:
    context = browser.new_context(base_url=live_server, viewport={"width": 375, "height": 812})
    page = context.new_page()
    try:
        sign_up(page)
        import_track(page)
        track_url = page.url.removeprefix(live_server)
        quiz_url = make_quiz(page)
        due_question(live_server)
        log_exercise(page)
        for path in [*PAGES, track_url, quiz_url]:
            page.goto(path)
            page.wait_for_load_state("load")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, f"{path} is {width}px wide"
            if path in ("/", "/reviews", "/questions"):
                screenshot(page, f"{path.strip('/') or 'dashboard'}-375")
        page.goto(quiz_url)
        page.get_by_role("button", name="Submit answers").click()
        expect(page.get_by_test_id("score")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the quiz results are {width}px wide"
        screenshot(page, "quiz-results-375")
    finally:
        context.close()


def test_every_page_passes_the_axe_accessibility_checks(page: Page, live_server: str) -> None:
    """axe-core's WCAG A/AA rules (contrast, labels, landmarks, ...) on each page in turn."""
    axe = Axe()
    page.emulate_media(reduced_motion="reduce")  # contrast is measured on toasts at rest
    reports = {}
    for path in ("/sign-up", "/sign-in"):
        page.goto(path)
        reports[path] = axe.run(page)
    sign_up(page)
    log_exercise(page)
    import_track(page)
    reports["track"] = axe.run(page)
    make_quiz(page)
    reports["quiz"] = axe.run(page)
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_test_id("score")).to_be_visible()
    reports["quiz results"] = axe.run(page)
    due_question(live_server)
    for path in PAGES:
        page.goto(path)
        page.wait_for_load_state("load")
        reports[path] = axe.run(page)
    page.goto("/reviews")
    page.get_by_role("button", name="Again").click()
    expect(page.get_by_role("heading", name="Nothing to review right now")).to_be_visible()
    reports["reviews, none due"] = axe.run(page)
    failing = [
        f"{path}: {r.generate_report()}" for path, r in reports.items() if r.violations_count
    ]
    assert not failing, "\n".join(failing)
    assert len(reports) == len(PAGES) + 6


def test_the_keyboard_reaches_the_skip_link_first_and_forms_submit_with_enter(
    page: Page,
) -> None:
    sign_up(page)
    page.goto("/log")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
    form = page.locator("form[action='/log/exercise']")
    form.get_by_label("Topic").focus()
    page.keyboard.type("graphs")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/$"))
    expect(page.get_by_test_id("current-streak")).to_have_text("1")


def test_sign_in_and_logging_work_without_javascript(
    browser: Browser, live_server: str, screenshot: Screenshot
) -> None:
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_up(page)
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        page.get_by_label("E-mail address").fill("ada@example.com")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        log_exercise(page, "sql", "75")
        expect(page.get_by_test_id("current-streak")).to_have_text("1")
        expect(page.locator(".toast-achievement").first).to_contain_text("First Steps")
        screenshot(page, "no-javascript")
    finally:
        context.close()
