"""Every file a build writes, claimed before anything is written: two claims on one path (or a
file where another claim needs a folder) is an error naming both sources.

The build lists every output once (`claims`); a new kind of output is one more line there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from sitegen.cards.paths import OWN, SHEET, card_path, deck_path, has_card, log_path, pin_path
from sitegen.cards.sizes import SIZES
from sitegen.content.model import Guide, Page
from sitegen.content.site import Site
from sitegen.diagnostics import ERROR, Diagnostic

# Files the renderer writes besides pages and tag pages (render.pages.Renderer.jobs), and what they are.
SITE_FILES = {"index.html": "the home page", "404.html": "the 'not found' page", "feed.xml": "the feed",
              "sitemap.xml": "the sitemap", "site.webmanifest": "the web app manifest",
              "tags/index.html": "the list of tags"}


@dataclass(frozen=True)
class Claim:
    path: str  # relative to the output folder; ending in "/", a folder the build fills alone
    source: str  # what writes it, as a message names it
    at: tuple[str, int, int] | None = None  # where a collision is reported (file, line, column)
    owner: str = ""  # a folder's owner may put files in it; nobody else may


def claims(site: Site, static: Iterable[str], cards: str | None) -> list[Claim]:
    """Every output of a build: pages, tag pages, the site's own files, content/ and static/ files
    copied as they are, and (`cards`: the card size, None for a build without them) cards, pins,
    decks, training logs and the print sheet."""
    def at(page: Page) -> tuple[str, int, int]:
        return (page.file, *page.front.pos("slug"))

    # Two pages on one path or card share a slug, which UNIQ001 reports: only the first claims it.
    pages = sorted(site.pages, key=lambda p: p.source)
    written = {page.output_file: page for page in reversed(pages)}
    carded = {page.slug: page for page in reversed(pages) if has_card(page)}
    out = [Claim(path, what) for path, what in SITE_FILES.items()]
    out += [Claim(tag.url_path + "index.html", f"the page of tag '{tag.name}'") for tag in site.tags]
    out += [Claim(path, page.file, at(page)) for path, page in written.items()]
    out += [Claim(rel, f"content/{rel}", (f"{site.settings.content_dir}/{rel}", 1, 1)) for rel in sorted(site.assets)]
    out.append(Claim("static/", "the static files' folder", owner="static"))
    out += [Claim(f"static/{rel}", f"static/{rel}", (f"{site.settings.static_dir}/{rel}", 1, 1), "static")
            for rel in static]
    if cards is not None:
        out += [Claim(folder + "/", f"the {folder} sitegen makes", owner="cards") for folder in OWN]
        for page in carded.values():
            out.append(Claim(card_path(page), f"the card of {page.file}", at(page), "cards"))
            out.append(Claim(pin_path(page), f"the pin image of {page.file}", at(page), "cards"))
            if isinstance(page, Guide):
                out.append(Claim(deck_path(page), f"the deck of {page.file}", at(page), "cards"))
                out.append(Claim(log_path(page), f"the training log of {page.file}", at(page), "cards"))
        if SIZES[cards.lower()].sheet is not None:
            out.append(Claim(SHEET, "the print sheet of all cards", owner="cards"))
    return out


def collisions(claims: list[Claim]) -> list[Diagnostic]:
    """UNIQ002: an error for each claim on a path already claimed, on a file where another claim
    needs a folder (or the reverse), or inside a folder another owner fills."""
    files: dict[str, Claim] = {}
    owned = {c.path: c for c in claims if c.path.endswith("/")}
    needed: dict[str, Claim] = {}  # folders that must exist, by the first claim inside each
    found = []
    for claim in claims:
        if claim.path.endswith("/"):
            continue
        folders = [claim.path[:i + 1] for i, char in enumerate(claim.path) if char == "/"]
        other = files.get(claim.path) or needed.get(claim.path + "/")
        for folder in folders:
            if other is None and folder in owned and owned[folder].owner != claim.owner:
                other = owned[folder]
            other = other or files.get(folder[:-1])
        if other is not None:
            found.append(_clash(claim, other))
            continue
        files[claim.path] = claim
        for folder in folders:
            needed.setdefault(folder, claim)
    return found


def _clash(claim: Claim, other: Claim) -> Diagnostic:
    file, line, column = claim.at or other.at or (claim.source, 1, 1)
    return Diagnostic(file, line, column, ERROR, "UNIQ002",
                      f"{claim.source} would be written to {claim.path}, which clashes with {other.source} "
                      f"({other.path})", "give the page another 'slug: …', or rename or move one of the two files")
