"""The sped-up Markdown instance renders byte-identical HTML and toc to stock Python-Markdown."""

from __future__ import annotations

import random
from pathlib import Path

import markdown
import pytest
from conftest import REPO
from test_benchmarks import corpus

from sitegen.markdown import EXTENSION_CONFIGS, EXTENSIONS, _instance, render
from sitegen.markdown_speed import CHECKED_VERSIONS, speed_up

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


def stock() -> markdown.Markdown:
    return markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html")


@pytest.fixture(scope="module")
def reference() -> markdown.Markdown:
    return stock()


def assert_same(reference: markdown.Markdown, text: str) -> None:
    reference.reset()
    expected_html = reference.convert(text)
    rendered = render(text)
    assert rendered.html == expected_html, text
    assert _instance().toc_tokens == reference.toc_tokens, text
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


def test_the_speed_ups_are_in_place() -> None:
    """Otherwise every comparison below would hold trivially, stock against stock."""
    if tuple(markdown.__version_info__[:2]) not in CHECKED_VERSIONS:
        pytest.skip(f"Python-Markdown {markdown.__version__} is not a checked version: the instance stays stock")
    inline = vars(_instance().treeprocessors["inline"])
    assert "_InlineProcessor__handleInline" in inline
    assert "is_block_level" in vars(_instance())


def test_an_unchecked_version_leaves_the_instance_stock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(markdown, "__version_info__", (99, 0, 0, "final", 0))
    md = stock()
    before = {name: dict(vars(md.treeprocessors[name])) for name in ("inline", "toc", "unescape")}
    assert speed_up(md) is md
    assert "is_block_level" not in vars(md)
    assert {name: dict(vars(md.treeprocessors[name])) for name in before} == before


def test_tricky_sample_matches_stock(reference: markdown.Markdown) -> None:
    assert_same(reference, TRICKY)
    assert 'id="set-up_1"' in render(TRICKY).html  # the sample really has duplicate headings


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
