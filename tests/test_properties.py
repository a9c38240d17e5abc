"""Property tests (hypothesis): for any text, the reader, the model, the scanners, the rewriter
and slugs give a result or positioned diagnostics, never an exception. 2,000 examples each from a
fixed seed (conftest.py); `pytest --slow` tries 25,000."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from sitegen.check.headings import element_ids, find_headings
from sitegen.content import schema
from sitegen.content.body import find_links
from sitegen.content.frontmatter import FrontMatterError, split
from sitegen.content.limits import body_limits
from sitegen.content.loader import load_text
from sitegen.content.model import Page
from sitegen.diagnostics import Diagnostic
from sitegen.render.markdown import MarkdownEngine, rewrite_links

# Text made of the characters that mean something to YAML, Markdown and HTML, and of any other.
MEANINGFUL = "-:[]{}#&*!|>'\"%@`,?\n \t\\<>()=_~.0123456789abcxyz/"
texts = st.text(alphabet=st.sampled_from(MEANINGFUL), max_size=300) | st.text(max_size=200)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), texts,
                    st.dates().map(str), st.sampled_from(["drill", "guide", "exercise", "page", "../x.md", "a.md#b"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
                      max_leaves=12)


def positioned(diags: list[Diagnostic], text: str) -> bool:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 2
    return all(d.file == "content/p.md" and 1 <= d.line <= lines and d.column >= 1 and d.message for d in diags)


def read(data: bytes) -> tuple[Page | None, list[Diagnostic]]:
    return load_text(data, "guides/p.md", "content/p.md")


@given(st.binary(max_size=400) | texts.map(lambda t: ("---\n" + t).encode("utf-8", "surrogatepass")))
def test_the_reader_gives_a_page_or_positioned_diagnostics_for_any_bytes(data: bytes) -> None:
    page, diags = read(data)
    assert (page is None) == bool(diags)
    assert positioned(diags, data.decode("utf-8", "replace"))


@given(st.dictionaries(st.sampled_from(list(schema.KEYS) + ["titel", "1", "<<"]), values, max_size=8), texts)
def test_the_model_gives_a_page_or_positioned_diagnostics_for_any_front_matter(front: dict, body: str) -> None:
    import yaml

    text = "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n" + body
    try:
        split(text)
    except FrontMatterError as exc:
        assert exc.line >= 1 and exc.column >= 1
    page, diags = read(text.encode("utf-8", "surrogatepass"))
    assert (page is None) == bool(diags) and positioned(diags, text)
    if page is not None:
        assert page.title and schema.CONTROL.search(page.title) is None
        assert re.fullmatch(r"[\w][\w.-]*", page.slug) and len(page.slug.encode()) <= schema.MAX_SLUG_BYTES


ENGINE = MarkdownEngine()  # one configured instance for every example, as one build has


@given(texts)
def test_the_scanners_and_the_rewriter_take_any_body(body: str) -> None:
    if body_limits(body, 5, "content/p.md"):
        return  # refused before anything reads it
    lines = body.split("\n")
    for link in find_links(body, "guides/p.md", 5):
        assert 5 <= link.ref.line < 5 + len(lines) and 1 <= link.ref.column <= len(lines[link.ref.line - 5]) + 1
    for heading in find_headings(body, 5):
        assert 5 <= heading.line < 5 + len(lines)
    element_ids(body)
    html = ENGINE.html_body(body).html
    assert rewrite_links(html, "guides/p.md", lambda ref: None) == html  # nothing to rewrite to: as it was
    rewrite_links(html, "guides/p.md", lambda ref: f"/x/{ref.target}/")


@given(st.text(max_size=120))
def test_slugs_are_file_names_and_stable(name: str) -> None:
    slug = schema.slugify(name)
    assert slug == slug.lower() and re.fullmatch(r"[\w][\w.-]*", slug) and "/" not in slug
    assert schema.slugify(slug) == slug
    if len(slug.encode()) <= schema.MAX_SLUG_BYTES:
        assert schema.slug(slug, schema.RefContext("p.md", "slug", lambda *a: (1, 1))) == slug
