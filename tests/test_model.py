"""The content model: every front-matter key accepted with a good value, refused with a bad one,
each refusal naming the file, line and column."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from conftest import write_page

from sitegen.config import load_settings
from sitegen.content import schema
from sitegen.content.loader import Content, load
from sitegen.content.model import Count, Fault, Guide, Movement, Page, Question, Ref, Variation
from sitegen.diagnostics import Diagnostic

FOLDER = {"guide": "guides", "drill": "drills", "exercise": "exercises", "page": "pages"}


def page_text(kind: str, snippet: str, key: str = "") -> str:
    """A page of type `kind` whose front matter ends with `snippet`: line 4 (line 3 for type/title)."""
    lines = ["---"]
    lines += [f"type: {kind}"] if key != "type" else []
    lines += ["title: T"] if key != "title" else []
    return "\n".join(lines + [snippet, "---", "", "Body.", ""])


def snippet_line(key: str) -> int:
    return 3 if key in ("type", "title") else 4


def load_site(site: Path, drafts: bool = False) -> Content:
    return load(load_settings(site), drafts=drafts)


def load_one(tmp_path: Path, kind: str, text: str) -> tuple[Page | None, list[Diagnostic], str]:
    rel = f"{FOLDER[kind]}/x.md"
    write_page(tmp_path / "site", rel, text)
    content = load_site(tmp_path / "site")
    return (content.pages or [None])[0], content.diagnostics, f"content/{rel}"


def plain(value: Any) -> Any:
    """References as their target (or URL), so tables of expected values stay readable."""
    if isinstance(value, Ref):
        return value.raw if value.url else value.target + (f"#{value.anchor}" if value.anchor else "")
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


# (key, page type, front-matter lines, expected value on the page)
GOOD = [
    ("type", "exercise", "type: exercise", "exercise"),
    ("title", "page", "title: '  Wall hinge: the basics '", "Wall hinge: the basics"),
    ("slug", "drill", "slug: wall-hinge_2.0", "wall-hinge_2.0"),
    ("date", "drill", "date: 2026-11-20", dt.date(2026, 11, 20)),
    ("updated", "guide", "updated: '2026-11-24'", dt.date(2026, 11, 24)),
    ("summary", "page", "summary: One line about it.", "One line about it."),
    ("tags", "guide", "tags: [hip-hinge, Beginner stuff]", ["hip-hinge", "Beginner stuff"]),
    ("draft", "page", "draft: false", False),
    ("image", "drill", "image: ../images/wall.svg", "images/wall.svg"),
    ("image_alt", "exercise", "image_alt: A figure at a wall", "A figure at a wall"),
    ("faq", "page", "faq:\n  - q: Where do I feel it?\n    a: In the **hamstrings**.",
     [Question("Where do I feel it?", "In the **hamstrings**.")]),
    ("level", "drill", "level: 5", 5),
    ("equipment", "exercise", "equipment: dowel", ["dowel"]),  # one text is a list of one
    ("muscles", "drill", "muscles:\n  - hamstrings\n  - glutes", ["hamstrings", "glutes"]),
    ("sets", "drill", "sets: 2-3", Count(2, 3)),
    ("reps", "exercise", "reps: 30s", Count(30, unit="s")),
    ("cues", "drill", "cues: [Hips back, 'Shins: still']", ["Hips back", "Shins: still"]),
    ("faults", "drill", "faults:\n  - fault: Knees bend\n    fix: Hips back", [Fault("Knees bend", "Hips back")]),
    ("mastery", "drill", "mastery: 8 clean reps", "8 clean reps"),
    ("next", "drill", "next: [b.md, ../exercises/c.md#how]", ["drills/b.md", "exercises/c.md#how"]),
    ("prerequisites", "exercise", "prerequisites:\n  - ../drills/a.md", ["drills/a.md"]),
    ("regression", "drill", "regression: a.md", "drills/a.md"),
    ("variations", "drill", "variations:\n  - title: Hands back\n    how: Palms up\n  - {title: Arms crossed, how: Tight}",
     [Variation("Hands back", "Palms up"), Variation("Arms crossed", "Tight")]),
    ("video", "drill", "video: https://example.org/hinge.mp4", "https://example.org/hinge.mp4"),
    ("drills", "guide", "drills:\n  - ../drills/a.md\n  - ../drills/b.md", ["drills/a.md", "drills/b.md"]),
    ("exercises", "guide", "exercises: [../exercises/swing.md]", ["exercises/swing.md"]),
    ("related", "guide", "related: [squat.md, 'https://example.org/read']", ["guides/squat.md", "https://example.org/read"]),
]

# More good values for the keys with several forms.
GOOD_EXTRA = [
    ("reps", "drill", "reps: 8", Count(8)),
    ("reps", "drill", "reps: '6-10'", Count(6, 10)),
    ("reps", "drill", "reps: 6 to 10", Count(6, 10)),
    ("reps", "drill", "reps: 1min", Count(60, unit="s")),
    ("sets", "exercise", "sets: 3", Count(3)),
    ("next", "exercise", "next: ../drills/b.md", ["drills/b.md"]),
    ("date", "page", "date: 2026-11-20 09:30:00", dt.date(2026, 11, 20)),
    ("draft", "drill", "draft: true", True),
    ("level", "exercise", "level: 1", 1),
]


@pytest.mark.parametrize("key, kind, snippet, expected", GOOD + GOOD_EXTRA)
def test_good_value_is_accepted(tmp_path: Path, key: str, kind: str, snippet: str, expected: Any) -> None:
    # a draft page is kept out of content.pages, so load drafts too
    write_page(tmp_path / "site", f"{FOLDER[kind]}/x.md", page_text(kind, snippet, key))
    content = load_site(tmp_path / "site", drafts=True)
    assert content.diagnostics == []
    assert plain(getattr(content.pages[0], key)) == expected


# (key, page type, front-matter lines, (line offset in the lines, column), code, message part)
BAD = [
    ("type", "drill", "type: workout", (0, 7), "VALUE001", "'type' must be one of guide, drill, exercise, page"),
    ("title", "drill", "title: [a, b]", (0, 8), "VALUE001", "'title' must be text, not a list"),
    ("title", "page", "title: ''", (0, 8), "VALUE001", "'title' is empty"),
    ("slug", "drill", "slug: Wall-Hinge", (0, 7), "VALUE001", "'slug' 'Wall-Hinge' may hold only lowercase"),
    ("slug", "page", "slug: wall hinge", (0, 7), "VALUE001", "may hold only lowercase letters"),
    ("date", "drill", "date: yesterday", (0, 7), "VALUE001", "'date' must be a date like 2026-11-26, not 'yesterday'"),
    ("updated", "guide", "updated: 26/11/2026", (0, 10), "VALUE001", "'updated' must be a date"),
    ("updated", "guide", "updated: 2026-02-30", (0, 10), "FM001", "'2026-02-30' is not a real date"),
    ("summary", "page", "summary: {a: 1}", (0, 10), "VALUE001", "'summary' must be text, not a mapping"),
    ("tags", "page", "tags: [ok, [nested]]", (0, 12), "VALUE001", "item 2 of 'tags': 'tags' must be text, not a list"),
    ("draft", "drill", "draft: maybe", (0, 8), "VALUE001", "'draft' must be true or false, not 'maybe'"),
    ("image", "drill", "image: 42", (0, 8), "VALUE001", "'image' must be a path to a file, not a number"),
    ("image", "page", "image: https://example.org/a.png", (0, 8), "VALUE001", "not to the URL"),
    ("image_alt", "drill", "image_alt: []", (0, 12), "VALUE001", "'image_alt' must be text, not a list"),
    # an empty answer is an error at its line, pointing at the empty value
    ("faq", "guide", "faq:\n  - q: How often?\n    a: Daily.\n  - q: Where?\n    a: ''", (4, 8), "VALUE001",
     "item 2 of 'faq': 'a' is empty"),
    ("level", "drill", "level: 0", (0, 8), "VALUE001", "'level' must be a whole number from 1 to 5, not 0"),
    ("level", "drill", "level: 6", (0, 8), "VALUE001", "from 1 to 5, not 6"),
    ("level", "drill", "level: 9", (0, 8), "VALUE001", "from 1 to 5, not 9"),
    ("level", "exercise", "level: true", (0, 8), "VALUE001", "from 1 to 5, not True"),
    ("level", "drill", "level: 2.5", (0, 8), "VALUE001", "from 1 to 5, not 2.5"),
    ("level", "drill", "level: '3'", (0, 8), "VALUE001", "from 1 to 5, not '3'"),
    ("equipment", "exercise", "equipment: {a: b}", (0, 12), "VALUE001", "item 1 of 'equipment'"),
    ("muscles", "drill", "muscles:\n  - hamstrings\n  - [x]", (2, 5), "VALUE001", "item 2 of 'muscles'"),
    ("sets", "drill", "sets: 30s", (0, 7), "VALUE001", "'sets' must be a positive number, not '30s'"),
    ("sets", "drill", "sets: 0", (0, 7), "VALUE001", "'sets' must be a positive number, not 0"),
    ("sets", "drill", "sets: 3-2", (0, 7), "VALUE001", "'sets' range '3-2' must go from low to high"),
    ("reps", "drill", "reps: ten", (0, 7), "VALUE001", "'reps' must be a positive number, not 'ten'"),
    ("reps", "drill", "reps: lots", (0, 7), "VALUE001", "not 'lots'"),
    ("reps", "exercise", "reps: 10-6", (0, 7), "VALUE001", "'reps' range '10-6' must go from low to high"),
    ("reps", "drill", "reps: -3", (0, 7), "VALUE001", "not -3"),
    ("reps", "drill", "reps: 0s", (0, 7), "VALUE001", "not '0s'"),
    ("cues", "drill", "cues: [ok, {a: b}]", (0, 12), "VALUE001", "item 2 of 'cues'"),
    ("faults", "drill", "faults:\n  - fault: A\n    fix: B\n  - fault: C", (3, 5), "VALUE001",
     "item 2 of 'faults' is missing 'fix'"),
    ("faults", "drill", "faults: [just text]", (0, 10), "VALUE001", "item 1 of 'faults' must have 'fault' and 'fix'"),
    ("faults", "exercise", "faults: {fault: a, fix: b}", (0, 9), "VALUE001", "'faults' must be a list"),
    ("faults", "drill", "faults:\n  - fault: A\n    fix: ''", (2, 10), "VALUE001", "item 1 of 'faults': 'fix' is empty"),
    ("mastery", "drill", "mastery: ''", (0, 10), "VALUE001", "'mastery' is empty"),
    ("next", "drill", "next: https://example.org/x", (0, 7), "VALUE001", "'next' must point to a page in content/"),
    ("next", "drill", "next: weighted-rdl", (0, 7), "VALUE001", "'next' path 'weighted-rdl' must end in '.md'"),
    ("next", "exercise", "next: [a.md, b]", (0, 14), "VALUE001", "'next' path 'b' must end in '.md'"),
    ("prerequisites", "drill", "prerequisites:\n  - a.md\n  - 3", (2, 5), "VALUE001",
     "'prerequisites' must be a path to a file, not a number"),
    ("regression", "drill", "regression: [a.md]", (0, 13), "VALUE001", "'regression' must be a path to a file, not a list"),
    # an unknown key inside an item points at that key's value, on its line
    ("variations", "drill", "variations:\n  - title: A\n    how: B\n    level: 2", (3, 12), "VALUE001",
     "item 1 of 'variations' has unknown key 'level'"),
    ("variations", "drill", "variations:\n  - title: A", (1, 5), "VALUE001", "item 1 of 'variations' is missing 'how'"),
    ("video", "drill", "video: 42", (0, 8), "VALUE001", "'video' must be a path to a file, not a number"),
    ("drills", "guide", "drills:\n  - ../drills/a.md\n  - ../drills/b", (2, 5), "VALUE001",
     "'drills' path '../drills/b' must end in '.md'"),
    ("exercises", "guide", "exercises: [https://example.org/x]", (0, 13), "VALUE001", "must point to a page in content/"),
    ("related", "guide", "related: [../guides/squat]", (0, 11), "VALUE001", "'related' path '../guides/squat' must end in '.md'"),
]


@pytest.mark.parametrize("key, kind, snippet, where, code, message", BAD)
def test_bad_value_is_refused_at_its_position(tmp_path: Path, key: str, kind: str, snippet: str,
                                              where: tuple[int, int], code: str, message: str) -> None:
    page, diags, file = load_one(tmp_path, kind, page_text(kind, snippet, key))
    assert page is None
    assert len(diags) == 1, diags
    d = diags[0]
    assert (d.file, d.line, d.column, d.severity, d.code) == (file, snippet_line(key) + where[0], where[1], "error", code)
    assert message in d.message
    assert d.hint  # says how to fix it


def test_good_and_bad_tables_cover_every_key() -> None:
    assert {k for k, *_ in GOOD} == set(schema.KEYS)
    assert {k for k, *_ in BAD} == set(schema.KEYS)


@pytest.mark.parametrize("snippet, hint", [
    ("sets: 30s", "write 8, a range such as 6-10"),
    ("reps: 10-6", "write the smaller number first, e.g. 6-10"),
    ("slug: Wall-Hinge", "write e.g. 'slug: wall-hinge'"),
    ("next: weighted-rdl", "e.g. weighted-rdl.md"),
    ("faults:\n  - fault: A", "add 'fix: ...' to it"),
])
def test_hints_say_how_to_fix(tmp_path: Path, snippet: str, hint: str) -> None:
    _, diags, _ = load_one(tmp_path, "drill", page_text("drill", snippet))
    assert [hint in d.hint for d in diags] == [True], diags


@pytest.mark.parametrize("kind, snippet, suggestion", [
    ("drill", "nxt: b.md", "did you mean 'next'?"),
    ("guide", "titel: x", "did you mean 'title'?"),
    ("exercise", "prerequisite: [a.md]", "did you mean 'prerequisites'?"),
    ("page", "zzzz: 1", "see the README for the keys"),
])
def test_unknown_key_points_at_the_key_with_did_you_mean(tmp_path: Path, kind: str, snippet: str,
                                                         suggestion: str) -> None:
    _, diags, file = load_one(tmp_path, kind, page_text(kind, snippet))
    key = snippet.split(":")[0]
    assert [(d.file, d.line, d.column, d.code, d.message) for d in diags] == [
        (file, 4, 1, "KEY001", f"unknown key '{key}'")]
    assert suggestion in diags[0].hint


@pytest.mark.parametrize("kind, snippet, owners", [
    ("drill", "drills: [a.md]", "guide"),
    ("guide", "level: 2", "drill and exercise"),
    ("page", "mastery: 8 reps", "drill and exercise"),
    ("exercise", "related: [a.md]", "guide"),
])
def test_key_of_another_page_type_is_refused(tmp_path: Path, kind: str, snippet: str, owners: str) -> None:
    _, diags, file = load_one(tmp_path, kind, page_text(kind, snippet))
    key = snippet.split(":")[0]
    assert [(d.file, d.line, d.column, d.code) for d in diags] == [(file, 4, 1, "KEY002")]
    assert diags[0].message == f"'{key}' is a key of {owners} pages, not of a {kind}"


@pytest.mark.parametrize("text, missing", [
    ("---\ntitle: T\n---\n", ["type"]),
    ("---\ntype: drill\n---\n", ["title"]),
    ("---\n---\nbody\n", ["type", "title"]),
])
def test_missing_required_keys(tmp_path: Path, text: str, missing: list[str]) -> None:
    _, diags, file = load_one(tmp_path, "drill", text)
    assert [(d.file, d.line, d.column, d.code, d.message) for d in diags] == [
        (file, 2, 1, "KEY003", f"required key '{key}' is missing") for key in missing]


def test_every_problem_of_a_page_is_reported_not_only_the_first(tmp_path: Path) -> None:
    text = page_text("drill", "level: 9\nreps: lots\nnxt: b.md\nsets: 3")
    _, diags, _ = load_one(tmp_path, "drill", text)
    assert [(d.line, d.column, d.code) for d in diags] == [(4, 8, "VALUE001"), (5, 7, "VALUE001"), (6, 1, "KEY001")]


@pytest.mark.parametrize("data, where, code, message", [
    (b"", (1, 1), "FM001", "the file does not start with front matter"),
    (b"Just a note\n", (1, 1), "FM001", "the file does not start with front matter"),
    (b"---\ntype: drill\ntitle: T\n\nno closing line\n", (1, 1), "FM001", "the front matter is never closed"),
    (b"---\ntype: drill\ntitle: caf\xe9\n---\n", (3, 11), "FILE001", "the file is not UTF-8 text (byte 26)"),
    (b"\xff\xfe-\x00-\x00-\x00", (1, 1), "FILE001", "the file is not UTF-8 text (byte 0)"),  # UTF-16
    (b"---\ntype: drill\ntitle: a: b\n---\n", (3, 9), "FM001", "front matter is not valid YAML"),
    (b"---\ntype: drill\ntitle: T\ntitle: U\n---\n", (4, 1), "FM001", "key 'title' appears twice"),
    (b"---\ntype: drill\ntitle: &t T\nsummary: *t\n---\n", (3, 8), "FM001", "anchors and aliases"),
    (b"---\n- drill\n---\n", (2, 1), "FM001", "front matter must be a mapping"),
    (b"\xef\xbb\xbf---\r\ntype: drill\r\ntitle: T\r\nlevel: 9\r\n---\r\n", (4, 8), "VALUE001", "not 9"),
    (b"---\r\ntype: drill\r\ntitle: T\r\nsets: 2\r\nreps: ten\r\n---\r\n", (5, 7), "VALUE001", "not 'ten'"),
    (b"\xef\xbb\xbf---\ntype: drill\ntitle: [\n---\n", (4, 1), "FM001", "not valid YAML"),
])
def test_bad_files_name_file_line_and_column(tmp_path: Path, data: bytes, where: tuple[int, int], code: str,
                                             message: str) -> None:
    path = tmp_path / "site" / "content" / "drills" / "x.md"
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    content = load_site(tmp_path / "site")
    assert content.pages == [] and content.failed == ["drills/x.md"]
    assert [(d.file, d.line, d.column, d.code) for d in content.diagnostics] == [
        ("content/drills/x.md", *where, code)]
    assert message in content.diagnostics[0].message


def test_crlf_and_bom_page_loads_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "site" / "content" / "drills" / "x.md"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\xef\xbb\xbf---\r\ntype: drill\r\ntitle: T\r\ncues:\r\n  - a\r\n---\r\n\r\nBody\r\n")
    content = load_site(tmp_path / "site")
    assert content.diagnostics == []
    page = content.pages[0]
    assert (page.title, page.cues, page.body_line) == ("T", ["a"], 7)


def test_messages_name_the_file_under_the_content_folder_setting(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "sitegen.toml").parent.mkdir(parents=True)
    (site / "sitegen.toml").write_text('content_dir = "pages"\n')
    path = site / "pages" / "x.md"
    path.parent.mkdir()
    path.write_text(page_text("drill", "level: 9"))
    (d,) = load_site(site).diagnostics
    assert (d.file, d.line, d.column) == ("pages/x.md", 4, 8)


@pytest.mark.parametrize("name, slug", [
    ("wall-hinge.md", "wall-hinge"),
    ("Wall Hinge.md", "wall-hinge"),
    ("çöp_hinge.md", "çöp_hinge"),
])
def test_slug_defaults_to_the_file_name(tmp_path: Path, name: str, slug: str) -> None:
    write_page(tmp_path / "site", f"drills/{name}", page_text("drill", "level: 1"))
    (page,) = load_site(tmp_path / "site").pages
    assert page.slug == slug
    assert page.output_file == f"drills/{slug}/index.html"


def test_page_types_make_their_classes(tmp_path: Path) -> None:
    site = tmp_path / "site"
    for kind in FOLDER:
        write_page(site, f"{FOLDER[kind]}/x.md", page_text(kind, ""))
    by_type = {p.type: type(p) for p in load_site(site).pages}
    assert by_type == {"guide": Guide, "drill": Movement, "exercise": Movement, "page": Page}


def test_drafts_are_kept_apart_unless_asked_for(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_page(site, "drills/a.md", page_text("drill", "draft: true"))
    write_page(site, "drills/b.md", page_text("drill", "draft: false"))
    content = load_site(site)
    assert [p.source for p in content.pages] == ["drills/b.md"]
    assert [p.source for p in content.drafts] == ["drills/a.md"]
    assert [p.source for p in load_site(site, drafts=True).pages] == ["drills/a.md", "drills/b.md"]


def test_editor_files_are_ignored_and_other_files_are_assets(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_page(site, "drills/a.md", page_text("drill", ""))
    for junk in ("drills/.#a.md", "drills/a.md~", "drills/.a.md.swp", "drills/#a.md#", ".git/x.md", "4913"):
        (site / "content" / junk).parent.mkdir(parents=True, exist_ok=True)
        (site / "content" / junk).write_text("not front matter")
    (site / "content" / "images").mkdir()
    (site / "content" / "images" / "a.svg").write_text("<svg/>")
    content = load_site(site)
    assert content.diagnostics == []
    assert [p.source for p in content.pages] == ["drills/a.md"]
    assert content.assets == ["images/a.svg"]


def test_the_example_site_loads_cleanly(example_site: Path) -> None:
    content = load_site(example_site)
    assert content.diagnostics == [] and content.failed == []
    kinds = sorted(p.type for p in content.pages)
    assert kinds == ["drill"] * 3 + ["exercise"] * 5 + ["guide", "page"]
    pages = {p.source: p for p in content.pages}
    guide = pages["guides/learn-the-hip-hinge.md"]
    assert [r.target for r in guide.drills] == [
        "drills/dowel-hip-hinge.md", "drills/bodyweight-rdl.md", "drills/weighted-rdl.md"]
    rdl = pages["drills/bodyweight-rdl.md"]
    assert [v.title for v in rdl.variations] == [
        "Hands on the lower back", "Fingertips at the ears", "Arms crossed over the chest"]
    assert len(rdl.faults) == 2 and rdl.mastery
    assert [r.target for r in rdl.next] == ["drills/weighted-rdl.md"]
    for source in [s for s in pages if s.startswith("exercises/")]:
        assert "drills/weighted-rdl.md" in [r.target for r in pages[source].prerequisites], source
