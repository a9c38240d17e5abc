"""Rendering Markdown ahead (sitegen/build/ahead.py): what it stores is what the workers would render,
it can be stopped at any point, and only a build with many new pages starts it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from test_benchmarks import corpus

from sitegen.build import builder
from sitegen.build.ahead import RenderAhead
from sitegen.build.builder import build
from sitegen.cache import Cache
from sitegen.capabilities import PORTABLE, fork_is_safe
from sitegen.config import load_settings
from sitegen.content.loader import load_page
from sitegen.render.bodies import body_key, encode
from sitegen.render.markdown import MarkdownEngine


pytestmark = pytest.mark.skipif(not fork_is_safe(), reason="it forks: only where forking is safe")


def test_without_a_safe_fork_there_is_no_render_ahead(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(PORTABLE, "1")
    assert RenderAhead.start(tmp_path, "content", [f"p{i}.md" for i in range(100)], Cache(tmp_path, "markdown"),
                             MarkdownEngine()) is None


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return corpus().generate(tmp_path / "site", 60)


def sources(site: Path) -> list[str]:
    return sorted(p.relative_to(site / "content").as_posix() for p in (site / "content").rglob("*.md"))


def test_what_it_stores_is_each_pages_rendered_markdown_even_when_stopped_early(site: Path) -> None:
    cache = Cache(site, "markdown")
    ahead = RenderAhead.start(site / "content", "content", sources(site), cache, MarkdownEngine())
    assert ahead is not None
    deadline = time.monotonic() + 20
    while not list(cache.items()) and time.monotonic() < deadline:
        time.sleep(0.005)
    ahead.stop()  # most likely part-way through
    stored = dict(cache.items())
    assert stored, "nothing was rendered ahead"
    pages = [load_page(site / "content" / s, s, f"content/{s}")[0] for s in sources(site)]
    expected = {body_key(p): p for p in pages}
    for key, data in stored.items():
        assert data == encode(MarkdownEngine().html_body(expected[key].body))  # complete, and exactly the worker's result


def test_a_cold_parallel_build_renders_ahead_and_an_edit_does_not(site: Path, monkeypatch) -> None:
    starts: list[tuple[int, bool]] = []
    real_start = RenderAhead.start

    def start(content_dir, name, pages, cache, markdown, **kw):
        made = real_start(content_dir, name, pages, cache, markdown, **kw)
        starts.append((len(pages), made is not None))
        return made

    monkeypatch.setattr(builder.RenderAhead, "start", start)
    settings = load_settings(site)
    build(settings, cards=False, jobs=2)
    assert starts == [(60, True)]  # every page is new to the first build
    drill = next((site / "content" / "drills").glob("*.md"))
    drill.write_text(drill.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    build(settings, cards=False, jobs=2)
    assert starts[1] == (0, False)  # the memo knows every page: no process for one edit
    build(settings, cards=False, jobs=1)
    assert len(starts) == 2  # one process asked for: none more


def test_it_compiles_the_templates_first_so_the_build_only_loads_them(site: Path, monkeypatch) -> None:
    import jinja2

    compiled: list[str] = []
    real_compile = jinja2.Environment.compile

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)  # counted in this process only: the render-ahead process is another
        return real_compile(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", compile)
    build(load_settings(site), cards=False, jobs=2)
    assert compiled == []  # all from the cache the render-ahead process filled
    assert (site / "output" / "index.html").is_file()


def test_a_build_that_fails_its_checks_does_not_wait_for_the_templates(site: Path) -> None:
    ahead = RenderAhead.start(site / "content", "content", sources(site), Cache(site, "markdown"), MarkdownEngine(),
                              first=lambda: time.sleep(30))
    assert ahead is not None
    started = time.monotonic()
    ahead.stop()  # still in `first`: ended, not waited for
    assert time.monotonic() - started < 5
    ahead.stop()  # and once more is harmless
