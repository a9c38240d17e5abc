"""Client-side search in real Chromium: the index written at build time, the small script that
loads it on first use, and the links a reader without JavaScript gets instead."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import copy_example_site

from sitegen.build.builder import build
from sitegen.config import load_settings
from sitegen.report import NullReporter

REPO = Path(__file__).resolve().parent.parent


def test_the_index_holds_every_published_page_and_what_it_is_searched_by(tmp_path: Path) -> None:
    site = copy_example_site(tmp_path / "site")
    draft = site / "content/drills/secret.md"
    draft.write_text("---\ntype: drill\ntitle: Secret drill\ndraft: true\n---\nNot yet.\n", encoding="utf-8")
    build(load_settings(site), cards=False, reporter=NullReporter())
    entries = json.loads((site / "output/search.json").read_text(encoding="utf-8"))
    assert len(entries) == 10 and "Secret drill" not in {e["t"] for e in entries}
    swing = next(e for e in entries if e["t"] == "Kettlebell Swing")
    assert swing["u"] == "/exercises/kettlebell-swing/" and swing["k"] == "exercise"
    assert swing["e"] == ["kettlebell"] and "glutes" in swing["m"] and "kettlebell" in swing["g"]
    assert swing["c"][0] == "Hike the bell back between your legs" and swing["s"].startswith("A fast, repeated hinge")


def test_the_script_is_small_and_ships_with_the_theme() -> None:
    script = (REPO / "static/search.js").read_bytes()
    assert len(script) < 10 * 1024
    assert b"http" not in script  # no CDN, nothing fetched but the site's own index


def test_searching_lists_matching_pages_and_fetches_the_index_only_on_use(served_site: str, page) -> None:
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    page.goto(served_site + "drills/dowel-hip-hinge/", wait_until="load")
    box = page.get_by_role("searchbox", name="Search the site")
    assert box.is_visible()
    assert page.locator(".search-fallback").is_hidden()
    assert not any(u.endswith("/search.json") for u in fetched)  # lazily: not before the reader asks
    box.fill("kettle swing")
    results = page.locator(".search-results a")
    results.first.wait_for()
    assert results.all_inner_texts() == ["Kettlebell Swing"]
    assert page.locator(".search-status").inner_text() == "1 page found"
    assert sum(u.endswith("/search.json") for u in fetched) == 1
    # Muscles, equipment and cues are searched too; a title match ranks first.
    box.fill("hamstrings")
    page.wait_for_function("document.querySelectorAll('.search-results a').length > 3")
    box.fill("romanian")
    page.wait_for_function("document.querySelector('.search-status').textContent.startsWith('2 ')")
    assert results.all_inner_texts() == ["Bodyweight Romanian Deadlift", "Weighted Romanian Deadlift"]
    results.first.click()
    page.wait_for_url("**/drills/bodyweight-rdl/")


def test_without_javascript_the_box_links_to_the_indexes(served_site: str, browser) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 800})
    try:
        tab = context.new_page()
        tab.goto(served_site, wait_until="load")
        assert tab.locator("input, form").count() == 0  # the script builds the box: no dead control
        fallback = tab.locator(".search-fallback")
        assert fallback.is_visible()
        links = fallback.locator("a")
        assert [links.nth(i).get_attribute("href") for i in range(links.count())] == ["/tags/", "/muscles/", "/equipment/"]
        links.nth(1).click()
        tab.wait_for_url("**/muscles/")
        assert tab.get_by_role("heading", level=1).inner_text() == "Muscles"
    finally:
        context.close()

