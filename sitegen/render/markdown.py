"""Markdown: one configured Python-Markdown instance, the body-link scanner, and link rewriting.

Heading ids for `sitegen check` are read from the source by `check/headings.py`, without rendering.

Rendering keeps `.md` links exactly as written; `rewrite_links` turns them into page URLs
afterwards. That keeps the rendered HTML a pure function of the page's Markdown (so it can
be cached by the source's hash) while URLs can still change with slugs and base_url.
"""

from __future__ import annotations

import html
import importlib
import re
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import quote

from sitegen.content.body import EXTENSION_CONFIGS, EXTENSIONS, Heading, html_urls
from sitegen.content.model import Ref
from sitegen.content.schema import make_ref

# Part of every cache key of rendered Markdown: change it and every cached body is stale.
CONFIG_ID = repr((EXTENSIONS, EXTENSION_CONFIGS, 1))

class MarkdownEngine:
    """The configured Python-Markdown instance, made on first use (~20 ms) and reset between
    bodies: its owner (a build; a long-running Builder, across builds) makes it once."""

    def __init__(self) -> None:
        self._md: Any = None

    def instance(self) -> Any:
        if self._md is None:
            import markdown  # Python-Markdown takes ~50 ms to import: only commands that render pay it

            from sitegen.render.markdown_speed import speed_up

            # Extensions as objects: named by string, Python-Markdown looks each one up among the
            # installed packages' entry points first, which costs a one-page build ~10 ms.
            extensions = [importlib.import_module(f"markdown.extensions.{name}").makeExtension(
                **EXTENSION_CONFIGS.get(name, {})) for name in EXTENSIONS]
            # Byte-identical to stock output (tests/test_markdown_speed.py), so CONFIG_ID is unchanged.
            self._md = speed_up(markdown.Markdown(extensions=extensions, output_format="html"))
        return self._md

    def html_body(self, body: str) -> HtmlBody:
        """A page body's HTML and its headings."""
        md = self.instance()
        md.reset()
        out = md.convert(body)
        return HtmlBody(out, tuple(_flatten(md.toc_tokens)))


@dataclass(frozen=True)
class HtmlBody:
    html: str
    headings: tuple[Heading, ...]


def _flatten(tokens: list[dict]) -> list[Heading]:
    out = []
    for t in tokens:
        out.append(Heading(t["level"], t["id"], html.unescape(t["name"])))
        out.extend(_flatten(t["children"]))
    return out


# --- rewriting links in rendered HTML ------------------------------------------------------------

_SPACE = re.compile(r"\s")


def rewrite_links(rendered: str, source: str, url_for: Callable[[Ref], str | None]) -> str:
    """Replace each relative URL in a tag (href, src and every other attribute the checker reads,
    quoted or not, in any case) with the URL `url_for` gives; others stay as written."""
    if "=" not in rendered:
        return rendered
    out, last = [], 0
    for url in html_urls(rendered):
        raw = html.unescape(rendered[url.start:url.end])
        ref = make_ref(raw, source, "body", 0, 0)
        if ref.url or (ref.target == source and not raw.split("#")[0]):
            continue
        new = url_for(ref)
        if new is None:
            continue
        new = html.escape(new)
        if not url.quoted:  # a space would end the value
            new = _SPACE.sub(lambda m: quote(m.group()), new)
        out += (rendered[last:url.start], new)
        last = url.end
    return "".join(out) + rendered[last:] if out else rendered
