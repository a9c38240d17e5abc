"""Printable PDF drill cards, guide decks, 4-up print sheets and pin images.

The flow, one module per step: `jobs` turns the checked site into render jobs (a plain
context per card and pin, keyed by a hash of everything it depends on); `pdf` renders the
jobs the cache does not hold, in worker processes that import WeasyPrint once; `decks`
merges card PDFs into decks and sheets; `pipeline` ties them together for the build (and `sitegen cards`,
see build/cards_only.py). Nothing here imports WeasyPrint, pypdf or pypdfium2 at module
level, and this package imports none of its modules: a build without cards needs only
`paths` (what the cards' files are called), not the rest.
"""
