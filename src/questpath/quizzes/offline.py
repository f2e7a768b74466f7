"""Quiz questions built from track items alone: no model, no network, the same for one seed.

Four kinds come out of a pool of items: multiple choice (which item a description fits, which
category an item is in), true/false on category membership, cloze on a key term of a
description, and short answers naming a described item.

Questions are about concepts, in plain words (clues.py decides): items that are only links,
videos or reading are left out of the pool, titles and categories are plain text, a description
is quoted only as its first readable sentence, and categories are asked about only where their
names are concepts. A draft with Markdown links, web addresses or a list marker is dropped.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from questpath.quizzes.clues import (
    clue,
    concept_category,
    is_readable,
    is_resource_only,
    plain_text,
)
from questpath.quizzes.drafts import (
    BLANK,
    MAX_ANSWER_TEXT,
    MAX_EXPLANATION,
    MAX_PROMPT,
    QuestionDraft,
    QuestionType,
    SourceItem,
)
from questpath.quizzes.rules import draft_problem, normalise

MAX_QUOTE = 300  # characters of a description quoted in a prompt
MIN_WORDS = 3  # fewer words (with letters) than this cannot single out an item
MIN_QUOTE_WORDS = 4  # a quote with its title hidden needs this many to say something
MAX_SPREAD = 2  # a cloze blanks a word no more descriptions than this hold: one that tells
MAX_DISTRACTORS = 3
_ELLIPSIS = "…"
_LONG_WORD = re.compile(r"[^\W\d_]{7,}")
# Long words too common to be worth blanking out.
_COMMON_WORDS = """
actually against already although another anything available because becomes between certain
different especially everything example following further general however important include
includes including instead several something through together usually various whether without
"""
_COMMON = frozenset(_COMMON_WORDS.split())


def _mentions(text: str, phrase: str) -> bool:
    """Whether `phrase` appears as whole words in `text`, compared the way answers are."""
    wanted = normalise(phrase)
    return bool(wanted) and f" {wanted} " in f" {normalise(text)} "


def _shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a word boundary, marked with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-") + _ELLIPSIS


def _word_count(text: str) -> int:
    return sum(any(c.isalpha() for c in word) for word in normalise(text).split())


def _whole_words(phrase: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class _Entry:
    item: SourceItem
    title: str
    key: str  # the normalised title: items sharing it are one answer
    category: str
    category_key: str
    description: str


class _Pool:
    """The items that can be asked about, with the lookups the question makers share."""

    def __init__(self, items: Sequence[SourceItem]) -> None:
        self.entries: list[_Entry] = []
        self.titles: dict[str, str] = {}  # title key -> first spelling
        self.categories: dict[str, str] = {}  # category key -> first spelling
        self.categories_of: dict[str, set[str]] = {}  # title key -> category keys holding it
        self.holders: dict[str, set[str]] = {}  # normalised description -> title keys
        self.titles_in: dict[str, dict[str, None]] = {}  # category key -> title keys, in order
        self.spread: dict[str, int] = {}  # casefolded long word -> descriptions holding it
        for item in items:
            link_titled = normalise(item.title) in {normalise(r) for r in item.resources}
            if is_resource_only(item.title, item.description, link_titled):
                continue
            title = plain_text(item.title)
            category = concept_category((item.category, *item.outer_categories))
            key, category_key = normalise(title), normalise(category)
            if not key or len(title) > MAX_ANSWER_TEXT:
                continue
            description = clue(item.description) or ""
            entry = _Entry(item, title, key, category, category_key, description)
            self.entries.append(entry)
            self.titles.setdefault(key, title)
            if category_key and len(category) <= MAX_ANSWER_TEXT:
                self.categories.setdefault(category_key, category)
            self.categories_of.setdefault(key, set()).add(category_key)
            self.holders.setdefault(normalise(entry.description), set()).add(key)
            self.titles_in.setdefault(category_key, {})[key] = None
            for word in {w.casefold() for w in _LONG_WORD.findall(entry.description)}:
                self.spread[word] = self.spread.get(word, 0) + 1

    def quote(self, entry: _Entry) -> str | None:
        """The entry's description as a prompt may show it: its title hidden, cut to size."""
        hidden = _whole_words(entry.title).sub(_ELLIPSIS, entry.description)
        text = _shorten(hidden.removesuffix("."), MAX_QUOTE)  # the prompt ends the sentence
        if _mentions(text, entry.title) or _word_count(text) < MIN_QUOTE_WORDS:
            return None
        return text

    def alike(self, entry: _Entry) -> set[str]:
        """The title keys of the items described exactly as this one: the description fits all."""
        return self.holders[normalise(entry.description)]


def _explain(entry: _Entry) -> str:
    head = f"“{entry.title}” ({entry.category})" if entry.category else f"“{entry.title}”"
    if entry.description:
        return _shorten(f"{head}: {entry.description}", MAX_EXPLANATION)
    return f"“{entry.title}” is part of “{entry.category}”." if entry.category else head


def _draft(
    entry: _Entry, kind: QuestionType, prompt: str, answer: dict[str, object]
) -> QuestionDraft:
    return QuestionDraft(
        kind,
        prompt,
        answer,
        explanation=_explain(entry),
        topic=entry.item.topic,
        item_id=entry.item.id,
    )


def _acceptable(draft: QuestionDraft) -> bool:
    """Storable, within the size limits, readable, and (for choices) not answered by its own
    prompt."""
    if draft_problem(draft) or len(draft.prompt) > MAX_PROMPT:
        return False
    texts: list[str] = draft.answer.get("options") or draft.answer.get("accepted") or []
    if not all(map(is_readable, [draft.prompt, draft.explanation, *texts])):
        return False
    if draft.type == "multiple_choice" and any(_mentions(draft.prompt, t) for t in texts):
        return False
    return all(len(text) <= MAX_ANSWER_TEXT for text in texts)


def _choice(
    entry: _Entry, prompt: str, correct: str, distractors: list[str], rng: random.Random
) -> QuestionDraft | None:
    if not distractors:
        return None
    options = [correct, *distractors]
    rng.shuffle(options)
    return _draft(
        entry, "multiple_choice", prompt, {"options": options, "correct": options.index(correct)}
    )


def _which_item(pool: _Pool, entry: _Entry, rng: random.Random) -> QuestionDraft | None:
    """Multiple choice: the item a description fits, wrong options from its category first."""
    quote = pool.quote(entry)
    if quote is None:
        return None
    prompt = f"Which item is described as “{quote}”?"
    said, alike = f" {normalise(prompt)} ", pool.alike(entry)
    fits = [k for k in pool.titles if k not in alike and f" {k} " not in said]
    siblings = [k for k in fits if k in pool.titles_in[entry.category_key]]
    others = [k for k in fits if k not in pool.titles_in[entry.category_key]]
    if len(siblings) < MAX_DISTRACTORS:
        picked = siblings + rng.sample(others, min(len(others), MAX_DISTRACTORS - len(siblings)))
    else:
        picked = rng.sample(siblings, MAX_DISTRACTORS)
    return _choice(entry, prompt, entry.title, [pool.titles[k] for k in picked], rng)


def _wrong_categories(pool: _Pool, entry: _Entry, prompt: str) -> list[str]:
    """Categories of the pool holding no item of this title and not named in `prompt`."""
    held, said = pool.categories_of[entry.key], f" {normalise(prompt)} "
    return [c for k, c in pool.categories.items() if k not in held and f" {k} " not in said]


def _which_category(pool: _Pool, entry: _Entry, rng: random.Random) -> QuestionDraft | None:
    """Multiple choice: the category an item belongs to, among the pool's other categories."""
    if entry.category_key not in pool.categories or _mentions(entry.title, entry.category):
        return None
    prompt = f"Which category does “{entry.title}” belong to?"
    wrong = _wrong_categories(pool, entry, prompt)
    picked = rng.sample(wrong, min(len(wrong), MAX_DISTRACTORS))
    return _choice(entry, prompt, entry.category, picked, rng)


def _true_or_false(pool: _Pool, entry: _Entry, rng: random.Random) -> QuestionDraft | None:
    """True/false: the item's own category, or half the time another real one of the pool."""
    if entry.category_key not in pool.categories or _mentions(entry.title, entry.category):
        return None
    wrong = _wrong_categories(pool, entry, entry.title)
    if not wrong:  # a statement that can only be true teaches nothing
        return None
    truth = rng.random() < 0.5
    shown = entry.category if truth else rng.choice(wrong)
    return _draft(entry, "true_false", f"“{entry.title}” is part of “{shown}”.", {"correct": truth})


def _cloze(pool: _Pool, entry: _Entry, rng: random.Random) -> QuestionDraft | None:
    """Cloze: a sentence of the description with its key term blanked.

    The title is the best term; after it, the long words fewest descriptions of the pool hold.
    """
    ranked: list[tuple[tuple[int, ...], str, str]] = []
    for sentence in [entry.description]:  # a clue is one sentence already
        if len(sentence) > MAX_QUOTE or _word_count(sentence) <= MIN_WORDS:
            continue
        if _whole_words(entry.title).search(sentence):
            ranked.append(((0,), sentence, entry.title))
        for word in _LONG_WORD.findall(sentence):
            # A sentence's first word is more often a verb ("Measures ...") than a term.
            if sentence.startswith(word) or word.casefold() in _COMMON:
                continue
            if pool.spread[word.casefold()] <= MAX_SPREAD:
                ranked.append(((1, pool.spread[word.casefold()], -len(word)), sentence, word))
    ranked.sort(key=lambda candidate: candidate[0])
    for _, sentence, term in ranked:
        pattern = _whole_words(term)
        if len(pattern.findall(sentence)) != 1:
            continue
        blanked = pattern.sub(BLANK, sentence)
        about = "" if normalise(term) == entry.key else f" about “{entry.title}”"
        draft = _draft(entry, "cloze", f"Fill in the blank{about}: {blanked}", {"accepted": [term]})
        if _acceptable(draft):
            return draft
    return None


def _name_it(pool: _Pool, entry: _Entry, rng: random.Random) -> QuestionDraft | None:
    """Short answer: the title of the item a description fits."""
    quote = pool.quote(entry)
    if quote is None or len(pool.alike(entry)) > 1:
        return None
    named = entry.category_key in pool.categories and not _mentions(entry.category, entry.title)
    where = f" in “{entry.category}”" if named else ""
    prompt = f"Name the item{where} described as: {quote}"
    return _draft(entry, "short_answer", prompt, {"accepted": [entry.title]})


_Maker = Callable[[_Pool, _Entry, random.Random], QuestionDraft | None]
# Questions of one family give each other away (a quoted description fills a cloze's blank),
# so an item gets at most one of each family.
_MAKERS: tuple[tuple[str, _Maker], ...] = (
    ("description", _which_item),
    ("membership", _true_or_false),
    ("description", _cloze),
    ("membership", _which_category),
    ("description", _name_it),
)
_Candidate = tuple[str, _Entry, QuestionDraft]


def _made(
    pool: _Pool, family: str, make: _Maker, order: list[_Entry], rng: random.Random
) -> Iterator[_Candidate]:
    for entry in order:
        draft = make(pool, entry, rng)
        if draft is not None and _acceptable(draft):
            yield family, entry, draft


def _candidates(pool: _Pool, rng: random.Random) -> Iterator[_Candidate]:
    """Drafts from each maker in turn, made only when asked for: large pools stay cheap."""
    makers = [
        _made(pool, family, make, rng.sample(pool.entries, len(pool.entries)), rng)
        for family, make in _MAKERS
    ]
    while makers:
        for maker in list(makers):
            if (candidate := next(maker, None)) is None:
                makers.remove(maker)
            else:
                yield candidate


def generate(items: Sequence[SourceItem], count: int, *, seed: str) -> list[QuestionDraft]:
    """Up to `count` questions on `items`, kinds mixed, each item asked once before any twice."""
    if count < 1:
        return []
    rng = random.Random(seed)  # noqa: S311 - a reproducible shuffle, not a secret
    pool = _Pool(items)
    chosen: list[QuestionDraft] = []
    prompts: set[str] = set()
    asked: set[str] = set()
    families: set[tuple[str, str]] = set()

    def take(candidate: _Candidate, fresh_only: bool) -> None:
        family, entry, draft = candidate
        prompt = normalise(draft.prompt)
        if prompt in prompts or (entry.key, family) in families:
            return
        if len(chosen) < count and not (fresh_only and entry.key in asked):
            chosen.append(draft)
            prompts.add(prompt)
            asked.add(entry.key)
            families.add((entry.key, family))

    seen: list[_Candidate] = []
    for candidate in _candidates(pool, rng):
        seen.append(candidate)
        take(candidate, fresh_only=True)
        if len(chosen) == count:
            return chosen
    for candidate in seen:
        take(candidate, fresh_only=False)
    return chosen
