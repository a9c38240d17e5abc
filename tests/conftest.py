"""Shared fixtures: a scratch copy of the example site, and one headless Chromium per test session."""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import socket
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("SITEGEN_CHROMIUM", "/usr/bin/chromium")
# As root on this kind of machine Chromium needs --no-sandbox; the rest keep it off the (closed) network.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


# Property tests: 2,000 examples each, from a fixed seed, in every run; `--slow` tries 25,000.
# No deadline: a slow example on a loaded machine is not a failure (benchmarks/ measure speed).
settings.register_profile("default", max_examples=2_000, derandomize=True, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("slow", parent=settings.get_profile("default"), max_examples=25_000)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", help="property tests try 25,000 examples each, not 2,000")


def pytest_configure(config: pytest.Config) -> None:
    settings.load_profile("slow" if config.getoption("--slow") else "default")


def copy_example_site(dest: Path) -> Path:
    """A private copy of this repository's example site, safe to edit and build."""
    for name in ("content", "templates", "static"):
        shutil.copytree(REPO / name, dest / name)
    shutil.copy(REPO / "pyproject.toml", dest / "pyproject.toml")
    return dest


@pytest.fixture
def example_site(tmp_path: Path) -> Path:
    return copy_example_site(tmp_path / "site")


def write_page(site: Path, rel: str, text: str) -> Path:
    """Write a content page; `text` is dedented so tests can indent it."""
    import textwrap

    path = site / "content" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def browser():
    """One real headless Chromium (Debian's package) for the whole session, driven by Playwright."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's 'chromium' package (see README)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 420, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[str]:
    """`folder` served on 127.0.0.1 while the block runs; yields its root URL."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def build_example(site: Path) -> Path:
    """Build a copy of the example site (HTML only); returns its output folder."""
    from sitegen.build.builder import build
    from sitegen.config import load_settings
    from sitegen.report import NullReporter

    build(load_settings(site), cards=False, reporter=NullReporter())
    return site / "output"


@pytest.fixture
def served_site(example_site: Path) -> Iterator[str]:
    """The example site built and served on 127.0.0.1; yields its root URL."""
    with serving(build_example(example_site)) as url:
        yield url
