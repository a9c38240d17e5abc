"""The sped-up Markdown instance renders byte-identical HTML and toc to stock Python-Markdown."""

from __future__ import annotations

import random
import sys
import xml.etree.ElementTree as etree
from collections.abc import Callable
from pathlib import Path

import markdown
import pytest
from conftest import REPO
from markdown.serializers import to_html_string
from markdown.util import AtomicString
from test_benchmarks import corpus

from sitegen.render.markdown import EXTENSION_CONFIGS, EXTENSIONS, MarkdownEngine
from sitegen.render.markdown_speed import CHECKED_VERSIONS, block_needles, speed_up

MARKDOWN = MarkdownEngine()  # one for the whole file, as a build keeps one
html_body = MARKDOWN.html_body

TRICKY = """\
# Title with *em* and `code`

## Set-up

## Set-up

## Set_up_with_underscores {: #custom .wide }

snake_case_name and __init__ and a_b_c, 2*3*4, *em*, **strong**, ***both***, _em_, __strong__,
***strong** em*, *em **strong***, **strong *em***, _**mixed**_, *unclosed, **also unclosed_,
in*word*emphasis and in_word_underscores_here.

Escapes: \\*not em\\*, \\_not\\_, \\`not code\\`, \\[not a link\\], \\\\ backslash, \\# hash, \\{ brace.

Code: `plain`, ``with ` backtick``, `` `edge` ``, \\`escaped`, ```triple `` inside```, `<b>&amp;</b>`.

Links: [inline](../drills/a.md "title"), [with <angle>](<b c.md>), ![image](img.png "t"),
[ref][r1], [short ref], [Short Ref][], ![image ref][r1], [missing][nowhere], [nested [brackets]](x.md),
[*emph link*](y.md), [link `code`](z.md), [](empty.md), [text]( spaced.md ).

Autolinks: <https://example.org/a?b=1&c=2>, <mailto:me@example.org>, <me@example.org>, <not a link>.

Raw HTML: <span class="x">inline</span>, <br/>, <!-- a comment -->, <abbr title="t">T</abbr>, a < b > c.

Entities: &amp; &copy; &#169; &#xA9; &notanentity; & alone, AT&T, 4 < 5 & 6 > 3.

Hard  
line break, and a trailing backslash\\
next line.

Text with the marker [TOC] inline.

[TOC]

!!! note "A note"
    Admonition *body* with a [link](a.md).

!!! warning
    Second admonition.

| Week | Sets | *Reps* |
|:-----|:----:|-------:|
| 1 | `3|4` | 5 \\| 6 |
| 2 | 4 | [x](x.md) |

```python
def f(x):  # *not em* [not](link) &amp;
    return x**2
```

~~~ {.text #log}
plain <b>fence</b>
~~~

    indented code with *stars*

1. first
2. second
    * nested _em_
    * nested `code`

- item one
- item two

> quote with **strong**
> and a [link](q.md)

A paragraph {: .para-class }

Setext heading
==============

Another setext
--------------

### Deep _heading_ &amp; more

#### Too deep for the toc

[r1]: https://example.org/ref "Ref title"
[short ref]: short.md
"""

ATOMS = ["*", "**", "_", "__", "`", "``", "\\", "\\*", "\\`", "\\[", "[", "]", "(", ")", "!", "![", "[x](y.md)",
         "![i](p.png)", "[x][r]", "[r]", "<", ">", "<https://e.org/a?b=1&c=2>", "<me@e.org>", "<b>", "</b>",
         "<!-- c -->", "&amp;", "&", "&#91;", "&x", "  \n", "\n", " ", "in_word", "a*b*c", "{: .c }", "{: #i }",
         "[TOC]", "\x02", "\x0291\x03", "é", "|", ":", "#", "'", '"', "the ", "load ", "x"]
STARTS = ["", "", "# ", "## ", "### ", "- ", "1. ", "> ", "    ", '!!! note "T"\n    ', "| a | b |\n|---|---|\n| ",
          "Title\n===\n", "[r]: https://e.org/r\n", "```\n"]


# Whole lines that decide which block processor takes a block: headings, setext underlines,
# rules and near-rules, tables, admonitions, quotes, lists, code, raw HTML, references, attr lists.
LINES = ["# H", "## Heading *em*", "### Deep {: #x .c }", "#### four", "####### seven", "#no space", "\\# esc",
         "Title", "===", "---", "-", "- - -", "***", "* * *", "___", "_ _ _", "-  -  -", "-   -   -", "--", "  ---",
         "    ---", "push-up", "a - b", "| a | b |", "|---|:-:|", "| 1 | `x|y` |", "a | b", "--|--", "|x|", "| x",
         "x |", "|-", ":-|-:", "!!! note", '!!! warning "T"', '!!! tip ""', "!!!", "!!!tip", "!!! danger custom",
         "    indented body", "        deeper", "> quote", ">", "> > nested", "   > three", "    > code",
         ">no space", "a > b", "```", "```python", "~~~", "    code", "\tcode tab", "<div>", "</div>",
         "<!-- c -->", "<p>para</p>", "<script>x<y</script>", "<hr>", "<br/>", '<span a="1">s</span>',
         "&amp; &copy; & <", "<style>a>b</style>", "<?php x ?>", "1. one", "2. two", "* star", "+ plus", "- dash",
         "  - two sp", "    - four", "1) paren", "[r]: https://e.org", '[r]: <x.md> "t"', "[x]: y", "  [y]:",
         "[r]:", "a]: b", "[ref][r]", "[r]", "![i](p.png){: .w }", "text {: .c }", "{: #id }",
         '{: data-x="1" }', "word_with_under *em* **strong** `code`", "[TOC]", "plain prose", "trailing \\",
         "", "", "", "  ", "x*y*z", '<a href="x.md">l</a>', "&#169;"]


def stock() -> markdown.Markdown:
    return markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html")


@pytest.fixture(scope="module")
def reference() -> markdown.Markdown:
    return stock()


def assert_same(reference: markdown.Markdown, text: str) -> None:
    reference.reset()
    expected_html = reference.convert(text)
    rendered = html_body(text)
    assert rendered.html == expected_html, text
    assert MARKDOWN.instance().toc_tokens == reference.toc_tokens, text
    assert [(h.level, h.id) for h in rendered.headings] == [(t["level"], t["id"]) for t in flat(reference.toc_tokens)]


def flat(tokens: list[dict]) -> list[dict]:
    return [x for t in tokens for x in [t, *flat(t["children"])]]


def texts_and_bodies(paths: list[Path]) -> list[str]:
    """Each file whole, and its body after the front matter's closing fence."""
    out = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        out.append(text)
        if text.startswith("---\n") and "\n---\n" in text[4:]:
            out.append(text[4:].split("\n---\n", 1)[1])
    return out


def random_doc(rng: random.Random) -> str:
    blocks = []
    for _ in range(rng.randint(1, 6)):
        start = rng.choice(STARTS)
        body = "".join(rng.choice(ATOMS) for _ in range(rng.randint(0, 16)))
        blocks.append(start + body + ("\n```" if start.startswith("```") else ""))
    return rng.choice(["\n\n", "\n"]).join(blocks)


def line_doc(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(1, 20)):
        line = rng.choice(LINES)
        if rng.random() < 0.3:
            line += " " + rng.choice(LINES)
        if rng.random() < 0.15:
            line = rng.choice(["  ", "    ", "        "]) + line
        lines.append(line)
    return "\n".join(lines)


def test_the_speed_ups_are_in_place() -> None:
    """Otherwise every comparison below would hold trivially, stock against stock."""
    if tuple(markdown.__version_info__[:2]) not in CHECKED_VERSIONS:
        pytest.skip(f"Python-Markdown {markdown.__version__} is not a checked version: the instance stays stock")
    inline = vars(MARKDOWN.instance().treeprocessors["inline"])
    assert "_InlineProcessor__handleInline" in inline
    assert "is_block_level" in vars(MARKDOWN.instance())
    parser = MARKDOWN.instance().parser
    assert "parseBlocks" in vars(parser)
    assert "test" in vars(parser.blockprocessors["admonition"])
    skippable = {name for name in ("table", "hashheader", "setextheader", "hr", "quote", "reference")
                 if block_needles(parser.blockprocessors[name]) is not None}
    assert skippable == {"table", "hashheader", "setextheader", "hr", "quote", "reference"}
    assert MARKDOWN.instance().serializer is not to_html_string
    assert "run" in vars(MARKDOWN.instance().postprocessors["raw_html"])
    assert "run" in vars(MARKDOWN.instance().treeprocessors["attr_list"])


def test_an_unchecked_version_leaves_the_instance_stock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(markdown, "__version_info__", (99, 0, 0, "final", 0))
    md = stock()
    before = {name: dict(vars(md.treeprocessors[name])) for name in ("inline", "toc", "unescape")}
    blocks = [dict(vars(proc)) for proc in md.parser.blockprocessors]
    assert speed_up(md) is md
    assert "is_block_level" not in vars(md)
    assert {name: dict(vars(md.treeprocessors[name])) for name in before} == before
    assert [dict(vars(proc)) for proc in md.parser.blockprocessors] == blocks
    assert "parseBlocks" not in vars(md.parser)
    assert md.serializer is to_html_string
    assert "run" not in vars(md.postprocessors["raw_html"])


def test_tricky_sample_matches_stock(reference: markdown.Markdown) -> None:
    assert_same(reference, TRICKY)
    assert 'id="set-up_1"' in html_body(TRICKY).html  # the sample really has duplicate headings


def test_example_content_and_fixtures_match_stock(reference: markdown.Markdown) -> None:
    paths = sorted((REPO / "content").rglob("*.md")) + sorted((REPO / "tests" / "fixtures").rglob("*.md"))
    assert paths
    for text in texts_and_bodies(paths):
        assert_same(reference, text)


def test_generated_corpus_matches_stock(reference: markdown.Markdown, tmp_path: Path) -> None:
    site = corpus().generate(tmp_path / "site", 60)
    texts = texts_and_bodies(sorted((site / "content").rglob("*.md")))
    assert len(texts) >= 120
    for text in texts:
        assert_same(reference, text)


def test_random_documents_match_stock(reference: markdown.Markdown) -> None:
    rng = random.Random(20260611)
    for _ in range(400):
        assert_same(reference, random_doc(rng))


def test_random_block_mixes_match_stock(reference: markdown.Markdown) -> None:
    """Blocks on the edge of each block processor's quick check: near-rules, stray pipes, ">" and
    "]:" mid-line, indented admonition bodies, setext underlines after lists..."""
    rng = random.Random(20261126)
    for _ in range(1500):
        assert_same(reference, line_doc(rng))


TAGS = ["p", "div", "br", "hr", "img", "BR", "script", "Style", "span", None, etree.Comment,
        etree.ProcessingInstruction, etree.QName("{urn:x}svg"), etree.QName("q")]
TEXTS = ["", None, "a", "a&b", "&amp;", "&#1;", "<x>", "x>y", AtomicString("<&>"), '"q"', "\n", "\x02"]
KEYS = ["class", "id", "open", "hidden", "title", "z"]
VALUES = ["open", "hidden", "x", 'a&b<c>"d"', 'say "hi"', "&amp;", None, "line\nbreak", ""]
ODD_KEY, ODD_VALUE = etree.QName("{urn:x}k"), etree.QName("v")  # rare: stock serializes them, the fast one defers


def random_tree(rng: random.Random, depth: int = 0) -> etree.Element:
    el = etree.Element(rng.choice(TAGS))
    el.text, el.tail = rng.choice(TEXTS), rng.choice(TEXTS)
    for _ in range(rng.choice([0, 0, 1, 3])):
        key = rng.choice(KEYS) if rng.random() < 0.95 else ODD_KEY
        el.set(key, rng.choice(VALUES) if rng.random() < 0.95 else ODD_VALUE)
    for _ in range(rng.randint(0, 3) if depth < 4 else 0):
        el.append(random_tree(rng, depth + 1))
    return el


def serialized(serializer: Callable[[etree.Element], str], tree: etree.Element) -> tuple[str, object]:
    try:
        return "ok", serializer(tree)
    except Exception as error:  # stock's own errors must come out of the fast serializer too
        return "error", type(error)


def test_the_serializer_matches_stock_on_random_trees() -> None:
    rng = random.Random(7)
    fast = MARKDOWN.instance().serializer
    outcomes = set()
    for _ in range(3000):
        tree = random_tree(rng)
        expected = serialized(to_html_string, tree)
        assert serialized(fast, tree) == expected, to_html_string(tree) if expected[0] == "ok" else tree
        outcomes.add(expected[0])
    assert outcomes == {"ok", "error"}


class Hiding(etree.Element):
    """An element iterating differently from its indexing, which stock's serializer uses."""

    def __iter__(self):
        return iter(())


def test_the_serializer_matches_stock_on_odd_trees() -> None:
    fast = MARKDOWN.instance().serializer
    deep = root = etree.Element("div")
    for _ in range(sys.getrecursionlimit() + 10):  # too deep to recurse: stock's loop must answer
        deep = etree.SubElement(deep, "blockquote", {"class": "q"})
        deep.text = "a < b"
    bad_text = etree.Element("p")
    bad_text.text = 5  # type: ignore[assignment]  # stock raises; so must the fast one
    bad_tail = etree.Element("p")
    etree.SubElement(bad_tail, "em").tail = 5  # type: ignore[assignment]
    odd_child = etree.Element("ul")
    odd_child.append(Hiding("li"))
    odd_child[0].append(etree.Element("p"))
    for tree in (root, bad_text, bad_tail, odd_child, etree.Comment(None), etree.Comment("a<b"),
                 etree.ProcessingInstruction("x", "a&b")):
        assert serialized(fast, tree) == serialized(to_html_string, tree)


def test_a_pending_admonition_sibling_is_honoured() -> None:
    """Left over from an aborted conversion, it makes stock's test take any block."""
    plain, quick = stock(), speed_up(stock())
    for md in (plain, quick):
        md.parser.blockprocessors["admonition"].current_sibling = etree.Element("div")
    answers = [md.parser.blockprocessors["admonition"].test(etree.Element("div"), "plain") for md in (plain, quick)]
    assert answers == [True, True]


def test_raw_html_without_a_stash_returns_its_text_itself() -> None:
    """Stock returns the very object when nothing is stashed, a plain str copy otherwise."""
    plain, quick = stock(), speed_up(stock())
    for stashed in (False, True):
        outcomes = []
        for md in (plain, quick):
            md.reset()
            if stashed:
                md.htmlStash.store("<b>x</b>")
            text = AtomicString("no placeholder")
            out = md.postprocessors["raw_html"].run(text)
            outcomes.append((out, type(out), out is text))
        assert outcomes[0] == outcomes[1]
