"""Badge images: a PNG medal per achievement category, and the same PNG baked with an assertion
(the assertion in an `openbadges` iTXt chunk, so that the image alone carries the badge)."""

from __future__ import annotations

import hashlib
import io
import math
from functools import lru_cache

import png
from openbadges_bakery import bake, unbake

SIZE = 256
# Fills that keep white text and the star readable (contrast >= 4.5 with white).
PALETTE = (
    (31, 94, 168),
    (140, 47, 133),
    (20, 110, 80),
    (170, 62, 30),
    (88, 70, 170),
    (150, 40, 60),
    (0, 105, 120),
)
GOLD = (242, 190, 50)
WHITE = (255, 255, 255)


def colour_of(category: str) -> tuple[int, int, int]:
    """A category's fill, the same on every server."""
    return PALETTE[hashlib.sha256(category.encode()).digest()[0] % len(PALETTE)]


def _star(cx: float, cy: float, outer: float, inner: float) -> list[tuple[float, float]]:
    return [
        (
            cx + (outer if i % 2 == 0 else inner) * math.sin(i * math.pi / 5),
            cy - (outer if i % 2 == 0 else inner) * math.cos(i * math.pi / 5),
        )
        for i in range(10)
    ]


def _inside(x: float, y: float, polygon: list[tuple[float, float]]) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


STAR_OUTER, STAR_INNER = 70, 30
CENTRE = SIZE / 2
# Radii where the medal changes colour: the outer edge, gold to white, white to the fill.
EDGES = (CENTRE - 2, CENTRE - 16, CENTRE - 22)
STAR = _star(CENTRE, CENTRE + 6, STAR_OUTER, STAR_INNER)


def _pixel(x: float, y: float, fill: tuple[int, int, int]) -> tuple[int, ...]:
    distance = math.hypot(x - CENTRE, y - CENTRE)
    if distance > EDGES[0]:
        return (0, 0, 0, 0)
    if distance > EDGES[1]:
        return (*GOLD, 255)
    if distance > EDGES[2]:
        return (*WHITE, 255)
    return (*(WHITE if _inside(x, y, STAR) else fill), 255)


def _near_an_edge(x: float, y: float) -> bool:
    """Whether a pixel may straddle two colours, and so needs more than its centre sampled."""
    distance = math.hypot(x - CENTRE, y - CENTRE)
    from_star = math.hypot(x - CENTRE, y - CENTRE - 6)
    return (
        any(abs(distance - edge) < 1 for edge in EDGES)
        or STAR_INNER * 0.8 - 1 < from_star < STAR_OUTER + 1
    )


@lru_cache(maxsize=len(PALETTE))
def _medal(fill: tuple[int, int, int]) -> bytes:
    rows = []
    for py in range(SIZE):
        row: list[int] = []
        for px in range(SIZE):
            if not _near_an_edge(px + 0.5, py + 0.5):
                row += _pixel(px + 0.5, py + 0.5, fill)
                continue
            samples = [_pixel(px + dx, py + dy, fill) for dx in (0.25, 0.75) for dy in (0.25, 0.75)]
            alpha = sum(s[3] for s in samples)
            if alpha == 0:
                row += (0, 0, 0, 0)
                continue
            row += [sum(s[c] * s[3] for s in samples) // alpha for c in range(3)]
            row.append(alpha // 4)
        rows.append(row)
    out = io.BytesIO()
    png.Writer(SIZE, SIZE, greyscale=False, alpha=True).write(out, rows)
    return out.getvalue()


def medal_png(category: str) -> bytes:
    """A 256 by 256 medal: a gold ring around the category's colour and a white star. Pixels
    on an edge average four samples, so that the edges are smooth."""
    return _medal(colour_of(category))


def baked_png(image: bytes, assertion_json: str) -> bytes:
    """`image` with the assertion baked in, as Open Badges 2.0 baking describes."""
    baked: io.BytesIO = bake(io.BytesIO(image), assertion_json, io.BytesIO())
    return baked.getvalue()


def unbaked_assertion(image: bytes) -> str | None:
    """The assertion baked into a PNG, if any."""
    found: str | None = unbake(io.BytesIO(image))
    return found
