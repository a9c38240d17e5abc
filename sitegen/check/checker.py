"""The pipeline: files → validated model → checked graph → rendered outputs.

Nothing is written until every page has loaded and every check has passed; the outputs
then go into a folder that replaces `output/` in one step. Builds are incremental: see
builder.py, whose `Builder` is the API for long-running callers such as the preview server
(`from sitegen.build import Builder` works too). `check` stays light to import: `sitegen
check` must start fast.
"""

from __future__ import annotations

import gc
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from . import checks
from .config import Settings
from .diagnostics import Diagnostic, count
from .loader import Content, PageMemo, load
from .report import Reporter
from .site import Site


@dataclass
class Checked:
    site: Site
    content: Content
    diagnostics: list[Diagnostic]

    @property
    def pages(self) -> int:
        return self.content.files_read

    def failed(self, strict: bool = False) -> bool:
        return count(self.diagnostics, strict)[0] > 0


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector. Loading a site makes millions of objects and no cyclic
    garbage, yet each full collection walks them all again: at 10,000 pages that is a third of
    the time. Garbage made meanwhile is collected once it is back on."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


@contextmanager
def collector_running() -> Iterator[None]:
    """The cycle collector on, here and in processes forked meanwhile, within a build that turned
    it off: card layout is cyclic garbage (WeasyPrint's boxes point at their parents), ~0.6 MB a
    card. What exists already is frozen meanwhile, so collections do not walk the loaded site."""
    was_on = gc.isenabled()
    if not was_on:
        gc.freeze()
        gc.enable()
    try:
        yield
    finally:
        if not was_on:
            gc.disable()
            gc.unfreeze()  # a long-running process's later collections see them again


def stored_memo(settings: Settings, read_only: bool = False) -> PageMemo:
    """The pages the last build kept in the cache (see loader.PageMemo): a one-shot command reads
    again only the files changed since. `read_only` (for `sitegen check`) creates and changes
    nothing: without a readable cache the memo is empty."""
    import sqlite3

    from .cache import CACHE_DIR, Cache
    from .incremental import code_digest

    if read_only and not (settings.root / CACHE_DIR / "pages.sqlite").is_file():
        return PageMemo()
    with collector_paused():  # unpickling makes many lasting objects and no garbage
        try:
            memo = PageMemo.stored(Cache(settings.root, "pages"), code_digest(), writable=not read_only)
        except (OSError, sqlite3.Error):
            if not read_only:
                raise
            return PageMemo()  # a read-only folder, say: check reads every file, as without a cache
        # Out of the collector's sight for good: its first pass after the pause, and the one at
        # the process's exit, would otherwise walk every one of them (each a fifth of an edit's
        # build). They hold no reference cycles: they are freed as usual when dropped.
        gc.freeze()
    return memo


def check(settings: Settings, drafts: bool = False, memo: PageMemo | None = None,
          stats: dict[str, os.stat_result] | None = None) -> Checked:
    """Load and check the whole site; return every diagnostic, errors and warnings alike. `stats`:
    the content files' stats, taken moments ago (see builder.scan)."""
    with collector_paused():
        content = load(settings, drafts=drafts, memo=memo, stats=stats)
        site = Site(settings, content.pages, content.assets)
        diagnostics = content.diagnostics + checks.run(site, content)
    return Checked(site, content, diagnostics)


@dataclass
class BuildResult:
    output: Path
    pages: int
    files: int
    seconds: float
    warnings: list[Diagnostic] = field(default_factory=list)
    rendered: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)


def build(settings: Settings, *, drafts: bool = False, strict: bool = False, cards: bool = True,
          output: Path | None = None, reporter: Reporter | None = None, jobs: int | None = None) -> BuildResult:
    """Check, then build the site into its output folder (one shot: nothing is kept in memory)."""
    from .builder import Builder
    from .parallel import default_jobs

    builder = Builder(settings, drafts=drafts, strict=strict, cards=cards, output=output, reporter=reporter,
                      jobs=jobs or default_jobs(), keep_in_memory=False)
    return builder.build()


def __getattr__(name: str) -> Any:
    if name == "Builder":  # the preview server's entry point, imported only by those who need it
        from .builder import Builder

        return Builder
    raise AttributeError(name)
