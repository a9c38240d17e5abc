"""A page that renders too long is stopped and named, in `build` and in the preview, and the
preview keeps answering while a rebuild runs (issue 17, item 3)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import free_port, write_page
from test_cli import sitegen_cli
from test_serve import page_text, request, upgrade, wait_for

from sitegen.content.limits import body_limits
from sitegen.render.markdown import MarkdownEngine
from sitegen.watchdog import TooSlow, Watchdog

# Inside the body bounds, and as slow as they let Markdown be (~0.4 s): 1,190 "[" in a paragraph.
SLOW_BODY = "[" * 1_190 + "\n"
# A site template whose work grows with the cube of the title's length: a page with a long title
# takes it hours (a normal title, milliseconds).
CUBIC_TEMPLATE = ("{% for a in page.title %}{% for b in page.title %}{% for c in page.title %}"
                  "{% endfor %}{% endfor %}{% endfor %}{{ page.title }}\n")
LONG_TITLE = "Slow " * 400


def watching_threads() -> int:
    return sum(t.name == "sitegen-watchdog" for t in threading.enumerate())


def test_the_watchdog_stops_markdown_running_past_its_time_and_nothing_after_it() -> None:
    assert body_limits(SLOW_BODY, 1, "slow.md") == []
    markdown = MarkdownEngine()
    markdown.instance()
    before = watching_threads()
    tight, roomy = Watchdog(0.01), Watchdog(30)
    with pytest.raises(TooSlow):
        with tight.limit():
            markdown.html_body(SLOW_BODY)
    # The same engine, in the same thread, renders on; no stray stop arrives later.
    for _ in range(200):
        with roomy.limit():
            assert markdown.html_body("*a* [b](c.md)").html == '<p><em>a</em> <a href="c.md">b</a></p>'
    assert watching_threads() == before + 2
    tight.release()
    roomy.release()  # their threads end: the process may fork safely
    assert watching_threads() == before
    with pytest.raises(TooSlow):  # and the next limit starts another
        with tight.limit():
            markdown.html_body(SLOW_BODY)
    tight.release()


def test_the_watchdog_watches_work_in_any_thread() -> None:
    caught: list[BaseException] = []

    def render() -> None:
        try:
            with Watchdog(0.01).limit():
                MarkdownEngine().html_body(SLOW_BODY)
        except TooSlow as exc:
            caught.append(exc)

    thread = threading.Thread(target=render)
    thread.start()
    thread.join(60)
    assert len(caught) == 1


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def slow_site(site: Path, limit: str) -> None:
    """A site template that loops on the title, its time limit `limit` seconds."""
    (site / "templates").mkdir(exist_ok=True)
    (site / "templates" / "page.html").write_text(CUBIC_TEMPLATE, encoding="utf-8")
    settings = site / "pyproject.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        'language = "en"', f'language = "en"\nrender_time_limit = "{limit}"'), encoding="utf-8")


@pytest.mark.parametrize("mode", ["forked workers", "one process", "portable"])
def test_a_page_that_renders_too_long_is_stopped_and_named_and_output_stays(example_site: Path, mode: str,
                                                                            monkeypatch) -> None:
    slow_site(example_site, "1")
    jobs = "1" if mode == "one process" else "2"
    if mode == "forked workers":  # enough pages for the worker pool (parallel.MIN_ITEMS)
        for i in range(50):
            write_page(example_site, f"more/p{i}.md", f"---\ntype: drill\ntitle: P{i}\nmastery: m\n---\nText {i}.\n")
    if mode == "portable":
        monkeypatch.setenv("SITEGEN_PORTABLE", "1")
    done = sitegen_cli("build", "--no-cards", "--jobs", jobs, cwd=example_site)
    assert done.returncode == 0, done.stderr
    before = tree(example_site / "output")
    write_page(example_site, "slow.md", f"---\ntype: page\ntitle: {LONG_TITLE}\n---\nText.\n")
    assert sitegen_cli("check", "--no-cards", cwd=example_site).returncode == 0  # check renders nothing
    done = sitegen_cli("build", "--no-cards", "--jobs", jobs, cwd=example_site)  # fails on a hang (its timeout)
    assert done.returncode == 1
    assert ("content/slow.md:1:1: error[SLOW001]: rendering slow/index.html took longer than 1 s and was stopped; "
            "split the page into shorter ones") in done.stderr, done.stderr
    assert "SLOW001" not in done.stderr.replace("content/slow.md:1:1: error[SLOW001]", ""), done.stderr
    assert tree(example_site / "output") == before


def test_the_preview_answers_http_and_the_reload_socket_while_a_long_rebuild_runs(example_site: Path) -> None:
    slow_site(example_site, "5")
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "sitegen", "-C", str(example_site), "serve", "--port", str(port)],
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        for line in proc.stderr:
            if line.startswith("serving"):
                break
        status = lambda: json.loads(request(port, "/_sitegen/status")[2])  # noqa: E731
        version = status()["version"]
        write_page(example_site, "slow.md", f"---\ntype: page\ntitle: {LONG_TITLE}\n---\nText.\n")
        wait_for(lambda: status()["building"], timeout=20)
        # While the slow page's rebuild runs (until its 5 s limit), the pages and the socket answer.
        assert "Dowel Hip Hinge" in page_text(port)
        assert upgrade(port, f"http://127.0.0.1:{port}") == 101
        during = status()
        assert during["version"] == version and during["building"], "the rebuild ended before the answers came"
        after = wait_for(lambda: (s := status())["version"] > version and not s["building"] and s, timeout=60)
        assert [e["location"] for e in after["errors"]] == ["content/slow.md:1:1"], after
        assert "took longer than 5 s" in after["errors"][0]["text"]
        assert "Dowel Hip Hinge" in page_text(port)  # the last good pages are still served
        # The stop was real: the next save's build starts, and succeeds, at once.
        (example_site / "content" / "slow.md").write_text("---\ntype: page\ntitle: Quick\n---\nText.\n")
        wait_for(lambda: (s := status())["version"] > after["version"] and not s["errors"], timeout=20)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
