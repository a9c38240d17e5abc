"""Printable PDF drill cards, guide decks, 4-up print sheets and pin images.

The flow, one module per step: `jobs` turns the checked site into render jobs (a plain
context per card and pin, keyed by a hash of everything it depends on); `pdf` renders the
jobs the cache does not hold, in worker processes that import WeasyPrint once; `decks`
merges card PDFs into decks and sheets; `pipeline` ties them together for the build (and `sitegen cards`,
see build/cards_only.py). Nothing here imports WeasyPrint, pypdf or pypdfium2 at module
level, so commands that make no cards do not pay for them.
"""

from __future__ import annotations

from sitegen.cards.paths import CardLinks
from sitegen.cards.pipeline import build_cards, card_fit_diagnostics

__all__ = ["CardLinks", "build_cards", "card_fit_diagnostics"]
