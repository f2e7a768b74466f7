"""Offline quizzes from link-heavy study checklists ask about concepts, in plain words.

Generated checklists come from the same strategy as the track import tests; the large fixture
and the seed track go through the real API: import, then an offline quiz of twenty questions.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings

from questpath.quizzes.drafts import QuestionDraft, SourceItem
from questpath.quizzes.offline import generate
from questpath.tracks.drafts import CategoryDraft
from questpath.tracks.markdown import parse_track
from tests.helpers import Account, read_json
from tests.tracks.test_links import checklist

DATA = Path(__file__).parent.parent / "tracks" / "data"
LINK_HEAVY = (DATA / "link_heavy_track.md").read_text(encoding="utf-8")
SEED = (DATA / "learning_track.md").read_text(encoding="utf-8")


def texts_of(kind: str, prompt: str, answer: dict[str, Any], explanation: str) -> list[str]:
    answers = answer.get("options") or answer.get("accepted") or []
    return [prompt, explanation, *answers]


def assert_readable(texts: list[str]) -> None:
    for text in texts:
        assert "](" not in text, text
        assert "http" not in text, text
        assert not text.lstrip().startswith("- "), text
        assert "`" not in text, text


def source_items(root: CategoryDraft) -> list[SourceItem]:
    """The items as the quiz service hands them over: category, the ones around it, links."""
    found: list[SourceItem] = []

    def walk(category: CategoryDraft, titles: tuple[str, ...]) -> None:
        for item in CategoryDraft("", items=category.items).all_items():  # sub-items too
            found.append(
                SourceItem(
                    uuid.uuid4(),
                    item.title,
                    item.description,
                    titles[0] if titles else "",
                    resources=tuple(r.title for r in item.resources),
                    outer_categories=titles[1:],
                )
            )
        for child in category.children:
            walk(child, (child.title, *titles))

    walk(root, ())
    return found


def link_titled_without_clue(items: list[SourceItem]) -> set[uuid.UUID]:
    return {
        item.id for item in items if item.title in item.resources and not item.description.strip()
    }


def check(drafts: list[QuestionDraft], items: list[SourceItem]) -> None:
    skipped = link_titled_without_clue(items)
    for draft in drafts:
        assert_readable(texts_of(draft.type, draft.prompt, draft.answer, draft.explanation))
        assert draft.item_id not in skipped


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(checklist())
def test_questions_from_generated_checklists_hold_no_markdown_or_addresses(
    case: tuple[str, list[tuple[str, list[tuple[str, str]]]]],
) -> None:
    items = source_items(parse_track(case[0]).root)
    check(generate(items, 20, seed="links"), items)


def test_twenty_questions_from_the_link_heavy_checklist_ask_about_concepts() -> None:
    items = source_items(parse_track(LINK_HEAVY).root)
    for seed in ("a", "b", "c", "d"):
        drafts = generate(items, 20, seed=seed)
        assert len(drafts) == 20
        check(drafts, items)
        # No question asks which category a video or link list belongs to.
        generic = ("Videos", "Books", "Don't feel you aren't smart enough", "Topics of Study")
        assert not any(g in d.prompt for d in drafts for g in generic)


async def _quiz_texts(client: httpx.AsyncClient, learner: Account, document: str) -> list[str]:
    response = await client.post(
        "/api/tracks/import",
        content=document.encode(),
        headers={**learner.headers, "Content-Type": "text/markdown"},
    )
    assert response.status_code == 201, response.text
    quiz = await client.post(
        "/api/quizzes",
        json={"track_id": response.json()["id"], "count": 20, "generator": "offline"},
        headers=learner.headers,
    )
    assert quiz.status_code == 201, quiz.text
    questions = quiz.json()["questions"]
    assert len(questions) == 20
    texts: list[str] = []
    for question in questions:
        full = await read_json(client, f"/api/questions/{question['id']}", learner.headers)
        texts += texts_of(full["type"], full["prompt"], full["answer"], full["explanation"])
    return texts


async def test_an_offline_quiz_on_an_imported_link_heavy_track_reads_as_plain_text(
    client: httpx.AsyncClient, learner: Account
) -> None:
    texts = await _quiz_texts(client, learner, LINK_HEAVY)
    assert_readable(texts)
    assert not any("(video)" in text for text in texts)


async def test_an_offline_quiz_on_the_seed_track_asks_about_its_topics(
    client: httpx.AsyncClient, learner: Account
) -> None:
    texts = await _quiz_texts(client, learner, SEED)
    assert_readable(texts)
    organisational = ("Areas for Improvement", "Unknown Unknowns", "Recommendations to Study")
    assert not any(f"“{name}”" in text for text in texts for name in organisational)
