"""The preview's cards: rendered in the background after each good build, in a process of their own.

The card pool may fork its workers (sitegen/parallel.py). Forked from the preview server, each
worker would inherit its listening sockets (the port stays taken while a worker lives), the
event loop's signal pipe (a Ctrl-C in a worker would stop the server's loop) and any lock another
thread (watcher, build, event loop) held at the instant of the fork. So every run is a fresh
interpreter, `python -m sitegen.preview.card_job`: started without the server's file
descriptors, at a lower priority (the author waits for the pages, not the cards), where the
system has them in a process group of its own that a Ctrl-C in the terminal does not reach and
that stopping the preview kills whole. It reads its standard input, which the server never
writes: at its end (the server stopped it, or died without a word) the run ends too. Inside it
the pool starts its workers as safely as under `sitegen build`.

Cards are made with the published settings, not the preview's address: they are what will be
printed (their QR codes lead to the real site), and they share `sitegen build`'s card cache,
so only cards whose content changed are rendered again.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from sitegen.capabilities import native
from sitegen.config import Settings
from sitegen.content.loader import Unpublished

if TYPE_CHECKING:
    from sitegen.cards.paths import CardLinks

# Page builds first: the cards take what CPU is left (POSIX niceness; Windows' priority class).
NICENESS = 10
BELOW_NORMAL = getattr(subprocess, "BELOW_NORMAL_PRIORITY_CLASS", 0)


@dataclass
class CardOutcome:
    """One run, as the terminal and the overlay show it; no errors means the cards are in place."""

    errors: list[dict] = field(default_factory=list)
    report: str = ""
    # The site no longer checks: it changed since the build that asked for the run, and the build
    # of that change reports the errors (and asks again once it is good).
    skipped: bool = False


def links(settings: Settings) -> "CardLinks":
    """What pages see as `cards`: their card, deck and pin URLs, in the preview."""
    from sitegen.cards.paths import CardLinks
    from sitegen.content.site import Site

    return CardLinks(Site(settings, [], []))  # the links depend on the settings' URLs only


class BackgroundCards:
    """At most one card run at a time; a request during a run makes one more run after it.

    `request()` and `on_done` belong to the server's event loop; the run waits in a thread."""

    def __init__(self, root: Path, out: Path, unpublished: Unpublished, loop: Any,
                 on_done: Callable[[CardOutcome], None]):
        self.root, self.out, self.unpublished = root, out, unpublished
        self.loop = loop
        self.on_done = on_done
        self.running = False
        self.runs = 0  # finished runs
        self._again = False
        self._stopped = False
        self._process: subprocess.Popen | None = None
        self._lock = threading.Lock()  # a run starts its process, or `stop` has come first
        self._lifeline: int | None = None  # our end of the run's input: closing it ends the run
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sitegen-cards")

    @property
    def pending(self) -> bool:
        return self.running or self._again

    def request(self) -> None:
        if self._stopped:
            return
        if self.running:
            self._again = True  # a run already under way may have read the files before this change
            return
        self.running, self._again = True, False
        self.loop.add_future(self._executor.submit(self._run), self._finished)

    def _finished(self, future: Future) -> None:
        self.running = False
        self.runs += 1
        if self._stopped:
            return
        self.on_done(future.result())
        if self._again:
            self.request()

    def _run(self) -> CardOutcome:
        command = [sys.executable, "-m", "sitegen.preview.card_job", str(self.root), str(self.out)]
        with self._lock:
            if self._stopped:
                return CardOutcome()
            # Its input: a pipe this process holds open, and the system closes when it ends.
            theirs, self._lifeline = os.pipe()
            try:
                self._process = subprocess.Popen(command + self.unpublished.flags(),
                                                 stdin=theirs, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                                 text=True, creationflags=BELOW_NORMAL,
                                                 start_new_session=native("os", "killpg") is not None)
            except OSError as exc:
                self._cut()
                return _failed(f"cannot start the card renderer: {exc}")
            finally:
                os.close(theirs)
        try:
            out, err = self._process.communicate()  # its output ends once it and its workers have
        finally:
            self._cut()
        try:
            data = json.loads(out)
        except ValueError:
            return _failed(f"the card renderer stopped: {err.strip() or 'no message'}")
        return CardOutcome(**data)

    def _cut(self) -> None:
        with self._lock:
            fd, self._lifeline = self._lifeline, None
        if fd is not None:
            os.close(fd)

    def stop(self) -> None:
        """End a run in flight, with its workers; no more runs after this."""
        with self._lock:
            self._stopped = True
            process = self._process
        killpg = native("os", "killpg")
        if process is not None and process.poll() is None and killpg is not None:
            try:
                killpg(process.pid, signal.SIGKILL)  # the whole group at once
            except ProcessLookupError:
                pass
        self._cut()  # elsewhere the run sees its input end: it ends its workers, then itself
        self._executor.shutdown(wait=True)


def _failed(message: str) -> CardOutcome:
    text = f"cards: {message} (sitegen failed; please report this)"
    return CardOutcome([{"location": "", "text": text}], text)


# --- the card process -------------------------------------------------------------------------


def make_cards(root: Path, out: Path, unpublished: Unpublished) -> dict:
    """Check the site and write its cards into `out`; a failure leaves the cards there as they were.
    Returns CardOutcome's fields, as JSON-ready data."""
    import io

    from sitegen.cards.pipeline import build_cards
    from sitegen.check.checker import check
    from sitegen.cards.paths import claims as card_claims
    from sitegen.config import load_settings
    from sitegen.diagnostics import write_text
    from sitegen.errors import ContentError, SitegenError
    from sitegen.preview.overlay import overlay_entries
    from sitegen.report import NullReporter

    reporter = NullReporter()
    try:
        settings = load_settings(root)
        checked = check(settings, drafts=unpublished.drafts, future=unpublished.future,
                        more_outputs=lambda site: card_claims(site, settings.card_size))
    except SitegenError:
        return {"skipped": True}
    if checked.failed():
        return {"skipped": True}
    try:
        build_cards(checked.site, out, reporter=reporter)
    except ContentError as exc:
        text = io.StringIO()
        write_text(exc.diagnostics, exc.pages, text)
        return {"errors": overlay_entries(exc.diagnostics),
                "report": text.getvalue().rstrip() + "\nthe cards keep their last good version; fix and save"}
    except SitegenError as exc:
        return {"errors": [{"location": "", "text": str(exc)}], "report": f"{exc}\nno cards in the preview"}
    return {"errors": [], "report": "\n".join(reporter.messages)}


def _end_with_the_server() -> None:
    """Wait for the end of standard input, which comes when the server stops the run or ends,
    however it ends; then end the workers and this process at once. (A bare read holds no lock
    that a worker forked meanwhile could inherit taken.)"""
    import multiprocessing

    while os.read(0, 4096):
        pass
    for worker in multiprocessing.active_children():
        worker.kill()
    os._exit(1)


def main(argv: list[str]) -> int:
    threading.Thread(target=_end_with_the_server, daemon=True).start()
    nice = native("os", "nice")
    if nice is not None:
        nice(NICENESS)
    root, out = Path(argv[0]), Path(argv[1])
    print(json.dumps(make_cards(root, out, Unpublished.from_flags(argv[2:]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
