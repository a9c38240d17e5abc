"""The progress tracker (static/progress.js) in real headless Chromium: a checkbox beside each
mastery gate, kept in the browser, marking the guide's steps; and nothing at all without JavaScript."""

from __future__ import annotations

import re

import pytest
from conftest import REPO

GUIDE = "guides/learn-the-hip-hinge/"
DRILLS = ["drills/dowel-hip-hinge.md", "drills/bodyweight-rdl.md", "drills/weighted-rdl.md"]
# What the tracker adds to a page: the only difference JavaScript may make.
ADDED = ".tracker, .reset, .progress-state, .progress-summary, [role=status]"


def states(page) -> list[str | None]:
    return [page.locator(f'.steps [data-progress-step="{d}"]').get_attribute("data-progress") for d in DRILLS]


def test_a_ticked_gate_is_kept_and_unlocks_the_next_step_until_reset(served_site: str, page) -> None:
    page.goto(served_site + "drills/dowel-hip-hinge/")
    box = page.get_by_role("checkbox", name="Dowel Hip Hinge: I can do this")
    # The checkbox sits in the gate, beside the gate's text.
    assert page.locator("section.gate").get_by_role("checkbox").count() == 1
    assert box.is_visible() and not box.is_checked()
    box.check()
    # Announced politely, with what the drill opens.
    assert page.get_by_role("status").get_attribute("aria-live") == "polite"
    assert page.get_by_role("status").inner_text() == (
        "Dowel Hip Hinge: marked as mastered. Up next: Bodyweight Romanian Deadlift.")

    page.reload()
    assert page.get_by_role("checkbox", name="Dowel Hip Hinge: I can do this").is_checked()

    page.goto(served_site + GUIDE)
    assert states(page) == ["done", "unlocked", "locked"]
    badges = page.locator(".steps .progress-state").all_inner_texts()
    assert badges == ["Done", "Up next", "Not yet"]
    assert page.locator(".progress-summary").inner_text() == "Mastered: 1 of 3 steps."
    # Later steps are marked, never hidden.
    assert all(page.locator(f'.steps [data-progress-step="{d}"]').is_visible() for d in DRILLS)
    # The progression diagram's nodes name the same steps and show the same states.
    nodes = page.locator("svg.diagram-links [data-progress-step]")
    assert [nodes.nth(i).get_attribute("data-progress") for i in range(3)] == ["done", "unlocked", "locked"]
    # The guide's own checkboxes show the same state and tick the same record.
    assert page.get_by_role("checkbox", name="Dowel Hip Hinge: I can do this").is_checked()
    page.get_by_role("checkbox", name="Bodyweight Romanian Deadlift: I can do this").check()
    assert states(page) == ["done", "done", "unlocked"]
    assert page.get_by_role("status").inner_text() == (
        "Bodyweight Romanian Deadlift: marked as mastered. Up next: Weighted Romanian Deadlift.")

    page.get_by_role("button", name="Reset my progress").click()
    assert states(page) == ["unlocked", "locked", "locked"]
    assert page.locator(".progress-summary").inner_text() == "Mastered: 0 of 3 steps."
    assert page.get_by_role("status").inner_text().startswith("Progress reset")
    assert page.get_by_role("button", name="Reset my progress").is_disabled()
    page.goto(served_site + "drills/dowel-hip-hinge/")
    assert not page.get_by_role("checkbox", name="Dowel Hip Hinge: I can do this").is_checked()


def test_the_checkbox_works_from_the_keyboard_with_a_visible_focus_ring(served_site: str, page) -> None:
    page.goto(served_site + "drills/bodyweight-rdl/")
    box = page.get_by_role("checkbox", name="Bodyweight Romanian Deadlift: I can do this")
    for _ in range(60):  # Tab through the page until the checkbox has focus
        page.keyboard.press("Tab")
        if box.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("the tracker's checkbox is not reachable with Tab")
    outline = box.evaluate("el => getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).outlineWidth")
    assert outline.startswith("solid") and not outline.endswith(" 0px")
    page.keyboard.press("Space")
    assert box.is_checked()


def main_text(page, strip_added: bool) -> str:
    return page.evaluate("""strip => {
        const main = document.querySelector('main').cloneNode(true);
        if (strip) main.querySelectorAll('%s').forEach(el => el.remove());
        main.querySelectorAll('[data-progress]').forEach(el => el.removeAttribute('data-progress'));
        return main.innerHTML;
    }""" % ADDED, strip_added)


@pytest.mark.parametrize("path", [GUIDE, "drills/dowel-hip-hinge/", "drills/weighted-rdl/"])
def test_without_javascript_the_page_is_the_same_and_shows_no_control(served_site: str, browser, page,
                                                                     path: str) -> None:
    context = browser.new_context(viewport={"width": 420, "height": 900}, java_script_enabled=False)
    try:
        plain = context.new_page()
        plain.goto(served_site + path)
        assert plain.locator("input, button, .progress-state, [data-progress]").count() == 0
        assert plain.locator("section.gate, .gate-inline").count() >= 1  # the gate's text is still there
        # With JavaScript, the page only gains the tracker's own elements.
        page.goto(served_site + path)
        assert page.locator(".tracker").count() >= 1
        assert re.sub(r"\s+", " ", main_text(page, True)) == re.sub(r"\s+", " ", main_text(plain, False))
    finally:
        context.close()


def test_the_script_is_small_and_standalone() -> None:
    script = (REPO / "static" / "progress.js").read_text(encoding="utf-8")
    assert len(script.encode()) < 5 * 1024
    assert "import " not in script and "require(" not in script  # no framework, no modules to fetch
