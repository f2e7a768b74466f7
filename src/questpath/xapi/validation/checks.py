"""The building blocks of Statement validation: a Violation, JSON paths, and the checks of one value
(an object's properties, a string, a number, a formatted string, a language map, extensions).

Every check appends what is wrong to `out` and returns the value it could read (or None), so one
pass over a Statement reports every problem rather than the first.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from dataclasses import dataclass

from questpath.xapi.validation.formats import is_iri, is_language_tag


@dataclass(frozen=True)
class Violation:
    """One rule of the xAPI data model broken by one value.

    rule: a short stable identifier ("iri", "agent.one-ifi"); field: the JSON path of the value
    ("object.definition.name.en-US", "[3].verb.id"); message: what is wrong and what is expected.
    """

    rule: str
    field: str
    message: str


Out = list[Violation]


def at(field: str, key: str) -> str:
    """The path of `key` inside the object at `field`."""
    return f"{field}.{key}" if field else key


def item(field: str, index: int) -> str:
    """The path of element `index` of the array at `field`."""
    return f"{field}[{index}]"


def describe(value: object) -> str:
    """What a JSON value is, for messages: "null", "a string", "an array" ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__  # pragma: no cover - not a parsed JSON value


def shown(value: object) -> str:
    """A short rendering of a value for a message."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def wrong_type(value: object, field: str, expected: str, out: Out) -> None:
    """A value of the wrong JSON type; null gets its own rule (xAPI rejects nulls outside
    extensions)."""
    name = field or "The value"
    if value is None:
        out.append(Violation("null", field, f"{name} must not be null; expected {expected}."))
    else:
        message = f"{name} must be {expected}, not {describe(value)}."
        out.append(Violation("type", field, message))


def properties(
    value: object,
    field: str,
    out: Out,
    *,
    what: str,
    allowed: Collection[str],
    required: Collection[str] = (),
) -> dict[str, object] | None:
    """Check `value` is an object with only the `allowed` properties (names are case-sensitive),
    all the `required` ones, and no null; return its non-null properties, or None if not an object.
    """
    if not isinstance(value, dict):
        wrong_type(value, field, f"{what} (a JSON object)", out)
        return None
    present: dict[str, object] = {}
    for key, inner in value.items():
        if key not in allowed:
            out.append(Violation("unknown-property", at(field, key), _unknown(key, allowed, what)))
        elif inner is None:
            message = f'"{key}" must not be null; leave the property out instead.'
            out.append(Violation("null", at(field, key), message))
        else:
            present[key] = inner
    for key in required:
        if key not in value:
            message = f'{what[0].upper()}{what[1:]} must have "{key}".'
            out.append(Violation("required", at(field, key), message))
    return present


def _unknown(key: str, allowed: Collection[str], what: str) -> str:
    names = ", ".join(f'"{name}"' for name in sorted(allowed))
    twin = next((name for name in allowed if name.lower() == key.lower()), None)
    hint = f' Property names are case-sensitive: did you mean "{twin}"?' if twin else ""
    return f'"{key}" is not a property of {what}; it may have {names}.{hint}'


def string(value: object, field: str, out: Out) -> str | None:
    if isinstance(value, str):
        return value
    wrong_type(value, field, "a string", out)
    return None


def boolean(value: object, field: str, out: Out) -> bool | None:
    if isinstance(value, bool):
        return value
    wrong_type(value, field, "true or false (a JSON boolean, not a string)", out)
    return None


def number(value: object, field: str, out: Out) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    wrong_type(value, field, "a number (a JSON number, not a string)", out)
    return None


def integer(value: object, field: str, out: Out) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    wrong_type(value, field, "a whole number", out)
    return None


def formatted(
    value: object,
    field: str,
    out: Out,
    *,
    rule: str,
    test: Callable[[str], bool],
    expected: str,
) -> str | None:
    """A string that must pass `test`, such as an IRI or a UUID; the empty string never does."""
    text = string(value, field, out)
    if text is None:
        return None
    if not test(text):
        out.append(Violation(rule, field, f"{field} must be {expected}; got {shown(text)}."))
        return None
    return text


def iri(value: object, field: str, out: Out) -> str | None:
    return formatted(
        value,
        field,
        out,
        rule="iri",
        test=is_iri,
        expected='an IRI with a scheme, such as "http://example.com/xapi/verbs/completed"',
    )


def irl(value: object, field: str, out: Out) -> str | None:
    return formatted(
        value,
        field,
        out,
        rule="irl",
        test=is_iri,
        expected='an IRL with a scheme, such as "https://example.com/page"',
    )


def object_type(value: object, field: str, out: Out, *, expected: str) -> None:
    """An "objectType" that can only be `expected`, exactly (its case included)."""
    text = string(value, field, out)
    if text is not None and text != expected:
        message = f'{field} must be "{expected}" (case-sensitive); got {shown(text)}.'
        out.append(Violation("object-type", field, message))


def language_map(value: object, field: str, out: Out) -> None:
    """An object of at least one RFC 5646 language tag to a string."""
    if not isinstance(value, dict):
        wrong_type(value, field, 'a language map (a JSON object such as {"en-US": "text"})', out)
        return
    if not value:
        message = f'{field} is an empty language map; give at least one entry, like {{"en": "…"}}.'
        out.append(Violation("language-map", field, message))
    for tag, text in value.items():
        where = at(field, tag)
        if not is_language_tag(tag):
            message = (
                f'{shown(tag)} is not an RFC 5646 language tag; use tags such as "en", "en-US" '
                'or "zh-Hant-TW".'
            )
            out.append(Violation("language-tag", where, message))
        string(text, where, out)


def extensions(value: object, field: str, out: Out) -> None:
    """An object whose keys are IRIs; its values are free (null included) and never checked."""
    if not isinstance(value, dict):
        wrong_type(value, field, "an extensions map (a JSON object keyed by IRIs)", out)
        return
    for key in value:
        if not is_iri(key):
            message = (
                f"Extension keys must be IRIs with a scheme, such as "
                f'"http://example.com/xapi/extensions/room"; got {shown(key)}.'
            )
            out.append(Violation("iri", at(field, key), message))
