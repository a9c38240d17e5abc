"""Card sizes: the trim size of one card and, for home printing, the sheet it is placed on.

The names are `config.CARD_SIZES`; this module gives each its geometry in PDF points.
"""

from __future__ import annotations

from dataclasses import dataclass

MM = 72 / 25.4  # PDF points per millimetre


@dataclass(frozen=True)
class CardSize:
    name: str
    label: str  # how a message names the size
    width: float  # the card, in points
    height: float
    sheet: tuple[float, float] | None = None  # the paper a 4-up sheet is printed on, in points

    def fmt(self) -> str:
        return f"{self.width:g}pt {self.height:g}pt"


# A 4-up card is the largest that leaves the printer's unprintable border and room for
# crop marks around a 2×2 block: 4×5¼ in on Letter, 100×140 mm on A4. Text is never scaled
# down to fit a sheet, so a card must fit its own (smaller) size: `sitegen check` says so.
SIZES: dict[str, CardSize] = {s.name: s for s in [
    CardSize("4x6", "4×6 in", 288.0, 432.0),
    CardSize("a6", "A6", round(105 * MM, 2), round(148 * MM, 2)),
    CardSize("letter-4up", "4×5¼ in (4 on Letter)", 288.0, 378.0, (612.0, 792.0)),
    CardSize("a4-4up", "100×140 mm (4 on A4)", round(100 * MM, 2), round(140 * MM, 2),
             (round(210 * MM, 2), round(297 * MM, 2))),
]}
