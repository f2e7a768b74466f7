"""What the offline generator may ask about, and in which words: pure rules, no I/O.

Tracks are written in Markdown and study checklists are mostly links to videos and reading. A
question is about a concept, in plain words, so:

- `plain_text` is a title, category or description as a learner reads it: no Markdown syntax
  (links keep their text, code spans their code, emphasis its words) and no web addresses;
- `clue` is the one sentence of a description a question may quote: the first sentence of its
  first paragraph, never a pasted list, code or quote, and never a sentence that only
  introduces what follows ("Read these:");
- `is_resource_only` says an item is something to watch or read, not a concept: its title was a
  link, names a medium ("(video)", "article", "book", "playlist" ...), starts with a verb of
  consuming ("Watch", "Read", "Listen to" ...) or only introduces sub-items ("Implement it:"),
  and no description gives a clue;
- `is_concept_category` says a category's name is a concept worth asking about: not a
  container for media or links ("Videos", "Books", "Further reading"), not a numbered part
  ("Week 3", "Part II", "Chapter 4", "2."), not made only of words of organisation ("Misc",
  "Final Review", "Areas for Improvement", "Critical Unknown Unknowns (High Priority)");
  `concept_category` asks about the nearest enclosing category that is one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from questpath.quizzes.rules import normalise

MIN_CLUE_WORDS = 4  # fewer words than this describe nothing
MAX_CLUE = 300  # characters; a longer sentence is cut at a word

_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\((?:<[^>]*>|(?:[^\s()]|\([^\s()]*\))*)(?:\s+\"[^\"]*\")?\)")
_REFERENCE = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<(?:https?|ftp|mailto):[^>\s]*>", re.IGNORECASE)
_URL = re.compile(r"\S*(?:https?://|www\.)\S*", re.IGNORECASE)  # the whole word holding it
_CODE = re.compile(r"(`+)\s?(.+?)\s?\1", re.DOTALL)
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_EMPHASIS = re.compile(
    r"(\*\*|__|~~)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?!\w)"
)
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]")
# A sentence ends at . ! or ? before a capital, but not after "vs." "e.g." "i.e." "etc.".
_SENTENCE_END = re.compile(
    r"(?<=[.!?])(?<!\bvs\.)(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\betc\.)\s+(?=[A-Z0-9\"“(])"
)
_BLOCK_START = re.compile(r"\s*(?:[-*+](?:\s|$)|\d{1,9}[.)](?:\s|$)|>|#|```|~~~|\||<)")

_MEDIUM = """video videos article articles reading readings book books playlist playlists podcast
    podcasts slides pdf lecture lectures talk talks paper papers screencast youtube blog
    episode episodes course courses tutorial tutorials"""
_MEDIUM_WORDS = frozenset(_MEDIUM.split())
_CONSUMING_VERBS = ("watch", "read", "listen", "skim", "see", "browse", "view", "bookmark")
_GENERIC = """videos video resources resource books book links link reading readings further reading
    articles references reference misc miscellaneous other others extras extra notes contents
    table of contents bonus optional final review summary overview introduction intro tools
    courses course playlists playlist papers podcasts slides talks lectures additional more
    learning materials material sources source useful websites sites online supplements
    supplemental appendix todo to do done in progress backlog even knowledge stuff things topics
    topic general study studies plan everything else random areas area improvement improvements
    recommendations recommended recommendation needed unknown unknowns critical high low medium
    priority priorities immediate short long term this next month months steps step gaps gap
    goals goal new for the and of a an in on with &"""
_GENERIC_CATEGORIES = frozenset(_GENERIC.split())
_NUMBERING = re.compile(r"^\s*(?:\d{1,9}|[ivxlcdm]{1,6}|[a-z])[.)]\s+", re.IGNORECASE)
_CALL_IN_CODE = re.compile(r"\s*`[^`]*\w\([^`]*\)[^`]*`")
_DECORATION = frozenset("\ufe0f\u200d\u20e3")
_PARTS = re.compile(
    r"^(?:(?:week|day|part|chapter|module|lesson|section|step|phase|stage|level|unit|session|"
    r"round|month|year|quarter|sprint|milestone|book|volume|lecture|video)\s*)?"
    r"(?:\d+|[ivxlcdm]+|one|two|three|four|five|six|seven|eight|nine|ten)?$"
)


def plain_text(markdown: str) -> str:
    """The text a reader sees, on one line: no Markdown syntax and no web addresses."""
    text = _IMAGE.sub(r"\1", markdown)
    text = _LINK.sub(r"\1", text)
    text = _REFERENCE.sub(r"\1", text)
    text = _AUTOLINK.sub("", text)
    text = _CODE.sub(r"\2", text)
    text = _TAG.sub("", text)
    for _ in range(3):  # nested emphasis
        text = _EMPHASIS.sub(lambda m: m[2] or m[3], text)
    text = _ESCAPE.sub(r"\1", text)
    text = _URL.sub("", text)
    text = _EMPTY_BRACKETS.sub("", text)
    # Emoji decorate a checklist; a question reads better without them.
    text = "".join(c for c in text if unicodedata.category(c) != "So" and c not in _DECORATION)
    return " ".join(text.split()).strip(" -–—:;,|")


def _words(text: str) -> list[str]:
    return [word for word in normalise(text).split() if any(c.isalpha() for c in word)]


def clue(description: str) -> str | None:
    """The first sentence of the description's first paragraph, as plain text, when it says
    something: at least MIN_CLUE_WORDS words, not introducing a list, cut to MAX_CLUE."""
    first = description.replace("\r\n", "\n").strip().split("\n\n", 1)[0]
    if not first or _BLOCK_START.match(first):
        return None
    lines = first.split("\n")
    # A paragraph running into a list ("Topics:\n- a\n- b") ends where the list starts.
    cut = next((n for n, line in enumerate(lines) if n and _BLOCK_START.match(line)), len(lines))
    text = plain_text(" ".join(lines[:cut]))
    sentence = _SENTENCE_END.split(text, 1)[0].strip()
    if sentence.endswith(":") or len(_words(sentence)) < MIN_CLUE_WORDS:
        return None
    if len(sentence) > MAX_CLUE:
        sentence = sentence[: MAX_CLUE - 1].rsplit(" ", 1)[0].rstrip(" ,;:-") + "…"
    return sentence


def names_a_medium(title: str) -> bool:
    """Whether the title says it is something to watch or read rather than a concept."""
    if any(word in _MEDIUM_WORDS for word in _words(title)):
        return True
    first = title.split(maxsplit=1)[0].casefold().rstrip(":,") if title.strip() else ""
    return first in _CONSUMING_VERBS  # "Read: ..." but not "Read-write locks"


def is_resource_only(title: str, description: str, link_titled: bool) -> bool:
    """Whether an item is only a link, a video or reading (or a heading for sub-items): nothing a
    question can ask about. An item with a clue in its description is always a concept."""
    if clue(description) is not None:
        return False
    plain = plain_text(title)
    introduces = plain.endswith(":") or title.rstrip().endswith(":")
    if link_titled or introduces or is_implementation_step(title):
        return True
    return names_a_medium(plain) or not _words(plain)


def is_implementation_step(title: str) -> bool:
    """Whether the title starts with a call in code (`insert(value)`): a step of writing code,
    not a concept."""
    return _CALL_IN_CODE.match(title) is not None


def is_concept_category(title: str) -> bool:
    """Whether a category's name is a concept a learner can be asked to place an item in."""
    words = _words(plain_text(title))
    if not words:
        return False
    if all(word in _GENERIC_CATEGORIES or word.isdigit() for word in words):
        return False
    if _PARTS.match(" ".join(words)) or (words[0] in {"week", "day", "part"} and len(words) > 1):
        return False
    return not names_a_medium(title)


def concept_category(titles: Sequence[str]) -> str:
    """The category to ask about for an item: of the categories holding it, innermost first,
    the first whose name is a concept, as plain text without its numbering ("3. Git Workflow"
    gives "Git Workflow"); "" when none is."""
    for title in titles:
        if is_concept_category(title):
            return plain_text(_NUMBERING.sub("", plain_text(title)))
    return ""


def is_readable(text: str) -> bool:
    """Whether generated text is free of Markdown links, web addresses and list markers. The
    word HTTP is a concept, so only an address (`http:`, `https:`, `://`, `www.`) counts."""
    folded = text.casefold()
    address = any(mark in folded for mark in ("http:", "https:", "://", "www."))
    return "](" not in text and not address and not text.lstrip().startswith("- ")
