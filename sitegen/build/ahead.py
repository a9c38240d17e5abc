"""Render Markdown ahead, on a spare core, while a cold build loads and checks the site.

Loading and checking run in the main process on one core, a third of a cold build, while
the render workers that come next spend most of their time in Python-Markdown. `RenderAhead`
forks one process before loading starts: it reads the pages itself and renders their Markdown
into the cache, under the keys `Bodies` looks up (bodies.py). When rendering starts it is
stopped; the workers find the bodies it made and render only the rest. Before the pages it
compiles the templates (the build's `first`), which would otherwise hold up the start of
rendering. It writes nothing but cache entries, each a pure function of what it is keyed by (a
page's body, a template's source): stopping it at any point, or losing it, costs time, never
correctness.
"""

from __future__ import annotations

import os
import select
import signal
from contextlib import nullcontext
from pathlib import Path
from typing import Callable

from sitegen.cache import Cache
from sitegen.capabilities import fork_is_safe
from sitegen.content.frontmatter import FrontMatterError, body_of
from sitegen.content.loader import decode
from sitegen.render.bodies import encode, markdown_key
from sitegen.render.markdown import MarkdownEngine
from sitegen.watchdog import TooSlow, Watchdog

# Fewer pages than this are not worth a process.
MIN_PAGES = 48


class RenderAhead:
    """The process rendering ahead; `stop()` ends it once its current page is stored."""

    def __init__(self, pid: int, stop_fd: int, first_fd: int):
        self._pid = pid
        self._stop_fd: int | None = stop_fd
        self._first_fd: int | None = first_fd

    @classmethod
    def start(cls, content_dir: Path, content_name: str, sources: list[str], cache: Cache, markdown: MarkdownEngine,
              first: Callable[[], None] = lambda: None, watchdog: Watchdog | None = None) -> "RenderAhead | None":
        """Start rendering the Markdown of `sources` (content-relative paths); None when not worth it.
        `first` runs before that: other work whose result the build will find in the cache once
        `first_done()` returns. A body that renders longer than `watchdog` allows (when given) is
        left to the build, which reports it."""
        if len(sources) < MIN_PAGES or not fork_is_safe():  # elsewhere the workers render it all
            return None
        markdown.instance()  # once, here, for this process and the render workers forked later too
        read_end, write_end = os.pipe()
        done_read, done_write = os.pipe()
        try:
            pid = os.fork()
        except OSError:  # no process to spare: the workers render it all, as they would anyway
            for fd in (read_end, write_end, done_read, done_write):
                os.close(fd)
            return None
        if pid == 0:  # the child: never returns into the build
            code = 1
            try:
                # A build killed outright closes its end of the pipe too: the child stops at the
                # next page instead of rendering on (and holding the build's lock) for nobody.
                os.close(write_end)
                os.close(done_read)
                try:
                    first()
                finally:
                    os.close(done_write)  # first_done() returns, whether or not `first` succeeded
                _render_ahead(content_dir, content_name, sources, cache, markdown, watchdog, read_end)
                code = 0
            finally:
                os._exit(code)  # a forked child: the parent's exit handlers are not its own
        os.close(read_end)
        os.close(done_write)
        return cls(pid, write_end, done_read)

    def first_done(self) -> None:
        """Wait until `first` has ended (or the process has)."""
        if self._first_fd is None:
            return
        os.read(self._first_fd, 1)  # end of file: the child closed its end, or ended
        os.close(self._first_fd)
        self._first_fd = None

    def stop(self) -> None:
        if self._stop_fd is None:
            return
        if self._first_fd is not None and not _ended(self._first_fd):
            # Still in `first` (a build that failed its checks): its work is not wanted. Its cache
            # writes are transactions, so ending it mid-way loses at most an entry.
            os.kill(self._pid, signal.SIGKILL)
        os.close(self._stop_fd)  # the child sees the pipe's end between two pages
        self._stop_fd = None
        os.waitpid(self._pid, 0)
        self.first_done()  # its end is closed by now: this only closes ours


def _ended(fd: int) -> bool:
    """Whether the other end of a pipe that is never written to has been closed."""
    ready = select.poll()
    ready.register(fd, select.POLLIN)
    return bool(ready.poll(0))


def _render_ahead(content_dir: Path, content_name: str, sources: list[str], cache: Cache, markdown: MarkdownEngine,
                  watchdog: Watchdog | None, stop_fd: int) -> None:
    batch: list[tuple[str, bytes]] = []
    for source in sources:
        if _ended(stop_fd):  # the build closed its end
            break
        # Only the body: the front matter is the build's to parse (and to report on).
        try:
            body = body_of(decode((content_dir / source).read_bytes(), source)[0] or "")
        except (OSError, FrontMatterError):
            continue
        key = markdown_key(body)
        if cache.get(key) is None:
            try:
                with watchdog.limit() if watchdog is not None else nullcontext():
                    rendered = markdown.html_body(body)
            except TooSlow:
                continue
            batch.append((key, encode(rendered)))
        if len(batch) >= 16:  # stored as it goes: what is stored when the stop comes is not lost
            cache.put_many(batch)
            batch = []
    cache.put_many(batch)
