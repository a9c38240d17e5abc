"""Markdown: the configured renderer, the body-link scanner and `.md` link rewriting under base_url."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from conftest import write_page

from sitegen.check.checker import check
from sitegen.config import load_settings
from sitegen.content.body import find_links
from sitegen.render.markdown import MarkdownEngine, rewrite_links

MARKDOWN = MarkdownEngine()  # one for the whole file, as a build keeps one
html_body = MARKDOWN.html_body

GUIDE_BODY = """\
See the [dowel drill](../drills/a.md) first, then [its set-up](../drills/a.md#set-up).

![Step one](../images/a.svg "The first step")

The [renamed drill](../drills/c.md), a [file with a space](../drills/my%20drill.md) and a [reference][r].

<a href="../drills/b.md">raw HTML link</a> <img src="../images/a.svg" alt="raw">

[Elsewhere](https://other.example/x.md), [mail](mailto:coach@example.org), [here](#local),
[root page](../about.md), `[code](../drills/a.md)`.

[r]: ../drills/b.md

## Local
"""


def make_site(root: Path, base_url: str) -> Path:
    site = root / "site"
    (site / "sitegen.toml").parent.mkdir(parents=True)
    (site / "sitegen.toml").write_text(f'base_url = "{base_url}"\n')
    write_page(site, "guides/g.md", "---\ntype: guide\ntitle: G\n---\n" + GUIDE_BODY)
    write_page(site, "drills/a.md", "---\ntype: drill\ntitle: A\n---\n## Set-up\n")
    write_page(site, "drills/b.md", "---\ntype: drill\ntitle: B\n---\n")
    write_page(site, "drills/c.md", "---\ntype: drill\ntitle: C\nslug: custom-slug\n---\n")
    write_page(site, "drills/my drill.md", "---\ntype: drill\ntitle: Spaced\n---\n")
    write_page(site, "about.md", "---\ntype: page\ntitle: About\n---\nBack to [the guide](guides/g.md).\n")
    (site / "content" / "images").mkdir()
    (site / "content" / "images" / "a.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    return site


def body_html(site: Path, source: str) -> str:
    checked = check(load_settings(site))
    assert checked.diagnostics == []
    page = checked.site.graph.pages[source]
    return rewrite_links(html_body(page.body).html, page.source, checked.site.url_for_ref)


def attrs(html: str) -> list[str]:
    return re.findall(r'\b(?:href|src)="([^"]*)"', html)


@pytest.mark.parametrize("base_url, prefix", [
    ("https://example.org/", "/"),
    ("https://example.org/coach/", "/coach/"),
    ("https://example.org/coach/team", "/coach/team/"),
])
def test_md_links_and_images_become_site_urls(tmp_path: Path, base_url: str, prefix: str) -> None:
    html = body_html(make_site(tmp_path, base_url), "guides/g.md")
    assert attrs(html) == [
        f"{prefix}drills/a/",
        f"{prefix}drills/a/#set-up",
        f"{prefix}images/a.svg",
        f"{prefix}drills/custom-slug/",
        f"{prefix}drills/my-drill/",
        f"{prefix}drills/b/",
        f"{prefix}drills/b/",
        f"{prefix}images/a.svg",
        "https://other.example/x.md",
        "mailto:coach@example.org",
        "#local",
        f"{prefix}about/",
    ]
    assert 'title="The first step"' in html and 'alt="Step one"' in html
    assert "<code>[code](../drills/a.md)</code>" in html  # code is text, not a link


def test_links_from_a_top_level_page(tmp_path: Path) -> None:
    html = body_html(make_site(tmp_path, "https://example.org/coach/"), "about.md")
    assert attrs(html) == ["/coach/guides/g/"]


def test_rewrite_keeps_unknown_targets_and_escapes_new_urls() -> None:
    urls = {"drills/a.md": "/a?x=1&y=2"}
    html = '<a href="a.md">A</a><a href="gone.md">G</a><a href="#top">T</a><img src="b.png">'
    out = rewrite_links(html, "drills/x.md", lambda ref: urls.get(ref.target))
    assert out == '<a href="/a?x=1&amp;y=2">A</a><a href="gone.md">G</a><a href="#top">T</a><img src="b.png">'


def test_rewrite_reads_tags_as_browsers_do_and_the_checker_does() -> None:
    html = ('href="a.md"<a xhref="a.md" data-href="a.md" _src="a.md" srcset="a.md"'
            ' HREF="a.md" href=\'a.md\' href = "a.md" href="" src="&amp;a.md" href=a.md#s\u00a0src="a.md"'
            ' -src="a.md">src="a.md" <IMG SRC=a.md alt=x><video poster=\'a.md\'><a href=s.md>')
    urls = {"drills/a.md": "/a/", "drills/&a.md": "/&/", "drills/s.md": "/with space/"}
    out = rewrite_links(html, "drills/x.md", lambda ref: urls.get(ref.target))
    assert out == ('href="a.md"<a xhref="a.md" data-href="a.md" _src="a.md" srcset="/a/"'
                   ' HREF="/a/" href=\'/a/\' href = "/a/" href="" src="/&amp;/" href=/a/\u00a0src="/a/"'
                   ' -src="a.md">src="a.md" <IMG SRC=/a/ alt=x><video poster=\'/a/\'><a href=/with%20space/>')


RAW_FORMS = """\
<a href=../drills/a.md>unquoted</a> <a href='../drills/a.md#set-up'>single</a> <A HREF="../drills/c.md">upper</A>
<img src=../images/a.svg alt="unquoted"> <IMG SRC='../images/a.svg' ALT=upper>
<picture><source srcset="../images/a.svg 1x, ../images/a.svg 2x"><img src="../images/a.svg" alt=p></picture>
<video poster=../images/a.svg src=../images/a.svg></video> <a href=https://other.example/x.md>out</a> <a href=#local>here</a>
"""


def test_raw_html_urls_quoted_or_not_are_published_under_the_base_url_subpath(tmp_path: Path) -> None:
    from sitegen.build.builder import build
    from sitegen.report import NullReporter

    site = make_site(tmp_path, "https://example.org/coach/")
    write_page(site, "guides/raw.md", "---\ntype: guide\ntitle: Raw\n---\n" + RAW_FORMS + "\n## Local\n")
    build(load_settings(site), cards=False, reporter=NullReporter())  # checks it, and every reference in the output
    html = (site / "output" / "guides" / "raw" / "index.html").read_text(encoding="utf-8")
    for published in ("<a href=/coach/drills/a/>unquoted", "<a href='/coach/drills/a/#set-up'>single",
                      '<A HREF="/coach/drills/custom-slug/">upper', '<img src=/coach/images/a.svg alt="unquoted"',
                      "<IMG SRC='/coach/images/a.svg' ALT=upper>",
                      '<source srcset="/coach/images/a.svg 1x, /coach/images/a.svg 2x">',
                      "<video poster=/coach/images/a.svg src=/coach/images/a.svg>",
                      "<a href=https://other.example/x.md>out", "<a href=#local>here"):
        assert published in html, published
    assert "../" not in html.split("<main", 1)[1].split("</main>", 1)[0]


# Pieces of HTML around attribute names: quotes, entities, lookalike names, values that hold
# another attribute or tag.
PIECES = ["href", "src", "HREF", "Src", 'href="', 'src="', '="', "=", '"', "'", " ", "x", "_", "-", "1", "\u00e9",
          "\u0663", "\u00a0", "data-", "set", "<a ", "<img ", ">", "&amp;", "&quot;", "a.md", "#s", "ref", "rc",
          "https://e.org/"]


def test_the_rewriter_rewrites_exactly_the_urls_the_checker_reads() -> None:
    rng = random.Random(11)
    matched = 0
    for _ in range(20000):
        line = rng.choice(["<a ", "<img ", ""]) + "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 14)))
        asked: list[str] = []
        rewrite_links(line, "drills/x.md", lambda ref: asked.append(ref.raw))  # type: ignore[func-returns-value]
        checked = [link.ref.raw for link in find_links(line, "drills/x.md", 1)
                   if not link.ref.url and (link.ref.target != "drills/x.md" or link.ref.raw.split("#")[0])]
        assert asked == checked, line
        matched += len(asked)
    assert matched > 600


def test_rendering_extensions() -> None:
    text = """\
## Set-up {: .wide }

| Sets | Reps |
|------|------|
| 2    | 8    |

```python
x = "<b>"
```

!!! note "Safety"
    Start light.

### Step one
"""
    out = html_body(text)
    assert '<h2 class="wide" id="set-up">Set-up</h2>' in out.html
    assert "<table>" in out.html and "<td>8</td>" in out.html
    assert '<code class="language-python">x = &quot;&lt;b&gt;&quot;' in out.html
    assert '<div class="admonition note">' in out.html and '<p class="admonition-title">Safety</p>' in out.html
    assert [(h.level, h.id, h.name) for h in out.headings] == [(2, "set-up", "Set-up"), (3, "step-one", "Step one")]


def test_one_instance_is_reused_without_leaking_state() -> None:
    first = MARKDOWN.instance()
    assert html_body("## Alpha\n").headings[0].id == "alpha"
    # a fresh page starts with fresh heading ids, not "alpha_1"
    assert html_body("## Alpha\n").headings[0].id == "alpha"
    assert html_body("No headings.").headings == ()
    assert MARKDOWN.instance() is first


def test_find_links_gives_file_positions() -> None:
    body = GUIDE_BODY + "\n```\n[in a fence](../drills/a.md)\n```\n"
    lines = body.split("\n")
    first_line = 5  # the body starts on line 5 of the file
    found = find_links(body, "guides/g.md", first_line)

    def at(text: str, nth: int = 0) -> tuple[int, int]:
        """File position of the nth `text` in the body; "[x" gives the position of x."""
        skip = 1 if text.startswith("[") else 0
        for i, line in enumerate(lines):
            hits = [m.start() for m in re.finditer(re.escape(text), line)]
            if len(hits) > nth:
                return first_line + i, hits[nth] + 1 + skip
            nth -= len(hits)
        raise AssertionError(text)

    got = [(link.ref.line, link.ref.column, link.ref.target, link.ref.anchor, link.image, link.text) for link in found]
    assert got == [
        (*at("[dowel drill"), "drills/a.md", "", False, "dowel drill"),
        (*at("[its set-up"), "drills/a.md", "set-up", False, "its set-up"),
        (*at("[Step one"), "images/a.svg", "", True, "Step one"),
        (*at("[renamed drill"), "drills/c.md", "", False, "renamed drill"),
        (*at("[file with a space"), "drills/my drill.md", "", False, "file with a space"),
        (*at("../drills/b.md"), "drills/b.md", "", False, ""),
        (*at("../images/a.svg", 1), "images/a.svg", "", True, "raw"),
        (*at("[Elsewhere"), None, "", False, "Elsewhere"),
        (*at("[mail]"), None, "", False, "mail"),
        (*at("[here"), "guides/g.md", "local", False, "here"),
        (*at("[root page"), "about.md", "", False, "root page"),
        (*at("[r]: "), "drills/b.md", "", False, "r"),
    ]
    assert [link.ref.url for link in found].count(True) == 2
