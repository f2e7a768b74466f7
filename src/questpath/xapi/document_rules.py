"""Pure rules of the document resources (Communication 2.2 and 3.1): the ETag of a document,
whether a request's If-Match / If-None-Match let it proceed, the JSON merge of a POST, and the
merge of activity definitions. No database, no clock."""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from questpath.xapi.attachments import media_type

JSON_TYPE = "application/json"
# Language maps in an activity definition: merged key by key, so a later statement in one
# language does not drop the others.
LANGUAGE_MAPS = ("name", "description")


def etag_of(content: bytes) -> str:
    """The SHA-1 hex digest of the content, in lowercase (Communication 3.1.s4.b2)."""
    return hashlib.sha1(content).hexdigest()  # noqa: S324 - the spec names SHA-1


def is_json(content_type: str | None) -> bool:
    return media_type(content_type) == JSON_TYPE


class Outcome(enum.Enum):
    PROCEED = "proceed"
    PRECONDITION_FAILED = "precondition failed"  # 412
    CONFLICT = "conflict"  # 409: a PUT over a profile document, sent with neither header
    HEADER_REQUIRED = "header required"  # 400: a PUT of a new profile document, with neither


def entity_tags(header: str) -> list[str]:
    """The entity tags of an If-Match / If-None-Match header, unquoted and without `W/`;
    `["*"]` for the wildcard."""
    tags = []
    for part in header.split(","):
        tag = part.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        if len(tag) >= 2 and tag[0] == tag[-1] == '"':
            tag = tag[1:-1]
        if tag:
            tags.append(tag.lower() if tag != "*" else tag)
    return tags


@dataclass(frozen=True)
class Preconditions:
    if_match: str | None = None
    if_none_match: str | None = None

    @property
    def sent(self) -> bool:
        return self.if_match is not None or self.if_none_match is not None


def precondition(
    current: str | None, headers: Preconditions, *, conflict_without_headers: bool
) -> Outcome:
    """Whether a write may proceed over the document whose ETag is `current` (None when there is
    none), as RFC 2616 reads If-Match and If-None-Match: If-Match holds when the document exists
    and (for a list of tags) has one of them; If-None-Match holds when it does not exist (`*`)
    or has none of them. `conflict_without_headers`: a PUT to a profile resource, which must
    send one of the headers: a 409 when the document exists (Communication 3.1.s4.b13), a 400
    when it does not (as the conformance suite asks: the sender could not know it is new)."""
    if headers.if_match is not None:
        tags = entity_tags(headers.if_match)
        if current is None or ("*" not in tags and current.lower() not in tags):
            return Outcome.PRECONDITION_FAILED
    if headers.if_none_match is not None:
        tags = entity_tags(headers.if_none_match)
        if current is not None and ("*" in tags or current.lower() in tags):
            return Outcome.PRECONDITION_FAILED
    if conflict_without_headers and not headers.sent:
        return Outcome.CONFLICT if current is not None else Outcome.HEADER_REQUIRED
    return Outcome.PROCEED


class NotMergeable(ValueError):
    """A POST over an existing document where either is not a JSON object (Communication
    2.2.s8.b1): a 400, and the document stays as it was."""


@dataclass(frozen=True)
class Stored:
    content: bytes
    content_type: str


def json_object(content: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def posted(existing: Stored | None, new: Stored) -> Stored:
    """What a POST stores: the posted document when there is none yet, else the existing JSON
    object with each top-level property of the posted one set on it (only top-level properties
    are merged; a property's whole value is replaced)."""
    if existing is None:
        return new
    if not (is_json(existing.content_type) and is_json(new.content_type)):
        raise NotMergeable("both the stored and the posted document must be application/json")
    old, update = json_object(existing.content), json_object(new.content)
    if old is None or update is None:
        raise NotMergeable("both the stored and the posted document must be JSON objects")
    merged = {**old, **update}
    return Stored(json.dumps(merged, ensure_ascii=False).encode(), JSON_TYPE)


def merged_definition(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """A later definition wins property by property; its language maps are merged key by key."""
    merged = {**old, **new}
    for key in LANGUAGE_MAPS:
        before, after = old.get(key), new.get(key)
        if isinstance(before, Mapping) and isinstance(after, Mapping):
            merged[key] = {**before, **after}
    return merged


def person_of(agent: Mapping[str, Any]) -> dict[str, Any]:
    """The Person object the agents resource answers for an agent it knows nothing more about:
    each of its properties as a one-element array (Communication 2.4.s3.b3)."""
    person: dict[str, Any] = {"objectType": "Person"}
    for key in ("name", "mbox", "mbox_sha1sum", "openid", "account"):
        if key in agent and agent[key] is not None:
            person[key] = [agent[key]]
    return person
