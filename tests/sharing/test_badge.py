"""The SVG badge: well-formed XML whatever text goes in, and the text shown as given."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from questpath.sharing.badge import badge_svg

SVG = "{http://www.w3.org/2000/svg}"
XML_CHARS = re.compile("[\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def test_the_badge_shows_its_label_and_message_in_two_boxes() -> None:
    svg = badge_svg("QuestPath", "Competent · 5-day streak")
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.tag == f"{SVG}svg"
    assert root.get("aria-label") == "QuestPath: Competent · 5-day streak"
    assert texts(svg) == ["QuestPath", "Competent · 5-day streak"]
    widths = [int(rect.get("width") or 0) for rect in root.iter(f"{SVG}rect")]
    assert int(root.get("width") or 0) == widths[1] + widths[2]


def test_markup_in_a_text_is_escaped_not_run() -> None:
    hostile = '</text><script>alert(1)</script><a href="x">&'
    svg = badge_svg("QuestPath", hostile)
    assert "<script" not in svg
    assert texts(svg)[1] == hostile
    assert ET.fromstring(svg).get("aria-label") == f"QuestPath: {hostile}"  # noqa: S314


@given(st.text(max_size=60), st.text(max_size=60))
def test_any_text_gives_well_formed_svg_showing_the_text(label: str, message: str) -> None:
    svg = badge_svg(label, message)
    kept = ["".join(XML_CHARS.findall(text)) for text in (label, message)]
    # XML normalises line ends in text content; compare what a reader sees.
    assert texts(svg) == [text.replace("\r\n", "\n").replace("\r", "\n") for text in kept]


@given(st.text(max_size=60))
def test_a_longer_message_never_makes_a_narrower_badge(message: str) -> None:
    def width(text: str) -> int:
        return int(ET.fromstring(badge_svg("QuestPath", text)).get("width") or 0)  # noqa: S314

    assert width(message + "x") > width(message)
