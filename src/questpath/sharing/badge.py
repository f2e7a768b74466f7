"""An SVG badge (label | message) in the flat style READMEs are used to. Pure: text in, SVG out.

Every text is escaped for XML, and characters XML 1.0 cannot hold are dropped, so no value can
break out of its element or attribute. `textLength` makes each text fit its box whatever font the
viewer has; the box widths come from an estimate of Verdana 11 px.
"""

from __future__ import annotations

import re
from html import escape

HEIGHT = 20
PADDING = 6
LABEL_COLOUR = "#555"
MESSAGE_COLOUR = "#2f6f4e"
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Widths in tenths of a pixel at 11 px; anything else counts as a wide letter.
_NARROW = dict.fromkeys("fijlrt!.,:;'|· ", 40)
_WIDE = dict.fromkeys("mwMW@", 95)


def _text_width(text: str) -> int:
    return sum(_NARROW.get(c, _WIDE.get(c, 70)) for c in text) // 10


def clean(text: str) -> str:
    """`text` without characters XML cannot hold, escaped for an element or an attribute."""
    return escape(_NOT_XML.sub("", text), quote=True)


def badge_svg(label: str, message: str, colour: str = MESSAGE_COLOUR) -> str:
    label_text, message_text = _NOT_XML.sub("", label), _NOT_XML.sub("", message)
    label_width = _text_width(label_text) + 2 * PADDING
    message_width = _text_width(message_text) + 2 * PADDING
    width = label_width + message_width
    title = clean(f"{label_text}: {message_text}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{HEIGHT}" '
        f'role="img" aria-label="{title}">'
        f"<title>{title}</title>"
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" '
        'stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{width}" height="{HEIGHT}" rx="3" fill="#fff"/>'
        "</clipPath>"
        f'<g clip-path="url(#r)"><rect width="{label_width}" height="{HEIGHT}" '
        f'fill="{LABEL_COLOUR}"/><rect x="{label_width}" width="{message_width}" '
        f'height="{HEIGHT}" fill="{clean(colour)}"/><rect width="{width}" height="{HEIGHT}" '
        'fill="url(#s)"/></g>'
        '<g fill="#fff" text-anchor="middle" '
        'font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="{label_width / 2:g}" y="14" textLength="{label_width - 2 * PADDING}" '
        f'lengthAdjust="spacingAndGlyphs">{clean(label_text)}</text>'
        f'<text x="{label_width + message_width / 2:g}" y="14" '
        f'textLength="{message_width - 2 * PADDING}" '
        f'lengthAdjust="spacingAndGlyphs">{clean(message_text)}</text>'
        "</g></svg>"
    )
