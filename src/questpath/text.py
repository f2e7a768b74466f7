"""Text a learner or an integration names things with: no characters that change how it reads.

Bidirectional controls (embeddings and overrides U+202A to U+202E, isolates U+2066 to U+2069)
make a string display in a different order from the one it is stored and compared in, so an id,
a topic, a name or a title could look like another. They are refused wherever such text enters.
"""

from __future__ import annotations

from pydantic import AfterValidator

BIDI_CONTROLS = frozenset(chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
BIDI_MESSAGE = (
    "must not contain bidirectional control characters (U+202A to U+202E, U+2066 to U+2069)"
)


def has_bidi_controls(value: str) -> bool:
    return not BIDI_CONTROLS.isdisjoint(value)


def refuse_bidi_controls(value: str) -> str:
    if has_bidi_controls(value):
        raise ValueError(BIDI_MESSAGE)
    return value


# Add to the Annotated[str, ...] of every id, topic, name and title a client sends.
NoBidiControls = AfterValidator(refuse_bidi_controls)
