"""Make one configured Python-Markdown instance render faster, with byte-identical output.

Most of Markdown's time goes to trying every inline pattern on every piece of text, although
plain prose can match none of them. Each trick here skips only work whose result is known
without doing it, so the HTML and the table of contents stay exactly what stock Markdown gives.

The tricks lean on Python-Markdown internals (private methods, registry fields). They are
applied only to the versions they were checked against; with any other version, or if an
internal is not as expected, the instance is left stock: slower, never wrong.
"""

from __future__ import annotations

import re
from typing import Any, Callable

# Versions whose InlineProcessor loop, Registry and toc internals the tricks were checked against.
CHECKED_VERSIONS = {(3, 11)}

# For each stock inline-pattern regex: the substrings of which at least one must occur in a text
# for the regex to match anywhere in it. A pattern whose regex is not listed is always tried.
_NEEDLES: dict[str, tuple[str, ...]] = {
    r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)": ("`",),
    r"\\(.)": ("\\",),
    r"(?<!\!)\[": ("[",),
    r"\!\[": ("![",),
    r"<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>": ("<",),
    r"<([^<> !]+@[^@<> ]+)>": ("<",),
    r"  \n": ("  \n",),
    r"(&(?:\#[0-9]+|\#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)": ("&",),
    r"\*|_": ("*", "_"),
    # inline HTML: every alternative sits inside the literal "<(...)>"
    (r'''(<(\/?+[a-zA-Z][^\s"'<>@]*+(?:\s+[^\s"'=<>]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s"'=<>]++))?+)*+\s*+/?|'''
     r"!--(?:(?!<!--|-->).)*--|[?](?:(?!<[?]|[?]>).)*[?]|!\[CDATA\[(?:(?!<!\[CDATA\[|\]\]>).)*\]\])>)"): ("<",),
}

_STX, _ETX = "\x02", "\x03"  # Python-Markdown's placeholder delimiters
# What the stock unescape processor looks for: no match without an STX.
_ESCAPED = re.compile(rf"{_STX}(\d+){_ETX}")


def speed_up(md: Any) -> Any:
    """Return `md` with every trick whose internals look as checked applied in place.

    Call it once the instance is fully configured: the tricks take a snapshot of its inline
    patterns, block-level tags and toc marker.
    """
    import markdown

    if tuple(markdown.__version_info__[:2]) not in CHECKED_VERSIONS:
        return md
    inline = _processor(md, "inline", "markdown.treeprocessors", "InlineProcessor")
    private = ("_InlineProcessor__handleInline", "_InlineProcessor__applyPattern")
    if inline is not None and all(hasattr(inline, name) for name in private):
        inline._InlineProcessor__handleInline = _skipping_handle_inline(inline)
    md.is_block_level = _remembering(md.is_block_level)
    toc = _processor(md, "toc", "markdown.extensions.toc", "TocTreeprocessor")
    if toc is not None and isinstance(getattr(toc, "marker", None), str):
        toc.replace_marker = _only_if_marker_present(toc.replace_marker, toc.marker)
    unescape = _processor(md, "unescape", "markdown.treeprocessors", "UnescapeTreeprocessor")
    if unescape is not None and unescape.RE.pattern == _ESCAPED.pattern:
        unescape.unescape = _only_if_escaped(unescape.unescape)
    return md


def _processor(md: Any, name: str, module: str, cls: str) -> Any | None:
    """The tree processor registered as `name` if it is exactly the stock class, else None."""
    import importlib

    proc = md.treeprocessors[name] if name in md.treeprocessors else None
    return proc if type(proc) is getattr(importlib.import_module(module), cls, None) else None


def _remembering(is_block_level: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """`Markdown.is_block_level` with each tag's answer kept: the block-level list never changes
    once the instance is configured, and prettifying asks about the same few tags all the time."""
    answers: dict[Any, bool] = {}

    def remembered(tag: Any) -> bool:
        try:
            return answers[tag]
        except KeyError:
            answer = answers[tag] = is_block_level(tag)
            return answer
        except TypeError:  # an unhashable tag: nothing to remember it by
            return is_block_level(tag)

    return remembered


def _only_if_escaped(unescape: Callable[[str], str]) -> Callable[[str], str]:
    """The unescape tree processor's `unescape`, skipping the regex on text with no escape in it.

    Stock `re.sub` returns a plain `str` even when it replaces nothing: so do we.
    """

    def quick(text: str) -> str:
        if _STX in text:
            return unescape(text)
        return text if type(text) is str else str(text)

    return quick


def _only_if_marker_present(replace_marker: Callable[[Any, Any], None], marker: str) -> Callable[[Any, Any], None]:
    """toc's `replace_marker`, skipped when no element's text contains the marker.

    Stock walks the whole tree joining every element's text, only to replace elements whose own
    text is the marker; without the marker in any text it changes nothing.
    """

    def replace(root: Any, elem: Any) -> None:
        for el in root.iter():
            if el.text and marker in el.text:
                replace_marker(root, elem)
                return

    return replace


def _needles(pattern: Any) -> tuple[str, ...] | None:
    """What a pattern's text must contain for it to match, or None if that is not known."""
    from markdown.inlinepatterns import InlineProcessor, Pattern

    # Old-style patterns match differently, and an overridden getCompiledRegExp may not use compiled_re.
    if not isinstance(pattern, InlineProcessor) or type(pattern).getCompiledRegExp is not Pattern.getCompiledRegExp:
        return None
    return _NEEDLES.get(pattern.compiled_re.pattern)


def _skipping_handle_inline(proc: Any) -> Callable[..., str]:
    """InlineProcessor's pattern loop, skipping each pattern that cannot match the current text.

    Stock `__applyPattern` answers `(data, False, 0)` when a pattern's regex finds nothing,
    without touching the pattern, so answering that ourselves is the same. The patterns come
    from a sorted tuple rather than the Registry, which re-checks its sorting on every index.
    """
    from markdown.util import AtomicString

    plan = tuple((pattern, _needles(pattern)) for pattern in proc.inlinePatterns)
    count = len(plan)
    apply = proc._InlineProcessor__applyPattern
    # Most text holds no needle at all: one search then rules out every pattern at once.
    every_needle = [n for _, needles in plan for n in (needles or ())]
    any_needle = (re.compile("|".join(map(re.escape, every_needle))).search
                  if all(needles is not None for _, needles in plan) and every_needle else None)

    def handle_inline(data: str, patternIndex: int = 0) -> str:  # noqa: N803 (stock signature)
        if isinstance(data, AtomicString) or (any_needle is not None and any_needle(data) is None):
            return data
        start = 0
        while patternIndex < count:
            pattern, needles = plan[patternIndex]
            if needles is not None:
                for needle in needles:
                    if needle in data:
                        break
                else:
                    patternIndex += 1
                    start = 0
                    continue
            data, matched, start = apply(pattern, data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data

    return handle_inline
