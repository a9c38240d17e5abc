"""Structured data, breadcrumbs, questions and sharing tags on the built example site."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import build_example, copy_example_site, write_page

from sitegen.build.builder import build
from sitegen.config import load_settings
from sitegen.errors import ContentError
from sitegen.report import NullReporter

BASE = "https://example.org/"
GUIDE = "guides/learn-the-hip-hinge/"
DRILLS = ["dowel-hip-hinge", "bodyweight-rdl", "weighted-rdl"]

# What each schema.org type must carry here (Google's required properties where it states them).
REQUIRED: dict[str, tuple[str, ...]] = {
    "HowTo": ("name", "step"),
    "ExercisePlan": ("name", "exerciseType"),
    "HowToStep": ("text",),
    "HowToTool": ("name",),
    "Article": ("headline", "image", "author", "datePublished", "dateModified"),
    "ItemList": ("itemListElement",),
    "ListItem": ("position",),
    "BreadcrumbList": ("itemListElement",),
    "FAQPage": ("mainEntity",),
    "Question": ("name", "acceptedAnswer"),
    "Answer": ("text",),
    "QuantitativeValue": ("unitText",),
    "Person": ("name",),
    "Organization": ("name",),
    "AnatomicalStructure": ("name",),
    "WebSite": ("name", "url"),
}
_SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def blocks(page: str) -> list[dict[str, Any]]:
    return [json.loads(text) for text in _SCRIPT.findall(page)]


def types_of(node: dict[str, Any]) -> list[str]:
    kind = node["@type"]
    return kind if isinstance(kind, list) else [kind]


def validate(node: Any, where: str) -> int:
    """Check every typed node below `node` for its type's required fields; return how many."""
    if isinstance(node, list):
        return sum(validate(item, where) for item in node)
    if not isinstance(node, dict):
        return 0
    checked = 0
    if "@type" in node:
        for kind in types_of(node):
            assert kind in REQUIRED, f"{where}: unexpected type {kind}"
            missing = [f for f in REQUIRED[kind] if node.get(f) in (None, "", [])]
            assert not missing, f"{where}: {kind} lacks {missing}"
        if "ListItem" in types_of(node):
            assert isinstance(node["position"], int) and ("item" in node or "url" in node), where
        if "QuantitativeValue" in types_of(node):
            assert "value" in node or node["minValue"] < node["maxValue"], where
        checked = 1
    return checked + sum(validate(v, where) for k, v in node.items() if not k.startswith("@"))


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_example(copy_example_site(tmp_path_factory.mktemp("structured") / "site"))


def read(out: Path, rel: str) -> str:
    return (out / rel / "index.html").read_text(encoding="utf-8")


def test_every_block_on_every_page_parses_and_has_its_required_fields(out: Path) -> None:
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 20
    nodes = 0
    for page in pages:
        for data in blocks(page.read_text(encoding="utf-8")):
            assert data["@context"] == "https://schema.org"
            nodes += validate(data, page.relative_to(out).as_posix())
    assert nodes > 150


def test_a_drill_is_a_howto_and_exercise_plan_ending_with_its_gate(out: Path) -> None:
    (plan,) = [b for b in blocks(read(out, "drills/dowel-hip-hinge")) if "HowTo" in types_of(b)]
    assert types_of(plan) == ["HowTo", "ExercisePlan"]
    steps = plan["step"]
    # The body's ordered list (five steps) comes first, the mastery gate last.
    assert [s["position"] for s in steps] == [1, 2, 3, 4, 5, 6]
    assert steps[0]["text"].startswith("Unlock your knees into a slight bend")
    assert steps[-1] == {"@type": "HowToStep", "position": 6, "name": "Move on when",
                         "text": "8 clean reps keeping all three contact points (head, upper back, tailbone) on the dowel"}
    assert plan["tool"] == [{"@type": "HowToTool", "name": "dowel or broomstick"}]
    assert plan["repetitions"] == {"@type": "QuantitativeValue", "unitText": "repetitions", "value": 8}
    assert plan["image"] == BASE + "images/dowel-hip-hinge.svg"
    # A range of reps keeps both ends.
    (swing,) = [b for b in blocks(read(out, "exercises/kettlebell-swing")) if "HowTo" in types_of(b)]
    assert swing["repetitions"] == {"@type": "QuantitativeValue", "unitText": "repetitions", "minValue": 10,
                                    "maxValue": 15}


def test_without_an_ordered_list_the_cues_are_the_steps(tmp_path: Path) -> None:
    site = copy_example_site(tmp_path / "site")
    write_page(site, "drills/wall-hinge.md", """
        ---
        type: drill
        title: Wall hinge
        cues: [Reach back to the wall, Keep the shins still]
        mastery: Touch the wall 10 times
        ---
        Stand a foot from a wall & hinge <back> to touch it.
        """)
    build(load_settings(site), cards=False, reporter=NullReporter())
    page = read(site / "output", "drills/wall-hinge")
    (plan,) = [b for b in blocks(page) if "HowTo" in types_of(b)]
    assert [s["text"] for s in plan["step"]] == ["Reach back to the wall", "Keep the shins still",
                                                 "Touch the wall 10 times"]
    # No text can close the script element early.
    assert "</script>" not in _SCRIPT.search(page).group(1)


def test_the_guide_is_an_article_with_its_drills_in_order(out: Path) -> None:
    found = blocks(read(out, GUIDE))
    (art,) = [b for b in found if b["@type"] == "Article"]
    assert art["headline"] == "Learn the Hip Hinge in Three Drills"
    assert (art["datePublished"], art["dateModified"]) == ("2026-10-05", "2026-11-02")
    assert art["author"] == {"@type": "Person", "name": "Hinge & Hold coaching"}
    assert art["image"] == BASE + "images/hinge-overview.svg"
    (items,) = [b for b in found if b["@type"] == "ItemList"]
    assert [i["url"] for i in items["itemListElement"]] == [f"{BASE}drills/{d}/" for d in DRILLS]
    assert [i["position"] for i in items["itemListElement"]] == [1, 2, 3]


def visible_crumbs(page: str) -> list[tuple[str, str]]:
    nav = re.search(r'<nav class="breadcrumbs" aria-label="Breadcrumb">(.*?)</nav>', page, re.S)
    assert nav, "no visible breadcrumbs"
    return [(html.unescape(name), href) for href, name in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav.group(1))]


@pytest.mark.parametrize("rel, trail", [
    ("drills/bodyweight-rdl", ["Home", "Learn the Hip Hinge in Three Drills", "Bodyweight Romanian Deadlift"]),
    ("exercises/kettlebell-swing", ["Home", "Learn the Hip Hinge in Three Drills", "Kettlebell Swing"]),
    (GUIDE, ["Home", "Learn the Hip Hinge in Three Drills"]),
    ("about", ["Home", "About"]),
    ("tags/beginner", ["Home", "Tags", "#beginner"]),
])
def test_breadcrumbs_are_visible_and_match_their_json_ld(out: Path, rel: str, trail: list[str]) -> None:
    page = read(out, rel)
    (crumbs,) = [b for b in blocks(page) if b["@type"] == "BreadcrumbList"]
    listed = [(i["name"], i["item"]) for i in crumbs["itemListElement"]]
    assert [name for name, _ in listed] == trail
    assert listed[-1][1] == BASE + rel.rstrip("/") + "/"
    assert visible_crumbs(page) == [(name, url.replace(BASE, "/")) for name, url in listed]
    assert page.count('aria-current="page"') == 1


def test_the_guide_answers_readers_questions_in_text_and_as_faq_page(out: Path) -> None:
    page = read(out, GUIDE)
    (faq,) = [b for b in blocks(page) if b["@type"] == "FAQPage"]
    questions = [q["name"] for q in faq["mainEntity"]]
    assert questions == ["Where should I feel a hip hinge?", "How much should my knees bend?",
                         "What if my lower back hurts?", "How often should I practise?"]
    section = re.search(r'<section class="faq".*?</section>', page, re.S).group(0)
    assert [html.unescape(q) for q in re.findall(r"<summary>(.*?)</summary>", section)] == questions
    # The answer's Markdown is rendered, on the page and in the data.
    assert "<strong>hamstrings</strong>" in section
    assert "<strong>hamstrings</strong>" in faq["mainEntity"][0]["acceptedAnswer"]["text"]


def test_an_empty_question_stops_the_build_naming_its_line(tmp_path: Path) -> None:
    site = copy_example_site(tmp_path / "site")
    write_page(site, "about.md", """
        ---
        type: page
        title: About
        faq:
          - q: Who writes this?
            a: A coach.
          - q: "  "
            a: Nobody.
        ---
        Hello.
        """)
    with pytest.raises(ContentError) as failed:
        build(load_settings(site), cards=False, reporter=NullReporter())
    (d,) = failed.value.diagnostics
    assert (d.file, d.line, d.code) == ("content/about.md", 7, "VALUE001")
    assert "item 2 of 'faq': 'q' is empty" in d.message


def meta(page: str, name: str) -> str:
    found = re.findall(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)">', page)
    assert len(found) == 1, (name, found)
    return html.unescape(found[0])


def test_sharing_tags_always_carry_an_image(out: Path) -> None:
    drill = read(out, "drills/weighted-rdl")
    assert meta(drill, "og:image") == BASE + "images/weighted-rdl.svg"
    assert (meta(drill, "og:image:width"), meta(drill, "og:image:height")) == ("400", "300")
    assert meta(drill, "og:image:alt").startswith("A figure")
    assert meta(drill, "article:published_time") == "2026-10-19T00:00:00Z"
    assert meta(drill, "twitter:card") == "summary_large_image"
    assert meta(drill, "twitter:image") == meta(drill, "og:image")
    guide = read(out, GUIDE)
    assert meta(guide, "article:published_time") == "2026-10-05T00:00:00Z"
    assert meta(guide, "article:modified_time") == "2026-11-02T00:00:00Z"
    # A page without an image, and the home page, fall back on the site's default image.
    for rel in ("about", ""):
        page = (out / rel / "index.html").read_text(encoding="utf-8")
        assert meta(page, "og:image") == BASE + "static/share.png"
        assert (meta(page, "og:image:width"), meta(page, "og:image:height")) == ("1200", "630")
    assert (out / "static/share.png").read_bytes().startswith(b"\x89PNG")
    (site,) = blocks((out / "index.html").read_text(encoding="utf-8"))
    assert (site["@type"], site["name"], site["url"]) == ("WebSite", "Hinge & Hold", BASE)


@pytest.mark.parametrize("rel", [GUIDE, "drills/dowel-hip-hinge", "exercises/band-deadlift"])
def test_save_to_pinterest_is_a_plain_link(out: Path, rel: str) -> None:
    page = read(out, rel)
    link = re.search(r'<a href="([^"]+)"[^>]*>Save to Pinterest</a>', page)
    assert link, "no Save to Pinterest link"
    parts = urlsplit(html.unescape(link.group(1)))
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.pinterest.com", "/pin/create/button/")
    query = parse_qs(parts.query)
    assert query["url"] == [BASE + rel.rstrip("/") + "/"]
    assert query["media"] == [meta(page, "og:image")]
    assert "pinterest" not in "".join(re.findall(r"<script[^>]*src=\"([^\"]+)\"", page))
    assert "Save to Pinterest" not in read(out, "about")
