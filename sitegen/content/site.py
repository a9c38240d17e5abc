"""The checked site: pages, progression graph, tags and URLs, as templates and cards see them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

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


class Site:
    def __init__(self, settings: Settings, pages: list[Page], assets: list[str]):
        self.settings = settings
        self.pages = pages
        self.assets = set(assets)
        self.graph = Graph(pages)
        self._by_type: dict[str, list[Page]] = {}

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
        by_slug: dict[str, Tag] = {}
        for page in sorted(self.pages, key=lambda p: p.title.lower()):
            for name in page.tags:
                slug = _slug_of(name)
                tag = by_slug.get(slug)
                if tag is None:
                    tag = by_slug[slug] = Tag(name, slug)
                tag.pages.append(page)
        return sorted(by_slug.values(), key=lambda t: t.slug)

    def tags_of(self, page: Page) -> list[Tag]:
        wanted = {_slug_of(t) for t in page.tags}
        return [t for t in self.tags if t.slug in wanted]

    @cached_property
    def updated(self) -> dt.date | None:
        dates = [d for p in self.pages for d in (p.updated, p.date) if d]
        return max(dates) if dates else None


def _newest_first(page: Page) -> tuple:
    return (-(page.date or dt.date.min).toordinal(), page.title.lower())
