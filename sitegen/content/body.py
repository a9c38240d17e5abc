"""What a page body holds, read from its Markdown source with positions: its links and images
(for the checker) and the type of its headings."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from sitegen.content.model import Ref
from sitegen.content.schema import make_ref


# The Python-Markdown configuration pages are rendered with (render/markdown.py), here so that the
# heading scanner's fallback (check/headings.py) renders as the build does.
EXTENSIONS = ["tables", "fenced_code", "toc", "attr_list", "admonition", "sane_lists"]
EXTENSION_CONFIGS = {"toc": {"toc_depth": "2-3"}}


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    name: str



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
