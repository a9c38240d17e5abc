"""The checked site: pages, progression graph, tags and URLs, as templates and cards see them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Callable

from sitegen.config import Settings
from sitegen.content.graph import Graph
from sitegen.content.model import Guide, Movement, Page, Ref
from sitegen.content.schema import slugify

# Every build lists every page's tags, and a site has few distinct names: slug each once.
_slug_of = lru_cache(maxsize=4096)(slugify)


@dataclass
class Tag:
    name: str
    slug: str
    pages: list[Page] = field(default_factory=list)

    @property
    def url_path(self) -> str:
        return f"tags/{self.slug}/"


@dataclass
class Term:
    """A muscle or a piece of equipment, and the drills and exercises that name it."""

    name: str
    slug: str
    folder: str  # "muscles" or "equipment": the Movement attribute that lists the names
    pages: list[Page] = field(default_factory=list)

    @property
    def url_path(self) -> str:
        return f"{self.folder}/{self.slug}/"


# Each taxonomy besides tags: its folder (also the Movement attribute it lists) and its title.
TAXONOMIES = {"muscles": "Muscles", "equipment": "Equipment"}


def _grouped(pages: list[Page], names_of: Callable[[Page], list[str]], make: Callable[[str, str], Any]) -> list:
    """One item per distinct name (by slug, the first spelling wins), its pages by title."""
    by_slug: dict[str, Any] = {}
    for page in sorted(pages, key=lambda p: p.title.lower()):
        for name in names_of(page):
            slug = _slug_of(name)
            item = by_slug.get(slug)
            if item is None:
                item = by_slug[slug] = make(name, slug)
            item.pages.append(page)
    return sorted(by_slug.values(), key=lambda t: t.slug)


class Site:
    def __init__(self, settings: Settings, pages: list[Page], assets: list[str]):
        self.settings = settings
        self.pages = pages
        self.assets = set(assets)
        self.graph = Graph(pages)
        self._by_type: dict[str, list[Page]] = {}
        self._terms: dict[str, list[Term]] = {}

    # --- URLs -----------------------------------------------------------------------------------

    def url(self, target: Page | Tag | str) -> str:
        """Root-relative URL under base_url's path: pages, tags, or a site-relative file path."""
        path = target if isinstance(target, str) else target.url_path
        return self.settings.base_path + path

    def absolute_url(self, target: Page | Tag | str) -> str:
        path = target if isinstance(target, str) else target.url_path
        return self.settings.base_url + path

    def url_for_ref(self, ref: Ref) -> str | None:
        """The output URL of a reference to a page or a content file; None when it leads nowhere."""
        if ref.target is None:
            return None
        anchor = f"#{ref.anchor}" if ref.anchor else ""
        page = self.graph.pages.get(ref.target)
        if page is not None:
            return self.url(page) + anchor
        if ref.target in self.assets:
            return self.url(ref.target)
        return None

    # --- collections ----------------------------------------------------------------------------

    def of_type(self, kind: str) -> list[Page]:
        # Every page's header lists the plain pages: without the memo that is N² work.
        if kind not in self._by_type:
            self._by_type[kind] = [p for p in self.pages if p.type == kind]
        return self._by_type[kind]

    @cached_property
    def guides(self) -> list[Guide]:
        return sorted(self.of_type("guide"), key=_newest_first)  # type: ignore[arg-type]

    @cached_property
    def movements(self) -> list[Movement]:
        return sorted((p for p in self.pages if isinstance(p, Movement)),
                      key=lambda p: (p.type != "drill", p.level or 0, p.title.lower()))

    @cached_property
    def dated(self) -> list[Page]:
        """Pages for the feed: everything with a date, newest first."""
        return sorted((p for p in self.pages if p.date), key=_newest_first)

    @cached_property
    def tags(self) -> list[Tag]:
        return _grouped(self.pages, lambda p: p.tags, Tag)

    def tags_of(self, page: Page) -> list[Tag]:
        wanted = {_slug_of(t) for t in page.tags}
        return [t for t in self.tags if t.slug in wanted]

    def terms(self, folder: str) -> list[Term]:
        """The muscles or the equipment the drills and exercises name (see TAXONOMIES)."""
        if folder not in self._terms:
            self._terms[folder] = _grouped(self.movements, lambda p: getattr(p, folder),
                                           lambda name, slug: Term(name, slug, folder))
        return self._terms[folder]

    # Pages read terms through these narrow questions, so an incremental build re-renders a page
    # only when what it shows of a taxonomy changed (see incremental.py).
    def term(self, folder: str, slug: str) -> Term | None:
        return next((t for t in self.terms(folder) if t.slug == slug), None)

    def term_counts(self, folder: str) -> list[tuple[str, str, int]]:
        """(name, URL path, how many pages) of each term, for an index."""
        return [(t.name, t.url_path, len(t.pages)) for t in self.terms(folder)]

    def term_links(self, folder: str, page: Page) -> list[tuple[str, str]]:
        """(name, URL path) of each term the page names, in its order."""
        by_slug = {t.slug: t for t in self.terms(folder)}
        return [(by_slug[s].name, by_slug[s].url_path) for s in (_slug_of(n) for n in getattr(page, folder, []))]

    @cached_property
    def updated(self) -> dt.date | None:
        dates = [d for p in self.pages for d in (p.updated, p.date) if d]
        return max(dates) if dates else None


def _newest_first(page: Page) -> tuple:
    return (-(page.date or dt.date.min).toordinal(), page.title.lower())
