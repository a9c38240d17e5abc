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
from typing import Callable

from sitegen.content.body import EXTENSION_CONFIGS, EXTENSIONS, Heading
from sitegen.content.model import Ref
from sitegen.content.schema import make_ref

# Part of every cache key of rendered Markdown: change it and every cached body is stale.
CONFIG_ID = repr((EXTENSIONS, EXTENSION_CONFIGS, 1))

_md = None


def _instance():
    global _md
    if _md is None:
        import markdown  # Python-Markdown takes ~50 ms to import: only commands that render pay it

        from sitegen.render.markdown_speed import speed_up

        # Extensions as objects: named by string, Python-Markdown looks each one up among the
        # installed packages' entry points first, which costs a one-page build ~10 ms.
        extensions = [importlib.import_module(f"markdown.extensions.{name}").makeExtension(**EXTENSION_CONFIGS.get(name, {}))
                      for name in EXTENSIONS]
        # Byte-identical to stock output (tests/test_markdown_speed.py), so CONFIG_ID is unchanged.
        _md = speed_up(markdown.Markdown(extensions=extensions, output_format="html"))
    return _md


def prepare() -> None:
    """Make the configured instance now (~20 ms): processes forked later inherit it."""
    _instance()


@dataclass(frozen=True)
class Rendered:
    html: str
    headings: tuple[Heading, ...]


def _flatten(tokens: list[dict]) -> list[Heading]:
    out = []
    for t in tokens:
        out.append(Heading(t["level"], t["id"], html.unescape(t["name"])))
        out.extend(_flatten(t["children"]))
    return out


def render(body: str) -> Rendered:
    md = _instance()
    md.reset()
    out = md.convert(body)
    return Rendered(out, tuple(_flatten(md.toc_tokens)))


# --- rewriting links in rendered HTML ------------------------------------------------------------

# `\b(href|src)="([^"]*)"`, matched from its `="` on: the engine then scans for that literal
# instead of trying the pattern at every position, ~10x faster, and each match's `="value"`
# is all a rewrite replaces. `\b` before a name is "no word character just before it".
_ATTR = re.compile(r'="(?:(?<=href=")(?<!\whref=")|(?<=src=")(?<!\wsrc="))([^"]*)"')


def rewrite_links(rendered: str, source: str, url_for: Callable[[Ref], str | None]) -> str:
    """Replace each relative href/src with the URL `url_for` gives; others stay as written."""

    def swap(m: re.Match) -> str:
        raw = html.unescape(m.group(1))
        ref = make_ref(raw, source, "body", 0, 0)
        if ref.url or (ref.target == source and not raw.split("#")[0]):
            return m.group(0)
        new = url_for(ref)
        return m.group(0) if new is None else f'="{html.escape(new)}"'

    return _ATTR.sub(swap, rendered)
