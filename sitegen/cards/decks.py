"""Decks and print sheets, assembled from the card PDFs: each card is laid out only once.

WeasyPrint slows down on documents of many small pages, and a deck or sheet shares every
page with the single cards anyway; pypdf copies (deck) or places (sheet) the finished pages.
`benchmarks/bench_cards.py` measures this against one WeasyPrint document per deck.
"""

from __future__ import annotations

import io

from sitegen.cards.sizes import CardSize

MARK = 12.0  # crop mark length, points
MARK_GAP = 3.0  # between a mark and the trim line, so no mark shows on a cut card


def _first_page(data: bytes):
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(data)).pages[0]


def _write(writer) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def deck(cards: list[bytes], title: str) -> bytes:
    """One PDF with the cards as its pages, in order."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for data in cards:
        writer.add_page(_first_page(data))
    writer.add_metadata({"/Title": title})
    return _write(writer)


def crop_marks(size: CardSize) -> bytes:
    """PDF drawing operators for the marks around a 2×2 block of cards centred on the sheet."""
    assert size.sheet is not None
    sheet_w, sheet_h = size.sheet
    left, bottom = (sheet_w - 2 * size.width) / 2, (sheet_h - 2 * size.height) / 2
    xs = [left + i * size.width for i in range(3)]
    ys = [bottom + i * size.height for i in range(3)]
    length_x = min(MARK, left - MARK_GAP - 1)
    length_y = min(MARK, bottom - MARK_GAP - 1)
    ops = ["q 0 G 0.5 w"]
    for x in xs:  # each vertical cut, marked above and below the block
        ops.append(f"{x:.2f} {ys[2] + MARK_GAP:.2f} m {x:.2f} {ys[2] + MARK_GAP + length_y:.2f} l S")
        ops.append(f"{x:.2f} {ys[0] - MARK_GAP:.2f} m {x:.2f} {ys[0] - MARK_GAP - length_y:.2f} l S")
    for y in ys:  # each horizontal cut, marked left and right of the block
        ops.append(f"{xs[0] - MARK_GAP:.2f} {y:.2f} m {xs[0] - MARK_GAP - length_x:.2f} {y:.2f} l S")
        ops.append(f"{xs[2] + MARK_GAP:.2f} {y:.2f} m {xs[2] + MARK_GAP + length_x:.2f} {y:.2f} l S")
    ops.append("Q")
    return "\n".join(ops).encode("ascii")


def sheet(cards: list[bytes], size: CardSize, title: str) -> bytes:
    """The cards four to a page, left to right and top to bottom, with crop marks."""
    from pypdf import PageObject, PdfWriter, Transformation
    from pypdf.generic import ContentStream

    assert size.sheet is not None
    sheet_w, sheet_h = size.sheet
    left, bottom = (sheet_w - 2 * size.width) / 2, (sheet_h - 2 * size.height) / 2
    writer = PdfWriter()
    marks = crop_marks(size)
    for start in range(0, len(cards), 4):
        page = writer.add_page(PageObject.create_blank_page(width=sheet_w, height=sheet_h))
        stream = ContentStream(None, writer)
        stream.set_data(marks)
        page.replace_contents(stream)
        for slot, data in enumerate(cards[start:start + 4]):
            x = left + (slot % 2) * size.width
            y = bottom + (1 - slot // 2) * size.height
            page.merge_transformed_page(_first_page(data), Transformation().translate(x, y))
    writer.add_metadata({"/Title": title})
    return _write(writer)
