"""Build again after every save, in one long-running process: `sitegen serve` and `sitegen build --watch`.

`Rebuilds` keeps one Builder, which keeps the site in memory between builds and redoes only
what a change touched, and the checker patches its last findings (a one-page edit of a
1,000-page site: ~0.05 s, against ~0.27 s for a new `sitegen build` process, most of which is
starting Python and reading what the last build kept). It follows edits to the settings files, and turns every build, good or bad, into a
report: a build that fails leaves the last good output where it is. `watch` is the loop of
`sitegen build --watch`; the preview server runs its own (server.py).
"""

from __future__ import annotations

import io
import queue
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from sitegen.config import Settings, load_settings
from sitegen.diagnostics import Diagnostic, write_text
from sitegen.errors import ContentError, SitegenError
from sitegen.report import Reporter

if TYPE_CHECKING:
    from sitegen.build.builder import Builder

# Editors save in bursts (backup, write, rename); wait this long for quiet before building.
DEBOUNCE = 0.02


@dataclass
class Outcome:
    """What one build produced. It was swapped in unless `diagnostics` (the checker refused the
    site) or `problem` (a usage error, or a bug in sitegen) say otherwise."""

    report: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    problem: str = ""
    settings: Settings | None = None  # the new settings when a settings file changed and loaded, built or not
    changed: list[str] = field(default_factory=list)  # output files whose bytes changed


class Rebuilds:
    """The builds of one session. `make_builder(settings)` makes its Builder: once, and again
    whenever the settings change. `keeps(settings)` says, in a failed build's report, what the
    reader still sees (e.g. "output/ keeps the last good build")."""

    def __init__(self, settings: Settings, make_builder: Callable[[Settings], "Builder"],
                 keeps: Callable[[Settings], str]):
        self.settings = settings
        self._make_builder = make_builder
        self._keeps = keeps
        self._builder: Builder | None = None
        self._settings_broken = False

    def build(self, changed: set[Path], jobs: int = 1) -> Outcome:
        """Build after `changed` (files; empty for the first build). `jobs` > 1 may fork render
        workers: only for a process with no other thread (see Builder)."""
        from sitegen.preview.watcher import is_settings_file

        started = time.perf_counter()
        # New settings are reported even when their build fails: the watcher must follow the
        # folders they name, or fixing an error in a renamed content folder would go unseen.
        settings = None
        try:
            if self._settings_broken or any(is_settings_file(p, self.settings) for p in changed):
                # Until the settings load again, every build retries them: none may pass on stale ones.
                self._settings_broken = True
                settings = load_settings(self.settings.root)
                self._settings_broken = False
                self.settings = settings
            if self._builder is None or settings is not None:
                self._builder = self._make_builder(self.settings)
            self._builder.jobs = jobs
            result = self._builder.build()
        except ContentError as exc:
            text = io.StringIO()
            write_text(exc.diagnostics, exc.pages, text)
            return Outcome(text.getvalue().rstrip() + f"\n{self._keeps(self.settings)}; fix and save",
                           exc.diagnostics, settings=settings)
        except SitegenError as exc:
            return Outcome(f"{exc}\n{self._keeps(self.settings)}", problem=str(exc), settings=settings)
        except Exception as exc:  # a bug in sitegen must not end the session
            import traceback

            return Outcome(traceback.format_exc() + "sitegen failed while building; please report this",
                           problem=f"sitegen failed: {exc!r} (see the terminal)", settings=settings)
        ms = (time.perf_counter() - started) * 1000
        files = len(result.changed)
        report = f"built {result.pages} pages ({files} file{'' if files == 1 else 's'} changed) in {ms:.0f} ms"
        if result.warnings:
            text = io.StringIO()
            write_text(result.warnings, result.pages, text)
            report = text.getvalue() + report
        return Outcome(report, settings=settings, changed=result.changed)


def describe(changed: set[Path], root: Path) -> str:
    """Name up to three changed files; editors' temporary files (the far end of a rename) drop out."""
    names = sorted(p.relative_to(root).as_posix() for p in changed if p.exists() and p.is_relative_to(root))
    names = names or sorted(p.name for p in changed)
    return ", ".join(names[:3]) + (" …" if len(names) > 3 else "")


def changed_report(changed: set[Path], root: Path, outcome: Outcome) -> str:
    """`content/x.md changed: built …`, the report on a line of its own when it has several."""
    sep = "\n" if "\n" in outcome.report else " "
    return f"{describe(changed, root)} changed:{sep}{outcome.report}"


def terminate_as_interrupt() -> None:
    """From now on SIGTERM (a polite `kill`) ends this process as Ctrl-C does: a build in flight
    drops its unfinished folder. A render worker forked meanwhile inherits the handler, and ends
    as SIGTERM would have ended it (its pool stops it so), without a KeyboardInterrupt traceback."""
    import os
    import signal

    me = os.getpid()

    def stop(signum: int, _frame: object) -> None:
        if os.getpid() != me:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)


def _next(events: queue.SimpleQueue[Path]) -> Path:
    """The next file event. Waiting without a timeout would not end on Ctrl-C when the system
    hands the signal to one of the watcher's threads: the main thread, which alone acts on
    signals, would sleep on until the next save. It wakes twice a second to look."""
    while True:
        try:
            return events.get(timeout=0.5)
        except queue.Empty:
            continue


def watch(rebuilds: Rebuilds, jobs: int, reporter: Reporter) -> int:
    """Build, then build again after every save until Ctrl-C (or SIGTERM); return 0."""
    from sitegen.build.builder import scan
    from sitegen.preview.watcher import SourceWatcher

    terminate_as_interrupt()
    watcher = None
    try:
        # The first build may fork render workers, so it runs before the watcher's thread exists;
        # a save meanwhile is caught by comparing the files before and after.
        before = scan(rebuilds.settings)
        reporter.info(rebuilds.build(set(), jobs=jobs).report)
        events: queue.SimpleQueue[Path] = queue.SimpleQueue()
        watcher = SourceWatcher(rebuilds.settings, events.put)
        watcher.start()
        reporter.info("watching for changes (Ctrl-C to stop)")
        after = scan(rebuilds.settings)
        changed = {rebuilds.settings.root / rel for rel in before.keys() | after.keys()
                   if before.get(rel) != after.get(rel)}
        while True:
            if changed:
                outcome = rebuilds.build(changed)
                if outcome.settings is not None:
                    watcher.retarget(outcome.settings)
                reporter.info(changed_report(changed, rebuilds.settings.root, outcome))
            changed = {_next(events)}
            while True:
                try:
                    changed.add(events.get(timeout=DEBOUNCE))
                except queue.Empty:
                    break
    except KeyboardInterrupt:
        reporter.info("stopped watching")
        return 0
    finally:
        if watcher is not None:
            watcher.stop()
