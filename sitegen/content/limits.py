"""Bounds on a page body that keep checking and building it fast and small whatever its text.

Python-Markdown, and the scanners that read the source as it does, nest once per level of
quote or list (600 levels: a crash; 2,000: a gigabyte). They search forward from every "[",
"<" or "(" for the end of what it may open, and copy the paragraph's text again for
every inline mark they replace: a paragraph of thousands of them takes seconds to minutes. A
page past these bounds is refused with an error at the line, before anything reads it further;
real pages stay far inside them (benchmarks/bench_hostile.py measures the worst that fits).
"""

from __future__ import annotations

import re

from sitegen.content.body import blank_code_spans
from sitegen.diagnostics import ERROR, Diagnostic

MAX_NESTING = 30  # levels of quotes and lists, and of indentation
# Summed over a page's paragraphs: the openers squared (Python-Markdown's forward searches),
# and the marks times the length (its copies, and the source scanners' searches from "{" and
# "|"). One paragraph of 1,200 openers, or of 100 KB with 10,000 marks, takes a few tenths of
# a second and fits.
MAX_OPENER_WORK = 1_200 ** 2
MAX_MARK_WORK = 10_000 * 100_000
OPENERS = "[<("
MARKS = "\\`*_[]!<&(~={|"
# Each heading's id is checked against those before it, twice: headings are kept few. Table
# rows cost Python-Markdown ~50 times what plain text does.
MAX_HEADINGS = 500
MAX_TABLE_ROWS = 5_000
_UNDERLINE = re.compile(r"[ ]{0,3}(?:=+|-+)[ \t]*")
# Each level re-reads the lines inside it: the sum of each line's depth times its length.
MAX_NESTED_WORK = 2_000_000
_TAG_START = re.compile(r"<[A-Za-z/!?]")
_CONTAINER = re.compile(r"[ ]{0,3}(?:>|[*+-](?=[ \t])|\d{1,9}[.)](?=[ \t]))[ \t]?")
_NESTS = frozenset(" \t>*+-0123456789")
_FENCE = re.compile(r"[ ]{0,3}(`{3,}|~{3,})")
_FENCE_STARTS = frozenset(" `~")


def nesting(line: str) -> int:
    """How deeply a line nests: quote and list markers at its start, and every 4 columns of indent."""
    levels, pos = 0, 0
    while (m := _CONTAINER.match(line, pos)) and m.end() > pos:
        levels, pos = levels + 1, m.end()
    rest = line[pos:]
    indent = rest[:len(rest) - len(rest.lstrip(" \t"))]
    return levels + (indent.count(" ") + 4 * indent.count("\t")) // 4


def body_limits(body: str, first_line: int, file: str) -> list[Diagnostic]:
    """Errors for the first line nested too deeply, the paragraph where the work runs out, and
    the first HTML tag never closed."""
    found: list[Diagnostic] = []
    nested = crowded = unclosed = False
    headings = rows = 0
    opener_work = mark_work = nested_work = 0
    pending: tuple[int, int] | None = None  # (offset, column) of a tag start not closed yet
    start, fence = 0, ""
    paragraph: list[str] = []
    for offset, line in enumerate(body.split("\n") + [""]):
        m = _FENCE.match(line) if line[:1] in _FENCE_STARTS else None
        if m and (not fence or (m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence))):
            fence = "" if fence else m.group(1)
            continue
        if fence:
            continue  # code is not parsed: its marks cost nothing
        if not line or line.isspace():
            if pending is not None and not unclosed:
                unclosed = True  # Python-Markdown's HTML parser then reads on, again and again
                found.append(Diagnostic(file, first_line + pending[0], pending[1] + 1, ERROR, "BODY003",
                                        "this '<' starts an HTML tag that is never closed with '>'",
                                        "write &lt; for a '<' that starts no tag, or close the tag"))
            pending = None
            text = "\n".join(paragraph)  # counted whole: str.count runs in C
            length = len(text)
            if length > 64:  # a shorter one costs next to nothing, however many marks it holds
                openers = sum(text.count(c) - text.count("\\" + c) for c in OPENERS)  # an escaped one opens nothing
                marks = sum(text.count(c) for c in MARKS)
            else:
                openers = marks = 0
            opener_work += openers * openers
            mark_work += marks * length
            if not crowded and (opener_work > MAX_OPENER_WORK or mark_work > MAX_MARK_WORK):
                crowded = True
                found.append(Diagnostic(
                    file, first_line + start, 1, ERROR, "BODY002",
                    f"this paragraph of {length:,} characters has {marks:,} Markdown marks ({openers:,} of [ < (), "
                    "which with those above are too many for Markdown to read in reasonable time",
                    "split it into shorter paragraphs with blank lines, or escape the brackets (\\[)"))
            start, paragraph = offset + 1, []
            continue
        if ("<" in line or ">" in line) and not line.startswith(("    ", "\t")):  # not in an indented code block
            # A ">" closes the tag left open above; a tag start after the last ">" opens one.
            line = blank_code_spans(line) if "`" in line else line
            close = line.rfind(">")
            if close >= 0:
                pending = None
            m = _TAG_START.search(line, close + 1)
            if m:
                pending = (offset, m.start())
        paragraph.append(line)
        if line[0] == "#" or (line[0] in " =-" and _UNDERLINE.fullmatch(line)):
            headings += 1
            if headings == MAX_HEADINGS + 1:
                found.append(Diagnostic(file, first_line + offset, 1, ERROR, "BODY002",
                                        f"this page has more than {MAX_HEADINGS} headings",
                                        "split it into several pages"))
        if "|" in line:
            rows += 1
            if rows == MAX_TABLE_ROWS + 1:
                found.append(Diagnostic(file, first_line + offset, 1, ERROR, "BODY002",
                                        f"this page has more than {MAX_TABLE_ROWS:,} table rows",
                                        "split it into several pages"))
        depth = nesting(line) if line[0] in _NESTS else 0
        nested_work += depth * len(line)
        if not nested and (depth > MAX_NESTING or nested_work > MAX_NESTED_WORK):
            nested = True
            found.append(Diagnostic(file, first_line + offset, 1, ERROR, "BODY001",
                                    f"this line is nested more than {MAX_NESTING} levels deep (quotes, lists or "
                                    "indentation)" if depth > MAX_NESTING else
                                    "the quotes and lists above this line nest too deeply for their length",
                                    "flatten the quotes or lists above it"))
    return sorted(found)
