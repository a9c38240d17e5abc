"""Pages for each muscle and each piece of equipment, linked from the facts of every drill."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from conftest import build_example, copy_example_site, write_page

from sitegen.build.builder import build
from sitegen.config import load_settings
from sitegen.errors import ContentError
from sitegen.report import NullReporter


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_example(copy_example_site(tmp_path_factory.mktemp("taxonomies") / "site"))


def read(out: Path, rel: str) -> str:
    return (out / rel / "index.html").read_text(encoding="utf-8")


def cards(page: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r'<span class="card-title">([^<]+)</span>', page)]


def test_the_facts_of_a_drill_link_its_muscles_and_equipment(out: Path) -> None:
    page = read(out, "drills/weighted-rdl")
    facts = re.search(r'<dl class="facts">(.*?)</dl>', page, re.S).group(1)
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', facts)
    assert links == [("/equipment/dumbbells-a-resistance-band-or-a-barbell/", "dumbbells, a resistance band or a barbell"),
                     ("/muscles/hamstrings/", "hamstrings"), ("/muscles/glutes/", "glutes"),
                     ("/muscles/upper-back/", "upper back")]
    for href, _ in links:
        assert (out / href.strip("/") / "index.html").is_file()


def test_a_muscle_page_lists_every_movement_that_works_it(out: Path) -> None:
    page = read(out, "muscles/lats")
    assert "<h1>Lats</h1>" in page and "Muscle · 1 page" in page
    assert cards(page) == ["Bent-Over Row"]
    hamstrings = cards(read(out, "muscles/hamstrings"))
    assert len(hamstrings) == 8 and hamstrings == sorted(hamstrings, key=str.lower)
    assert cards(read(out, "equipment/kettlebell")) == ["Kettlebell Swing"]


@pytest.mark.parametrize("folder, title, first", [
    ("muscles", "Muscles", ("glutes", "/muscles/glutes/", "8")),
    ("equipment", "Equipment", ("cable machine with a rope handle", "/equipment/cable-machine-with-a-rope-handle/", "1")),
    ("tags", "Tags", ("#band", "/tags/band/", "2")),
])
def test_each_taxonomy_has_an_index_with_counts(out: Path, folder: str, title: str, first: tuple) -> None:
    page = read(out, folder)
    assert f"<h1>{title}</h1>" in page
    entries = re.findall(r'<li><a href="([^"]+)">([^<]+)</a> <span class="count">(\d+)</span></li>', page)
    assert (html.unescape(entries[0][1]), entries[0][0], entries[0][2]) == first
    for href, _name, count in entries:
        assert len(cards(read(out, href.strip("/")))) == int(count)


def test_tag_pages_share_the_taxonomy_template(out: Path) -> None:
    page = read(out, "tags/kettlebell")
    assert "<h1>#kettlebell</h1>" in page and '<p class="term-kind">Tag · ' in page
    assert '<a href="/tags/">All tags</a>' in page


def test_a_page_cannot_take_a_taxonomy_page_s_address(tmp_path: Path) -> None:
    site = copy_example_site(tmp_path / "site")
    write_page(site, "muscles/glutes.md", "---\ntype: page\ntitle: Glutes\n---\nAbout glutes.\n")
    with pytest.raises(ContentError) as failed:
        build(load_settings(site), cards=False, reporter=NullReporter())
    (d,) = failed.value.diagnostics
    assert d.code == "UNIQ002" and "the muscles page of 'glutes'" in d.message
