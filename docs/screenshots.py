"""Make the README's screenshots of the example site: phone (390 px) and desktop (1280 px) wide,
light and dark, in Debian's Chromium. Run from the repository: .venv/bin/python docs/screenshots.py"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from conftest import CHROMIUM, CHROMIUM_ARGS, build_example, copy_example_site, serving  # noqa: E402

OUT = REPO / "docs" / "images"
# (name, page, scroll to this element first or None, with drill 1 ticked in the tracker)
SHOTS = [("home", "", None, False), ("drill", "drills/bodyweight-rdl/", None, True),
         ("guide-progress", "guides/learn-the-hip-hinge/", "#the-drills", True)]
SIZES = {"phone": (390, 844), "desktop": (1280, 800)}


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        out = build_example(copy_example_site(Path(tmp) / "site"))
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        with serving(out) as url:
            for scheme in ("light", "dark"):
                for device, (width, height) in SIZES.items():
                    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
                    tab = context.new_page()
                    for name, path, anchor, ticked in SHOTS:
                        if ticked:
                            tab.goto(url + "drills/dowel-hip-hinge/")
                            tab.get_by_role("checkbox", name="Dowel Hip Hinge: I can do this").check()
                        tab.goto(url + path)
                        if anchor:
                            tab.evaluate(f"document.querySelector('{anchor}').scrollIntoView({{behavior: 'instant'}})")
                        target = OUT / f"{name}-{device}-{scheme}.png"
                        tab.screenshot(path=str(target))
                        print(target.relative_to(REPO))
                    context.close()
        browser.close()


if __name__ == "__main__":
    main()
