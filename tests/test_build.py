"""Building the example site: every page, every link, the progression on the page, and atomic,
safe output."""

from __future__ import annotations

import errno
import html
import os
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import write_page

from sitegen.build import output as output_module
from sitegen.build.builder import BuildResult, build
from sitegen.build.output import MARKER, Staging
from sitegen.config import Settings, load_settings
from sitegen.content.loader import load
from sitegen.content.model import Movement
from sitegen.errors import ContentError, UsageError
from sitegen.report import NullReporter

GUIDE = "guides/learn-the-hip-hinge/"
GUIDE_TITLE = "Learn the Hip Hinge in Three Drills"
DRILLS = ["dowel-hip-hinge", "bodyweight-rdl", "weighted-rdl"]
EXERCISES = ["band-deadlift", "bent-over-row", "cable-pull-through", "kettlebell-swing", "standing-band-hip-thrust"]
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def site_settings(site: Path, base_url: str | None = None) -> Settings:
    settings = load_settings(site)
    return settings.with_base_url(base_url) if base_url else settings


def run_build(site: Path, base_url: str | None = None, **options) -> BuildResult:
    return build(site_settings(site, base_url), cards=False, reporter=NullReporter(), **options)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below `folder`, hidden ones included, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(site: Path) -> list[str]:
    """Staging or old output folders left beside output/ (its twin, .output.twin, is meant to stay)."""
    return sorted(p.name for p in site.iterdir() if p.name.startswith(".output.") and p.name != ".output.twin")


class Links(HTMLParser):
    """Every href/src in a page, and every id it defines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.urls.append(value)
            elif name == "id" and value:
                self.ids.add(value)


def parse(path: Path) -> Links:
    links = Links()
    links.feed(path.read_text(encoding="utf-8"))
    return links


def text_of(path: Path) -> str:
    """The page's text with tags removed and whitespace collapsed."""
    raw = re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))
    return re.sub(r"\s+", " ", html.unescape(raw))


def local_file(url: str, page: str, output: Path, settings: Settings) -> tuple[Path, str] | None:
    """The output file an internal URL leads to (and its #fragment); None for external URLs."""
    parts = urlsplit(url)
    own = urlsplit(settings.base_url)
    if parts.scheme in ("mailto", "tel") or (parts.netloc and parts.netloc != own.netloc):
        return None
    if not parts.path:  # "#anchor": the page itself
        return output / page, parts.fragment
    assert parts.path.startswith(settings.base_path), f"{page}: {url} ignores the base path {settings.base_path}"
    rel = unquote(parts.path[len(settings.base_path):])
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    return output / rel, parts.fragment


# --- the example site ---------------------------------------------------------------------------


@pytest.fixture
def built(example_site: Path) -> Path:
    run_build(example_site)
    return example_site / "output"


def test_every_page_at_its_pretty_url(example_site: Path) -> None:
    result = run_build(example_site)
    out = example_site / "output"
    assert result.output == out.resolve() and result.pages == 10
    expected = ["index.html", "404.html", "feed.xml", "sitemap.xml", "tags/index.html", "about/index.html",
                GUIDE + "index.html", "static/style.css", "static/share.png", "static/search.js", "robots.txt", "search.json", MARKER]
    expected += [f"drills/{d}/index.html" for d in DRILLS] + [f"exercises/{e}/index.html" for e in EXERCISES]
    expected += [f"images/{p.name}" for p in (example_site / "content" / "images").iterdir()]
    expected += ["site.webmanifest"] + [f"static/{p.name}" for p in (example_site / "static").iterdir()]
    files = snapshot(out)
    assert set(expected) <= set(files)
    # nothing else but one page per tag, muscle and piece of equipment, and their indexes
    extra = set(files) - set(expected)
    assert extra and all(re.fullmatch(r"(tags|muscles|equipment)/([\w-]+/)?index\.html", f) for f in extra), extra
    assert {"muscles/index.html", "muscles/hamstrings/index.html", "equipment/kettlebell/index.html"} <= extra
    assert result.files == len(files) - 1  # everything but the marker


@pytest.mark.parametrize("base_url", [None, "https://example.org/coach/"])
def test_every_internal_link_resolves(example_site: Path, base_url: str | None) -> None:
    run_build(example_site, base_url)
    settings = site_settings(example_site, base_url)
    out = example_site / "output"
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    checked = 0
    for page in pages:
        for url in parse(out / page).urls:
            found = local_file(url, page, out, settings)
            if found is None:
                continue
            target, fragment = found
            assert target.is_file(), f"{page}: {url} leads to no file"
            if fragment:
                assert fragment in parse(target).ids, f"{page}: {url} has no #{fragment} there"
            checked += 1
    assert checked > 300  # the test really walked the site


@pytest.mark.parametrize("base_url", ["https://example.org/", "https://example.org/coach/"])
def test_feed_and_sitemap_are_xml_with_absolute_urls(example_site: Path, base_url: str) -> None:
    run_build(example_site, base_url)
    out = example_site / "output"
    pages = load(load_settings(example_site)).pages
    urls = {base_url + p.url_path for p in pages}

    sitemap = ET.parse(out / "sitemap.xml").getroot()
    locs = [e.text for e in sitemap.iter(f"{SITEMAP}loc")]
    assert sorted(locs) == sorted(urls | {base_url})

    feed = ET.parse(out / "feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == len([p for p in pages if p.date])
    links = [e.find(f"{ATOM}link").get("href") for e in entries]
    assert set(links) <= urls and len(set(links)) == len(links)
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == base_url + "feed.xml"
    assert feed.find(f"{ATOM}title").text == "Hinge & Hold"
    for url in links + locs:
        rel = url[len(base_url):]
        assert (out / (rel + "index.html" if rel.endswith("/") or not rel else rel)).is_file(), url


def test_every_html_page_honours_a_subpath(example_site: Path) -> None:
    run_build(example_site, "https://example.org/coach/")
    out = example_site / "output"
    for page in out.rglob("*.html"):
        for url in parse(page).urls:
            parts = urlsplit(url)
            if not parts.scheme and parts.path:
                assert parts.path.startswith("/coach/"), f"{page}: {url}"
            if parts.netloc == "example.org":
                assert parts.path.startswith("/coach/"), f"{page}: {url}"


@pytest.mark.parametrize("number, slug", list(enumerate(DRILLS, 1)))
def test_drill_page_shows_where_it_sits(built: Path, number: int, slug: str) -> None:
    page = built / "drills" / slug / "index.html"
    text = text_of(page)
    assert f"Step {number} of 3 in {GUIDE_TITLE}" in text
    source = page.read_text()
    assert f'Step {number} of 3 in <a href="/{GUIDE}"><em>{GUIDE_TITLE}</em></a>' in source
    drill = next(p for p in load(load_settings(built.parent)).pages if p.slug == slug)
    assert isinstance(drill, Movement) and drill.mastery
    assert f"Move on when {drill.mastery}" in text
    previous = DRILLS[number - 2] if number > 1 else None
    following = DRILLS[number] if number < 3 else None
    pager = re.search(r'<nav class="pager".*?</nav>', source, re.S)
    assert pager is not None
    prev_link = re.search(r'rel="prev" href="([^"]+)"', pager.group(0))
    next_link = re.search(r'rel="next" href="([^"]+)"', pager.group(0))
    assert (prev_link.group(1) if prev_link else None) == (f"/drills/{previous}/" if previous else f"/{GUIDE}")
    if following:
        assert next_link and next_link.group(1) == f"/drills/{following}/"
        assert "What comes next" in text
        next_section = source[source.index('id="next-up"'):]
        assert f'href="/drills/{following}/"' in next_section
    if number > 1:
        assert f"Master first {load_title(built, DRILLS[number - 2])}" in text


def load_title(built: Path, slug: str) -> str:
    return next(p.title for p in load(load_settings(built.parent)).pages if p.slug == slug)


def test_drill_page_lists_variations_cues_faults_and_facts(built: Path) -> None:
    text = text_of(built / "drills" / "bodyweight-rdl" / "index.html")
    order = [text.index(v) for v in ("Hands on the lower back", "Fingertips at the ears", "Arms crossed over the chest")]
    assert order == sorted(order)
    assert "Sets × reps 2 × 10" in text
    assert "Common faults" in text and "Fix: Keep the upper back flat" in text
    assert "Cues Copy the hinge from the dowel drill" in text
    weighted = text_of(built / "drills" / "weighted-rdl" / "index.html")
    assert "2–3 × 6–10" in weighted


def test_guide_lists_drills_in_order_and_what_they_unlock(built: Path) -> None:
    source = (built / GUIDE / "index.html").read_text()
    steps = re.search(r'<ol class="steps">(.*?)</ol>', source, re.S)
    assert steps is not None
    assert re.findall(r'href="([^"]+)"', steps.group(1)) == [f"/drills/{d}/" for d in DRILLS]
    assert re.findall(r'class="step-no">Step (\d)', steps.group(1)) == ["1", "2", "3"]
    unlocks = source[source.index('class="unlocks"'):]
    guide = next(p for p in load(load_settings(built.parent)).pages if p.type == "guide")
    assert re.findall(r'href="/exercises/([^/"]+)/"', unlocks) == [r.target.split("/")[1][:-3] for r in guide.exercises]


def test_exercise_pages_name_what_to_master_first(built: Path) -> None:
    for slug in EXERCISES:
        text = text_of(built / "exercises" / slug / "index.html")
        assert f"Unlocked by {GUIDE_TITLE}" in text
        assert "Master first Weighted Romanian Deadlift" in text


def test_tag_pages_list_their_pages(built: Path) -> None:
    pages = load(load_settings(built.parent)).pages
    tags = {t for p in pages for t in p.tags}
    index = parse(built / "tags" / "index.html").urls
    for tag in tags:
        slug = re.sub(r"[^\w]+", "-", tag.lower()).strip("-_")
        assert f"/tags/{slug}/" in index
        grid = re.search(r'<ul class="grid">(.*?)\n</ul>', (built / "tags" / slug / "index.html").read_text(), re.S)
        assert grid is not None
        listed = re.findall(r'<a href="([^"]+)">', grid.group(1))
        for p in pages:
            assert (f"/{p.url_path}" in listed) == (tag in p.tags), (tag, p.source)


def test_static_and_content_files_are_copied_as_they_are(built: Path) -> None:
    site = built.parent
    assert (built / "static" / "style.css").read_bytes() == (site / "static" / "style.css").read_bytes()
    for svg in (site / "content" / "images").iterdir():
        assert (built / "images" / svg.name).read_bytes() == svg.read_bytes()


def test_drafts_are_left_out_unless_asked_for(example_site: Path) -> None:
    write_page(example_site, "drafts-page.md", "---\ntype: page\ntitle: Not yet\ndraft: true\n---\nSoon.\n")
    run_build(example_site)
    assert not (example_site / "output" / "drafts-page").exists()
    assert "Not yet" not in (example_site / "output" / "index.html").read_text()
    run_build(example_site, drafts=True)
    assert (example_site / "output" / "drafts-page" / "index.html").is_file()


def test_only_the_output_folder_is_written(example_site: Path) -> None:
    before = snapshot(example_site)
    run_build(example_site)
    after = snapshot(example_site)
    assert {k: v for k, v in after.items() if not k.startswith(("output/", ".sitegen-cache/"))} == before
    assert sorted(p.name for p in example_site.iterdir()) == [".sitegen-cache", "content", "output", "pyproject.toml",
                                                               "static", "templates"]


# --- atomic output --------------------------------------------------------------------------------


@pytest.fixture
def previous(example_site: Path) -> dict[str, bytes]:
    """A first, good build; returns its files."""
    run_build(example_site)
    return snapshot(example_site / "output")


def test_rebuild_replaces_the_whole_folder(example_site: Path, previous: dict[str, bytes]) -> None:
    (example_site / "content" / "about.md").unlink()
    run_build(example_site)
    files = snapshot(example_site / "output")
    assert "about/index.html" in previous and "about/index.html" not in files
    assert not (example_site / "output" / "about").exists()
    assert leftovers(example_site) == []


def test_content_error_writes_nothing(example_site: Path, previous: dict[str, bytes]) -> None:
    write_page(example_site, "drills/bad.md", "---\ntype: drill\ntitle: Bad\nreps: lots\n---\n")
    with pytest.raises(ContentError) as caught:
        run_build(example_site)
    assert [(d.file, d.line, d.column, d.code) for d in caught.value.diagnostics] == [
        ("content/drills/bad.md", 4, 7, "VALUE001")]
    assert snapshot(example_site / "output") == previous
    assert leftovers(example_site) == []


@pytest.mark.parametrize("expression, message", [
    ("page.no_such_key", "has no attribute 'no_such_key'"),
    ("1 / 0", "ZeroDivisionError: division by zero"),
    ('page.title | truncate("x")', "TypeError"),
])
def test_template_failing_on_one_page_leaves_output_whole(example_site: Path, previous: dict[str, bytes],
                                                          expression: str, message: str) -> None:
    (example_site / "templates" / "drill.html").write_text(
        '{% extends "_movement.html" %}\n'
        '{% block kind %}Drill{% if page.slug == "weighted-rdl" %}{{ ' + expression + ' }}{% endif %}{% endblock %}\n')
    with pytest.raises(ContentError) as caught:
        run_build(example_site)
    (d,) = caught.value.diagnostics
    assert (d.file, d.line, d.code) == ("templates/drill.html", 2, "TPL001")
    assert message in d.message
    assert snapshot(example_site / "output") == previous
    assert leftovers(example_site) == []


def touch_every_page(site: Path) -> None:
    """Change the base template, so the next build has every page to write (an unchanged one writes none)."""
    base = site / "templates" / "base.html"
    base.write_text(base.read_text().replace("</footer>", "</footer>\n<!-- changed -->"))


@pytest.mark.parametrize("error", [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt()])
def test_writer_failing_midway_leaves_output_whole(example_site: Path, previous: dict[str, bytes],
                                                   monkeypatch, error: BaseException) -> None:
    real_write = Staging.write
    written: list[str] = []

    def failing_write(self: Staging, rel: str, data: bytes | str) -> Path:
        if len(written) == 5:
            raise error
        written.append(rel)
        return real_write(self, rel, data)

    monkeypatch.setattr(Staging, "write", failing_write)
    touch_every_page(example_site)
    with pytest.raises(type(error)):
        run_build(example_site, jobs=1)  # written in this process, where the failing writer is
    assert len(written) == 5
    assert snapshot(example_site / "output") == previous
    assert leftovers(example_site) == []


def test_failed_swap_puts_the_old_output_back(example_site: Path, previous: dict[str, bytes], monkeypatch) -> None:
    real_replace = os.replace
    calls: list[tuple[str, str]] = []

    def replace(src, dst) -> None:
        if example_site not in Path(dst).parents:  # not the swap: Jinja storing a compiled template, say
            return real_replace(src, dst)
        calls.append((Path(src).name, Path(dst).name))
        if len(calls) == 2:  # the new folder onto output/
            raise OSError(errno.EIO, "simulated failure")
        real_replace(src, dst)

    monkeypatch.setattr(output_module.os, "replace", replace)
    monkeypatch.setattr(output_module, "_native_exchange", lambda a, b: False)  # the three-rename swap
    touch_every_page(example_site)
    with pytest.raises(OSError, match="simulated failure"):
        run_build(example_site)
    # output/ moved aside, the new folder failed to take its place, the old one went back
    assert [dst == "output" for _src, dst in calls] == [False, True, True]
    assert calls[0][0] == calls[2][1] == "output" and calls[0][1] == calls[2][0]
    assert snapshot(example_site / "output") == previous
    assert leftovers(example_site) == []


# --- output folder safety -------------------------------------------------------------------------


@pytest.mark.parametrize("output_dir, message", [
    (".", "is, or contains, the site folder"),
    ("..", "is, or contains, the site folder"),
    ("content", "overlaps content/"),
    ("content/site", "overlaps content/"),
    ("templates", "overlaps templates/"),
    ("static/out", "overlaps static/"),
])
def test_output_folder_that_holds_sources_is_refused(example_site: Path, output_dir: str, message: str) -> None:
    (example_site / "sitegen.toml").write_text(f'output_dir = "{output_dir}"\n')
    before = snapshot(example_site.parent)
    with pytest.raises(UsageError, match=re.escape(message)) as caught:
        run_build(example_site)
    assert caught.value.exit_code == 2
    assert snapshot(example_site.parent) == before
    assert sorted(p.name for p in example_site.parent.iterdir()) == ["site"]


def test_content_folder_holding_the_output_is_refused(example_site: Path) -> None:
    (example_site / "sitegen.toml").write_text('content_dir = "."\n')
    with pytest.raises(UsageError, match="overlaps"):
        run_build(example_site)
    assert not (example_site / "output").exists()


def test_folder_sitegen_did_not_make_is_not_replaced(example_site: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.txt").write_text("years of work")
    with pytest.raises(UsageError, match="holds files sitegen did not make"):
        run_build(example_site, output=mine)
    assert snapshot(mine) == {"thesis.txt": b"years of work"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "site"]


def test_output_that_is_a_file_is_refused(example_site: Path) -> None:
    (example_site / "output").write_text("a file")
    with pytest.raises(UsageError, match="is a file, not a folder"):
        run_build(example_site)
    assert (example_site / "output").read_text() == "a file"


def test_empty_or_outside_output_folder_is_fine(example_site: Path, tmp_path: Path) -> None:
    (example_site / "output").mkdir()
    run_build(example_site)
    assert (example_site / "output" / MARKER).is_file()
    public = tmp_path / "public"
    result = run_build(example_site, output=public)
    assert result.output == public.resolve() and (public / "index.html").is_file()
    run_build(example_site, output=public)  # a folder sitegen made may be replaced
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public", "site"]
