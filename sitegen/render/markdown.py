"""Markdown: one configured Python-Markdown instance, the body-link scanner, and link rewriting.

Heading ids for `sitegen check` are read from the source by `headings.py`, without rendering.

Rendering keeps `.md` links exactly as written; `rewrite_links` turns them into page URLs
afterwards. That keeps the rendered HTML a pure function of the page's Markdown (so it can
be cached by the source's hash) while URLs can still change with slugs and base_url.
"""

from __future__ import annotations

import html
import importlib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from .model import Ref
from .schema import make_ref

EXTENSIONS = ["tables", "fenced_code", "toc", "attr_list", "admonition", "sane_lists"]
EXTENSION_CONFIGS = {"toc": {"toc_depth": "2-3"}}
# Part of every cache key of rendered Markdown: change it and every cached body is stale.
CONFIG_ID = repr((EXTENSIONS, EXTENSION_CONFIGS, 1))

_md = None


def _instance():
    global _md
    if _md is None:
        import markdown  # Python-Markdown takes ~50 ms to import: only commands that render pay it

        from .markdown_speed import speed_up

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
class Heading:
    level: int
    id: str
    name: str


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


# --- finding links in the Markdown source, with positions ---------------------------------------

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+).+?\1")
_INLINE = re.compile(r"(!?)\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+[\"'(][^)]*)?\)")
_REF_DEF = re.compile(r"^\s{0,3}\[([^\]]+)\]:\s*<?(\S+?)>?(?:\s|$)")
_RAW_HTML = re.compile(r"<(a|img|link|source|iframe|object|embed|video|audio)\b[^>]*?\b(href|src|data)\s*=\s*[\"']([^\"']*)[\"']",
                       re.IGNORECASE)
_ALT = re.compile(r"\balt\s*=\s*[\"']([^\"']*)[\"']", re.IGNORECASE)


@dataclass(frozen=True)
class BodyLink:
    ref: Ref
    image: bool
    text: str  # link text, or an image's alt text


def _blank_code_spans(line: str) -> str:
    """Hide inline code so `[x](y)` inside backticks is not taken for a link; keeps columns."""
    return _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)


# The preview server checks the whole site on every save: remembering each body's links and
# headings makes that cost one page's scan instead of all of them. Callers must not mutate results.
SCANS = 50_000


@lru_cache(maxsize=SCANS)
def find_links(body: str, source: str, first_line: int) -> list[BodyLink]:
    """Every link and image in a page body, with the 1-based file position of its text."""
    links: list[BodyLink] = []
    fence = ""
    for offset, raw_line in enumerate(body.split("\n")):
        m = _FENCE.match(raw_line)
        if m:
            marker = m.group(1)
            if not fence:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence):
                fence = ""
            continue
        if fence or ("[" not in raw_line and "<" not in raw_line):
            continue
        line = _blank_code_spans(raw_line)
        number = first_line + offset

        def add(target: str, col: int, image: bool, text: str) -> None:
            if target:
                links.append(BodyLink(make_ref(html.unescape(target), source, "body", number, col), image, text))

        for m in _INLINE.finditer(line):
            add(m.group(3), m.start(2) + 1, bool(m.group(1)), m.group(2))
        m = _REF_DEF.match(line)
        if m:
            add(m.group(2), m.start(1) + 1, False, m.group(1))
        for m in _RAW_HTML.finditer(line):
            tag = m.group(1).lower()
            alt = _ALT.search(m.group(0) + line[m.end():].split(">", 1)[0])
            add(m.group(3), m.start(3) + 1, tag == "img", alt.group(1) if alt else "")
    return links


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
