"""Every file a build writes, claimed before anything is written: two claims on one path (or a
file where another claim needs a folder) is an error naming both sources.

`claims` lists the outputs of the stages below cards, `cards.paths.claims` the cards'; `check`
takes them all at once. A new kind of output is one more line in one of the two.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from sitegen.content.model import Page
from sitegen.content.site import TAXONOMIES, Site
from sitegen.diagnostics import ERROR, Diagnostic

# Files the renderer writes besides pages and tag pages (render.pages.Renderer.jobs), and what they are.
SITE_FILES = {"index.html": "the home page", "404.html": "the 'not found' page", "feed.xml": "the feed",
              "sitemap.xml": "the sitemap", "site.webmanifest": "the web app manifest",
              "robots.txt": "the robots file", "search.json": "the search index",
              "tags/index.html": "the list of tags",
              **{f"{folder}/index.html": f"the list of {name.lower()}" for folder, name in TAXONOMIES.items()}}


def slug_at(page: Page) -> tuple[str, int, int]:
    """Where a page's output path is decided: its slug, or the start of its front matter."""
    return (page.file, *page.front.pos("slug"))


@dataclass(frozen=True)
class Claim:
    path: str  # relative to the output folder; ending in "/", a folder the build fills alone
    source: str  # what writes it, as a message names it
    at: tuple[str, int, int] | None = None  # where a collision is reported (file, line, column)
    owner: str = ""  # a folder's owner may put files in it; nobody else may


def claims(site: Site, static: Iterable[str], themed: Iterable[str] = ()) -> list[Claim]:
    """Every output of a build but the cards' (see cards.paths.claims): pages, tag pages, the
    site's own files, and the files copied as they are: content/'s, the site's static/ and the
    theme's static files that the site does not override (`themed`)."""
    # Two pages on one path share a slug, which UNIQ001 reports: only the first claims it.
    pages = sorted(site.pages, key=lambda p: p.source)
    written = {page.output_file: page for page in reversed(pages)}
    out = [Claim(path, what) for path, what in SITE_FILES.items()]
    out += [Claim(tag.url_path + "index.html", f"the page of tag '{tag.name}'") for tag in site.tags]
    out += [Claim(term.url_path + "index.html", f"the {folder} page of '{term.name}'")
            for folder in TAXONOMIES for term in site.terms(folder)]
    out += [Claim(path, page.file, slug_at(page)) for path, page in written.items()]
    out += [Claim(rel, f"content/{rel}", (f"{site.settings.content_dir}/{rel}", 1, 1)) for rel in sorted(site.assets)]
    out.append(Claim("static/", "the static files' folder", owner="static"))
    out += [Claim(f"static/{rel}", f"static/{rel}", (f"{site.settings.static_dir}/{rel}", 1, 1), "static")
            for rel in static]
    out += [Claim(f"static/{rel}", f"the theme's static/{rel}", owner="static") for rel in themed]
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
