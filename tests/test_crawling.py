"""What crawlers and feed readers get: robots.txt, a sitemap and a feed listing exactly the
published pages, and pages dated in the future left out until their day (or --future)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import copy_example_site, write_page

from sitegen.build.builder import build
from sitegen.cli import main
from sitegen.config import load_settings
from sitegen.content.loader import load
from sitegen.report import NullReporter

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://example.org/"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    site = copy_example_site(tmp_path / "site")
    write_page(site, "drills/hinge-hold.md", """
        ---
        type: drill
        title: Hinge hold
        date: 2999-01-01
        summary: Not out yet.
        ---
        Later.
        """)
    write_page(site, "drills/wall-hinge.md", """
        ---
        type: drill
        title: Wall hinge
        date: 2026-10-01
        draft: true
        ---
        A draft.
        """)
    return site


def listed(out: Path) -> tuple[set[str], set[str]]:
    sitemap = ET.parse(out / "sitemap.xml").getroot()
    feed = ET.parse(out / "feed.xml").getroot()
    return ({u.findtext(f"{SITEMAP}loc") for u in sitemap.findall(f"{SITEMAP}url")},
            {e.findtext(f"{ATOM}id") for e in feed.findall(f"{ATOM}entry")})


def test_sitemap_and_feed_list_exactly_the_published_pages(site: Path) -> None:
    build(load_settings(site), cards=False, reporter=NullReporter())
    out = site / "output"
    published = load(load_settings(site)).pages
    urls = {BASE + p.url_path for p in published}
    sitemap, feed = listed(out)
    assert sitemap == urls | {BASE}
    assert feed == {BASE + p.url_path for p in published if p.date}
    assert not any("hinge-hold" in u or "wall-hinge" in u for u in sitemap | feed)
    assert not (out / "drills/hinge-hold").exists() and not (out / "drills/wall-hinge").exists()
    robots = (out / "robots.txt").read_text(encoding="utf-8")
    assert robots.splitlines() == ["User-agent: *", "Allow: /", "", f"Sitemap: {BASE}sitemap.xml"]


def test_a_future_page_is_left_out_with_a_note_unless_future(site: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["-C", str(site), "build", "--no-cards"]) == 0
    err = capsys.readouterr().err
    assert "left out 1 page(s) dated after today (publish them now with --future): content/drills/hinge-hold.md" in err
    assert main(["-C", str(site), "build", "--no-cards"]) == 0  # nothing changed: the note stays
    assert "content/drills/hinge-hold.md" in capsys.readouterr().err
    assert main(["-C", str(site), "build", "--no-cards", "--future"]) == 0
    assert "left out" not in capsys.readouterr().err
    out = site / "output"
    assert (out / "drills/hinge-hold/index.html").is_file()
    sitemap, feed = listed(out)
    assert BASE + "drills/hinge-hold/" in sitemap and BASE + "drills/hinge-hold/" in feed
    assert not (out / "drills/wall-hinge").exists()  # a draft stays a draft


def test_a_published_page_linking_to_a_future_one_fails_the_check(site: Path, capsys: pytest.CaptureFixture) -> None:
    path = site / "content/drills/dowel-hip-hinge.md"
    path.write_text(path.read_text(encoding="utf-8").replace("## Why it matters", "See [the hold](hinge-hold.md).\n\n## Why it matters"),
                    encoding="utf-8")
    assert main(["-C", str(site), "check", "--no-cards"]) == 1
    assert "error[DATE001]: link 'hinge-hold.md' is dated 2999-01-01, after today" in capsys.readouterr().out
    assert main(["-C", str(site), "check", "--no-cards", "--future"]) == 0


def test_images_carry_their_size_and_load_lazily_below_the_fold(site: Path) -> None:
    write_page(site, "drills/wall-hinge.md", """
        ---
        type: drill
        title: Wall hinge
        ---
        ![A figure at a wall](../images/dowel-hip-hinge.svg) and <img src="../images/hinge-overview.svg" alt="x" width="40">
        """)
    build(load_settings(site), cards=False, reporter=NullReporter())
    out = site / "output"
    body = (out / "drills/wall-hinge/index.html").read_text(encoding="utf-8")
    assert '<img alt="A figure at a wall" src="/images/dowel-hip-hinge.svg" loading="lazy" width="400" height="300">' \
        in body
    assert '<img src="/images/hinge-overview.svg" alt="x" width="40" loading="lazy">' in body  # its own size kept
    drill = (out / "drills/weighted-rdl/index.html").read_text(encoding="utf-8")
    assert 'src="/images/weighted-rdl.svg" alt="A figure holding' in drill
    assert 'width="400" height="300" loading="lazy" decoding="async">' in drill
    # A guide's picture opens the article, in view at once: not lazy.
    guide = (out / "guides/learn-the-hip-hinge/index.html").read_text(encoding="utf-8")
    assert 'src="/images/hinge-overview.svg"' in guide and 'width="400" height="300" decoding="async">' in guide
