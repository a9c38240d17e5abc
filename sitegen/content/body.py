"""What a page's Markdown holds, read from its source with positions: the links and images of
its body and of its FAQ answers (for the checker), and the type of its headings."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Callable, Iterator, NamedTuple

from sitegen.content.model import Page, Ref
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
_TAG_START = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*+)(?=[\s/])")  # a tag with attributes: others hold no URL
_ATTRIBUTE = re.compile(r"""[\s/]*+([^\s"'<>/=]++)(?:\s*+=\s*+(?:"([^"]*+)"|'([^']*+)'|([^\s"'<>`]++)))?""")
# Attributes whose value is a URL a browser loads or follows; srcset holds several.
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "data", "poster", "background", "cite",
                             "xlink:href", "srcset", "imagesrcset", "ping", "longdesc", "manifest"})
_REFRESH_URL = re.compile(r"[^;,]*[;,]\s*+url\s*+=\s*+['\"]?([^'\"]*)", re.IGNORECASE)
_SRCSET_ITEM = re.compile(r"\s*+([^\s,]++)[^,]*+,?")


class RawUrl(NamedTuple):
    """A URL in a raw HTML tag: where it is in the text it was found in, and its element."""

    start: int  # 0-based
    end: int
    quoted: bool  # its value is in quotes; an unquoted one ends at the first space
    tag: str  # the element's name, in lower case
    alt: str  # the element's alt text


def html_urls(text: str) -> Iterator[RawUrl]:
    """Every URL in the raw HTML tags of `text`: a line of Markdown (for the checker) or a page's
    rendered HTML (for the rewriter), read as browsers read tags, quoted values or not."""
    pos = 0
    for tag in _TAG_START.finditer(text):
        if tag.start() < pos:
            continue  # inside the last tag's quoted value, not a tag
        name = tag.group(1).lower()
        found, attributes, pos = [], {}, tag.end()
        while (m := _ATTRIBUTE.match(text, pos)) and m.end() > pos:
            pos = m.end()
            key = m.group(1).lower()
            group = next((i for i in (2, 3, 4) if m.group(i) is not None), 0)
            if not group:
                continue
            attributes.setdefault(key, (m.group(group), m.start(group), group != 4))
            if key in ("srcset", "imagesrcset"):
                found += [(m.start(group) + u.start(1), m.start(group) + u.end(1), group != 4)
                          for u in _SRCSET_ITEM.finditer(m.group(group))]
            elif key in _URL_ATTRIBUTES:
                found.append((m.start(group), m.end(group), group != 4))
        if name == "meta" and attributes.get("http-equiv", ("",))[0].lower() == "refresh":
            content, start, quoted = attributes.get("content", ("", 0, True))
            refresh = _REFRESH_URL.match(content)
            if refresh:
                url = refresh.group(1)
                begin = start + refresh.start(1) + len(url) - len(url.lstrip())
                found.append((begin, begin + len(url.strip()), quoted))
        alt = attributes.get("alt", ("",))[0]
        for start, end, quoted in found:
            yield RawUrl(start, end, quoted, name, alt)


@dataclass(frozen=True)
class BodyLink:
    ref: Ref
    image: bool
    text: str  # link text, or an image's alt text


def blank_code_spans(line: str) -> str:
    """Hide inline code so `[x](y)` inside backticks is not taken for a link; keeps columns."""
    return _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)


def find_links(body: str, source: str, first_line: int, key: str = "body",
               place: Callable[[int, int], tuple[int, int]] | None = None) -> list[BodyLink]:
    """Every link and image in a page body, with the 1-based file position of its text; `place`
    turns a line of `body` (0-based) and a column into that position, for Markdown held elsewhere."""
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
                at, column = (number, col) if place is None else place(offset, col)
                links.append(BodyLink(make_ref(html.unescape(target), source, key, at, column), image, text))

        for m in _INLINE.finditer(line):
            add(m.group(3), m.start(2) + 1, bool(m.group(1)), m.group(2))
        m = _REF_DEF.match(line)
        if m:
            add(m.group(2), m.start(1) + 1, False, m.group(1))
        if "<" in line:
            for url in html_urls(line):
                add(line[url.start:url.end], url.start + 1, url.tag == "img", url.alt)
    return links


def answer_links(page: Page) -> list[BodyLink]:
    """Every link and image in the page's FAQ answers (Markdown too), at its place in the front matter."""
    links: list[BodyLink] = []
    for i, question in enumerate(page.front.data["faq"] if page.faq else []):
        answer, path = question["a"], ("faq", i, "a")
        if isinstance(answer, str):
            links += find_links(answer, page.source, 0, "faq",
                                lambda line, column, path=path: page.front.text_pos(path, line, column))
    return links
