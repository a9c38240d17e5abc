"""Where cards, decks, sheets and pins go in the output, and the links pages make to them."""

from __future__ import annotations

from sitegen.content.model import Guide, Movement, Page
from sitegen.content.site import Site

OWN = ("cards", "pins")  # the output folders the card step owns, and nothing else
SHEET = "cards/sheet.pdf"


def has_card(page: Page) -> bool:
    """Drills and exercises get a card; a guide gets a cover card, which also opens its deck."""
    return isinstance(page, (Movement, Guide))


def card_path(page: Page) -> str:
    return f"cards/{page.slug}.pdf"


def deck_path(guide: Page) -> str:
    return f"cards/{guide.slug}-deck.pdf"


def log_path(guide: Page) -> str:
    return f"cards/{guide.slug}-log.pdf"


def pin_path(page: Page) -> str:
    return f"pins/{page.slug}.png"


class CardLinks:
    """What templates see as `cards` when cards are built: URLs of a page's card, deck and pin."""

    def __init__(self, site: Site):
        self.site = site

    def has(self, page: Page) -> bool:
        return has_card(page)

    def card_url(self, page: Page) -> str:
        return self.site.url(card_path(page))

    def deck_url(self, page: Page) -> str:
        return self.site.url(deck_path(page))

    def log_url(self, guide: Page) -> str:
        return self.site.url(log_path(guide))

    def pin_image(self, page: Page) -> str:
        """Absolute: `og:image` and Pinterest need a full URL."""
        return self.site.absolute_url(pin_path(page))
