"""The progression checker: every rule on a small broken site, the command's output and exit
codes, a failed build leaving output/ alone, and the heading scanner held to the ids that
Python-Markdown gives the same headings."""

from __future__ import annotations

import html
import json
import os
import pty
import random
import re
from pathlib import Path

import pytest
from conftest import REPO, write_page

from sitegen.check import rules
from sitegen.check.checker import check
from sitegen.check.headings import find_headings
from sitegen.cli import main
from sitegen.config import load_settings
from sitegen.content.frontmatter import FrontMatter
from sitegen.content.graph import Graph
from sitegen.content.loader import load_text
from sitegen.content.model import Movement
from sitegen.content.schema import make_ref
from sitegen.diagnostics import sort_key
from sitegen.render.markdown import MarkdownEngine

MARKDOWN = MarkdownEngine()  # one for the whole file, as a build keeps one
html_body = MARKDOWN.html_body

FIXTURES = Path(__file__).parent / "fixtures" / "checks"
E, W = "error", "warning"


def diagnostics(name: str, drafts: bool = False) -> list:
    return sorted(check(load_settings(FIXTURES / name), drafts=drafts).diagnostics, key=sort_key)


def found(name: str, drafts: bool = False) -> list[tuple]:
    return [(d.file, d.line, d.column, d.code, d.severity) for d in diagnostics(name, drafts)]


def messages(name: str) -> list[str]:
    return [d.format() for d in diagnostics(name)]


# Every fixture is a whole small site: the lists are complete, so a rule that fires where it
# should not fails the test as surely as one that stays quiet.
EXPECTED = {
    "link-missing-file": [
        ("content/guides/hinge.md", 8, 5, "LINK001", E),
        ("content/guides/hinge.md", 11, 58, "LINK001", E),
    ],
    "link-near-miss": [
        ("content/drills/dowel-hip-hinge.md", 5, 7, "LINK001", E),
        ("content/guides/learn.md", 6, 5, "LINK001", E),
    ],
    "link-missing-anchor": [
        ("content/drills/a.md", 10, 7, "LINK002", E),
        ("content/drills/a.md", 10, 29, "LINK002", E),
        ("content/drills/b.md", 14, 6, "LINK002", E),
    ],
    "link-missing-image": [
        ("content/guides/g.md", 4, 8, "LINK003", E),
        ("content/guides/g.md", 10, 3, "LINK003", E),
        ("content/guides/g.md", 11, 3, "LINK003", E),
    ],
    "link-outside": [
        ("content/exercises/x.md", 4, 13, "LINK005", E),
        ("content/guides/g.md", 9, 6, "LINK005", E),
        ("content/guides/g.md", 9, 41, "LINK004", E),
    ],
    # The page that fails to load is reported once, by the loader; links to it are not broken.
    "failed-page": [("content/drills/broken.md", 4, 1, "FM001", E)],
    "types": [
        ("content/drills/a.md", 5, 7, "TYPE001", E),
        ("content/drills/b.md", 5, 5, "TYPE001", E),
        ("content/drills/b.md", 6, 13, "TYPE001", E),
        ("content/guides/g.md", 6, 5, "TYPE001", E),
        ("content/guides/g.md", 9, 5, "TYPE001", E),
    ],
    "future": [
        ("content/drills/a.md", 6, 7, "DATE001", E),
        ("content/guides/g.md", 9, 15, "DATE001", E),
    ],
    "drafts": [
        ("content/drills/a.md", 5, 7, "TYPE002", E),
        ("content/drills/a.md", 8, 22, "TYPE002", E),
    ],
    "cycle": [
        ("content/drills/a.md", 5, 7, "CYCLE001", E),
        ("content/drills/solo.md", 6, 5, "CYCLE001", E),
    ],
    "directions": [
        ("content/drills/a.md", 8, 5, "DIR001", E),
        ("content/drills/b.md", 6, 13, "DIR002", E),
    ],
    "mastery": [
        ("content/drills/a.md", 5, 1, "MASTERY001", E),
        ("content/drills/b.md", 2, 1, "MASTERY001", E),
    ],
    "level": [
        ("content/drills/a.md", 6, 7, "LEVEL001", W),
        ("content/drills/c.md", 6, 5, "LEVEL001", W),
    ],
    "guide-order": [
        ("content/guides/g.md", 6, 5, "ORDER001", E),
        ("content/guides/g.md", 7, 5, "ORDER001", E),
    ],
    "orphan": [
        ("content/drills/lonelier.md", 2, 7, "ORPHAN001", W),
        ("content/drills/lonely.md", 2, 7, "ORPHAN001", W),
    ],
    "unique": [
        ("content/drills/other.md", 4, 7, "UNIQ001", E),
        ("content/exercises/hinge.md", 2, 1, "UNIQ001", E),
        ("content/guides/g.md", 14, 4, "UNIQ003", W),
        ("content/guides/g.md", 16, 4, "UNIQ003", W),
        ("content/tags.md", 2, 1, "UNIQ002", E),
    ],
    # Links in FAQ answers (Markdown in the front matter) follow the body's rules, each at its place
    # in its answer: on one line, in quotes, in a literal block; in a folded answer, at its first line.
    "faq-links": [
        ("content/guides/g.md", 7, 65, "LINK001", E),
        ("content/guides/g.md", 9, 15, "LINK001", E),
        ("content/guides/g.md", 13, 46, "LINK002", E),
        ("content/guides/g.md", 15, 57, "MEDIA002", E),
        ("content/guides/g.md", 18, 7, "LINK001", E),
    ],
    "media": [
        ("content/drills/a.md", 4, 8, "MEDIA001", W),
        ("content/drills/a.md", 5, 8, "MEDIA002", E),
        ("content/drills/a.md", 8, 3, "MEDIA001", W),
        ("content/drills/a.md", 8, 34, "MEDIA001", W),
        ("content/drills/a.md", 10, 9, "MEDIA002", E),
        ("content/drills/a.md", 10, 40, "MEDIA002", E),
        ("content/guides/g.md", 8, 5, "MEDIA002", E),
    ],
    "lists": [
        ("content/push-up.md", 8, 9, "LIST001", W),
        ("content/push-up.md", 18, 5, "LIST001", W),
        ("content/push-up.md", 19, 3, "LIST001", W),
        ("content/push-up.md", 24, 4, "LIST001", W),
    ],
}


@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_each_broken_site_reports_exactly_its_problems(fixture: str) -> None:
    assert found(fixture) == EXPECTED[fixture]


def test_every_code_has_a_fixture_and_a_fixed_severity() -> None:
    tested = {(code, severity) for rows in EXPECTED.values() for *_where, code, severity in rows}
    assert {code for code, _ in tested} >= set(rules.SEVERITY)
    assert all(rules.SEVERITY.get(code, severity) == severity for code, severity in tested)
    assert len(set(os.listdir(FIXTURES))) == len(EXPECTED)


def test_every_code_is_documented_with_a_failing_example_and_its_fix() -> None:
    text = (REPO / "docs" / "checks.md").read_text(encoding="utf-8")
    sections = re.split(r"^### ", text, flags=re.MULTILINE)[1:]
    documented = {section.split()[0]: section for section in sections}
    assert set(rules.SEVERITY) <= set(documented)
    for code in rules.SEVERITY:
        assert rules.SEVERITY[code] in documented[code].split("\n", 1)[0]
        assert documented[code].count("```") >= 4, f"{code} needs a failing example and a fixed one"


def merged_items(body: str) -> set[int]:
    """The lines (1-based) of `body` that look like list items but that Python-Markdown renders as
    text; each item's text is a word of its own, `w<line>z`."""
    rendered = re.sub(r"<pre>.*?</pre>", "", MarkdownEngine().html_body(body).html, flags=re.DOTALL)
    merged = set()
    for number, line in enumerate(body.split("\n"), 1):
        item = re.match(r"\s*([*+-]|\d+\.) +(\S+)", line)
        if item and re.search(re.escape(html.escape(item.group(1))) + r"\s+" + re.escape(item.group(2)), rendered):
            merged.add(number)
    return merged


def list_warnings(body: str) -> set[int]:
    page = load_text(("---\ntype: page\ntitle: T\n---\n" + body).encode(), "p.md", "content/p.md")[0]
    return {d.line - page.body_line + 1 for d in rules.list_items(rules.CheckContext(None, None), page)}


def test_a_list_item_markdown_reads_as_text_is_warned_and_nested_lists_are_not() -> None:
    body = (FIXTURES / "lists" / "content" / "push-up.md").read_text(encoding="utf-8").split("---\n", 2)[2]
    prose = body.split("\n").index("- Unindented under a paragraph it joins the text too, but could be prose.") + 1
    assert list_warnings(body) == merged_items(body) - {prose} == {4, 14, 15, 20}
    assert messages("lists")[0].endswith("indent it by 4 spaces to nest it under that item, or start it at the margin")


def test_list_warnings_agree_with_what_markdown_renders() -> None:
    """Random runs of items, text and headings, indented 0 to 12 spaces: warned exactly where
    Python-Markdown reads an item as text, but at the margin of a paragraph (which may be prose)."""
    rng = random.Random(17)
    warned = 0
    for _ in range(2000):
        marker = rng.choice(["- ", "* ", "1. "])
        lines = [("" if kind == "## " else " " * rng.choice([0, 0, 1, 2, 3, 4, 4, 5, 6, 8, 8, 9, 12])) + kind + f"w{i}z"
                 for i, kind in enumerate(rng.choice([marker, marker, "text ", "## "]) for _ in range(rng.randint(1, 6)))]
        body = "\n".join(lines)
        found = list_warnings(body)
        at_margin = {n for n in merged_items(body) if not lines[n - 1].startswith(" ")}
        assert found == merged_items(body) - at_margin, body
        warned += len(found)
    assert warned > 400


def test_list_warnings_agree_with_markdown_when_numbered_and_bulleted_items_mix() -> None:
    """Items only, of either kind, indented 0 to 12 spaces: an item of the other kind at an open
    level is text of the item above (sane_lists), and is warned exactly where Markdown merges it."""
    rng = random.Random(29)
    warned = 0
    for _ in range(2000):
        lines = [" " * rng.choice([0, 0, 1, 2, 3, 4, 4, 5, 6, 8, 9, 12]) + rng.choice(["- ", "* ", "1. "]) + f"w{i}z"
                 for i in range(rng.randint(2, 6))]
        body = "\n".join(lines)
        assert list_warnings(body) == merged_items(body), body
        warned += len(merged_items(body))
    assert warned > 1000


def test_a_near_miss_suggests_the_path_as_written_from_the_referring_file() -> None:
    assert messages("link-near-miss") == [
        "content/drills/dowel-hip-hinge.md:5:7: error[LINK001]: next: 'bodyweight-rld.md' does not exist; "
        "did you mean 'bodyweight-rdl.md'?",
        "content/guides/learn.md:6:5: error[LINK001]: drills: '../drill/bodyweight-rdl.md' does not exist; "
        "did you mean '../drills/bodyweight-rdl.md'?",
    ]


def test_missing_files_without_a_close_match_say_where_paths_start() -> None:
    hints = [d.hint for d in diagnostics("link-missing-file")]
    assert hints == ["fix the path; it is relative to content/guides/"] * 2


def test_anchor_messages_suggest_the_closest_heading_or_list_them() -> None:
    first, second, third = diagnostics("link-missing-anchor")
    assert (first.message, first.hint) == ("link '#setup': there is no heading '#setup' in this page",
                                           "did you mean '#set-up'?")
    assert second.message == "link 'b.md#cues': there is no heading '#cues' in content/drills/b.md"
    assert second.hint == "its anchors are: #coaching-cues, #set-up"
    assert "#not-a-heading" in third.message  # a heading inside a code block is no heading


def test_image_and_outside_messages() -> None:
    hints = [d.hint for d in diagnostics("link-missing-image")]
    assert hints[2] == "did you mean '../images/fig.svg'?"
    absolute = diagnostics("link-outside")[2]
    assert absolute.hint == "write it relative to this file: '../exercises/y.md'"


def test_a_link_in_an_faq_answer_is_named_as_one() -> None:
    first, *_rest, folded = messages("faq-links")
    assert first == ("content/guides/g.md:7:65: error[LINK001]: link '../notes.md' in an FAQ answer does not exist; "
                     "fix the path; it is relative to content/guides/")
    assert folded.startswith("content/guides/g.md:18:7: error[LINK001]: link '../drills/c.md' in an FAQ answer")


def test_valid_links_in_faq_answers_pass_and_render_as_body_links_do(example_site: Path) -> None:
    from sitegen.build.builder import build
    from sitegen.report import NullReporter

    guide = example_site / "content/guides/learn-the-hip-hinge.md"
    text = guide.read_text(encoding="utf-8")
    link = "[the Romanian deadlift](../drills/bodyweight-rdl.md#why-it-matters)"
    guide.write_text(text.replace("a: Little and often.", f"a: Little and often, as in {link}.")
                     .replace("## What is a hip hinge?", f"## What is a hip hinge?\n\nSee {link}."), encoding="utf-8")
    settings = load_settings(example_site).with_base_url("https://example.org/coach/")
    assert check(settings).diagnostics == []
    build(settings, cards=False, reporter=NullReporter())
    page = (example_site / "output/guides/learn-the-hip-hinge/index.html").read_text(encoding="utf-8")
    href = '<a href="/coach/drills/bodyweight-rdl/#why-it-matters">the Romanian deadlift</a>'
    answer = re.search(r'<section class="faq".*?</section>', page, re.S).group(0)
    assert href in answer and page.count(href) == 2  # the answer's link, as the body's
    lines = text.replace("a: Little and often.", "a: Little and often, as in [this](../drills/nope.md).").split("\n")
    guide.write_text("\n".join(lines), encoding="utf-8")
    [broken] = check(settings).diagnostics
    line = next(i for i, written in enumerate(lines, 1) if "[this]" in written)
    where = (broken.file, broken.line, broken.column, broken.code)
    assert where == ("content/guides/learn-the-hip-hinge.md", line, lines[line - 1].index("[this]") + 2, "LINK001")


def test_a_cycle_is_reported_whole_at_its_first_edge() -> None:
    loop, solo = diagnostics("cycle")
    assert loop.message == ("next: 'b.md' is part of a loop: "
                            "drills/a.md → drills/b.md → drills/c.md → drills/a.md")
    assert solo.message == "prerequisites: 'solo.md' is part of a loop: drills/solo.md → drills/solo.md"


def test_drafts_are_errors_only_when_drafts_stay_unpublished() -> None:
    assert found("drafts", drafts=True) == []


def test_the_missing_side_of_a_progression_link_is_inferred() -> None:
    site = check(load_settings(FIXTURES / "directions")).site
    graph = site.graph
    c, d = graph.pages["drills/c.md"], graph.pages["drills/d.md"]
    assert graph.next_of(c) == [d]  # only d's prerequisites name c
    assert graph.prerequisites_of(d) == [c]
    a, b = graph.pages["drills/a.md"], graph.pages["drills/b.md"]
    assert graph.next_of(a) == [b] and graph.next_of(b) == [graph.pages["drills/c.md"]]
    assert [ref.raw for _page, ref in graph.contradictions] == ["b.md"]


def _chain(n: int, back_to_start: bool) -> Graph:
    pages = []
    for i in range(n):
        nxt = (i + 1) % n if back_to_start or i + 1 < n else None
        refs = [make_ref(f"p{nxt}.md", f"p{i}.md", "next", 2, 7)] if nxt is not None else []
        pages.append(Movement(source=f"p{i}.md", file=f"content/p{i}.md", front=FrontMatter({}), body="",
                              body_line=4, type="drill", title=f"P{i}", slug=f"p{i}", next=refs))
    return Graph(pages)


def test_cycle_detection_survives_a_ten_thousand_page_chain() -> None:
    assert _chain(10_000, back_to_start=False).cycles() == []
    (cycle,) = _chain(10_000, back_to_start=True).cycles()
    assert len(cycle) == 10_001 and cycle[0] == cycle[-1] == "p0.md" and cycle[1] == "p1.md"


# --- the command ---------------------------------------------------------------------------------


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_example_site_checks_clean(capsys) -> None:
    code, out, _err = run_cli(capsys, "-C", str(REPO), "check")
    assert code == 0
    assert re.fullmatch(r"0 errors, 0 warnings in \d+ pages\n", out)


def test_text_output_is_one_line_each_sorted_by_file_then_line_with_a_summary(capsys) -> None:
    code, out, _err = run_cli(capsys, "-C", str(FIXTURES / "types"), "check")
    lines = out.splitlines()
    assert code == 1
    assert lines[:-1] == messages("types")
    assert [ln.split(":")[:2] for ln in lines[:-1]] == [
        ["content/drills/a.md", "5"], ["content/drills/b.md", "5"], ["content/drills/b.md", "6"],
        ["content/guides/g.md", "6"], ["content/guides/g.md", "9"]]
    assert lines[-1] == "5 errors, 0 warnings in 5 pages"
    assert "\033[" not in out  # colour only on a terminal


def test_json_output_is_an_array_and_nothing_else(capsys) -> None:
    code, out, _err = run_cli(capsys, "-C", str(FIXTURES / "unique"), "check", "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert [(d["file"], d["line"], d["column"], d["code"], d["severity"]) for d in data] == EXPECTED["unique"]
    assert all(list(d) == ["file", "line", "column", "severity", "code", "message", "hint"] for d in data)
    assert data[0]["message"] == "slug 'hinge' is already used by content/drills/hinge.md"


def test_warnings_pass_unless_strict(capsys) -> None:
    code, out, _err = run_cli(capsys, "-C", str(FIXTURES / "orphan"), "check")
    assert (code, out.splitlines()[-1]) == (0, "0 errors, 2 warnings in 8 pages")
    code, out, _err = run_cli(capsys, "-C", str(FIXTURES / "orphan"), "check", "--strict")
    assert (code, out.splitlines()[-1]) == (1, "2 errors, 0 warnings in 8 pages")


def test_a_missing_site_folder_is_a_usage_error(capsys, tmp_path: Path) -> None:
    code, out, err = run_cli(capsys, "-C", str(tmp_path / "nowhere"), "check", "--format", "json")
    assert (code, out) == (2, "")
    assert "no such folder" in err


def test_colour_on_a_terminal(monkeypatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    leader, follower = pty.openpty()
    with open(follower, "w", encoding="utf-8") as terminal:
        monkeypatch.setattr("sys.stdout", terminal)
        code = main(["-C", str(FIXTURES / "level"), "check"])
    shown = os.read(leader, 65536).decode()
    os.close(leader)
    assert code == 0
    assert "\033[1;33mwarning\033[0m[LEVEL001]" in shown


def test_a_build_that_fails_the_check_leaves_the_previous_output_byte_identical(example_site: Path, capsys) -> None:
    assert main(["-C", str(example_site), "build", "--no-cards"]) == 0
    output = example_site / "output"
    before = {p.relative_to(output): p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file()}
    assert len(before) > 10
    dowel = example_site / "content" / "drills" / "dowel-hip-hinge.md"
    text = dowel.read_text(encoding="utf-8").replace("next: bodyweight-rdl.md", "next: bodyweight-rld.md")
    dowel.write_text(text, encoding="utf-8")
    line = text.splitlines().index("next: bodyweight-rld.md") + 1
    capsys.readouterr()
    assert main(["-C", str(example_site), "build", "--no-cards"]) == 1
    err = capsys.readouterr().err
    assert (f"content/drills/dowel-hip-hinge.md:{line}:7: error[LINK001]: next: 'bodyweight-rld.md' does not exist; "
            "did you mean 'bodyweight-rdl.md'?") in err
    after = {p.relative_to(output): p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file()}
    assert after == before


def test_a_new_broken_link_in_a_copy_of_the_example_is_found(example_site: Path, capsys) -> None:
    write_page(example_site, "about.md", """
        ---
        type: page
        title: About
        ---

        Read [the guide](guides/learn-the-hip-hinge.md#the-three-drill) first.
        """)
    code, out, _err = run_cli(capsys, "-C", str(example_site), "check")
    assert code == 1
    assert out.splitlines()[0] == ("content/about.md:6:7: error[LINK002]: link "
                                   "'guides/learn-the-hip-hinge.md#the-three-drill': there is no heading "
                                   "'#the-three-drill' in content/guides/learn-the-hip-hinge.md; "
                                   "did you mean '#the-three-drills'?")


# --- headings: the check reads the ids the build will give, without rendering ----------------------

TRICKY = """\
# Title

## Set-up

Some text, then a heading right under it:
## Set-up

## Set-up_1

## Café & crème brûlée — “quoted” (part 2)!

## Straße, naïve, Ærø and 日本語

## `snake_case` code, *emphasis*, __strong__ and snake_case_words

## [A link](other.md) with ![an image](x.png) and <span class="x">raw HTML</span>

## Q&amp;A &copy; AT&T: 5 < 6 #

## C# and F# ##

## Custom id {#my-id}

## my-id

## Label {: .wide #labelled data-toc-label="Short" }

### !!!

### ???

Setext heading
--------------

Another, level one
==================

```
## Not a heading (fenced)
```

    ## Not a heading (indented code)

> ## In a quote

- ## In a list item

!!! note "Careful"
    ## In an admonition

| Sets | Reps |
|------|------|
| 2    | 8    |
## A table row, not a heading

#### Deep ##
"""


def rendered_ids(body: str) -> list[tuple[int, str]]:
    out = html_body(body).html
    return [(int(level), html.unescape(id_)) for level, id_ in re.findall(r'<h([1-6])[^>]*\bid="([^"]*)"', out)]


def example_bodies() -> list[tuple[str, str]]:
    bodies = []
    for path in sorted((REPO / "content").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        bodies.append((path.name, text.split("\n---\n", 1)[1]))
    return bodies


@pytest.mark.parametrize("name, body", [("tricky", TRICKY), *example_bodies()])
def test_find_headings_gives_the_ids_markdown_renders(name: str, body: str) -> None:
    headings = find_headings(body, 1)
    assert [(h.level, h.id) for h in headings] == rendered_ids(body)
    in_toc = [(h.id, h.name) for h in headings if 2 <= h.level <= 3]
    assert in_toc == [(h.id, h.name) for h in html_body(body).headings]


def test_the_scanner_is_trusted_with_the_markdown_versions_it_was_checked_against() -> None:
    import markdown

    from sitegen.check import headings

    headings.scanner_checked.cache_clear()
    assert headings.scanner_checked() == (tuple(markdown.__version_info__[:2]) in headings.CHECKED_VERSIONS)
    assert headings.scanner_checked(), "the installed Markdown is not one pyproject.toml allows"


@pytest.fixture
def unchecked_markdown(monkeypatch: pytest.MonkeyPatch):
    """An installed Python-Markdown the scanner was not checked against."""
    from sitegen.check import headings

    monkeypatch.setattr(headings, "CHECKED_VERSIONS", set())
    headings.scanner_checked.cache_clear()
    yield
    monkeypatch.undo()
    headings.scanner_checked.cache_clear()


def test_with_an_unchecked_markdown_the_ids_come_from_markdown_itself(unchecked_markdown, monkeypatch) -> None:
    """Were a Markdown release to change its ids, the scanner's would be wrong: a scanner that
    slugs otherwise must not change what the check reads, and positions still come from it."""
    from sitegen.check import headings

    monkeypatch.setattr(headings, "toc_slugify", lambda text: "wrong")
    got = find_headings(TRICKY, 1)
    assert [(h.level, h.id) for h in got] == rendered_ids(TRICKY)
    assert got[1].line > 1 and got[1].column > 1
    body = "Intro.\n\nA paragraph with an id.\n{: #para }\n\n## Set-up\n"
    assert {"para", "set-up"} <= headings.element_ids(body)


def test_the_tricky_sample_covers_what_it_claims() -> None:
    ids = [h.id for h in find_headings(TRICKY, 1)]
    assert ids[1:4] == ["set-up", "set-up_1", "set-up_2"]  # duplicates, and a clash with a literal _1
    assert "cafe-creme-brulee-quoted-part-2" in ids and "strae-naive-r-and" in ids
    assert "my-id" in ids and "my-id_1" in ids and "labelled" in ids
    assert "_1" in ids and "_2" in ids  # punctuation-only headings
    assert not any("not-a-heading" in i or "table-row" in i for i in ids)
    assert {"in-a-quote", "in-a-list-item", "in-an-admonition"} <= set(ids)


def test_find_headings_reports_file_positions() -> None:
    body = "Intro.\n\n## Set-up ##\n\n  Title here\n---\n\n> ## Quoted {#q}\n"
    got = [(h.id, h.line, h.column, h.wanted) for h in find_headings(body, 10)]
    assert got == [("set-up", 12, 4, "set-up"), ("title-here", 14, 3, "title-here"), ("q", 17, 6, "q")]
