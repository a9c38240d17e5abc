"""The progression diagram on the guide page: drawn at build time from the graph, every node a link."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import copy_example_site

from sitegen.build.builder import build
from sitegen.config import load_settings
from sitegen.report import NullReporter

SVG = "{http://www.w3.org/2000/svg}"
DRILLS = ["dowel-hip-hinge", "bodyweight-rdl", "weighted-rdl"]
EXERCISES = ["cable-pull-through", "standing-band-hip-thrust", "bent-over-row", "band-deadlift", "kettlebell-swing"]


@pytest.fixture(scope="module")
def guide(tmp_path_factory: pytest.TempPathFactory) -> str:
    site = copy_example_site(tmp_path_factory.mktemp("diagram") / "site")
    build(load_settings(site), cards=False, reporter=NullReporter())
    return (site / "output/guides/learn-the-hip-hinge/index.html").read_text(encoding="utf-8")


def diagram(page: str) -> ET.Element:
    """The drawing and, laid over it, the links' layer."""
    found = re.search(r'<div class="diagram-stack">.*?</div>', page, re.S)
    assert found, "no diagram"
    return ET.fromstring(found.group(0))


def test_the_diagram_links_each_drill_in_order_then_what_it_unlocks(guide: str) -> None:
    drawing, overlay = diagram(guide)
    nodes = overlay.findall(f"{SVG}a")
    assert [n.get("href") for n in nodes] == [f"/drills/{d}/" for d in DRILLS] + [f"/exercises/{e}/" for e in EXERCISES]
    assert [n.get("data-progress-step") for n in nodes] == [f"drills/{d}.md" for d in DRILLS] + \
        [f"exercises/{e}.md" for e in EXERCISES]
    captions = [t.text for t in drawing.iter(f"{SVG}text") if t.get("class") == "dg-caption"]
    assert captions[:3] == ["Step 1 · Level 1", "Step 2 · Level 2", "Step 3 · Level 3"]
    # The gate shows on hover: each drill's tooltip states it.
    assert nodes[0].find(f"{SVG}title").text == \
        "Move on when: 8 clean reps keeping all three contact points (head, upper back, tailbone) on the dowel"
    # Arrows join the drills, and the last drill to what it unlocks.
    assert len(drawing.findall(f"{SVG}path")) == len(DRILLS)
    # Each link covers its node's box exactly.
    boxes = [(r.get("x"), r.get("y"), r.get("width"), r.get("height")) for r in drawing.iter(f"{SVG}rect")]
    hits = [(r.get("x"), r.get("y"), r.get("width"), r.get("height")) for r in overlay.iter(f"{SVG}rect")]
    assert hits == boxes and drawing.get("viewBox") == overlay.get("viewBox")


def test_the_diagram_is_an_accessible_image_with_the_same_steps_in_text(guide: str) -> None:
    svg, overlay = diagram(guide)
    assert svg.get("role") == "img"
    # Links inside an image are unreachable to a screen reader: they live in a layer hidden from
    # assistive technology and out of the tab order, repeating the list's links below.
    assert svg.find(f".//{SVG}a") is None
    assert overlay.get("aria-hidden") == "true"
    assert {a.get("tabindex") for a in overlay.iter(f"{SVG}a")} == {"-1"}
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.find(f"{SVG}title").get("id") == title_id
    assert svg.find(f"{SVG}title").text == "The progression of Learn the Hip Hinge in Three Drills"
    assert "Step 2 · Level 2: Bodyweight Romanian Deadlift" in svg.find(f"{SVG}desc").text
    assert svg.find(f"{SVG}desc").get("id") == desc_id
    # One column 320 units wide: at 320 px it is drawn at its own size.
    assert svg.get("viewBox").startswith("0 0 320 ")
    # The text list beside it names the same steps, each marked for the progress tracker.
    steps = re.findall(r'<li data-progress-step="([^"]+)">', guide)
    assert steps == [f"drills/{d}.md" for d in DRILLS]
