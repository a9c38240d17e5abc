"""The example theme in real headless Chromium: sticky step navigation, dark theme, icons and
manifest, print stylesheet, and no sideways scrolling at 320 px."""

from __future__ import annotations

import json


def luminance(css_rgb: str) -> float:
    r, g, b = (int(v) for v in css_rgb[css_rgb.index("(") + 1:css_rgb.index(")")].split(",")[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def test_the_step_navigation_stays_on_screen_while_scrolling_a_drill(served_site: str, page) -> None:
    page.goto(served_site + "drills/bodyweight-rdl/")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    nav = page.get_by_role("navigation", name="Step in Learn the Hip Hinge in Three Drills")
    box = nav.bounding_box()
    assert box is not None and 0 <= box["y"] < 20  # stuck to the top, not scrolled away
    assert page.get_by_role("link", name="Next step: Weighted Romanian Deadlift").is_visible()
    assert page.get_by_role("link", name="Previous step: Dowel Hip Hinge").is_visible()
    link = page.get_by_role("link", name="Next step: Weighted Romanian Deadlift").bounding_box()
    assert link["width"] >= 44 and link["height"] >= 44  # a comfortable tap target


def test_the_dark_theme_follows_the_system_setting(served_site: str, browser) -> None:
    found = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        tab = context.new_page()
        tab.goto(served_site + "drills/dowel-hip-hinge/")
        found[scheme] = [luminance(tab.evaluate(f"getComputedStyle(document.querySelector('{sel}')).{prop}"))
                         for sel, prop in (("body", "backgroundColor"), ("body", "color"))]
        context.close()
    assert found["light"][0] > 0.9 and found["light"][1] < 0.2
    assert found["dark"][0] < 0.1 and found["dark"][1] > 0.85


def test_icons_and_manifest_load_and_no_request_fails(served_site: str, page) -> None:
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(served_site)
    manifest_url = page.locator("link[rel=manifest]").get_attribute("href")
    manifest = json.loads(page.request.get(served_site.rstrip("/") + manifest_url).text())
    assert manifest["name"] == "Hinge & Hold" and manifest["start_url"] == "/"
    sizes = set()
    for icon in manifest["icons"]:
        reply = page.request.get(served_site.rstrip("/") + icon["src"])
        assert reply.ok and reply.headers["content-type"] == icon["type"], icon
        sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes
    icon = page.request.get(served_site.rstrip("/") + page.locator("link[rel=icon]").get_attribute("href"))
    assert icon.ok and icon.text().startswith("<svg")
    assert failed == []


def test_print_drops_navigation_and_controls_keeps_gate_and_cues_whole_and_prints_link_urls(served_site: str,
                                                                                           page) -> None:
    page.goto(served_site + "drills/bodyweight-rdl/")
    assert page.locator(".tracker").is_visible()
    page.emulate_media(media="print")
    for hidden in (".site-header nav", ".site-footer", ".pager", ".tracker", ".step-move", ".share"):
        assert page.locator(hidden).count() == 0 or not page.locator(hidden).first.is_visible(), hidden
    for whole in ("section.gate", "section:has(> .cues)"):
        assert page.locator(whole).evaluate("el => getComputedStyle(el).breakInside") == "avoid", whole
    # On paper the gate comes straight after the cues, before the faults and variations.
    cues, gate, faults = (page.locator(sel).bounding_box() for sel in
                          ("section:has(> .cues)", "section.gate", "section:has(> .faults)"))
    assert cues["y"] + cues["height"] <= gate["y"] < faults["y"]
    assert page.locator("section:has(> .cues)").evaluate("el => getComputedStyle(el).breakAfter") == "avoid"
    after = page.locator("section.box a").first.evaluate("el => getComputedStyle(el, '::after').content")
    assert after == '" (https://example.org/drills/dowel-hip-hinge/)"'


def test_no_page_scrolls_sideways_at_320_px(served_site: str, browser) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    tab = context.new_page()
    for path in ("", "guides/learn-the-hip-hinge/", "drills/weighted-rdl/", "exercises/kettlebell-swing/", "tags/"):
        tab.goto(served_site + path)
        assert tab.evaluate("document.documentElement.scrollWidth") <= 320, path
    context.close()
