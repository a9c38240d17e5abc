"""Make one configured Python-Markdown instance render faster, with byte-identical output.

Most of Markdown's time goes to trying every inline pattern on every piece of text, although
plain prose can match none of them; then to asking every block processor about every block,
and to serializing the tree. Each trick here skips only work whose result is known without
doing it, or does the same work in fewer steps, so the HTML and the table of contents stay
exactly what stock Markdown gives.

The tricks lean on Python-Markdown internals (private methods, registry fields). They are
applied only to the versions they were checked against; with any other version, or if an
internal is not as expected, the instance is left stock: slower, never wrong.
"""

from __future__ import annotations

import re
from typing import Any, Callable

# Versions whose processors, Registry and serializer internals the tricks were checked against.
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

# For stock block processors whose `test` can only answer True for a block holding at least one of
# some substrings: those substrings, keyed by (module, class). Why each is needed:
_BLOCK_NEEDLES: dict[tuple[str, str], tuple[str, ...]] = {
    # RE finds "#{1,6}" at a line start.
    ("markdown.blockprocessors", "HashHeaderProcessor"): ("#",),
    # RE.match: ".*?" cannot cross a newline, so the first newline is followed by "=" or "-".
    ("markdown.blockprocessors", "SetextHeaderProcessor"): ("\n=", "\n-"),
    # A rule is made of one of these characters (and spaces). Checking for pairs of them, as a
    # rule has, costs prose more than the stock regex does.
    ("markdown.blockprocessors", "HRProcessor"): ("-", "_", "*"),
    # RE: "(^|\n)[ ]{0,3}>"; the recursion-limit check only runs after a match.
    ("markdown.blockprocessors", "BlockQuoteProcessor"): (">",),
    # test is always True, but run then answers False and puts the block back as it was unless
    # its RE finds "[label]:", so the parser moves on to the next processor either way.
    ("markdown.blockprocessors", "ReferenceProcessor"): ("]:",),
    # A header row splits into 2+ cells, or has a border, only around a "|". Skipping test leaves
    # its `border` stale, but run only ever follows a test that answered True and set it.
    ("markdown.extensions.tables", "TableProcessor"): ("|",),
}

_STX, _ETX = "\x02", "\x03"  # Python-Markdown's placeholder delimiters
# What the stock unescape processor looks for: no match without an STX.
_ESCAPED = re.compile(rf"{_STX}(\d+){_ETX}")


def speed_up(md: Any) -> Any:
    """Return `md` with every trick whose internals look as checked applied in place.

    Call it once the instance is fully configured: the tricks take a snapshot of its inline
    patterns, block processors, block-level tags and toc marker.
    """
    import markdown

    if tuple(markdown.__version_info__[:2]) not in CHECKED_VERSIONS:
        return md
    md.is_block_level = _remembering(md.is_block_level)
    _skip_hopeless_block_tests(md.parser)
    _speed_up_tree_processors(md)
    _speed_up_output(md)
    return md


def _speed_up_tree_processors(md: Any) -> None:
    inline = _processor(md, "inline", "markdown.treeprocessors", "InlineProcessor")
    private = ("_InlineProcessor__handleInline", "_InlineProcessor__applyPattern")
    if inline is not None and all(hasattr(inline, name) for name in private):
        inline._InlineProcessor__handleInline = _skipping_handle_inline(inline)
    toc = _processor(md, "toc", "markdown.extensions.toc", "TocTreeprocessor")
    if toc is not None and isinstance(getattr(toc, "marker", None), str):
        toc.replace_marker = _only_if_marker_present(toc.replace_marker, toc.marker)
    unescape = _processor(md, "unescape", "markdown.treeprocessors", "UnescapeTreeprocessor")
    if unescape is not None and unescape.RE.pattern == _ESCAPED.pattern:
        unescape.unescape = _only_if_escaped(unescape.unescape)
    attr_list = _processor(md, "attr_list", "markdown.extensions.attr_list", "AttrListTreeprocessor")
    if attr_list is not None:
        attr_list.run = _only_if_braced(attr_list.run)


def _speed_up_output(md: Any) -> None:
    from markdown import util
    from markdown.postprocessors import RawHtmlPostprocessor
    from markdown.serializers import to_html_string

    raw_html = md.postprocessors["raw_html"] if "raw_html" in md.postprocessors else None
    if type(raw_html) is RawHtmlPostprocessor and util.HTML_PLACEHOLDER.startswith(_STX):
        # Without stashed HTML, stock returns the text itself, not a plain str copy.
        raw_html.run = _only_if_escaped(raw_html.run, lambda: not md.htmlStash.html_counter)
    if md.serializer is to_html_string:
        md.serializer = _fast_html_serializer(md.serializer)


def _processor(md: Any, name: str, module: str, cls: str) -> Any | None:
    """The tree processor registered as `name` if it is exactly the stock class, else None."""
    import importlib

    proc = md.treeprocessors[name] if name in md.treeprocessors else None
    return proc if type(proc) is getattr(importlib.import_module(module), cls, None) else None


def _skip_hopeless_block_tests(parser: Any) -> None:
    """The block parser looping over a snapshot of its processors (stock re-sorts the Registry
    into a new list for every block), skipping each stock processor's `test` on a block it
    cannot match: without a needle, or for admonition, as its own quick test says."""
    from markdown.blockparser import BlockParser

    if type(parser) is not BlockParser or type(parser).parseBlocks is not BlockParser.parseBlocks:
        return
    for proc in parser.blockprocessors:
        _quicken_admonition_test(proc)
    plan = tuple((block_needles(proc), proc.test, proc.run) for proc in parser.blockprocessors)

    def parse_blocks(parent: Any, blocks: list[str]) -> None:
        while blocks:
            for needles, test, run in plan:
                if needles is not None:
                    block = blocks[0]
                    for needle in needles:
                        if needle in block:
                            break
                    else:
                        continue  # test would answer False
                if test(parent, blocks[0]) and run(parent, blocks) is not False:
                    break

    parser.parseBlocks = parse_blocks


def block_needles(proc: Any) -> tuple[str, ...] | None:
    """What a block must hold for `proc.test` to answer True, or None if that is not known."""
    import importlib

    cls = type(proc)
    needles = _BLOCK_NEEDLES.get((cls.__module__, cls.__name__))
    if needles is None or "test" in vars(proc):
        return None
    return needles if cls is getattr(importlib.import_module(cls.__module__), cls.__name__, None) else None


def _quicken_admonition_test(proc: Any) -> None:
    """Admonition's test answering False at once where it must: its RE needs "!!!"; otherwise
    `parse_content` finds a sibling only for a block starting with a tab_length indent (its
    list-nesting detab needs a longer one), or when one is pending. Only a test answering True
    leaves one pending, for the run that follows; yet a conversion aborted in between leaves it
    set, and stock then takes the next block: so do we."""
    from markdown.extensions.admonition import AdmonitionProcessor

    if type(proc) is not AdmonitionProcessor or "test" in vars(proc) or not hasattr(proc, "current_sibling"):
        return
    test, indent = proc.test, " " * proc.tab_length

    def quick(parent: Any, block: str) -> bool:
        if "!!!" in block or block.startswith(indent) or proc.current_sibling is not None:
            return test(parent, block)
        return False

    proc.test = quick


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


def _only_if_escaped(sub: Callable[[str], str], regardless: Callable[[], bool] = lambda: False) -> Callable[[str], str]:
    """A `re.sub` of placeholders (the unescape tree processor's `unescape`, raw_html's `run`),
    skipped on text with no STX, which starts every placeholder; still called when `regardless()`.

    Stock `re.sub` returns a plain `str` even when it replaces nothing: so do we.
    """

    def quick(text: str) -> str:
        if _STX in text or regardless():
            return sub(text)
        return text if type(text) is str else str(text)

    return quick


def _only_if_braced(run: Callable[[Any], None]) -> Callable[[Any], None]:
    """attr_list's `run`, skipped when no text or tail in the tree holds a "{": each of its regexes
    needs one, and it changes the tree only where one of them matched."""

    def quick(doc: Any) -> None:
        try:
            for el in doc.iter():
                if (el.text and "{" in el.text) or (el.tail and "{" in el.tail):
                    break
            else:
                return
        except Exception:  # a text that is no string: let stock decide what happens
            pass
        run(doc)

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


class _Unusual(Exception):
    """A tree the fast serializer leaves to the stock one."""


def _fast_html_serializer(stock: Callable[[Any], str]) -> Callable[[Any], str]:
    """`to_html_string`, recursing instead of queueing every piece on a deque, with each tag's
    lowercase kept, and escaping only text that holds something to escape.

    It writes the same pieces in the same order as stock for plain-str tags and attributes,
    Comment, ProcessingInstruction and None tags. Anything else (QName tags or attributes,
    non-str values, trees deeper than the recursion limit, any error) is handed to stock, which
    then gives its own output or raises its own error: the fast path has no side effects.
    """
    from xml.etree.ElementTree import (
        HTML_EMPTY,
        Comment,
        Element,
        ProcessingInstruction,
    )

    from markdown.serializers import (
        BOOLEAN_ATTRIBUTES,
        _escape_attrib_html,
        _escape_cdata,
    )

    boolean = BOOLEAN_ATTRIBUTES["html"]
    lowered: dict[str, str] = {}

    def cdata(text: Any) -> str:
        """Stock's escaping, skipped when it would change nothing."""
        if not isinstance(text, str):
            raise _Unusual
        return _escape_cdata(text) if "&" in text or "<" in text or ">" in text else text

    def attrib(value: str) -> str:
        if "&" in value or "<" in value or ">" in value or '"' in value:
            return _escape_attrib_html(value)
        return value

    def emit(el: Any, out: list[str]) -> None:
        if type(el) is not Element:  # a subclass may iterate or list its items its own way
            raise _Unusual
        tag = el.tag
        text = el.text
        if type(tag) is str:
            lower = lowered.get(tag)
            if lower is None:
                lower = lowered[tag] = tag.lower()
            items = el.items()
            if items:
                out.append(f"<{tag}")
                for k, v in sorted(items):
                    if type(k) is not str:
                        raise _Unusual
                    if v is None:
                        out.append(f" {k}")
                    elif type(v) is str:
                        v = attrib(v)
                        out.append(f" {v}" if k == v and k in boolean else f' {k}="{v}"')
                    else:
                        raise _Unusual
                out.append(">")
            else:
                out.append(f"<{tag}>")
            if text:
                out.append(text if lower in ("script", "style") and isinstance(text, str) else cdata(text))
            for child in el:
                emit(child, out)
            if lower not in HTML_EMPTY:
                out.append(f"</{tag}>")
        elif tag is None:
            if text:
                out.append(cdata(text))
            for child in el:
                emit(child, out)
        elif tag is Comment:
            out.append(f"<!--{cdata(text)}-->")
        elif tag is ProcessingInstruction:
            out.append(f"<?{cdata(text)}?>")
        else:
            raise _Unusual
        tail = el.tail
        if tail:
            # Mostly prettify's newline: spared a call.
            out.append(tail if tail == "\n" and type(tail) is str else cdata(tail))

    def serialize(element: Any) -> str:
        out: list[str] = []
        try:
            emit(element, out)
        except Exception:  # stock decides what such a tree gives: see the docstring
            return stock(element)
        return "".join(out)

    return serialize
