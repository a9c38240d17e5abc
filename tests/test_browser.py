"""A built drill page in real headless Chromium at phone width: what a reader sees first."""

from __future__ import annotations

import shutil
from pathlib import Path

# Kept for the lead to look at after a run.
SCREENSHOT = Path("/tmp/sitegen-drill.png")


def test_drill_page_on_a_phone(served_site: str, page, tmp_path: Path) -> None:
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("requestfailed", lambda r: failed.append(f"failed {r.url}"))
    page.goto(served_site + "drills/bodyweight-rdl/", wait_until="load")

    assert page.title() == "Bodyweight Romanian Deadlift · Hinge & Hold"
    title = page.get_by_role("heading", level=1, name="Bodyweight Romanian Deadlift")
    step = page.get_by_text("Step 2 of 3 in", exact=False)
    gate = page.get_by_role("heading", level=2, name="Move on when")
    gate_text = page.locator("section.gate p")
    for element in (title, step, gate, gate_text):
        assert element.count() == 1 and element.is_visible()
    assert step.inner_text() == "Step 2 of 3 in Learn the Hip Hinge in Three Drills"
    assert gate_text.inner_text().startswith("2 sets with the hardest arm variation")

    # The reader sees where the step sits without scrolling: the indicator and title are on screen.
    viewport = page.viewport_size
    assert viewport["width"] == 420
    for element in (step, title):
        box = element.bounding_box()
        assert box is not None and box["y"] + box["height"] <= viewport["height"]
    # The stylesheet applied, and nothing is wider than the phone.
    assert page.evaluate("getComputedStyle(document.body).fontFamily") != "Times New Roman"
    assert page.evaluate("document.documentElement.scrollWidth") <= 420
    # Every image (the illustration) loaded.
    assert page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
    assert failed == []

    shot = tmp_path / "drill.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes().startswith(b"\x89PNG")
    shutil.copyfile(shot, SCREENSHOT)
