"""`sitegen serve`: a real preview server on a free port, in a scratch copy of the example site.

Requests go over raw sockets so that no client library tidies up the paths we send.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator

import psutil
import pytest
from conftest import free_port, write_page

from sitegen.cli import main
from sitegen.config import load_settings
from sitegen.preview.server import PreviewServer
from sitegen.report import NullReporter

DRILL = "content/drills/dowel-hip-hinge.md"
DRILL_URL = "/drills/dowel-hip-hinge/"


def wait_for(predicate, timeout: float = 5.0, every: float = 0.01):
    """Poll until `predicate()` is truthy; return its value, or fail after `timeout` seconds."""
    deadline = time.perf_counter() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.perf_counter() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(every)


def request(port: int, target: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """One raw HTTP/1.1 GET of `target`, sent byte for byte as written."""
    lines = [f"GET {target} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    fields = dict(line.split(": ", 1) for line in header_lines)
    return int(status_line.split()[1]), {k.lower(): v for k, v in fields.items()}, body


def page_text(port: int, target: str = DRILL_URL) -> str:
    status, _, body = request(port, target)
    assert status == 200, (target, status)
    return body.decode("utf-8")


class Running:
    """A PreviewServer serving in a thread; `stop()` waits for its clean shutdown."""

    def __init__(self, site: Path):
        self.site = site
        self.reporter = NullReporter()
        self.server = PreviewServer(load_settings(site), port=free_port(), reporter=self.reporter)
        self.server.bind()
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        assert self.server.ready.wait(20), "the preview server did not start"

    @property
    def port(self) -> int:
        return self.server.port

    def status(self) -> dict:
        return json.loads(request(self.port, "/_sitegen/status")[2])

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.site / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {rel}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def rebuilt_after(self, version: int) -> dict:
        return wait_for(lambda: (s := self.status())["version"] > version and not self.server.building() and s)

    def stop(self) -> None:
        self.server.stop()
        self.thread.join(20)
        assert not self.thread.is_alive(), "the preview server did not stop"


@pytest.fixture
def preview(example_site: Path):
    running = Running(example_site)
    yield running
    running.stop()
    assert not running.server.folder.exists(), "the preview folder was left behind"
    assert not any(p.name.startswith(".sitegen-preview") for p in example_site.iterdir())


def line_of(path: Path, prefix: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(prefix))


# --- serving ------------------------------------------------------------------------------------


def test_serves_pretty_urls_the_sites_404_and_injects_the_reload_script(preview):
    assert preview.server.root.is_relative_to(preview.server.folder) and preview.server.folder.parent == preview.site
    assert preview.server.folder.name == f".sitegen-preview-{preview.port}"
    assert not (preview.site / "output").exists(), "serve must not touch output/"

    status, headers, body = request(preview.port, "/drills/dowel-hip-hinge")
    assert status == 301 and headers["location"] == DRILL_URL

    html = page_text(preview.port)
    assert "<h1" in html and "Dowel Hip Hinge" in html
    assert html.count('<script src="/_sitegen/overlay.js"></script></head>') == 1
    # The preview's links point at the preview itself, not at the published base_url.
    assert 'href="/static/style.css"' in html and "https://example.org/" not in html

    status, headers, body = request(preview.port, "/no/such/page/")
    assert status == 404 and "Page not found" in body.decode() and "/_sitegen/overlay.js" in body.decode()

    status, headers, body = request(preview.port, "/static/style.css")
    assert status == 200 and headers["content-type"].startswith("text/css")
    assert body == (preview.site / "static/style.css").read_bytes()
    assert headers["cache-control"] == "no-store"

    status, headers, body = request(preview.port, "/feed.xml")
    assert status == 200 and b"overlay.js" not in body

    status, _, body = request(preview.port, "/livereload.js?port=1")
    assert status == 200 and b"LiveReload" in body
    status, _, body = request(preview.port, "/_sitegen/overlay.js")
    assert status == 200 and b"LiveReloadPluginSitegen" in body


def test_an_edit_to_a_drill_is_served_within_a_second(preview):
    assert "Slow and steady wins" not in page_text(preview.port)
    preview.edit(DRILL, "This first drill is practice", "Slow and steady wins. This first drill is practice")
    started = time.perf_counter()
    wait_for(lambda: "Slow and steady wins" in page_text(preview.port), timeout=5)
    assert time.perf_counter() - started < 1.0
    # The rest of the site follows too: the guide lists the drill by its (edited) title.
    preview.edit(DRILL, "title: Dowel Hip Hinge", "title: Broomstick Hip Hinge")
    wait_for(lambda: "Broomstick Hip Hinge" in page_text(preview.port, "/guides/learn-the-hip-hinge/"))


def test_css_and_template_changes_are_served(preview):
    preview.edit("static/style.css", "\n", "\n.served-rule { color: rgb(1, 2, 3); }\n")
    wait_for(lambda: b".served-rule" in request(preview.port, "/static/style.css")[2])

    preview.edit("templates/drill.html", "{% block kind %}Drill{% endblock %}",
                 "{% block kind %}Practice drill{% endblock %}")
    wait_for(lambda: "Practice drill" in page_text(preview.port))


def test_a_broken_next_link_lists_the_error_and_the_fix_clears_it(preview):
    before = page_text(preview.port)
    line = line_of(preview.site / DRILL, "next:")
    version = preview.status()["version"]
    preview.edit(DRILL, "next: bodyweight-rdl.md", "next: bodyweight-rld.md")

    status = preview.rebuilt_after(version)
    [error] = status["errors"]
    assert (error["file"], error["line"], error["column"]) == (DRILL, line, 7)
    assert error["location"] == f"{DRILL}:{line}:7" and "bodyweight-rld.md" in error["text"]
    # The terminal says the same, and the last good pages stay served.
    assert any(f"{DRILL}:{line}:7: error[LINK001]" in m for m in preview.reporter.messages)
    assert page_text(preview.port) == before

    preview.edit(DRILL, "next: bodyweight-rld.md", "next: bodyweight-rdl.md")
    assert preview.rebuilt_after(status["version"])["errors"] == []


def test_template_and_settings_errors_reach_the_overlay(preview):
    version = preview.status()["version"]
    preview.edit("templates/drill.html", "{% block kind %}", "{% block kind %}{{ broken(")
    [error] = preview.rebuilt_after(version)["errors"]
    assert error["file"] == "templates/drill.html" and error["line"] == 3
    preview.edit("templates/drill.html", "{{ broken(", "")

    version = preview.rebuilt_after(version + 1)["version"]
    preview.edit("pyproject.toml", 'title = "Hinge & Hold"', 'titel = "Hinge & Hold"')
    [error] = preview.rebuilt_after(version)["errors"]
    assert "unknown setting 'titel'" in error["text"] and "did you mean 'title'" in error["text"]
    # A content edit while the settings are broken must not pass on the old settings.
    version = preview.status()["version"]
    preview.edit(DRILL, "This first drill", "The first drill")
    assert preview.rebuilt_after(version)["errors"], "a build passed with broken settings"

    version = preview.status()["version"]
    preview.edit("pyproject.toml", 'titel = "Hinge & Hold"', 'title = "Hinge & Hold, live"')
    assert preview.rebuilt_after(version)["errors"] == []
    assert "Hinge &amp; Hold, live" in page_text(preview.port)


def test_a_site_broken_from_the_start_is_served_with_its_errors_until_fixed(example_site):
    drill = example_site / DRILL
    drill.write_text(drill.read_text(encoding="utf-8").replace("level: 1", "level: 9"), encoding="utf-8")
    running = Running(example_site)
    try:
        locations = [e["location"] for e in running.status()["errors"]]
        assert f"{DRILL}:{line_of(drill, 'level:')}:8" in locations
        for path in (DRILL_URL, "/", "/index.html", "/static/style.css"):
            status, _, body = request(running.port, path)
            assert status == 404 and b"not built yet" in body and b"/_sitegen/overlay.js" in body, path
        report = "\n".join(running.reporter.messages)
        assert "no good build to serve yet" in report and "last good pages" not in report
        version = running.status()["version"]
        running.edit(DRILL, "level: 9", "level: 1")
        assert running.rebuilt_after(version)["errors"] == []
        assert "Dowel Hip Hinge" in page_text(running.port)
    finally:
        running.stop()


def test_swap_files_and_the_preview_folder_never_trigger_builds_and_bursts_build_once(preview):
    time.sleep(0.3)
    version = preview.status()["version"]
    drills = preview.site / "content/drills"
    for name in (".dowel-hip-hinge.md.swp", "dowel-hip-hinge.md~", "4913", ".#dowel-hip-hinge.md"):
        (drills / name).write_text("scratch")
        (drills / name).unlink()
    (preview.server.root / "touched.html").write_text("not a source")
    time.sleep(0.4)
    assert preview.status()["version"] == version, "an ignored file or the preview folder caused a build"

    from sitegen.preview.server import DEBOUNCE

    path = preview.site / DRILL
    texts = [path.read_text(encoding="utf-8") + f"\nSave number {i}.\n" for i in range(10)]
    times = []
    for text in texts:
        path.write_text(text, encoding="utf-8")
        times.append(time.perf_counter())
    # A pause longer than the debounce (a busy machine) may rightly start a build of its own.
    allowed = 1 + sum(b - a > DEBOUNCE for a, b in zip(times, times[1:]))
    wait_for(lambda: "Save number 9." in page_text(preview.port))
    time.sleep(0.3)
    assert not preview.server.building() and preview.status()["errors"] == []
    builds = preview.status()["version"] - version
    assert 1 <= builds <= allowed, f"10 quick saves caused {builds} builds (at most {allowed} expected)"


# --- cards in the background ----------------------------------------------------------------------

CARD_URL = "/cards/dowel-hip-hinge.pdf"


def card_text(port: int) -> str | None:
    """The served card's text, words joined by single spaces; None while it is not served."""
    import io

    from pypdf import PdfReader

    status, headers, body = request(port, CARD_URL)
    if status != 200:
        return None
    assert headers["content-type"] == "application/pdf"
    return " ".join(PdfReader(io.BytesIO(body)).pages[0].extract_text().split())


async def edit_and_hear_reload(preview, old: str, new: str) -> tuple[str, str | None, dict]:
    """As a livereload page: save an edit, wait for the reload message, and at that instant take the
    page, the card and the status, before anything else can happen."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    origin = f"http://127.0.0.1:{preview.port}"
    ws = await websocket_connect(HTTPRequest(f"ws://127.0.0.1:{preview.port}/livereload", headers={"Origin": origin}))
    try:
        await ws.write_message(json.dumps({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}))
        await ws.read_message()
        await ws.write_message(json.dumps({"command": "info", "url": origin + "/", "plugins": {}}))
        wait_for(lambda: preview.server.open_pages >= 1)
        preview.edit(DRILL, old, new)
        while json.loads(await ws.read_message())["command"] != "reload":
            pass
        return page_text(preview.port), card_text(preview.port), preview.status()
    finally:
        ws.close()


def run_in_own_loop(coroutine):
    """asyncio.run in a thread of its own: once the session's Chromium is up, Playwright's sync API
    keeps an event loop running in the main thread, and asyncio.run refuses to run inside it."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_cards_follow_each_build_in_the_background_and_their_errors_reach_the_overlay(preview):

    assert f'href="{CARD_URL}" download' in page_text(preview.port)
    wait_for(lambda: preview.status()["cards"] == "ready", timeout=120)
    assert "Push your hips straight back" in card_text(preview.port)
    assert request(preview.port, "/pins/dowel-hip-hinge.png")[2].startswith(b"\x89PNG")

    page, card, status = run_in_own_loop(edit_and_hear_reload(preview, "Push your hips straight back",
                                                          "Push your hips back to the wall"))
    # The reload came with the page fresh and the card not yet made: the reload did not wait for it.
    assert "Push your hips back to the wall" in page
    assert "Push your hips straight back" in card and status["cards"] == "rendering"
    wait_for(lambda: "Push your hips back to the wall" in (card_text(preview.port) or ""), timeout=120)
    assert wait_for(lambda: (s := preview.status())["cards"] != "rendering" and s)["errors"] == []

    line = line_of(preview.site / DRILL, "cues:") + 1  # the list, as the checks point at it: its first item
    long_cues = "".join(f"\n  - Cue number {i}, long enough to need a line of its own on any card" for i in range(40))
    preview.edit(DRILL, "cues:", "cues:" + long_cues)
    status = wait_for(lambda: (s := preview.status())["errors"] and s, timeout=120)
    [error] = status["errors"]
    assert (error["code"], error["file"], error["line"], status["from"]) == ("CARD001", DRILL, line, "cards")
    assert "does not fit" in error["text"] and error["location"] == f"{DRILL}:{line}:{error['column']}"
    assert any(f"{DRILL}:{line}:" in m and "CARD001" in m for m in preview.reporter.messages)
    assert "Cue number 39" in page_text(preview.port)  # the pages are still built, and served
    assert "Push your hips back to the wall" in card_text(preview.port)  # the last good card stays

    preview.edit(DRILL, long_cues, "")
    assert wait_for(lambda: (s := preview.status())["cards"] == "ready" and s, timeout=120)["errors"] == []


# --- safety -------------------------------------------------------------------------------------

SECRET = "top-secret-4f8a1c"


def test_no_path_traversal_form_serves_a_file_outside_the_preview(preview):
    # Secrets beside the preview folder (in the site folder) and far outside it.
    (preview.site / "secret.txt").write_text(SECRET)
    outside = preview.site.parent / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET)
    root = preview.server.root
    (root / "leak.txt").symlink_to(outside / "secret.txt")
    (root / "leakdir").symlink_to(outside, target_is_directory=True)
    (root / "drills" / "up").symlink_to(preview.site, target_is_directory=True)
    absolute = (preview.site / "secret.txt").as_posix()

    forms = [
        "/../secret.txt", "/../../outside/secret.txt", "/drills/../../secret.txt",
        "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/.%2e/secret.txt", "/%2e./secret.txt",
        "/..%2fsecret.txt", "/%2e%2e%2fsecret.txt", "/drills%2f..%2f..%2fsecret.txt", "/%2F..%2Fsecret.txt",
        "/..\\secret.txt", "/\\..\\secret.txt", "/%5c..%5csecret.txt", "/..%5Csecret.txt",
        "/%252e%252e/secret.txt", "/..%00/secret.txt", "/%c0%ae%c0%ae/secret.txt",
        absolute, "/" + absolute, "//" + absolute.lstrip("/"), f"file://{absolute}",
        f"http://127.0.0.1:{preview.port}/../secret.txt", "../secret.txt", "secret.txt",
        "/leak.txt", "/leakdir/secret.txt", "/drills/up/secret.txt", "/drills/up/pyproject.toml",
    ]
    served = []
    for form in forms:
        status, _, body = request(preview.port, form)
        if status not in (400, 403, 404) or SECRET.encode() in body or b"[tool.sitegen]" in body:
            served.append((form, status))
    assert served == []
    # The same server still serves its own files, through the same checks.
    assert "Dowel Hip Hinge" in page_text(preview.port)


def upgrade(port: int, origin: str, host: str = "127.0.0.1") -> int:
    """Try to open the reload socket from `origin`; return the HTTP status of the answer."""
    lines = ["GET /livereload HTTP/1.1", f"Host: {host}:{port}", "Upgrade: websocket", "Connection: Upgrade",
             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13", f"Origin: {origin}"]
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = b""
        while b"\r\n" not in head:
            head += conn.recv(1024)
    return int(head.split()[1])


def test_the_reload_socket_accepts_only_the_previews_own_origin(preview):
    port = preview.port
    assert upgrade(port, f"http://127.0.0.1:{port}") == 101
    assert upgrade(port, f"http://localhost:{port}") == 101
    for origin in ("http://evil.example", f"http://evil.example:{port}", f"http://127.0.0.1:{port + 1}",
                   f"https://127.0.0.1:{port}", "null"):
        assert upgrade(port, origin) == 403, origin
    # A DNS-rebound name: the browser sends the attacker's host as both Host and Origin.
    assert upgrade(port, f"http://evil.example:{port}", host="evil.example") == 403


def test_a_port_in_use_is_a_clear_usage_error_and_other_hosts_warn(example_site, capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["-C", str(example_site), "serve", "--port", str(port)]) == 2
        err = capsys.readouterr().err
        assert f"port {port} is already in use" in err and "--port" in err and "Traceback" not in err
        # Binding every address warns first (and fails here only because the port is taken).
        assert main(["-C", str(example_site), "serve", "--host", "0.0.0.0", "--port", str(port)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("warning: serving on 0.0.0.0") and "other machines" in err
    assert not any(p.name.startswith(".sitegen-preview") for p in example_site.iterdir())


def test_a_preview_folder_sitegen_did_not_make_is_left_alone(example_site, capsys):
    port = free_port()
    theirs = example_site / f".sitegen-preview-{port}"
    theirs.mkdir()
    (theirs / "notes.txt").write_text("mine")
    assert main(["-C", str(example_site), "serve", "--port", str(port)]) == 2
    assert "was not made by sitegen serve" in capsys.readouterr().err
    assert (theirs / "notes.txt").read_text() == "mine"


def card_processes(site: Path) -> list[psutil.Process]:
    """The live card processes of a preview of `site`, with their workers."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        command = process.info["cmdline"] or []
        if "sitegen.preview.card_job" in command and str(site) in command:
            try:
                found += [process, *process.children(recursive=True)]
            except psutil.NoSuchProcess:
                pass
    return [p for p in found if alive(p)]


def alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@contextlib.contextmanager
def serve_command(site: Path, *options: str) -> Iterator[tuple[subprocess.Popen, int]]:
    """`sitegen serve` in a process of its own, as a user starts it: the process and its port,
    once it says it is serving. Killed on the way out if the test has not stopped it."""
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "sitegen", "-C", str(site), "serve", "--port", str(port), *options],
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        lines = []
        for line in proc.stderr:
            lines.append(line)
            if line.startswith("serving"):
                break
        assert f"http://127.0.0.1:{port}/" in lines[-1], lines
        yield proc, port
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()


def test_ctrl_c_stops_cleanly_and_removes_the_preview_folder(example_site):
    with serve_command(example_site) as (proc, port):
        assert "Dowel Hip Hinge" in page_text(port)
        preview = example_site / f".sitegen-preview-{port}"
        assert (preview / "site" / "index.html").is_file()
        drill = example_site / DRILL
        drill.write_text(drill.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
        wait_for(lambda: "One more line." in page_text(port))
        # The second build updated the Builder's twin folder, which sits in the preview folder too.
        assert sorted(p.name for p in preview.iterdir() if p.name.startswith(".site.")) == [".site.twin"]
        job = card_processes(example_site)
        assert job, "the cards were not being made in the background"
        proc.send_signal(signal.SIGINT)  # the card run is still going: stopping must end it
        assert proc.wait(timeout=15) == 0
        rest = proc.stderr.read()
        assert "stopped" in rest and "Traceback" not in rest
        assert not preview.exists()
        assert [p for p in example_site.rglob("*") if p.name.startswith((".sitegen-preview", ".site."))] == []
        # Without process groups the workers end at their next card, once they find their queue gone.
        wait_for(lambda: not any(alive(p) for p in job), timeout=10)


def test_serve_future_shows_the_pages_dated_after_today_and_makes_their_cards(example_site):
    """`--future` reaches the preview's build and its card process, as `build --future` and `check --future`."""
    write_page(example_site, "drills/hinge-hold.md", """
        ---
        type: drill
        title: Hinge hold
        date: 2999-01-01
        mastery: a 30 s hold with a flat back
        ---
        Later.
        """)
    for options, shown in [((), False), (("--future",), True)]:
        with serve_command(example_site, *options) as (proc, port):
            status, _, body = request(port, "/drills/hinge-hold/")
            assert (status, b"Hinge hold" in body) == ((200, True) if shown else (404, False)), options
            assert ("/drills/hinge-hold/" in page_text(port, "/sitemap.xml")) == shown
            wait_for(lambda: json.loads(request(port, "/_sitegen/status")[2])["cards"] == "ready", timeout=120)
            assert request(port, "/cards/hinge-hold.pdf")[0] == (200 if shown else 404), options
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=15) == 0


# --- in a real browser --------------------------------------------------------------------------


def connected(tab, preview) -> None:
    """Wait until the page's livereload client has shaken hands with the server."""
    tab.wait_for_function("window.__livereload === true", timeout=5000)
    wait_for(lambda: preview.server.open_pages >= 1)


def open_drill(tab, preview) -> None:
    tab.add_init_script("document.addEventListener('LiveReloadConnect', () => { window.__livereload = true; });")
    tab.goto(f"http://127.0.0.1:{preview.port}{DRILL_URL}")
    connected(tab, preview)


def test_a_server_killed_outright_takes_its_card_job_along(example_site):
    """A kill leaves the server no time to stop its card job: the job and its workers must still
    end with it rather than render on for nobody (they see the end of their input pipe)."""
    proc = subprocess.Popen([sys.executable, "-m", "sitegen", "-C", str(example_site), "serve", "--port",
                             str(free_port())], stderr=subprocess.DEVNULL)
    try:
        job = wait_for(lambda: (found := card_processes(example_site)) and len(found) >= 2 and found, timeout=30)
    finally:
        proc.kill()
        proc.wait()
    wait_for(lambda: not any(alive(p) for p in job), timeout=10)


def test_browser_shows_an_edit_without_a_manual_reload_and_restyles_in_place(page, preview):
    open_drill(page, preview)
    assert page.get_by_text("Brand new sentence for the browser").count() == 0
    preview.edit(DRILL, "This first drill is practice", "Brand new sentence for the browser. This first drill is practice")
    page.get_by_text("Brand new sentence for the browser").wait_for(timeout=5000)

    connected(page, preview)
    page.evaluate("window.__same_document = true")
    preview.edit("static/style.css", "\n", "\nbody { outline: 7px solid rgb(1, 2, 3); }\n")
    page.wait_for_function("getComputedStyle(document.body).outlineColor === 'rgb(1, 2, 3)'", timeout=5000)
    assert page.evaluate("window.__same_document === true"), "a CSS change reloaded the whole page"


def test_browser_overlay_appears_on_error_and_goes_when_fixed(page, preview):
    open_drill(page, preview)
    line = line_of(preview.site / DRILL, "next:")
    page.evaluate("window.__same_document = true")
    preview.edit(DRILL, "next: bodyweight-rdl.md", "next: missing-drill.md")

    overlay = page.locator("#sitegen-overlay")
    overlay.get_by_text(f"{DRILL}:{line}:7").wait_for(timeout=5000)
    alert = overlay.get_by_role("alert")
    assert alert.is_visible() and "The site has 1 error" in alert.inner_text()
    assert "missing-drill.md' does not exist" in alert.inner_text()
    assert page.evaluate("window.__same_document === true"), "the page reloaded instead of showing the overlay"
    assert page.get_by_role("heading", name="Dowel Hip Hinge").is_visible()

    preview.edit(DRILL, "next: missing-drill.md", "next: bodyweight-rdl.md")
    overlay.wait_for(state="detached", timeout=5000)
    assert re.search(r"Step 1 of 3", page.inner_text("main"))
