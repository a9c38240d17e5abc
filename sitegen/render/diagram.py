"""The progression diagram of a guide: an SVG drawn at build time from the checked graph.

Its drills in order, each with its step and level, then the exercises they unlock. One narrow
column, so it stays readable at 320 px; the page scales it down, never up.

On a page the drawing is an image to assistive technology (`role="img"`, a title and a
description; the guide's list gives the same steps as text and links), and a second SVG of the
same size, laid exactly under it, holds the links: one per node, its box's background, carrying
`data-progress-step` (the page's source path: the progress tracker colours the box by state)
and the mastery gate as a tooltip. The drawing lets pointer events through to it. Links inside
an image would be unreachable to a screen reader, so they are kept out of it; the links' layer
is hidden from assistive technology and out of the tab order, as its links repeat the list's.
The deck's cover card gets the drawing alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Callable

from sitegen.content.model import Movement, Page

WIDTH = 320
_X, _NODE_W = 12, 296
_LINE = 18  # px between lines of a node's title
_CHARS = 30  # a title's characters per line at 15 px in a 296 px node (0.6 em each, padded)
_GAP = 26  # between two nodes: room for the arrow


@dataclass(frozen=True)
class Node:
    page: Movement
    caption: str  # "Step 2 · Level 2", "Level 4"
    kind: str  # "drill" or "exercise"


def _wrap(title: str) -> list[str]:
    lines: list[str] = []
    for word in title.split():
        if lines and len(lines[-1]) + 1 + len(word) <= _CHARS:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def nodes(drills: list[Page], exercises: list[Page]) -> tuple[list[Node], list[Node]]:
    def level(p: Page) -> str:
        return f"Level {p.level}" if isinstance(p, Movement) and p.level else ""

    steps = [Node(p, " · ".join(filter(None, [f"Step {i}", level(p)])), "drill")
             for i, p in enumerate(drills, 1) if isinstance(p, Movement)]
    unlocks = [Node(p, level(p), "exercise") for p in exercises if isinstance(p, Movement)]
    return steps, unlocks


def svg(title: str, drills: list[Page], exercises: list[Page], url: Callable[[Page], str] | None,
        ident: str = "progression") -> str:
    """The diagram's markup; `url` gives each node's link (None: the drawing alone)."""
    steps, unlocks = nodes(drills, exercises)
    parts: list[str] = []
    links: list[str] = []
    y = 8
    for i, node in enumerate(steps):  # the drills in order, an arrow from each to the next
        if i:
            parts.append(_arrow(y - _GAP, y))
        y += _node(parts, links, node, y, url) + _GAP
    if unlocks:  # what the last drill opens: side by side in meaning, so no arrows between them
        if steps:
            parts.append(_arrow(y - _GAP, y + 4))
            y += 8
        parts.append(f'<text class="dg-label" x="{_X}" y="{y + 14}" font-size="13" font-weight="700" '
                     f'fill="#4b5563" letter-spacing="1">THEN IT UNLOCKS</text>')
        y += 24
        for node in unlocks:
            y += _node(parts, links, node, y, url) + 10
        y += _GAP - 10
    height = y - _GAP + 8
    heading = escape(f"The progression of {title}")
    desc = escape("; ".join([f"{n.caption}: {n.page.title}" for n in steps]
                            + ([f"then it unlocks {', '.join(n.page.title for n in unlocks)}"] if unlocks else [])))
    size = f'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}"'
    drawing = (f'<svg class="progression-diagram" {size} role="img" aria-labelledby="{ident}-t {ident}-d">'
               f'<title id="{ident}-t">{heading}</title><desc id="{ident}-d">{desc}</desc>' + "".join(parts) + "</svg>")
    if url is None:
        return drawing
    return (f'<div class="diagram-stack"><svg class="diagram-links" {size} aria-hidden="true">'
            + "".join(links) + f"</svg>{drawing}</div>")


def _arrow(top: int, bottom: int) -> str:
    mid = _X + _NODE_W // 2
    return (f'<path class="dg-edge" d="M{mid} {top + 2}V{bottom - 4}M{mid - 5} {bottom - 10}L{mid} {bottom - 4}'
            f'L{mid + 5} {bottom - 10}" fill="none" stroke="#6b7280" stroke-width="2"/>')


def _node(parts: list[str], links: list[str], node: Node, y: int, url: Callable[[Page], str] | None) -> int:
    lines = _wrap(node.page.title)
    height = 20 + _LINE * len(lines) + (18 if node.caption else 0)
    page = node.page
    gate = f"Move on when: {page.mastery}" if page.mastery else page.title
    box = f'x="{_X}" y="{y}" width="{_NODE_W}" height="{height}" rx="10"'
    stroke = f'stroke="#0f766e" stroke-width="{2 if node.kind == "drill" else 1.5}"'
    body = [f'<rect class="dg-box" {box} fill="none" {stroke}/>']
    text_y = y + 24
    for line in lines:
        body.append(f'<text class="dg-title" x="{_X + 14}" y="{text_y}" font-size="15" font-weight="700" '
                    f'fill="#1f2937">{escape(line)}</text>')
        text_y += _LINE
    if node.caption:
        body.append(f'<text class="dg-caption" x="{_X + 14}" y="{text_y}" font-size="13" '
                    f'fill="#4b5563">{escape(node.caption)}</text>')
    parts.append(f'<g class="dg-{node.kind}">{"".join(body)}</g>')
    if url is not None:
        links.append(f'<a class="dg-node dg-{node.kind}" data-progress-step="{escape(page.source)}" '
                     f'href="{escape(url(page))}" tabindex="-1"><title>{escape(gate)}</title>'
                     f'<rect class="dg-hit" {box} fill="#ffffff" {stroke}/></a>')
    return height
