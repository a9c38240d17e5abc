"""Heading ids read from Markdown source without rendering it: what `sitegen check` uses for anchors.

`sitegen check` must not pay for Python-Markdown, yet anchors must match the ids the build
gives headings. So this is Python-Markdown's block parser cut down to what decides where a
heading is (fences, code blocks, lists, quotes, admonitions), its inline parser cut down to
what survives as heading text, and the toc extension's id rules (`slugify`, then `_1`, `_2`…
for repeats). tests/test_checks.py holds it to the ids `markdown.render()` produces.

Like the Markdown speed-up, it is trusted only with the Python-Markdown versions it was checked
against (pyproject.toml pins those); with any other the ids come from rendering the body with
Python-Markdown itself: slower, never wrong.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sitegen.content.body import EXTENSION_CONFIGS, EXTENSIONS, Heading

# Python-Markdown versions (major, minor) whose parsing and toc ids the scanner was checked against.
CHECKED_VERSIONS = {(3, 11)}

Row = tuple[int, int, str]  # (1-based line in the file, columns removed before text, text)


@dataclass(frozen=True)
class HeadingAt(Heading):
    """A heading found in the source: where it is, and the id it asked for before `_1` suffixes."""

    line: int
    column: int  # 1-based column of the heading text
    wanted: str  # its {#custom-id}, or the slug of its text


# Line-start patterns begin with "\n" (searched in "\n" + text): much faster than ^ with re.M.
_FENCED = re.compile(r"\n(?P<fence>~{3,}|`{3,})[ ]*(?:\{[^\n]*\}|\.?[\w#.+-]*[ ]*(?:hl_lines=(?P<q>[\"']).*?(?P=q)[ ]*)?)"
                     r"\n.*?(?<=\n)(?P=fence)[ ]*(?=\n|$)", re.DOTALL)
_ATX = re.compile(r"(#{1,6})((?:\\.|[^\\#]|#+(?=[^#]))*?)#*$")
_SETEXT = re.compile(r"(?:=+|-+)[ ]*$")
HR = re.compile(r"[ ]{0,3}(?=(?P<a>(-+[ ]{0,2}){3,}|(_+[ ]{0,2}){3,}|(\*+[ ]{0,2}){3,}))(?P=a)[ ]*$")
_LIST_ITEMS = (re.compile(r"[ ]{0,3}\d+\.[ ]+"), re.compile(r"[ ]{0,3}[*+-][ ]+"))  # sane_lists: one kind a list
_NESTED_ITEM = re.compile(r"[ ]{4,7}(?:\d+\.|[*+-])[ ]+")
_QUOTE = re.compile(r"[ ]{0,3}>[ ]?")
_ADMONITION = re.compile(r'!!! ?[\w\-]+(?: +[\w\-]+)*(?: +".*?")? *$')
_TRAILING_HASHES = re.compile(r"(?<!\\)#+$")  # attr_list strips them; an escaped one stays
_HEADER_ATTRS = re.compile(r"[ ]+\{:?[ ]*([^}\n ][^\n]*)\}[ ]*$")
_BLOCK_ATTRS = re.compile(r"^[ ]*\{:?[ ]*([^}\n ][^\n]*)\}[ ]*$")
_INLINE_ATTRS = re.compile(r"(?<=[*_`)\]])\{:?[ ]*([^}\n ][^\n]*?)\}")
_ATTR_ITEM = re.compile(r"""([^ =}]+)=("[^"]*"|'[^']*'|[^ =}]+)|([^ =}]+)| """)
# A block none of whose lines starts with one of these is a plain paragraph.
_SPECIAL_STARTS = frozenset(" #!>-*_=+|:{0123456789")
# A body with none of these lines (indented, quoted, admonition, attr list, setext underline,
# list item with a '#' in it), and no '#' line right under a table row, has its headings
# exactly on its '#' lines.
_NEEDS_BLOCKS = re.compile(r"\n(?:[ >{:=]|!!!|-+[ ]*(?:\n|$)|(?:[*+-]|\d+\.)[ ]+[^\n]*#)")
_HASH_AFTER_TABLE_ROW = re.compile(r"\|[^\n]*\n#")  # such a '#' line may be a row of a table
_HASH_LINE = re.compile(r"^#.*", re.MULTILINE)
_SPACE_LINE = re.compile(r"\n +(?=\n)")
_HR_STARTS = frozenset(" -*_")
_QUOTE_STARTS = frozenset(" >")
_HTML_ID = re.compile(r"""<[a-zA-Z][^<>]*?\s(?:id|name)\s*=\s*["']([^"']+)["']""")


def _blocks(rows: list[Row]) -> list[list[Row]]:
    """Split at blank lines, as Python-Markdown does before parsing blocks."""
    out: list[list[Row]] = [[]]
    for row in rows:
        if row[2]:
            out[-1].append(row)
        elif out[-1]:
            out.append([])
    return [b for b in out if b]


def _indented(row: Row) -> bool:
    return row[2].startswith("    ")


def _dedent(rows: list[Row]) -> list[Row]:
    """Rows without the four spaces that nest them (rows with fewer stay as they are)."""
    return [(n, c + 4, t[4:]) if t.startswith("    ") else (n, c, t) for n, c, t in rows]


def _take_indented(rows: list[Row]) -> tuple[list[Row], list[Row]]:
    """Leading rows indented by four (or blank), dedented; and the rest."""
    n = 0
    while n < len(rows) and (_indented(rows[n]) or not rows[n][2].strip()):
        n += 1
    return _dedent(rows[:n]), rows[n:]


def _push(blocks: list[list[Row]], rows: list[Row]) -> None:
    """Put what a processor left of a block back at the front, to be parsed next."""
    if rows:
        blocks.insert(0, rows)


def _first(rows: list[Row], pattern: re.Pattern) -> int:
    return next((i for i, row in enumerate(rows) if pattern.match(row[2])), -1)


class _BlockScan:
    """Where Python-Markdown puts headings: (level, raw text, line, column) in document order.

    Each method mirrors one of its block processors, tried in the same order. `last` is what
    the previous sibling block was ("list", "list>list" for a list ending in a list,
    "admonition" or ""): an indented block continues it.
    """

    def __init__(self) -> None:
        self.found: list[tuple[int, str, int, int]] = []
        self.ids: list[str] = []  # raw attr lists that may give other elements an id

    def parse(self, blocks: list[list[Row]], last: str = "", in_item: bool = False) -> str:
        while blocks:
            last = self.block(blocks.pop(0), blocks, last, in_item)
        return last

    def heading(self, level: int, row: Row, start: int) -> None:
        text = row[2][start:]
        start += len(text) - len(text.lstrip())
        self.found.append((level, text.strip(), row[0], row[1] + start + 1))

    def atx(self, row: Row) -> None:
        n, c, text = row
        m = _ATX.match(text)
        if m:
            self.heading(len(m.group(1)), (n, c, text[:m.end(2)]), m.start(2))

    def block(self, block: list[Row], rest: list[list[Row]], last: str, in_item: bool) -> str:
        starts = {row[2][:1] for row in block}
        if not starts & _SPECIAL_STARTS:
            return ""  # a plain paragraph, as most blocks are
        if "!" in starts and (i := _first(block, _ADMONITION)) >= 0:
            self.before(block, i, last, in_item)
            inner, after = _take_indented(block[i + 1:])
            self.parse(_blocks(inner))
            _push(rest, after)
            return "admonition"
        if block[0][2].startswith("    "):
            return self.indented(block, rest, last, in_item)
        if "|" in block[0][2] and _is_table(block):
            return ""
        if "#" in starts and (i := _first(block, _ATX)) >= 0:
            self.before(block, i, last, in_item)
            self.atx(block[i])
            _push(rest, block[i + 1:])
            return ""
        if len(block) > 1 and _SETEXT.match(block[1][2]):
            self.heading(1 if block[1][2].startswith("=") else 2, block[0], 0)
            _push(rest, block[2:])
            return ""
        if starts & _HR_STARTS and (i := _first(block, HR)) >= 0:
            self.before(block, i, last, in_item)
            _push(rest, block[i + 1:])
            return ""
        for item in _LIST_ITEMS:
            if item.match(block[0][2]):
                return _nest("list", self.list_items(block, item))
        if starts & _QUOTE_STARTS and (i := _first(block, _QUOTE)) >= 0:
            self.before(block, i, last, in_item)
            self.parse(_blocks([_unquote(row) for row in block[i:]]))
            return ""
        m = _BLOCK_ATTRS.match(block[-1][2]) if len(block) > 1 else None
        if m:  # a paragraph ending in a `{: #id}` line
            self.ids.append(m.group(1))
        return ""

    def before(self, block: list[Row], i: int, last: str, in_item: bool) -> None:
        """The lines above the one a processor matched are parsed first, as a block of their own."""
        if i:
            self.parse([block[:i]], last, in_item)

    def indented(self, block: list[Row], rest: list[list[Row]], last: str, in_item: bool) -> str:
        """More of an admonition or a list item, or else an indented code block."""
        if last == "admonition":
            inner, after = _take_indented(block)
            _push(rest, after)
            self.parse([inner])
            return last
        if in_item:
            return self.parse([_dedent(block)], last)
        if last.startswith("list"):
            return _nest("list", self.parse([_dedent(block)], last.partition(">")[2]))
        _code, after = _take_indented(block)
        _push(rest, after)
        return ""

    def list_items(self, block: list[Row], item_re: re.Pattern) -> str:
        """Parse each item as blocks of its own; return what the last item ends with."""
        items: list[list[Row]] = []
        for n, c, text in block:
            m = item_re.match(text)
            if m:
                items.append([(n, c + m.end(), text[m.end():])])
            elif _NESTED_ITEM.match(text) and not _indented(items[-1][0]):
                items.append([(n, c, text)])
            else:
                items[-1].append((n, c, text))
        inside = ""
        for item in items:
            if len(item) > 1 and _BLOCK_ATTRS.match(item[-1][2]):
                self.ids.append(_BLOCK_ATTRS.match(item[-1][2]).group(1))
            if _indented(item[0]):  # a nested list's items belong to the item before
                inside = self.parse([_dedent(item)], inside)
            else:
                inside = self.parse([item], in_item=True)
        return inside


def _nest(kind: str, inside: str) -> str:
    """The kind of a list whose last item ends with `inside`, e.g. "list>list" for a nested list."""
    return f"{kind}>{inside}" if inside else kind


def _cells(row: str) -> int:
    row = row.strip()
    return len(row.removeprefix("|").removesuffix("|").split("|"))


def _is_table(block: list[Row]) -> bool:
    """The tables extension's test: a header row with pipes, then a separator row of as many
    cells; a table of one column needs a pipe at the edge of every row."""
    if len(block) < 2 or "|" not in block[0][2]:
        return False
    rows = [row[2].strip() for row in block]
    if not (re.fullmatch(r"[|:\- ]+", rows[1]) and _cells(rows[1]) == _cells(rows[0])):
        return False
    return _cells(rows[0]) > 1 or all(row.startswith("|") or row.endswith("|") for row in rows)


def _unquote(row: Row) -> Row:
    n, c, text = row
    m = _QUOTE.match(text)
    if text.strip() == ">":
        return (n, c, "")
    return (n, c + m.end(), text[m.end():]) if m else row


def code_free(body: str) -> str:
    """The body as Python-Markdown sees it: tabs expanded, blank lines emptied and fenced code
    blanked (only closed fences count, as in fenced_code); line numbers stay."""
    text = body.replace("\r\n", "\n").expandtabs(4)
    if " \n" in text:
        text = _SPACE_LINE.sub("\n", text)
    if "```" in text or "~~~" in text:
        text = _FENCED.sub(lambda m: "\n" * m.group(0).count("\n"), "\n" + text)[1:]
    return text


def _rows(text: str, first_line: int) -> list[Row]:
    return [(first_line + i, 0, line) for i, line in enumerate(text.split("\n"))]


def _attrs(text: str) -> tuple[dict[str, str], bool]:
    """attr_list's `{: #id .class key=value}` parsed; False when it is not a valid list."""
    found: dict[str, str] = {}
    pos = 0
    while pos < len(text):
        m = _ATTR_ITEM.match(text, pos)
        if not m:
            return found, "}" not in text[pos:]
        pos = m.end()
        if m.group(1):
            found[m.group(1)] = m.group(2).strip("\"'") if m.group(2)[:1] in "\"'" else m.group(2)
        elif m.group(3) and m.group(3).startswith("#"):
            found["id"] = m.group(3)[1:]
    return found, True


# Inline Markdown reduced to the text a heading shows (what toc slugifies).
_ESCAPABLE = set("\\`*_{}[]()>#+-.!|")
_CODE_SPAN_TEXT = re.compile(r"(?<!\\)(`+)(.+?)(?<!`)\1(?!`)")
_ESCAPE = re.compile(r"\\(.)")
_IMAGE = re.compile(r"!\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])")
_LINK = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])")
_AUTOLINK = re.compile(r"<((?:[A-Za-z][A-Za-z0-9+.-]*://[^<>]*)|(?:[^<> !]+@[^@<> ]+))>")
_TAG = re.compile(r"<(?:/?[a-zA-Z][^<>]*|!--.*?--)>")
_LOOSE_AMP = re.compile(r"&(?!#[0-9]+;|#x[0-9a-fA-F]+;|[a-zA-Z0-9]+;)")
# Emphasis: `*` anywhere, `_` only at word edges (Python-Markdown's "smart" underscores).
_EMPHASIS = re.compile(r"(?<!\*)(\*{1,3})(?=[^\s*])([^*]+?)(?<=[^\s*])\1(?!\*)"
                       r"|(?<!\w)(_{1,3})(?=[^\s_])(.+?)(?<=[^\s_])\3(?!\w)")
_MARKUP = re.compile(r"[`\\!\[<&*_]")  # a heading without these is plain text already
_HOLD = "\x02{}\x03"
_HELD = re.compile("\x02(\\d+)\x03")


def _attr_region(text: str) -> tuple[int, int]:
    """The part of a heading attr_list reads: the text after its last inline element or, when
    the heading ends with an element, the text before its first one (elem.text)."""
    plain = _CODE_SPAN_TEXT.sub(lambda m: "`" * len(m.group(0)), text)
    spans = [m.span() for pattern in (_IMAGE, _LINK, _AUTOLINK, _EMPHASIS) for m in pattern.finditer(plain)]
    spans += [m.span() for m in _CODE_SPAN_TEXT.finditer(text)]
    if not spans:
        return 0, len(text)
    last = max(end for _start, end in spans)
    return (last, len(text)) if last < len(text) else (0, min(start for start, _end in spans))


def _heading_text(raw: str) -> str:
    if not _MARKUP.search(raw):
        return " ".join(raw.split())
    held: list[str] = []

    def hold(text: str) -> str:
        held.append(text)
        return _HOLD.format(len(held) - 1)

    text = _CODE_SPAN_TEXT.sub(lambda m: hold(html.escape(m.group(2).strip(), quote=False)), raw)
    text = _ESCAPE.sub(lambda m: hold(html.escape(m.group(1), quote=False)) if m.group(1) in _ESCAPABLE
                       else m.group(0), text)
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(lambda m: hold(m.group(1).removeprefix("mailto:")), text)
    text = _TAG.sub("", text)
    text = _LOOSE_AMP.sub("&amp;", text)
    n = 1
    while n:  # again, for emphasis inside emphasis
        text, n = _EMPHASIS.subn(lambda m: m.group(2) or m.group(4), text)
    text = _HELD.sub(lambda m: held[int(m.group(1))], text)
    return html.unescape(" ".join(text.split()))


def toc_slugify(value: str) -> str:
    """Python-Markdown toc's default slugify: ASCII-folded, lowercase, punctuation dropped."""
    if not value.isascii():
        value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    value = _NOT_SLUG.sub("", value).strip().lower()
    return _DASHES.sub("-", value)


_NOT_SLUG = re.compile(r"[^\w\s-]")
_DASHES = re.compile(r"[-\s]+")


def _unique(id_: str, taken: set[str]) -> str:
    """toc's `unique`: a taken (or empty) id gets the first free `_1`, `_2`… suffix."""
    if id_ in taken or not id_:
        m = re.match(r"^(.*)_([0-9]+)$", id_)
        base, count = (m.group(1), int(m.group(2))) if m else (id_, 0)
        count += 1
        while f"{base}_{count}" in taken:
            count += 1
        id_ = f"{base}_{count}"
    taken.add(id_)
    return id_


def _ids(raw_lists: list[str]) -> set[str]:
    ids = set()
    for raw in raw_lists:
        attrs, ok = _attrs(raw)
        if ok and "id" in attrs:
            ids.add(attrs["id"])
    return ids


def _scan(body: str, first_line: int) -> tuple[_BlockScan, set[str]]:
    """The headings found, and the ids attr_list gives other elements."""
    text = code_free(body)
    scan = _BlockScan()
    if _NEEDS_BLOCKS.search("\n" + text) or _HASH_AFTER_TABLE_ROW.search(text):
        scan.parse(_blocks(_rows(text, first_line)))
    else:  # no nesting, setext or attr lines: every heading is a line starting with '#'
        line, pos = first_line, 0
        for m in _HASH_LINE.finditer(text):
            line += text.count("\n", pos, m.start())
            pos = m.start()
            scan.atx((line, 0, m.group(0)))
    inline = [m.group(1) for m in _INLINE_ATTRS.finditer(text)] if "{" in text else []
    return scan, _ids(scan.ids + inline)


@lru_cache(maxsize=1)
def scanner_checked() -> bool:
    """Whether the installed Python-Markdown is a version the scanner was checked against. Read
    from its version file without importing it: the import would cost `sitegen check` ~50 ms."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("markdown")
        text = (Path(spec.origin).parent / "__meta__.py").read_text(encoding="utf-8")  # type: ignore[union-attr, arg-type]
    except (AttributeError, TypeError, ValueError, OSError):
        return False
    m = re.search(r"__version_info__\s*=\s*\((\d+),\s*(\d+)", text)
    return m is not None and (int(m.group(1)), int(m.group(2))) in CHECKED_VERSIONS


class StockMarkdown:
    """Python-Markdown as the build configures it, listing every heading level in its toc: where
    the ids come from with a Markdown version the scanner was not checked against. Its owner (a
    check) makes it on first use, and only then."""

    def __init__(self) -> None:
        self._md: Any = None

    def convert(self, body: str) -> tuple[str, list[dict]]:
        """The body's HTML and its toc tokens."""
        if self._md is None:
            import markdown

            configs = {**EXTENSION_CONFIGS, "toc": {**EXTENSION_CONFIGS.get("toc", {}), "toc_depth": "1-6"}}
            self._md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=configs, output_format="html")
        self._md.reset()
        return self._md.convert(body), self._md.toc_tokens


def find_headings(body: str, first_line: int, stock: StockMarkdown | None = None) -> list[HeadingAt]:
    """Every heading of a page body with the id the build gives it, at its 1-based file position;
    `stock`: the Markdown to read them from when the scanner is not trusted (see scanner_checked)."""
    scanned = _scanned(body, first_line)
    return scanned if scanner_checked() else _rendered(body, first_line, scanned, stock or StockMarkdown())


def _rendered(body: str, first_line: int, scanned: list[HeadingAt], stock: StockMarkdown) -> list[HeadingAt]:
    """The headings Python-Markdown itself gives `body`; where they pair up with the scanner's,
    at the positions it found (else at the body's first line)."""
    _html, toc = stock.convert(body)
    found: list[tuple[int, str, str]] = []

    def walk(tokens: list[dict]) -> None:
        for t in tokens:
            found.append((t["level"], t["id"], html.unescape(t["name"])))
            walk(t["children"])

    walk(toc)
    paired = len(found) == len(scanned)
    return [HeadingAt(level, id_, name, scanned[i].line if paired else first_line,
                      scanned[i].column if paired else 1, scanned[i].wanted if paired else id_)
            for i, (level, id_, name) in enumerate(found)]


def _scanned(body: str, first_line: int) -> list[HeadingAt]:
    scan, other_ids = _scan(body, first_line)
    parsed = []
    for level, text, line, column in scan.found:
        start, end = _attr_region(text) if "{" in text else (0, 0)
        m = _HEADER_ATTRS.search(text[:end], start)
        attrs, ok = _attrs(m.group(1)) if m else ({}, False)
        if ok:
            text = _TRAILING_HASHES.sub("", text[:m.start()]).rstrip() + text[end:]
        parsed.append((level, text, line, column, attrs if ok else {}))
    taken = {a["id"] for *_rest, a in parsed if "id" in a} | other_ids
    out = []
    for level, text, line, column, attrs in parsed:
        name = _heading_text(text)
        wanted = attrs.get("id") or toc_slugify(name)
        id_ = wanted if "id" in attrs else _unique(wanted, taken)
        label = attrs.get("data-toc-label")
        out.append(HeadingAt(level, id_, _heading_text(label) if label else name, line, column, wanted))
    return out


def element_ids(body: str, stock: StockMarkdown | None = None) -> set[str]:
    """Ids a link may target besides headings: attr_list ids on other elements, ids and names in raw HTML."""
    if not scanner_checked():  # every id of the rendered body (headings' too: they are targets anyway)
        return set(_HTML_ID.findall((stock or StockMarkdown()).convert(body)[0])) | set(_HTML_ID.findall(body))
    return _scan(body, 1)[1] | set(_HTML_ID.findall(body))
