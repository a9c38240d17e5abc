"""Printable PDF drill cards, guide decks, 4-up print sheets and pin images.

The flow, one module per step: `jobs` turns the checked site into render jobs (a plain
context per card and pin, keyed by a hash of everything it depends on); `pool` renders the
jobs the cache does not hold, in worker processes that import WeasyPrint once; `assemble`
merges card PDFs into decks and sheets; `pipeline` ties them together for `sitegen build`;
`command` is `sitegen cards`. Nothing here imports WeasyPrint, pypdf or pypdfium2 at module
level, so commands that make no cards do not pay for them.
"""

from __future__ import annotations

from .command import cards_command
from .paths import CardLinks
from .pipeline import build_cards, card_fit_diagnostics

__all__ = ["CardLinks", "build_cards", "card_fit_diagnostics", "cards_command"]
