"""Each page's rendered Markdown, kept in the cache under a key made from its body alone."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Iterator

from sitegen.cache import Cache, code_digest, digest, pack
from sitegen.content.body import Heading
from sitegen.content.model import Page
from sitegen.content.stored import typed
from sitegen.render.markdown import CONFIG_ID, HtmlBody, MarkdownEngine


def body_key(page: Page) -> str:
    """The cache key of a page's rendered Markdown: its body, the Markdown settings and code."""
    # Kept with the page, across builds and processes.
    return page.derived.get("markdown", lambda: markdown_key(page.body), *typed(str))


def markdown_key(body: str) -> str:
    return digest("markdown", CONFIG_ID, code_digest(), body)


def encode(rendered: HtmlBody) -> bytes:
    return pack((rendered.html, tuple((h.level, h.id, h.name) for h in rendered.headings)))


def stored(cache: Cache, key: str) -> HtmlBody | None:
    """The rendered body kept under `key`; None when absent or unreadable."""
    try:
        html, headings = cache.get_plain(key)
        return HtmlBody(html, tuple(Heading(*h) for h in headings))
    except (TypeError, ValueError):
        return None


class Bodies(Mapping):
    """Each page's rendered Markdown by source path: from memory, from the cache, or rendered now."""

    def __init__(self, pages: dict[str, Page], cache: Cache, markdown: MarkdownEngine,
                 memory: dict[str, HtmlBody] | None = None):
        self.pages = pages
        self.cache = cache
        self.markdown = markdown
        self.memory = memory
        self.fresh: dict[str, tuple[HtmlBody, bytes]] = {}  # rendered here, for the caller to store in one go

    def __getitem__(self, source: str) -> HtmlBody:
        page = self.pages[source]
        key = body_key(page)
        found = self.memory.get(key) if self.memory is not None else None
        if found is None and key in self.fresh:
            found = self.fresh[key][0]
        if found is None:
            found = stored(self.cache, key)
            if found is None:
                found = self.markdown.html_body(page.body)
                self.fresh[key] = found, encode(found)
            if self.memory is not None:
                self.memory[key] = found
        return found

    def take_fresh(self) -> list[tuple[str, bytes]]:
        fresh, self.fresh = self.fresh, {}
        return [(key, data) for key, (_rendered, data) in fresh.items()]

    def __iter__(self) -> Iterator[str]:
        return iter(self.pages)

    def __len__(self) -> int:
        return len(self.pages)
