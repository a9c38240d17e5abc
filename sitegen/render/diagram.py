"""The progression diagram of a guide: an SVG drawn at build time from the checked graph.

Its drills in order, each with its step and level, then the exercises they unlock. A layout
places the nodes: on a page one narrow column (readable at 320 px), on the deck's cover card
three to a row, in the cards' type and ink.

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


@dataclass(frozen=True)
class Layout:
    """Where the drawing puts things, in its own units: a page shows one unit as a CSS pixel at
    most; the cover card, as a point at least (its text must stay 9 pt or more)."""

    width: float
    columns: int  # nodes side by side: the drills run left to right, then down
    margin: float  # left and right of the nodes
    gap: float  # between two drills, across and down: room for the arrow
    unlock_gap: float  # between two unlocked exercises
    pad: float  # left of a node's text
    title: float  # font sizes
    caption: float
    line: float  # between lines of a node's text
    top: float  # from a node's top to its first baseline
    bottom: float  # from its last baseline to its bottom
    title_chars: int  # characters per line (0.6 em each, a little less for padding)
    caption_chars: int
    label_height: float  # room for the "then it unlocks" label
    radius: float  # of a node's corners
    inset: float  # above the first row and below the last
    font: str | None = None  # None: the page's own font, through its stylesheet
    ink: tuple[str, str, str, str] = ("#1f2937", "#4b5563", "#6b7280", "#0f766e")  # titles, captions, arrows, boxes


# One column 320 wide, so it stays readable at 320 px; the page scales it down, never up.
PAGE = Layout(width=320, columns=1, margin=12, gap=26, unlock_gap=10, pad=14, title=15, caption=13, line=18,
              top=24, bottom=14, title_chars=30, caption_chars=36, label_height=24, radius=10, inset=8)
# The deck's cover: three nodes a row, 256 wide, so a card's column (257 pt and more) shows a unit as a
# point at least; black on white, in the cards' font.
CARD = Layout(width=256, columns=3, margin=2, gap=12, unlock_gap=6, pad=5, title=10, caption=9, line=11,
              top=13, bottom=6, title_chars=11, caption_chars=13, label_height=14, radius=5, inset=2, font="Noto Sans",
              ink=("#000000",) * 4)


@dataclass(frozen=True)
class Node:
    page: Movement
    caption: str  # "Step 2 · Level 2", "Level 4"
    kind: str  # "drill" or "exercise"


def _wrap(words: list[str], sep: str, chars: int) -> list[str]:
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + len(sep) + len(word) <= chars:
            lines[-1] += sep + word
        else:
            lines.append(word)
    return lines or [""]


def _n(value: float) -> str:
    return f"{round(value, 2):g}"


def nodes(drills: list[Page], exercises: list[Page]) -> tuple[list[Node], list[Node]]:
    def level(p: Page) -> str:
        return f"Level {p.level}" if isinstance(p, Movement) and p.level else ""

    steps = [Node(p, " · ".join(filter(None, [f"Step {i}", level(p)])), "drill")
             for i, p in enumerate(drills, 1) if isinstance(p, Movement)]
    unlocks = [Node(p, level(p), "exercise") for p in exercises if isinstance(p, Movement)]
    return steps, unlocks


def svg(title: str, drills: list[Page], exercises: list[Page], url: Callable[[Page], str] | None,
        ident: str = "progression", layout: Layout = PAGE) -> str:
    """The diagram's markup; `url` gives each node's link (None: the drawing alone)."""
    steps, unlocks = nodes(drills, exercises)
    parts: list[str] = []
    links: list[str] = []
    # The drills in order, an arrow from each to the next.
    y, last = _rows(layout, steps, layout.inset, layout.gap, parts, links, url, arrows=True)
    if unlocks:  # what the last drill opens: side by side in meaning, so no arrows between them
        if last is not None:
            parts.append(_down(layout, last, y, last, y + layout.gap + 4))
            y += layout.gap + 8
        parts.append(f'<text class="dg-label" x="{_n(layout.margin)}" y="{_n(y + layout.caption + 1)}" '
                     f'font-size="{_n(layout.caption)}" font-weight="700" fill="{layout.ink[1]}" '
                     f'letter-spacing="1">THEN IT UNLOCKS</text>')
        y, _ = _rows(layout, unlocks, y + layout.label_height, layout.unlock_gap, parts, links, url, arrows=False)
    height = _n(y + layout.inset)
    heading = escape(f"The progression of {title}")
    desc = escape("; ".join([f"{n.caption}: {n.page.title}" for n in steps]
                            + ([f"then it unlocks {', '.join(n.page.title for n in unlocks)}"] if unlocks else [])))
    width = _n(layout.width)
    size = f'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
    font = f' font-family="{escape(layout.font)}"' if layout.font else ""
    drawing = (f'<svg class="progression-diagram" {size}{font} role="img" aria-labelledby="{ident}-t {ident}-d">'
               f'<title id="{ident}-t">{heading}</title><desc id="{ident}-d">{desc}</desc>' + "".join(parts) + "</svg>")
    if url is None:
        return drawing
    return (f'<div class="diagram-stack"><svg class="diagram-links" {size} aria-hidden="true">'
            + "".join(links) + f"</svg>{drawing}</div>")


def _rows(layout: Layout, row_nodes: list[Node], y: float, gap: float, parts: list[str], links: list[str],
          url: Callable[[Page], str] | None, arrows: bool) -> tuple[float, float | None]:
    """The nodes in rows of `layout.columns` from `y`, the boxes of a row as tall as its tallest; with
    `arrows`, each points to the next (across a row, or down to the next row's first). Returns the
    bottom of the last row and the middle of the last box (None: no nodes)."""
    width = (layout.width - 2 * layout.margin - (layout.columns - 1) * gap) / layout.columns
    boxes: list[tuple[float, float, float]] = []  # left, top, bottom
    bottom = y
    for start in range(0, len(row_nodes), layout.columns):
        row = row_nodes[start:start + layout.columns]
        texts = [_texts(layout, node) for node in row]
        bottom = y + max(layout.top + layout.line * (len(a) + len(b) - 1) + layout.bottom for a, b in texts)
        for column, (node, (title, caption)) in enumerate(zip(row, texts)):
            x = layout.margin + column * (width + gap)
            _node(parts, links, layout, node, title, caption, (x, y, width, bottom - y), url)
            boxes.append((x, y, bottom))
        y = bottom + gap
    if arrows:
        for (x1, top1, bottom1), (x2, top2, _) in zip(boxes, boxes[1:]):
            if top1 == top2:
                parts.append(_across(layout, x1 + width, x2, (top1 + bottom1) / 2))
            else:
                parts.append(_down(layout, x1 + width / 2, bottom1, x2 + width / 2, top2))
    return bottom, (boxes[-1][0] + width / 2 if boxes else None)


def _texts(layout: Layout, node: Node) -> tuple[list[str], list[str]]:
    """A node's title and caption, in lines."""
    caption = _wrap(node.caption.split(" · "), " · ", layout.caption_chars) if node.caption else []
    return _wrap(node.page.title.split(), " ", layout.title_chars), caption


def _edge(layout: Layout, path: str) -> str:
    return f'<path class="dg-edge" d="{path}" fill="none" stroke="{layout.ink[2]}" stroke-width="2"/>'


def _down(layout: Layout, x1: float, top: float, x2: float, bottom: float) -> str:
    """An arrow down from (x1, top) to (x2, bottom), turning halfway when they are not in line."""
    turn = f"V{_n((top + bottom) / 2)}H{_n(x2)}" if x1 != x2 else ""
    return _edge(layout, f"M{_n(x1)} {_n(top + 2)}{turn}V{_n(bottom - 4)}M{_n(x2 - 5)} {_n(bottom - 10)}"
                         f"L{_n(x2)} {_n(bottom - 4)}L{_n(x2 + 5)} {_n(bottom - 10)}")


def _across(layout: Layout, left: float, right: float, y: float) -> str:
    return _edge(layout, f"M{_n(left + 2)} {_n(y)}H{_n(right - 4)}M{_n(right - 10)} {_n(y - 5)}"
                         f"L{_n(right - 4)} {_n(y)}L{_n(right - 10)} {_n(y + 5)}")


def _node(parts: list[str], links: list[str], layout: Layout, node: Node, title: list[str], caption: list[str],
          where: tuple[float, float, float, float], url: Callable[[Page], str] | None) -> None:
    x, y, width, height = where
    page = node.page
    gate = f"Move on when: {page.mastery}" if page.mastery else page.title
    box = f'x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{_n(height)}" rx="{_n(layout.radius)}"'
    stroke = f'stroke="{layout.ink[3]}" stroke-width="{2 if node.kind == "drill" else 1.5}"'
    body = [f'<rect class="dg-box" {box} fill="none" {stroke}/>']
    text_y = y + layout.top
    for line in title:
        body.append(f'<text class="dg-title" x="{_n(x + layout.pad)}" y="{_n(text_y)}" font-size="{_n(layout.title)}" '
                    f'font-weight="700" fill="{layout.ink[0]}">{escape(line)}</text>')
        text_y += layout.line
    for line in caption:
        body.append(f'<text class="dg-caption" x="{_n(x + layout.pad)}" y="{_n(text_y)}" '
                    f'font-size="{_n(layout.caption)}" fill="{layout.ink[1]}">{escape(line)}</text>')
        text_y += layout.line
    parts.append(f'<g class="dg-{node.kind}">{"".join(body)}</g>')
    if url is not None:
        links.append(f'<a class="dg-node dg-{node.kind}" data-progress-step="{escape(page.source)}" '
                     f'href="{escape(url(page))}" tabindex="-1"><title>{escape(gate)}</title>'
                     f'<rect class="dg-hit" {box} fill="#ffffff" {stroke}/></a>')
