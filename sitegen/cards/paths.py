"""Where cards, decks, sheets and pins go in the output, and the links pages make to them."""

from __future__ import annotations


from sitegen.cards.sizes import SIZES
from sitegen.check.outputs import Claim, slug_at
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


def claims(site: Site, size: str) -> list[Claim]:
    """The outputs of the card step at card size `size`, for the check that no two share a path
    (see check.outputs): its folders, and each card, pin, deck, training log and the sheet."""
    out = [Claim(folder + "/", f"the {folder} sitegen makes", owner="cards") for folder in OWN]
    carded = {}  # the first page of each slug: a second one is UNIQ001's
    for page in sorted(site.pages, key=lambda p: p.source, reverse=True):
        if has_card(page):
            carded[page.slug] = page
    for page in carded.values():
        out.append(Claim(card_path(page), f"the card of {page.file}", slug_at(page), "cards"))
        out.append(Claim(pin_path(page), f"the pin image of {page.file}", slug_at(page), "cards"))
        if isinstance(page, Guide):
            out.append(Claim(deck_path(page), f"the deck of {page.file}", slug_at(page), "cards"))
            out.append(Claim(log_path(page), f"the training log of {page.file}", slug_at(page), "cards"))
    if SIZES[size.lower()].sheet is not None:
        out.append(Claim(SHEET, "the print sheet of all cards", owner="cards"))
    return out


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
