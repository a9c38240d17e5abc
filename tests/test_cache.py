"""Incremental builds and the build cache: a change re-renders exactly what depends on it, the
result is always byte-identical to a clean build, and a corrupted or stale cache is rebuilt,
never served."""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

import pytest
from conftest import write_page
from test_benchmarks import corpus

from sitegen.build.builder import Builder, BuildResult, build
from sitegen.build.output import one_build_at_a_time
from sitegen.build.output import MARKER, build_id_of, twin_path
from sitegen.cache import CACHE_DIR, Cache
from sitegen.config import load_settings
from sitegen.errors import ContentError, UsageError
from sitegen.report import NullReporter

DRILLS = [f"drills/{s}/index.html" for s in ("bodyweight-rdl", "dowel-hip-hinge", "weighted-rdl")]
EXERCISES = [f"exercises/{s}/index.html" for s in
             ("band-deadlift", "bent-over-row", "cable-pull-through", "kettlebell-swing", "standing-band-hip-thrust")]
TAGS = [f"tags/{t}/index.html" for t in ("band", "beginner", "bodyweight", "cable", "hip-hinge", "kettlebell",
                                          "posterior-chain", "strength", "technique", "upper-back")]
TERMS = [f"muscles/{m}/index.html" for m in ("glutes", "hamstrings", "lats", "upper-back")] + [
    f"equipment/{e}/index.html" for e in ("cable-machine-with-a-rope-handle", "dowel-or-broomstick",
                                          "dumbbells-a-resistance-band-or-a-barbell", "dumbbells-or-a-barbell",
                                          "kettlebell", "resistance-band", "sturdy-anchor-point")]
GUIDE = "guides/learn-the-hip-hinge/index.html"
# The outputs that show the bodyweight RDL drill's title: its neighbours in the progression, its
# guide, the listings, its tag pages (tags/index.html counts the pages of each tag) and the pages
# of the muscles it works (it names no equipment), and the search index.
SHOW_BODYWEIGHT_RDL = sorted(DRILLS + [GUIDE, "feed.xml", "index.html", "search.json", "sitemap.xml",
                                       "tags/index.html"]
                             + [f"tags/{t}/index.html" for t in ("beginner", "bodyweight", "hip-hinge",
                                                                 "posterior-chain")]
                             + [f"muscles/{m}/index.html" for m in ("glutes", "hamstrings")])
EVERYTHING = sorted(DRILLS + EXERCISES + TAGS + TERMS + [
    GUIDE, "404.html", "about/index.html", "feed.xml", "index.html", "sitemap.xml", "tags/index.html",
    "muscles/index.html", "equipment/index.html", "robots.txt", "search.json"])
# Every output the templates make: EVERYTHING (each lists the plain pages) and the web app
# manifest, which shows only settings.
EVERY_OUTPUT = sorted(EVERYTHING + ["site.webmanifest"])


def run_build(site: Path, **options) -> BuildResult:
    return build(load_settings(site), cards=False, reporter=NullReporter(), **options)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` with its bytes, except the marker (it names the build)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MARKER}


def clean_build(site: Path, tmp_path: Path) -> dict[str, bytes]:
    """What a first build of the same sources, with no cache and no previous output, makes."""
    other = tmp_path / "clean"
    shutil.rmtree(other, ignore_errors=True)
    other.mkdir()
    for name in ("content", "templates", "static"):
        shutil.copytree(site / name, other / name)
    shutil.copy(site / "pyproject.toml", other / "pyproject.toml")
    run_build(other)
    return snapshot(other / "output")


def edit(rel: str, old: str, new: str) -> Callable[[Path], None]:
    def change(site: Path) -> None:
        path = site / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{rel} has no {old!r}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return change


@pytest.fixture
def site(example_site: Path) -> Path:
    run_build(example_site)
    return example_site


@pytest.mark.parametrize("change, rendered", [
    # A body is shown on its own page only.
    (edit("content/drills/bodyweight-rdl.md", "Once the", "Now that the"), ["drills/bodyweight-rdl/index.html"]),
    # A title is shown wherever the page is listed; the sitemap lists every page.
    (edit("content/drills/bodyweight-rdl.md", "title: Bodyweight Romanian Deadlift", "title: Bodyweight RDL"),
     SHOW_BODYWEIGHT_RDL),
    # A plain page is in every page's header (robots.txt has none).
    (edit("content/about.md", "title: About", "title: About us"), sorted(set(EVERYTHING) - {"robots.txt"})),
    # A template re-renders the pages that use it, directly or through extends/import.
    (edit("templates/_movement.html", '<h2 id="cues">Cues</h2>', '<h2 id="cues">Coaching cues</h2>'),
     sorted(DRILLS + EXERCISES)),
    (edit("templates/taxonomy.html", "All {{", "Every {{"), sorted(TAGS + TERMS)),
    (edit("templates/_macros.html", '<span>Previous</span>', '<span>Back</span>'),
     sorted(DRILLS + EXERCISES + TAGS + TERMS + [GUIDE, "about/index.html", "index.html"])),
    # Settings reach everything.
    (edit("pyproject.toml", 'title = "Hinge & Hold"', 'title = "Hinge and Hold"'), EVERY_OUTPUT),
    # A static file or an image is copied, nothing is rendered.
    (edit("static/style.css", "}", "}\n"), []),
    (edit("content/images/dowel-hip-hinge.svg", "</svg>", "<!-- redrawn --></svg>"), []),
    # An image drawn at another size: the page that shows it with its width and height (the home
    # page's cards show every picture in a box of one size).
    (edit("content/images/dowel-hip-hinge.svg", 'viewBox="0 0 400 300"', 'viewBox="0 0 480 240"'),
     ["drills/dowel-hip-hinge/index.html"]),
])
def test_a_change_rerenders_exactly_what_depends_on_it(site: Path, tmp_path: Path, change, rendered) -> None:
    change(site)
    result = run_build(site)
    assert sorted(result.rendered) == rendered
    assert snapshot(site / "output") == clean_build(site, tmp_path)


def test_a_template_reading_another_pages_body_follows_that_body(site: Path, tmp_path: Path) -> None:
    edit("templates/guide.html", "<a href=\"{{ site.url(d) }}\">", "<a data-words=\"{{ d.body | wordcount }}\" "
         "href=\"{{ site.url(d) }}\">")(site)
    run_build(site)
    edit("content/drills/bodyweight-rdl.md", "Once the", "Now that the")(site)
    # Bodies now count as what pages show of each other: a body edit reaches where a title edit does.
    assert sorted(run_build(site).rendered) == SHOW_BODYWEIGHT_RDL
    assert snapshot(site / "output") == clean_build(site, tmp_path)


def test_a_template_reading_now_renders_every_time(site: Path) -> None:
    edit("templates/404.html", "<h1>Page not found</h1>", "<h1>Page not found</h1><p>{{ now.year }}</p>")(site)
    run_build(site)
    assert run_build(site).rendered == ["404.html"]


def test_a_page_that_starts_or_stops_naming_another_rerenders_it(site: Path, tmp_path: Path) -> None:
    """`next` is inferred from `prerequisites`: the drill named gains a "what comes next" entry."""
    edit("content/exercises/band-deadlift.md", "  - ../drills/weighted-rdl.md\nregression",
         "  - ../drills/weighted-rdl.md\n  - ../drills/bodyweight-rdl.md\nregression")(site)
    result = run_build(site)
    assert "drills/bodyweight-rdl/index.html" in result.rendered
    assert "Band Deadlift" in (site / "output/drills/bodyweight-rdl/index.html").read_text()
    assert snapshot(site / "output") == clean_build(site, tmp_path)


def test_added_and_removed_pages(site: Path, tmp_path: Path) -> None:
    write_page(site, "notes.md", """
        ---
        type: page
        title: Notes
        tags: [fresh-tag]
        ---
        Some notes.
        """)
    result = run_build(site)
    assert {"notes/index.html", "tags/fresh-tag/index.html"} <= set(result.changed)
    assert snapshot(site / "output") == clean_build(site, tmp_path)
    (site / "content" / "notes.md").unlink()
    result = run_build(site)
    assert {"notes/index.html", "tags/fresh-tag/index.html"} <= set(result.changed)
    assert not (site / "output/notes").exists() and not (site / "output/tags/fresh-tag").exists()
    assert snapshot(site / "output") == clean_build(site, tmp_path)


def test_unchanged_sources_write_nothing(site: Path) -> None:
    times = {p: p.stat().st_mtime_ns for p in (site / "output").rglob("*")}
    folder = (site / "output").stat().st_ino
    result = run_build(site)
    assert (result.rendered, result.changed) == ([], [])
    assert {p: p.stat().st_mtime_ns for p in (site / "output").rglob("*")} == times
    assert (site / "output").stat().st_ino == folder


def test_files_keep_their_time_unless_their_bytes_change(site: Path) -> None:
    """Builds alternate between output/ and its twin; an unchanged file keeps its time in both."""
    for text in ("First edit.", "Second edit.", "Third edit."):
        before = {p.relative_to(site / "output").as_posix(): p.stat().st_mtime_ns
                  for p in (site / "output").rglob("*") if p.is_file() and p.name != MARKER}
        edit("content/drills/bodyweight-rdl.md", "Once the", f"{text} Once the")(site)
        result = run_build(site)
        assert result.changed == ["drills/bodyweight-rdl/index.html"]
        after = {p.relative_to(site / "output").as_posix(): p.stat().st_mtime_ns
                 for p in (site / "output").rglob("*") if p.is_file() and p.name != MARKER}
        assert {k for k in after if after[k] != before.get(k)} == {"drills/bodyweight-rdl/index.html"}
        assert text in (site / "output/drills/bodyweight-rdl/index.html").read_text()
    assert twin_path(site / "output").is_dir()


def test_only_the_live_and_twin_builds_are_remembered(site: Path) -> None:
    for text in ("One.", "Two.", "Three.", "Four."):
        edit("content/about.md", "**Hinge", f"{text} **Hinge")(site)
        run_build(site)
    with sqlite3.connect(site / CACHE_DIR / "builds.sqlite") as db:
        remembered = {key.rpartition("-")[2] for (key,) in db.execute("SELECT key FROM entries")}
    made_by = [(folder / MARKER).read_text().split()[-1] for folder in (site / "output", twin_path(site / "output"))]
    assert remembered == set(made_by) and len(remembered) == 2


def test_an_edit_within_the_same_clock_tick_is_not_missed(site: Path) -> None:
    """Saved just before a build, then saved again within the file system's clock tick: same size,
    same time as the file that build read; only the content differs."""
    page = site / "content/drills/bodyweight-rdl.md"
    edit("content/drills/bodyweight-rdl.md", "Once the", "Once, the")(site)
    stat = page.stat()
    run_build(site)
    edit("content/drills/bodyweight-rdl.md", "Once, the", "ONCE, the")(site)
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (page.stat().st_size, page.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    run_build(site)
    assert "ONCE, the" in (site / "output/drills/bodyweight-rdl/index.html").read_text()


def test_unchanged_site_builds_from_file_times_alone(site: Path) -> None:
    """Once the sources are older than the last build, a build compares sizes and times only, and
    reports what that build reported."""
    long_ago = time.time_ns() - 10_000_000_000
    for path in site.rglob("*"):
        if path.is_file() and "output" not in path.parts and CACHE_DIR not in path.parts:
            os.utime(path, ns=(long_ago, long_ago))
    first = run_build(site)
    again = run_build(site)
    assert (again.rendered, again.changed, again.pages, again.files) == ([], [], first.pages, first.files)
    # A file changed by hand in output/ is noticed and put right.
    (site / "output/about/index.html").write_text("vandalised")
    again = run_build(site)
    assert again.rendered == ["about/index.html"]
    assert "vandalised" not in (site / "output/about/index.html").read_text()


def test_a_corrupted_entry_is_rendered_again(site: Path, tmp_path: Path) -> None:
    with sqlite3.connect(site / CACHE_DIR / "markdown.sqlite") as db:
        db.execute("UPDATE entries SET data = CAST(REPLACE(CAST(data AS TEXT), 'hip', 'hop') AS BLOB)")
    edit("templates/base.html", "</footer>", "</footer>\n<!-- changed -->")(site)
    run_build(site)
    assert "hop" not in (site / "output/drills/bodyweight-rdl/index.html").read_text()
    assert snapshot(site / "output") == clean_build(site, tmp_path)


def test_a_checksummed_body_sitegen_cannot_read_is_rendered_again(site: Path, tmp_path: Path) -> None:
    """An entry that passes its checksum but is not what this sitegen stores (another Python's
    format, say) is rendered again, never served."""
    cache = Cache(site, "markdown")
    keys = [key for key, _data in cache.items()]
    cache.put_many([(key, b'["<p>foreign</p>", []]') for key in keys])
    edit("templates/base.html", "</footer>", "</footer>\n<!-- changed -->")(site)
    run_build(site)
    assert snapshot(site / "output") == clean_build(site, tmp_path)


@pytest.mark.parametrize("damage", ["garbage", "delete"])
def test_a_damaged_or_deleted_cache_is_rebuilt(site: Path, tmp_path: Path, damage: str) -> None:
    cache = site / CACHE_DIR
    if damage == "delete":
        shutil.rmtree(cache)
    else:
        for db in cache.glob("*.sqlite*"):  # the database, its write-ahead log and its index
            db.write_bytes(b"this is not a database" * 100)
    edit("content/drills/bodyweight-rdl.md", "Once the", "Now that the")(site)
    result = run_build(site)
    assert len(result.rendered) == len(EVERY_OUTPUT)  # no record of the output: everything is rendered
    assert snapshot(site / "output") == clean_build(site, tmp_path)
    assert run_build(site).rendered == []


def test_an_output_folder_the_record_does_not_describe_is_rebuilt(site: Path, tmp_path: Path) -> None:
    """output/ replaced behind sitegen's back (restored from a backup, say): its marker names
    another build, so nothing recorded about it is trusted."""
    backup = tmp_path / "backup"
    shutil.copytree(site / "output", backup)
    edit("content/drills/bodyweight-rdl.md", "Once the", "Now that the")(site)
    run_build(site)
    shutil.rmtree(site / "output")
    shutil.copytree(backup, site / "output")
    (site / "output" / MARKER).write_text((site / "output" / MARKER).read_text().replace("build ", "build x"))
    result = run_build(site)
    assert len(result.rendered) == len(EVERY_OUTPUT)
    assert snapshot(site / "output") == clean_build(site, tmp_path)


def test_a_failing_build_leaves_output_and_twin_usable(site: Path, tmp_path: Path) -> None:
    for text in ("One.", "Two."):  # the third build onwards updates the twin in place
        edit("content/about.md", "**Hinge", f"{text} **Hinge")(site)
        run_build(site)
    before = snapshot(site / "output")
    edit("templates/drill.html", "{% block kind %}Drill{% endblock %}", "{% block kind %}{{ 1 / 0 }}{% endblock %}")(site)
    edit("content/about.md", "**Hinge", "Three. **Hinge")(site)
    with pytest.raises(ContentError):
        run_build(site)
    assert snapshot(site / "output") == before
    edit("templates/drill.html", "{{ 1 / 0 }}", "Drill")(site)
    run_build(site)
    assert snapshot(site / "output") == clean_build(site, tmp_path)


def test_stray_files_in_an_interrupted_twin_are_never_published(site: Path, tmp_path: Path) -> None:
    for text in ("One.", "Two."):
        edit("content/about.md", "**Hinge", f"{text} **Hinge")(site)
        run_build(site)
    twin = twin_path(site / "output")
    marker = (twin / MARKER).read_text()
    (twin / MARKER).write_text(marker.rstrip("\n") + " dirty\n")  # as an interrupted update leaves it
    (twin / "stray").mkdir()
    (twin / "stray" / "index.html").write_text("half-made")
    edit("content/about.md", "**Hinge", "Three. **Hinge")(site)
    run_build(site)
    assert not (site / "output" / "stray").exists()
    assert snapshot(site / "output") == clean_build(site, tmp_path)


def test_builder_keeps_the_site_between_builds(example_site: Path, tmp_path: Path) -> None:
    builder = Builder(load_settings(example_site), cards=False, reporter=NullReporter())
    assert len(builder.build().rendered) == len(EVERY_OUTPUT)
    edit("content/drills/weighted-rdl.md", "## ", "Edited in the preview.\n\n## ")(example_site)
    result = builder.build()
    assert (result.rendered, result.changed) == (["drills/weighted-rdl/index.html"],
                                                 ["drills/weighted-rdl/index.html"])
    (example_site / "content" / "about.md").unlink()
    result = builder.build()
    # Every page's header listed it; robots.txt names no page.
    assert "about/index.html" in result.changed
    assert sorted(result.rendered) == sorted(set(EVERYTHING) - {"about/index.html", "robots.txt"})
    assert snapshot(example_site / "output") == clean_build(example_site, tmp_path)


def test_keys_no_output_asks_any_more_are_dropped_and_the_rest_still_work(site: Path, tmp_path: Path) -> None:
    """A build keeps the last one's key table (its outputs keep their indices): pages that come
    and go leave keys no output asks, which are dropped once they add up, renumbering the rest."""
    builder = Builder(load_settings(site), cards=False, reporter=NullReporter())
    builder.build()
    sizes = []
    for i in range(12):  # each page asks of its own tag: keys that go with it
        write_page(site, f"notes-{i}.md", f"---\ntype: page\ntitle: Notes {i}\ntags: [tag-{i}]\n---\nNotes.\n")
        builder.build()
        (site / "content" / f"notes-{i}.md").unlink()
        result = builder.build()
        manifest = builder.manifest(build_id_of(result.output))
        used = {i for o in manifest.outputs.values() for i in o.keys or ()}
        assert len(manifest.keys) == len(manifest.values) <= manifest.compacted * 3 // 2
        assert used <= set(range(len(manifest.keys)))
        sizes.append((len(manifest.keys), len(used)))
    assert any(after < before for (before, _), (after, _) in zip(sizes, sizes[1:])), str(sizes)  # dropped
    assert max(total for total, _ in sizes) < 2 * min(used for _, used in sizes), sizes
    # Renumbered keys still name the right questions: a title edit reaches exactly its pages.
    edit("content/drills/bodyweight-rdl.md", "title: Bodyweight Romanian Deadlift", "title: Bodyweight RDL")(site)
    assert sorted(builder.build().rendered) == SHOW_BODYWEIGHT_RDL
    assert sorted(run_build(site).rendered) == []  # and the next process reads the same table
    assert snapshot(site / "output") == clean_build(site, tmp_path)


def test_a_twin_folder_sitegen_did_not_make_is_left_alone(site: Path) -> None:
    mine = twin_path(site / "output")
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    with pytest.raises(UsageError, match="holds files sitegen did not make"):
        run_build(site)
    assert (mine / "notes.txt").read_text() == "mine"


def test_builds_into_one_folder_wait_for_each_other(site: Path, tmp_path: Path) -> None:
    edit("content/about.md", "**Hinge", "Waiting. **Hinge")(site)
    with one_build_at_a_time(site, (site / "output").resolve()):
        waiting = threading.Thread(target=run_build, args=(site,))
        waiting.start()
        waiting.join(timeout=0.5)
        assert waiting.is_alive() and "Waiting." not in (site / "output/about/index.html").read_text()
    waiting.join()
    assert "Waiting." in (site / "output/about/index.html").read_text()


def test_parallel_build_makes_the_same_site(tmp_path: Path) -> None:
    generate = corpus().generate
    one = generate(tmp_path / "one", 60)
    two = generate(tmp_path / "two", 60)
    assert len(run_build(one, jobs=1).rendered) == len(run_build(two, jobs=2).rendered) > 60
    assert snapshot(one / "output") == snapshot(two / "output")


def test_the_pages_a_parallel_build_keeps_spare_the_next_build_every_read(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The render workers make the kept pages' records; the next build reads only the edited file."""
    import sitegen.content.loader

    site = corpus().generate(tmp_path / "site", 60)
    age(site)
    run_build(site, jobs=2)
    pages = sorted(p.relative_to(site / "content").as_posix() for p in (site / "content").rglob("*.md"))
    assert sorted(dict(Cache(site, "pages").items())) == pages
    parsed: list[str] = []
    real = sitegen.content.loader.load_text
    monkeypatch.setattr(sitegen.content.loader, "load_text", lambda data, source, file: parsed.append(source) or
                        real(data, source, file))
    drill = next(p for p in pages if p.startswith("drills/"))
    path = site / "content" / drill
    path.write_text(path.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    assert run_build(site, jobs=2).rendered == [f"drills/{Path(drill).stem}/index.html"]
    assert parsed == [drill]


# --- the cache primitive --------------------------------------------------------------------------


def test_cache_round_trip_and_corruption(tmp_path: Path) -> None:
    cache = Cache(tmp_path, "things")
    cache.put("k", b"value")
    cache.put_many([("a", b"1"), ("b", b"2")])
    assert (cache.get("k"), cache.get("a"), cache.get("b"), cache.get("missing")) == (b"value", b"1", b"2", None)
    with sqlite3.connect(tmp_path / CACHE_DIR / "things.sqlite") as db:
        db.execute("UPDATE entries SET data = CAST(REPLACE(CAST(data AS TEXT), 'value', 'VALUE') AS BLOB)")
    assert Cache(tmp_path, "things").get("k") is None  # the checksum no longer matches: dropped
    assert Cache(tmp_path, "things").get("a") == b"1"


def test_plain_values_round_trip_and_foreign_bytes_are_refused(tmp_path: Path) -> None:
    from sitegen.cache import pack, unpack

    value = {"outputs": {"a/index.html": [[0, 2], "d1", 10, 11]}, "values": [None, "x"], "pair": ("h", 1)}
    assert unpack(pack(value)) == value
    assert unpack(None) is None and unpack(b'{"json": true}') is None  # not packed by sitegen
    cache = Cache(tmp_path, "things")
    cache.put("foreign", b'["<p>not ours</p>", []]')
    cache.put_plain("ours", value)
    assert cache.get_plain("foreign") is None and cache.get_plain("ours") == value


def test_the_code_digest_covers_every_file_of_the_package_but_bytecode(tmp_path: Path) -> None:
    """Any module in any stage folder (cards/ too) and any data file (the theme the package
    carries) changes the digest that keys every cache entry; compiled bytecode does not."""
    import sitegen
    from sitegen.cache import digest, tree_parts

    package = tmp_path / "sitegen"
    shutil.copytree(Path(sitegen.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))

    def code() -> str:
        return digest(*tree_parts(package))

    before = code()
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "cache.cpython-311.pyc").write_bytes(b"compiled")
    assert code() == before
    seen = {before}
    for rel in ("cards/pdf.py", "cards/new_module.py", "theme/templates/base.html", "theme/static/style.css"):
        path = package / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text((path.read_text() if path.exists() else "") + "\n# edited\n")
        seen.add(code())
    assert len(seen) == 5  # each edit made a new digest


@pytest.mark.parametrize("library, distribution", [("jinja2", "jinja2"), ("markdown", "markdown"),
                                                   ("weasyprint", "weasyprint"), ("yaml", "pyyaml"),
                                                   ("pydyf", "pydyf")])
def test_the_code_digest_covers_the_libraries_versions(library: str, distribution: str) -> None:
    """The files of each library the code digest reads hold its installed version (the digest
    reads them rather than import importlib.metadata, which `sitegen check` would pay for)."""
    import importlib.metadata

    from sitegen.cache import library_files

    version = importlib.metadata.version(distribution)
    text = "".join(path.read_text(encoding="utf-8") for path in library_files((library,)))
    as_tuple = "(" + ", ".join(version.split(".")) + ","  # Markdown's __version_info__ = (3, 11, 3, 'final', 0)
    assert f"'{version}'" in text or f'"{version}"' in text or as_tuple in text


_shared: list[Cache] = []


def _put_from_child() -> None:
    _shared[0].put("child", b"from a forked worker")


def test_cache_is_shared_with_forked_workers(tmp_path: Path) -> None:
    cache = Cache(tmp_path, "things")
    cache.put("parent", b"first")  # the child inherits this connection and must open its own
    _shared[:] = [cache]
    child = multiprocessing.get_context("fork").Process(target=_put_from_child)
    child.start()
    child.join()
    assert child.exitcode == 0
    assert (cache.get("parent"), cache.get("child")) == (b"first", b"from a forked worker")


# --- what one process keeps for the next: pages, scans, templates -----------------------------------


def sitegen_process(site: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    """sitegen as a user runs it, a process of its own: `build --no-cards` unless told otherwise."""
    return subprocess.run([sys.executable, "-m", "sitegen", "-C", str(site), *(args or ("build", "--no-cards"))],
                          capture_output=True, text=True, check=ok)


def age(site: Path, seconds: int = 10) -> None:
    """Make every source file older than the file system's clock tick, as files are between edits."""
    then = time.time_ns() - seconds * 1_000_000_000
    for path in (site / "content").rglob("*"):
        os.utime(path, ns=(then, then))


def test_the_next_process_sees_every_edit(site: Path, tmp_path: Path) -> None:
    age(site)
    sitegen_process(site)
    page = site / "content/drills/bodyweight-rdl.md"
    edit("content/drills/bodyweight-rdl.md", "Once the", "Once, the")(site)
    # Its time stays within a tick of every build's start however long a process takes to start
    # (under load that was over the tick, and the save below could not have come after the read).
    ahead = time.time_ns() + 60 * 1_000_000_000
    os.utime(page, ns=(ahead, ahead))
    sitegen_process(site)
    assert "Once, the" in (site / "output/drills/bodyweight-rdl/index.html").read_text()
    # Saved again within the same tick of the clock: same size, same time as the file the last
    # process read and kept; only the text differs.
    stat = page.stat()
    edit("content/drills/bodyweight-rdl.md", "Once, the", "ONCE, the")(site)
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (page.stat().st_size, page.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    sitegen_process(site)
    assert "ONCE, the" in (site / "output/drills/bodyweight-rdl/index.html").read_text()
    # A front-matter edit reaches the pages that show it, and the checker sees it too.
    edit("content/drills/bodyweight-rdl.md", "title: Bodyweight Romanian Deadlift", "title: Bodyweight RDL")(site)
    sitegen_process(site)
    assert "Bodyweight RDL" in (site / "output/drills/dowel-hip-hinge/index.html").read_text()
    edit("content/drills/weighted-rdl.md", "](", "](missing-")(site)
    failed = sitegen_process(site, ok=False)
    assert failed.returncode == 1 and "content/drills/weighted-rdl.md" in failed.stdout + failed.stderr
    edit("content/drills/weighted-rdl.md", "](missing-", "](")(site)
    sitegen_process(site)
    assert snapshot(site / "output") == clean_build(site, tmp_path)


# A build in a process of its own, starting from what the cache kept: the outputs it rendered.
REBUILD = ("import json, sys; from pathlib import Path; from sitegen.build.builder import build; "
           "from sitegen.config import load_settings; from sitegen.report import NullReporter; "
           "print(json.dumps(sorted(build(load_settings(Path(sys.argv[1])), cards=False, reporter=NullReporter()).rendered)))")


def test_an_image_given_new_dimensions_renders_again_exactly_the_pages_that_show_it(example_site: Path,
                                                                                    tmp_path: Path) -> None:
    from PIL import Image

    image = example_site / "content/images/hold.png"
    Image.new("RGB", (40, 30), "white").save(image)
    edit("content/drills/weighted-rdl.md", "## ", "![A held hinge](../images/hold.png)\n\n## ")(example_site)
    out = example_site / "output"

    def sizes() -> dict[str, list[tuple[str, str]]]:
        """The width and height of each <img> of the image, by output."""
        found = {}
        for path in sorted(out.rglob("*")):
            tags = [re.search(r'width="(\d+)" height="(\d+)"', tag).groups() for tag in re.findall(
                r'<img [^>]*?src="/images/hold\.png"[^>]*>', path.read_text(encoding="utf-8", errors="replace"))
            ] if path.is_file() else []
            if tags:
                found[path.relative_to(out).as_posix()] = tags
        return found

    builder = Builder(load_settings(example_site), cards=False, reporter=NullReporter())
    builder.build()
    showing = sorted(sizes())
    assert "drills/weighted-rdl/index.html" in showing and sizes()["drills/weighted-rdl/index.html"] == [("40", "30")]
    # In the same process, as the preview's Builder lives on.
    Image.new("RGB", (64, 16), "white").save(image)
    assert sorted(builder.build().rendered) == showing
    assert set(map(tuple, sizes().values())) == {(("64", "16"),)}
    # In a new process, from what the cache kept.
    Image.new("RGB", (20, 50), "white").save(image)
    rebuilt = subprocess.run([sys.executable, "-c", REBUILD, str(example_site)], capture_output=True, text=True,
                             check=True)
    assert json.loads(rebuilt.stdout) == showing
    assert set(map(tuple, sizes().values())) == {(("20", "50"),)}
    assert snapshot(out) == clean_build(example_site, tmp_path)


def test_unchanged_pages_are_not_read_again(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each one-shot build starts from what the cache kept, as a new process does."""
    import sitegen.content.loader

    age(site)
    run_build(site)  # settles the kept pages: they were read more than a tick after their last change
    parsed: list[str] = []
    real = sitegen.content.loader.load_text
    monkeypatch.setattr(sitegen.content.loader, "load_text", lambda data, source, file: parsed.append(source) or
                        real(data, source, file))
    edit("content/drills/bodyweight-rdl.md", "Once the", "Now that the")(site)
    result = run_build(site)
    assert parsed == ["drills/bodyweight-rdl.md"]
    assert result.rendered == ["drills/bodyweight-rdl/index.html"]
    assert snapshot(site / "output") == clean_build(site, tmp_path)


def damage_entries(site: Path, namespace: str) -> int:
    """Flip one byte in the middle of every entry of a cache file; return how many there were."""
    with sqlite3.connect(site / CACHE_DIR / f"{namespace}.sqlite") as db:
        rows = db.execute("SELECT key, data FROM entries").fetchall()
        for key, data in rows:
            data = bytearray(data)
            data[len(data) // 2] ^= 0x55
            db.execute("UPDATE entries SET data = ? WHERE key = ?", (bytes(data), key))
    return len(rows)


@pytest.mark.parametrize("namespace", ["pages", "templates"])
def test_a_corrupted_kept_model_or_template_is_rebuilt(site: Path, tmp_path: Path, namespace: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import sitegen.content.loader

    age(site)
    run_build(site)
    assert damage_entries(site, namespace) > 0
    parsed: list[str] = []
    real = sitegen.content.loader.load_text
    monkeypatch.setattr(sitegen.content.loader, "load_text", lambda data, source, file: parsed.append(source) or
                        real(data, source, file))
    edit("content/drills/bodyweight-rdl.md", "Once the", "Now that the")(site)
    edit("templates/_movement.html", '<h2 id="cues">Cues</h2>', '<h2 id="cues">Coaching cues</h2>')(site)
    run_build(site)
    if namespace == "pages":
        assert len(parsed) == len(list((site / "content").rglob("*.md")))  # none of them trusted
    assert snapshot(site / "output") == clean_build(site, tmp_path)
    parsed.clear()
    edit("content/drills/bodyweight-rdl.md", "Now that the", "Once the")(site)
    run_build(site)  # and the damaged entries were replaced by good ones
    assert parsed == ["drills/bodyweight-rdl.md"]
    assert snapshot(site / "output") == clean_build(site, tmp_path)


def test_a_kept_page_from_other_code_is_never_served(site: Path, tmp_path: Path) -> None:
    """An entry that passes its checksum but was written by another version of sitegen (or is not
    one sitegen wrote at all) is read again from the file."""
    from sitegen.cache import pack, unpack
    from sitegen.content.loader import Loaded

    age(site)
    run_build(site)
    pages = Cache(site, "pages")
    kept = dict(pages.items())
    _version, plain = unpack(kept["drills/bodyweight-rdl.md"])
    entry = Loaded.from_plain(plain)
    entry.result[0].title = "Served from a stale cache"
    pages.put("drills/bodyweight-rdl.md", pack(("another version", entry.to_plain())))
    pages.put("drills/weighted-rdl.md", b"not an entry")
    edit("templates/base.html", "</footer>", "</footer>\n<!-- changed -->")(site)  # everything renders again
    run_build(site)
    assert "Served from a stale cache" not in (site / "output/drills/bodyweight-rdl/index.html").read_text()
    assert snapshot(site / "output") == clean_build(site, tmp_path)


class _Planted:
    """Unpickled, it creates the file it names: what a cache planted in a shared site folder could do."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return open, (str(self.path), "w")


@pytest.mark.parametrize("command", [("build", "--no-cards"), ("check", "--no-cards")])
def test_a_planted_cache_runs_no_code(site: Path, tmp_path: Path, command: tuple[str, ...]) -> None:
    """Pickles planted in every cache file of a shared site folder, checksummed as sitegen's own
    entries are, with and without the mark of sitegen's plain data: reading them would create a
    file. They are ignored (the pages are read again from their files), and the build succeeds."""
    import pickle

    from sitegen.cache import code_digest, pack

    age(site)
    run_build(site)
    created = tmp_path / "created-by-the-cache"
    planted = pickle.dumps(_Planted(created))
    for db in (site / CACHE_DIR).glob("*.sqlite"):
        cache = Cache(site, db.stem)
        keys = [key for key, _data in cache.items()]
        assert keys
        cache.put_many([(key, planted if i % 2 else pack(planted)) for i, key in enumerate(keys)])
    # And a pickle in the place of a version-matching entry (where the last format kept one).
    Cache(site, "pages").put("drills/bodyweight-rdl.md", pickle.dumps((code_digest(), _Planted(created))))
    edit("content/drills/bodyweight-rdl.md", "Once the", "Now that the")(site)
    sitegen_process(site, *command)
    assert not created.exists()
    if command[0] == "build":
        assert snapshot(site / "output") == clean_build(site, tmp_path)
        assert not created.exists()


def test_compiled_templates_planted_in_the_site_folder_are_never_run(site: Path, tmp_path: Path) -> None:
    """Compiled templates are code: a site folder holding some (where earlier versions of sitegen
    kept them, under the keys they used) is built without running them."""
    import jinja2

    from sitegen.cache import code_digest, digest

    created = tmp_path / "created-by-a-template"
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(site / "templates"))
    plain = jinja2.BytecodeCache()
    cache = Cache(site, "templates")
    for name in env.list_templates():
        source, filename, _uptodate = env.loader.get_source(env, name)
        bucket = jinja2.bccache.Bucket(env, plain.get_cache_key(name, filename), plain.get_source_checksum(source))
        bucket.code = compile(f"open({str(created)!r}, 'w')", filename, "exec")
        cache.put(digest("jinja", code_digest(), bucket.key, bucket.checksum), bucket.bytecode_to_string())
    edit("content/drills/bodyweight-rdl.md", "Once the", "Now that the")(site)
    sitegen_process(site)
    assert not created.exists()
    assert snapshot(site / "output") == clean_build(site, tmp_path)


def _read_pages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pages read from their files from now on (the others came from the cache)."""
    import sitegen.content.loader

    parsed: list[str] = []
    real = sitegen.content.loader.load_text
    monkeypatch.setattr(sitegen.content.loader, "load_text", lambda data, source, file: parsed.append(source) or
                        real(data, source, file))
    return parsed


@pytest.mark.parametrize("damage", ["truncated", "foreign"])
def test_a_truncated_or_foreign_page_cache_is_rebuilt(site: Path, tmp_path: Path, damage: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A pages cache cut short (a full disk, a copy stopped half-way) or one another program made
    (a database of other tables) is ignored: every page is read, and the cache is made afresh."""
    age(site)
    run_build(site)
    path = site / CACHE_DIR / "pages.sqlite"
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)  # no connection is open: they hold nothing
    if damage == "truncated":
        data = path.read_bytes()
        path.write_bytes(data[:len(data) // 3])
    else:
        path.unlink()
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
            db.execute("INSERT INTO notes (text) VALUES ('not sitegen''s')")
    parsed = _read_pages(monkeypatch)
    edit("content/drills/bodyweight-rdl.md", "Once the", "Now that the")(site)
    run_build(site)
    assert sorted(parsed) == sorted(p.relative_to(site / "content").as_posix()
                                    for p in (site / "content").rglob("*.md"))
    assert snapshot(site / "output") == clean_build(site, tmp_path)
    age(site)
    parsed.clear()
    edit("content/drills/bodyweight-rdl.md", "Now that the", "Once the")(site)
    run_build(site)  # the cache was made afresh: only the edited page is read
    assert parsed == ["drills/bodyweight-rdl.md"]
    assert snapshot(site / "output") == clean_build(site, tmp_path)


def test_a_resident_builder_reports_links_an_edit_elsewhere_broke(example_site: Path) -> None:
    """Link findings kept for unchanged pages still follow the headings and files they point at."""
    from sitegen.check.checker import check

    settings = load_settings(example_site)
    builder = Builder(settings, cards=False, reporter=NullReporter())
    drill = example_site / "content" / "drills" / "weighted-rdl.md"
    original = drill.read_text(encoding="utf-8")
    edit("content/about.md", "explains the movement",
         "explains the movement (see [the grip](drills/weighted-rdl.md#keep-the-weight-close))")(example_site)
    builder.build()

    def broken_links() -> list[str]:
        with pytest.raises(ContentError) as failed:
            builder.build()
        assert failed.value.diagnostics == check(settings).diagnostics  # as a first check finds them
        return [f"{d.file} {d.code}" for d in failed.value.diagnostics if d.code.startswith("LINK")]

    edit("content/drills/weighted-rdl.md", "## Keep the weight close", "## Keep the bar close")(example_site)
    assert broken_links() == ["content/about.md LINK002"]
    drill.write_text(original, encoding="utf-8")
    builder.build()
    drill.unlink()
    assert "content/about.md LINK001" in broken_links()
    drill.write_text(original, encoding="utf-8")
    assert builder.build().warnings == check(settings).diagnostics


def test_check_starts_from_the_kept_pages_and_sees_every_edit(site: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """`sitegen check` reads the pages the last build kept (only changed files again), changes
    nothing in the cache, and finds exactly what a check without any cache finds."""
    import sitegen.content.loader
    from sitegen.cli import main

    age(site)
    sitegen_process(site)
    edit("content/drills/weighted-rdl.md", "](", "](missing-")(site)
    edit("content/drills/bodyweight-rdl.md", "## ", "## Dup\n\n## Dup\n\n## ")(site)  # new headings, same links
    kept = dict(Cache(site, "pages").items())
    with_cache = sitegen_process(site, "check", "--no-cards", "--format", "json", ok=False)
    bare = tmp_path / "bare"
    shutil.copytree(site, bare, ignore=shutil.ignore_patterns(CACHE_DIR, "output", ".output.twin"))
    without = sitegen_process(bare, "check", "--no-cards", "--format", "json", ok=False)
    assert with_cache.returncode == without.returncode == 1
    found = json.loads(with_cache.stdout)
    assert found == json.loads(without.stdout) and any(d["file"] == "content/drills/weighted-rdl.md" for d in found)
    assert dict(Cache(site, "pages").items()) == kept and len(kept) == 10
    assert not (bare / CACHE_DIR).exists()  # no cache: check makes none
    parsed: list[str] = []
    real = sitegen.content.loader.load_text
    monkeypatch.setattr(sitegen.content.loader, "load_text", lambda data, source, file: parsed.append(source) or
                        real(data, source, file))
    assert main(["-C", str(site), "check", "--no-cards"]) == 1
    assert sorted(parsed) == ["drills/bodyweight-rdl.md", "drills/weighted-rdl.md"]
