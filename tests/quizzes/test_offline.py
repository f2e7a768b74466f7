"""The offline question generator: storable, fair questions drawn from a pool of track items."""

from __future__ import annotations

import re
import uuid
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from questpath.quizzes.drafts import (
    BLANK,
    MAX_ANSWER_TEXT,
    MAX_EXPLANATION,
    MAX_PROMPT,
    QuestionDraft,
    SourceItem,
)
from questpath.quizzes.offline import generate
from questpath.quizzes.rules import draft_problem, normalise

TRACK = {
    "Web frameworks": [
        ("FastAPI", "FastAPI builds asynchronous HTTP APIs from type hints and Pydantic models."),
        ("Django", "A batteries-included framework with an ORM, migrations and an admin site."),
        ("Flask", "A minimal microframework: routing and templating, extensions for the rest."),
        ("Starlette", "The lightweight ASGI toolkit underneath several async frameworks."),
    ],
    "Databases": [
        ("PostgreSQL", "A relational database with transactions, indexes and rich JSON support."),
        ("SQLAlchemy", "The Python toolkit that maps classes to tables and composes SQL queries."),
        (
            "Alembic",
            "Schema migrations generated from model changes and applied in revision order.",
        ),
        ("Redis", "An in-memory key-value store used for caching and lightweight queues."),
    ],
    "Testing": [
        (
            "pytest",
            "Fixtures provide test dependencies by parameter name. Pytest rewrites asserts.",
        ),
        ("Hypothesis", "Property-based testing: generated inputs shrink to a minimal example."),
        ("Coverage", "Measures which lines and branches the test suite executes."),
        ("tox", "Runs the test suite in isolated virtualenvs against several interpreters."),
    ],
}


def _track() -> list[SourceItem]:
    return [
        SourceItem(uuid.uuid4(), title, description, category, topic="python backend")
        for category, rows in TRACK.items()
        for title, description in rows
    ]


def _by_id(items: list[SourceItem]) -> dict[uuid.UUID | None, SourceItem]:
    return {item.id: item for item in items}


def _mentions(prompt: str, answer: str) -> bool:
    return f" {normalise(answer)} " in f" {normalise(prompt)} "


def _correct_option(draft: QuestionDraft) -> str:
    options: list[str] = draft.answer["options"]
    correct: int = draft.answer["correct"]
    return options[correct]


def _many(items: list[SourceItem], count: int = 12, seeds: int = 30) -> list[QuestionDraft]:
    return [d for s in range(seeds) for d in generate(items, count, seed=f"seed-{s}")]


# Pools mixing a small vocabulary (so titles repeat, differ only in case or punctuation, and
# turn up inside descriptions) with arbitrary unicode text.
VOCABULARY = ["pytest", "FastAPI", "SQL joins", "Docker", "café", "C++", "C#", "node.js"]
VOCABULARY += ["Node JS", "Testing", "Databases", "category", "日本語", "ÉLAN", "item"]
FILLER = ["the", "a", "uses", "builds", "transactions", "fixtures", "asynchronous", "of"]
FILLER += ["containers", "ßtraße", "blank", "_____", ".", "!", "described"]
words = st.sampled_from(VOCABULARY + FILLER)
titles = st.one_of(
    st.sampled_from(VOCABULARY),
    st.sampled_from(VOCABULARY).map(str.upper),
    st.sampled_from(VOCABULARY).map(lambda t: f"{t}!"),
    st.text(max_size=25),
)
descriptions = st.one_of(
    st.just(""),
    st.text(max_size=60),
    st.lists(words, max_size=40).map(" ".join),
    st.lists(words, min_size=10, max_size=20).map(lambda ws: " ".join(ws * 10)),
)
category_names = st.one_of(st.sampled_from(["", *VOCABULARY]), st.text(max_size=15))


@st.composite
def pools(draw: st.DrawFn) -> list[SourceItem]:
    categories = draw(st.lists(category_names, min_size=1, max_size=8))
    return [
        SourceItem(
            id=uuid.UUID(int=number + 1),
            title=draw(titles),
            description=draw(descriptions),
            category=draw(st.sampled_from(categories)),
            topic=draw(st.sampled_from([None, "python", "ops"])),
        )
        for number in range(draw(st.integers(0, 40)))
    ]


@settings(max_examples=100, deadline=None)  # timing varies with load; the work is bounded
@given(pools(), st.integers(1, 50), st.text(max_size=8))
def test_every_question_is_storable_and_does_not_give_itself_away(
    items: list[SourceItem], count: int, seed: str
) -> None:
    drafts = generate(items, count, seed=seed)
    pool = _by_id(items)
    assert len(drafts) <= count
    assert len({normalise(d.prompt) for d in drafts}) == len(drafts)
    for draft in drafts:
        assert draft_problem(draft) is None, draft
        assert len(draft.prompt) <= MAX_PROMPT
        assert len(draft.explanation) <= MAX_EXPLANATION
        assert draft.item_id in pool
        assert draft.topic == pool[draft.item_id].topic
        if draft.type == "multiple_choice":
            options = draft.answer["options"]
            assert len({normalise(o) for o in options}) == len(options)
            assert 0 <= draft.answer["correct"] < len(options)
            assert not _mentions(draft.prompt, _correct_option(draft))
            assert all(len(o) <= MAX_ANSWER_TEXT for o in options)
        elif draft.type in ("short_answer", "cloze"):
            for accepted in draft.answer["accepted"]:
                assert not _mentions(draft.prompt, accepted)
                assert len(accepted) <= MAX_ANSWER_TEXT


@settings(max_examples=40, deadline=None)
@given(pools(), st.integers(1, 50), st.text(max_size=8))
def test_the_same_seed_gives_the_same_questions(
    items: list[SourceItem], count: int, seed: str
) -> None:
    assert generate(items, count, seed=seed) == generate(list(items), count, seed=seed)


def test_an_empty_pool_or_zero_count_yields_nothing() -> None:
    assert generate([], 10, seed="x") == []
    assert generate(_track(), 0, seed="x") == []


def test_a_rich_track_mixes_all_four_question_types() -> None:
    drafts = generate(_track(), 12, seed="mix")
    assert len(drafts) == 12
    assert set(Counter(d.type for d in drafts)) == {
        "multiple_choice",
        "true_false",
        "cloze",
        "short_answer",
    }


def test_each_item_is_asked_about_once_before_any_is_asked_again() -> None:
    items = _track()
    for seed in ("a", "b", "c"):
        drafts = generate(items, len(items), seed=seed)
        assert len(drafts) == len(items)
        assert {d.item_id for d in drafts} == {item.id for item in items}


def test_a_small_pool_yields_fewer_questions_than_asked() -> None:
    items = _track()[:2]
    drafts = generate(items, 50, seed="small")
    assert 0 < len(drafts) < 50
    # At most one description-based and one membership question per item.
    assert len(drafts) <= 2 * len(items)


def test_different_seeds_vary_the_quiz() -> None:
    items = _track()
    quizzes = {tuple(d.prompt for d in generate(items, 6, seed=f"s{n}")) for n in range(5)}
    assert len(quizzes) > 1


def test_distractors_come_from_sibling_items_first() -> None:
    items = _track()
    by_title = {item.title: item for item in items}
    checked = 0
    for draft in _many(items):
        if draft.type != "multiple_choice" or not draft.prompt.startswith("Which item"):
            continue
        category = next(i.category for i in items if i.id == draft.item_id)
        # Every category of the track has three siblings besides the item itself.
        assert len(draft.answer["options"]) == 4
        assert {by_title[o].category for o in draft.answer["options"]} == {category}
        checked += 1
    assert checked > 0


def test_distractors_reach_other_categories_when_siblings_run_out() -> None:
    items = _track()
    lonely = SourceItem(uuid.uuid4(), "Celery", "Distributed task queue for workers.", "Jobs")
    options = [
        draft.answer["options"]
        for draft in _many([*items, lonely], count=30)
        if draft.item_id == lonely.id and draft.prompt.startswith("Which item")
    ]
    assert options
    for choice in options:
        assert "Celery" in choice
        assert len(choice) == 4
        assert set(choice) - {"Celery"} <= {i.title for i in items}


def test_category_questions_offer_real_categories_with_the_items_own_as_answer() -> None:
    items = _track()
    pool = _by_id(items)
    questions = [d for d in _many(items) if d.prompt.startswith("Which category")]
    assert questions
    for draft in questions:
        assert set(draft.answer["options"]) <= set(TRACK)
        assert _correct_option(draft) == pool[draft.item_id].category


def test_false_statements_name_another_real_category() -> None:
    items = _track()
    pool = _by_id(items)
    statements = [d for d in _many(items) if d.type == "true_false"]
    assert {d.answer["correct"] for d in statements} == {True, False}
    for draft in statements:
        item = pool[draft.item_id]
        named = re.fullmatch(r"“(.+)” is part of “(.+)”\.", draft.prompt)
        assert named is not None
        assert named[1] == item.title
        assert named[2] in TRACK
        assert (named[2] == item.category) is draft.answer["correct"]


def test_cloze_blanks_a_key_term_of_the_description() -> None:
    items = _track()
    pool = _by_id(items)
    clozes = [d for d in _many(items) if d.type == "cloze"]
    assert clozes
    for draft in clozes:
        item = pool[draft.item_id]
        term = draft.answer["accepted"][0]
        sentence = draft.prompt.split(": ", 1)[1]
        assert sentence.count(BLANK) == 1
        # Putting the term back gives a sentence of the item's own description.
        assert sentence.replace(BLANK, term).casefold() in item.description.casefold()
        assert normalise(term) == normalise(item.title) or len(term) >= 7
        assert normalise(term) not in {"between", "through", "several"}


def test_cloze_prefers_the_items_title_when_its_description_names_it() -> None:
    items = _track()
    fastapi = next(i for i in items if i.title == "FastAPI")
    clozes = [d for d in _many(items) if d.type == "cloze" and d.item_id == fastapi.id]
    assert clozes
    assert all(d.answer["accepted"] == ["FastAPI"] for d in clozes)


def test_a_title_in_its_own_description_is_hidden_from_description_questions() -> None:
    items = _track()
    fastapi = next(i for i in items if i.title == "FastAPI")
    asked = [
        d
        for d in _many(items)
        if d.item_id == fastapi.id and d.type in ("multiple_choice", "short_answer")
    ]
    described = [d for d in asked if "HTTP APIs" in d.prompt]
    assert described
    assert all("FastAPI" not in d.prompt and "…" in d.prompt for d in described)


def test_items_without_descriptions_still_yield_membership_questions() -> None:
    items = [
        SourceItem(uuid.uuid4(), title, "", category)
        for category, rows in TRACK.items()
        for title, _ in rows
    ]
    drafts = generate(items, 20, seed="bare")
    assert drafts
    assert {d.type for d in drafts} <= {"multiple_choice", "true_false"}
    assert all(d.type == "true_false" or d.prompt.startswith("Which category") for d in drafts)
    assert all("is part of" in d.explanation for d in drafts)


def test_short_descriptions_are_not_used_to_describe_items() -> None:
    items = [
        SourceItem(uuid.uuid4(), title, "Web stuff.", "Web frameworks")
        for title in ("FastAPI", "Django", "Flask")
    ]
    assert generate(items, 10, seed="short") == []


def test_uncategorised_items_get_no_membership_questions() -> None:
    items = [
        SourceItem(uuid.uuid4(), title, description, "")
        for rows in TRACK.values()
        for title, description in rows
    ]
    drafts = _many(items)
    assert drafts
    assert all(d.type != "true_false" and "category" not in d.prompt for d in drafts)


def test_long_descriptions_are_quoted_up_to_a_word_boundary() -> None:
    # One long sentence: a clue is the description's first sentence, cut at a word if too long.
    long = " ".join(f"Consideration{n} about schema design," for n in range(200))
    items = [*_track(), SourceItem(uuid.uuid4(), "Normal forms", long, "Databases")]
    quoted = [
        d
        for d in _many(items, count=30)
        if d.item_id == items[-1].id and not d.prompt.startswith(("Which category", "“"))
    ]
    assert quoted
    for draft in quoted:
        excerpt = re.search(r"(Consideration0 .*)…", draft.prompt)
        assert excerpt is not None
        assert long.startswith(excerpt[1])
        assert long[len(excerpt[1])] in " .,"  # cut between words, not inside one
        assert len(excerpt[1]) < 400


def test_titles_differing_only_in_case_are_one_answer() -> None:
    items = [
        *_track(),
        SourceItem(uuid.uuid4(), "REDIS", "Cache servers and message brokers.", "Testing"),
    ]
    for draft in _many(items, count=30):
        if draft.type == "multiple_choice":
            assert len({normalise(o) for o in draft.answer["options"]}) == len(
                draft.answer["options"]
            )
        if draft.prompt.startswith("Which category") and "REDIS" in draft.prompt.upper():
            # Redis sits in both categories, so neither may be offered as a wrong answer.
            assert _correct_option(draft) in {"Databases", "Testing"}
            assert not {"Databases", "Testing"} <= set(draft.answer["options"])
        if draft.type == "true_false" and "“Redis”" in draft.prompt.replace("REDIS", "Redis"):
            assert draft.answer["correct"] is ("Web frameworks" not in draft.prompt)


def test_items_sharing_a_description_are_not_each_others_distractors() -> None:
    shared = "Lightweight containers packaged with their dependencies."
    items = [
        *_track(),
        SourceItem(uuid.uuid4(), "Docker", shared, "Databases"),
        SourceItem(uuid.uuid4(), "Podman", shared, "Databases"),
    ]
    for draft in _many(items, count=30):
        if shared in draft.prompt and draft.type == "multiple_choice":
            assert not {"Docker", "Podman"} <= set(draft.answer["options"])
        if shared in draft.prompt:
            assert draft.type != "short_answer"


def test_explanations_teach_the_item_its_category_and_description() -> None:
    items = _track()
    pool = _by_id(items)
    for draft in generate(items, 12, seed="explain"):
        item = pool[draft.item_id]
        assert item.title in draft.explanation
        assert item.category in draft.explanation
        # The description's first sentence: the clue every question of the item may use.
        assert item.description.split(". ")[0] in draft.explanation
