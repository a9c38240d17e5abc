"""What a page body holds, read from its Markdown source with positions: its links and images
(for the checker) and the type of its headings."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Iterator

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
# No part of a match runs past the next "[" and no part gives back what it took: each "[" is
# looked at once, so a line of "[a](" or "[" repeated is scanned in linear time, not quadratic.
_INLINE = re.compile(r"(!?)\[([^\]\[]*+)\]\(\s*+<?([^)\s>\[]*+)>?(?:\s++[\"'(][^)\[]*+)?\)")
_REF_DEF = re.compile(r"^\s{0,3}\[([^\]]+)\]:\s*<?(\S+?)>?(?:\s|$)")
# Raw HTML: a tag's start, then its attributes one at a time, quoted or not (as browsers read
# them). Nothing gives back what it took, and an attribute never spans a "<" outside quotes.
_TAG_START = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*+)")
_ATTRIBUTE = re.compile(r"""[\s/]*+([^\s"'<>/=]++)(?:\s*+=\s*+(?:"([^"]*+)"|'([^']*+)'|([^\s"'<>`]++)))?""")
# Attributes whose value is a URL a browser loads or follows; srcset holds several.
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "data", "poster", "background", "cite",
                             "xlink:href", "srcset", "imagesrcset", "ping", "longdesc", "manifest"})
_REFRESH_URL = re.compile(r"[^;,]*[;,]\s*+url\s*+=\s*+['\"]?([^'\"]*)", re.IGNORECASE)
_SRCSET_ITEM = re.compile(r"\s*+([^\s,]++)[^,]*+,?")


def _raw_html_urls(line: str) -> Iterator[tuple[str, int, bool, str]]:
    """(URL, 0-based column, is it an image, alt text) of every URL in the raw HTML tags of a line."""
    pos = 0
    for tag in _TAG_START.finditer(line):
        if tag.start() < pos:
            continue  # inside the last tag's quoted value, not a tag
        name = tag.group(1).lower()
        found, attributes, pos = [], {}, tag.end()
        while (m := _ATTRIBUTE.match(line, pos)) and m.end() > pos:
            pos = m.end()
            key = m.group(1).lower()
            group = next((i for i in (2, 3, 4) if m.group(i) is not None), 0)
            if not group:
                continue
            attributes.setdefault(key, m.group(group))
            if key in ("srcset", "imagesrcset"):
                found += [(u.group(1), m.start(group) + u.start(1)) for u in _SRCSET_ITEM.finditer(m.group(group))]
            elif key in _URL_ATTRIBUTES:
                found.append((m.group(group), m.start(group)))
        if name == "meta" and attributes.get("http-equiv", "").lower() == "refresh":
            refresh = _REFRESH_URL.match(attributes.get("content", ""))
            if refresh:
                found.append((refresh.group(1).strip(), line.find(refresh.group(1), tag.end())))
        for url, column in found:
            yield url, column, name == "img", attributes.get("alt", "")


@dataclass(frozen=True)
class BodyLink:
    ref: Ref
    image: bool
    text: str  # link text, or an image's alt text


def blank_code_spans(line: str) -> str:
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
        line = blank_code_spans(raw_line)
        number = first_line + offset

        def add(target: str, col: int, image: bool, text: str) -> None:
            if target:
                links.append(BodyLink(make_ref(html.unescape(target), source, "body", number, col), image, text))

        for m in _INLINE.finditer(line):
            add(m.group(3), m.start(2) + 1, bool(m.group(1)), m.group(2))
        m = _REF_DEF.match(line)
        if m:
            add(m.group(2), m.start(1) + 1, False, m.group(1))
        if "<" in line:
            for target, column, image, alt in _raw_html_urls(line):
                add(target, column + 1, image, alt)
    return links
