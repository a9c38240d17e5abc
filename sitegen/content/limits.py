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
_CONTAINER = re.compile(r"[ ]{0,3}(?:>|[*+-](?=[ \t])|\d{1,9}[.)](?=[ \t]))[ \t]?")
_NESTS = frozenset(" \t>*+-0123456789")
_FENCE = re.compile(r"[ ]{0,3}(`{3,}|~{3,})")


def nesting(line: str) -> int:
    """How deeply a line nests: quote and list markers at its start, and every 4 columns of indent."""
    levels, pos = 0, 0
    while (m := _CONTAINER.match(line, pos)) and m.end() > pos:
        levels, pos = levels + 1, m.end()
    rest = line[pos:]
    indent = rest[:len(rest) - len(rest.lstrip(" \t"))]
    return levels + (indent.count(" ") + 4 * indent.count("\t")) // 4


def _openers(line: str) -> int:
    """The characters that may open a link or a tag; escaped ones do not."""
    return sum(line.count(c) - line.count("\\" + c) for c in OPENERS)


def body_limits(body: str, first_line: int, file: str) -> list[Diagnostic]:
    """Errors for the first line nested too deeply and the paragraph where the work runs out."""
    found: list[Diagnostic] = []
    nested = crowded = False
    opener_work = mark_work = 0
    start, openers, marks, length, fence = 0, 0, 0, 0, ""
    for offset, line in enumerate(body.split("\n") + [""]):
        m = _FENCE.match(line)
        if m and (not fence or (m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence))):
            fence = "" if fence else m.group(1)
            continue
        if fence:
            continue  # code is not parsed: its marks cost nothing
        if not line.strip():
            opener_work += openers * openers
            mark_work += marks * length
            if not crowded and (opener_work > MAX_OPENER_WORK or mark_work > MAX_MARK_WORK):
                crowded = True
                found.append(Diagnostic(
                    file, first_line + start, 1, ERROR, "BODY002",
                    f"this paragraph of {length:,} characters has {marks:,} Markdown marks ({openers:,} of [ < (), "
                    "which with those above are too many for Markdown to read in reasonable time",
                    "split it into shorter paragraphs with blank lines, or escape the brackets (\\[)"))
            start, openers, marks, length = offset + 1, 0, 0, 0
            continue
        openers += _openers(line)
        marks += sum(line.count(c) for c in MARKS)
        length += len(line) + 1
        if not nested and line[0] in _NESTS and nesting(line) > MAX_NESTING:
            nested = True
            found.append(Diagnostic(file, first_line + offset, 1, ERROR, "BODY001",
                                    f"this line is nested more than {MAX_NESTING} levels deep (quotes, lists or "
                                    "indentation)", "flatten the quotes or lists above it"))
    return sorted(found)
