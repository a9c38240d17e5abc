"""`sitegen serve`: build into a preview folder, serve it, rebuild and reload on every save.

The preview is built into `.sitegen-preview-PORT/site/` in the site folder (git-ignored), apart
from output/; the Builder's twin and staging folders sit beside it (`.site.twin`, `.site.new-*`),
the cards in `cards/` (see card_job.py), and the whole `.sitegen-preview-PORT/` folder is
removed on exit. A build that fails leaves the last good pages served; the errors go to the
terminal and, through the reload socket, to an overlay on every open page. The cards follow
each good build in the background, at a lower priority: the pages are told to reload without
waiting for them.
"""

from __future__ import annotations

import errno
import ipaddress
import shutil
import socket
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Callable

from sitegen.build.output import MARKER
from sitegen.capabilities import portable
from sitegen.config import Settings
from sitegen.content.loader import Unpublished
from sitegen.errors import UsageError
from sitegen.preview.overlay import overlay_entries
from sitegen.preview.session import DEBOUNCE, Outcome, Rebuilds, changed_report
from sitegen.report import Reporter

WILDCARD = ("", "0.0.0.0", "::")
# What livereload.js can swap without reloading the page.
_IN_PLACE = (".css", ".png", ".gif", ".jpg", ".jpeg")
# In the preview folder: proof that sitegen made it, so removing it destroys nothing else.
PREVIEW_MARK = ".sitegen-preview"


def serve(settings: Settings, *, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False,
          unpublished: Unpublished = Unpublished()) -> int:
    reporter = Reporter()
    if not is_loopback(host):
        reporter.info(f"warning: serving on {host or 'every address'} lets other machines on your network see "
                      "the preview; leave out --host to keep it on this machine (127.0.0.1)")
    server = PreviewServer(settings, host=host, port=port, unpublished=unpublished, reporter=reporter)
    server.bind()
    server.run(open_browser=open_browser)
    return 0


def _nothing() -> None:
    pass


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def allowed_origins(host: str, port: int) -> frozenset[str]:
    """The origins the preview's own pages have; the reload socket accepts no other."""
    names = {host}
    if is_loopback(host) or host in WILDCARD:
        names |= {"127.0.0.1", "localhost", "::1"}
    if host in WILDCARD:
        names |= _machine_names()
    return frozenset(f"http://{_bracket(name)}:{port}" for name in names if name)


def _machine_names() -> set[str]:
    name = socket.gethostname()
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(name, None)}
    except OSError:
        addresses = set()
    return {name} | addresses


def bind(host: str, port: int) -> list[socket.socket]:
    from tornado.netutil import bind_sockets

    if not 0 <= port <= 65535:
        raise UsageError(f"error: port {port} is out of range; pick one from 1024 to 65535, e.g. --port 8000")
    try:
        return bind_sockets(port, address=host or None)
    except socket.gaierror as exc:
        raise UsageError(f"error: cannot serve on host {host!r}: {exc.strerror}; use --host 127.0.0.1") from None
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"error: port {port} is already in use on {host or 'every address'}; stop the program using it, "
                             f"or pick another port, e.g. sitegen serve --port {port + 1 if port < 65535 else 8000}"
                             ) from None
        if exc.errno == errno.EACCES:
            raise UsageError(f"error: no permission to use port {port}; ports below 1024 are reserved, "
                             "pick another with --port, e.g. --port 8000") from None
        raise UsageError(f"error: cannot serve on {host}:{port}: {exc.strerror}; try another --host or --port"
                         ) from None


def preview_folder(site_root: Path, port: int) -> Path:
    """A folder of the preview's own: the builds (and their twin and staging folders) go inside."""
    folder = site_root / f".sitegen-preview-{port}"
    if folder.exists() and not (folder / PREVIEW_MARK).is_file():
        raise UsageError(f"error: {folder} exists and was not made by sitegen serve; "
                         "move it away, or pick another port with --port")
    try:
        folder.mkdir(exist_ok=True)
        (folder / PREVIEW_MARK).write_text("made by sitegen serve; removed when it stops\n", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"error: cannot create the preview folder {folder}: {exc.strerror}") from None
    return folder


def overlay_errors(outcome: Outcome) -> list[dict]:
    """A build's errors as the overlay shows them; none for a build that was swapped in."""
    if outcome.problem:
        return [{"location": "", "text": outcome.problem}]
    return overlay_entries(outcome.diagnostics)


class PreviewServer:
    """One preview: its sockets, its folder, its watcher, the builds and the open pages."""

    def __init__(self, settings: Settings, *, host: str = "127.0.0.1", port: int = 8000,
                 unpublished: Unpublished = Unpublished(), reporter: Reporter | None = None):
        self.settings = settings
        self.host = host
        self.port = port
        self.unpublished = unpublished
        self.reporter = reporter or Reporter()
        self.ready = threading.Event()
        self.builds = 0  # finished builds, good or bad: the status's version
        self._errors: list[dict] = []
        self._card_errors: list[dict] = []
        self._sockets: list[socket.socket] = []
        self._pages: set = set()  # the reload sockets of open pages
        self._pending: set[Path] = set()
        self._timer = None
        self._building = False
        self.rebuilds = Rebuilds(settings, self._make_builder, keeps=self._keeps)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sitegen-build")
        self.loop = None
        self.watcher = None
        self.cards = None

    def _keeps(self, _settings: Settings) -> str:
        """What the browser shows after a failed build."""
        if self.root.is_dir():
            return "still serving the last good pages"
        return f"no good build to serve yet: {self.url} shows these errors"

    # --- setup ----------------------------------------------------------------------------------

    def bind(self) -> None:
        """Take the port first: a busy port fails before anything is built."""
        self._sockets = bind(self.host, self.port)
        self.port = self._sockets[0].getsockname()[1]
        self.folder = preview_folder(self.settings.root, self.port)
        self.root = self.folder / "site"  # what is served
        self.cards_root = self.folder / "cards"  # its cards/ and pins/, apart: a build swaps site/ out
        self.origins = allowed_origins(self.host, self.port)
        browse = "127.0.0.1" if self.host in WILDCARD else self.host
        self.url = f"http://{_bracket(browse)}:{self.port}/"

    def run(self, open_browser: bool = False) -> None:
        """Serve until `stop()` or Ctrl-C; then stop the watcher, finish the build and remove the folder."""
        import asyncio

        from tornado.httpserver import HTTPServer
        from tornado.ioloop import IOLoop

        from sitegen.preview.app import make_app
        from sitegen.preview.card_job import BackgroundCards
        from sitegen.preview.watcher import SourceWatcher

        if not self._sockets:
            self.bind()
        aio = asyncio.new_event_loop()
        asyncio.set_event_loop(aio)
        self.loop = IOLoop.current()
        http, restore = None, _nothing
        try:
            self.cards = BackgroundCards(self.settings.root, self.cards_root, self.unpublished, self.loop,
                                         self._cards_done)
            self.watcher = SourceWatcher(self.settings, self._changed)
            self.watcher.start()  # before the first build, so no save is missed
            self._show(self._build(set()), set())
            if not self._errors:
                self.cards.request()
            http = HTTPServer(make_app(self))
            http.add_sockets(self._sockets)
            restore = self._catch_signals(aio)
            self.reporter.info(f"serving {self.settings.title} at {self.url} (Ctrl-C to stop)")
            if open_browser:
                import webbrowser

                threading.Thread(target=webbrowser.open, args=(self.url,), daemon=True).start()
            self.ready.set()
            self.loop.start()
        finally:
            self._shutdown(http)
            restore()
            asyncio.set_event_loop(None)

    def _catch_signals(self, aio) -> Callable[[], object]:
        """Ctrl-C (and a polite kill) stop the loop, so shutdown runs in order instead of mid-callback.
        Returns what puts the previous handlers back."""
        import signal

        if threading.current_thread() is not threading.main_thread():
            return _nothing
        signals = [signal.SIGINT, signal.SIGTERM]
        if not portable():
            try:
                for sig in signals:
                    aio.add_signal_handler(sig, self.loop.stop)
            except NotImplementedError:  # Windows' event loops have none
                pass
            else:
                return lambda: list(map(aio.remove_signal_handler, signals))
        # A plain handler runs between two bytecodes of the loop's thread, which may be waiting in
        # select(): the thread-safe call is the one that wakes it.
        previous = {sig: signal.signal(sig, lambda *_: aio.call_soon_threadsafe(self.loop.stop)) for sig in signals}
        return lambda: [signal.signal(sig, handler) for sig, handler in previous.items()]

    def stop(self) -> None:
        """Ask a running server to stop; safe from any thread."""
        if self.loop is not None:
            self.loop.add_callback(self.loop.stop)

    def _shutdown(self, http) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        if http is not None:
            http.stop()
        for page in list(self._pages):
            page.close()
        if self.cards is not None:
            self.cards.stop()  # kills a run in flight: it writes into the folder
        self._executor.shutdown(wait=True)  # a build in flight must not recreate the folder afterwards
        if (self.folder / PREVIEW_MARK).is_file():
            shutil.rmtree(self.folder, ignore_errors=True)
        if self.loop is not None:
            self.loop.close(all_fds=True)
        for sock in self._sockets:
            sock.close()
        self.reporter.info("stopped; the preview folder is removed")

    # --- what the web application asks ---------------------------------------------------------

    def status(self) -> dict:
        """The errors of the last build, or else of the last card run (those of a broken build are
        what is wrong now). `cards` is "waiting" for a good build, "rendering", "failed" or "ready";
        `building` says a build runs or is about to."""
        return {"version": self.builds, "errors": self._errors or self._card_errors,
                "from": "build" if self._errors or not self._card_errors else "cards",
                "built": (self.root / MARKER).exists(), "cards": self.card_state(), "building": self.building()}

    def card_state(self) -> str:
        if self.cards is not None and self.cards.pending:
            return "rendering"
        if self._card_errors:
            return "failed"
        return "ready" if self.cards is not None and self.cards.runs else "waiting"

    def building(self) -> bool:
        """A build is running, or changes are waiting for one."""
        return self._building or self._timer is not None or bool(self._pending)

    @property
    def open_pages(self) -> int:
        return len(self._pages)

    def attach(self, page) -> None:
        self._pages.add(page)

    def detach(self, page) -> None:
        self._pages.discard(page)

    # --- changes → builds → reloads (all on the server's loop, except the build itself) ----------

    def _changed(self, path: Path) -> None:
        """Called on the watcher's thread."""
        self.loop.add_callback(self._queue, path)

    def _queue(self, path: Path) -> None:
        self._pending.add(path)
        if self._timer is not None:
            self.loop.remove_timeout(self._timer)
        self._timer = self.loop.call_later(DEBOUNCE, self._start_build)

    def _start_build(self) -> None:
        self._timer = None
        if self._building:
            return  # _finished starts the next one
        changed, self._pending = self._pending, set()
        self._building = True
        future = self._executor.submit(self._build, changed)
        self.loop.add_future(future, lambda f: self._finished(f, changed))

    def _finished(self, future: Future, changed: set[Path]) -> None:
        self._building = False
        try:
            self._announce(future.result(), changed)
        finally:
            if self._pending:  # the next change's build first: the cards follow the last one
                if self._timer is None:
                    self._start_build()
            elif not self._errors:
                self.cards.request()

    def _announce(self, outcome: Outcome, changed: set[Path]) -> None:
        was_ok = not self._errors
        self._show(outcome, changed)
        if not self._errors:
            for path in self._reload_paths(outcome.changed, was_ok):
                self._notify({"command": "reload", "path": path, "liveCSS": True, "liveImg": True})
        else:
            self._refresh_overlays()

    def _cards_done(self, outcome) -> None:
        if outcome.skipped:
            return
        had = bool(self._card_errors)
        self._card_errors = outcome.errors
        if outcome.report:
            self.reporter.info(outcome.report)
        if (had or outcome.errors) and not self._errors:
            self._refresh_overlays()

    def _refresh_overlays(self) -> None:
        from sitegen.preview.app import STATUS_PATH

        self._notify({"command": "reload", "path": STATUS_PATH})

    @staticmethod
    def _reload_paths(changed: list[str], was_ok: bool) -> list[str]:
        """Style sheets and images alone reload in place (livereload's liveCSS and liveImg); anything
        else reloads the page, and so does the first good build after errors, to clear the overlay."""
        if not was_ok:
            return ["*"]
        if all(rel.lower().endswith(_IN_PLACE) for rel in changed):
            return ["/" + rel for rel in changed]  # the preview lives at the root of its origin
        return ["*"]

    def _notify(self, message: dict) -> None:
        for page in list(self._pages):
            if not page.notify(message):
                self._pages.discard(page)

    def _show(self, outcome: Outcome, changed: set[Path]) -> None:
        self.builds += 1
        self._errors = overlay_errors(outcome)
        if outcome.settings is not None:
            self.settings = outcome.settings
            self.watcher.retarget(outcome.settings)
        self.reporter.info(changed_report(changed, self.settings.root, outcome) if changed else outcome.report)

    # --- the build ------------------------------------------------------------------------------

    def _build(self, changed: set[Path]) -> Outcome:
        """The one place the preview builds (on the build thread: one process, no forking)."""
        return self.rebuilds.build(changed)

    def _make_builder(self, settings: Settings):
        from sitegen.build.builder import Builder
        from sitegen.preview.card_job import links
        from sitegen.report import NullReporter

        preview = settings.with_base_url(self.url)
        # The pages link their cards; the cards themselves are made in the background.
        return Builder(preview, output=self.root, cards=False, drafts=self.unpublished.drafts,
                       future=self.unpublished.future, reporter=NullReporter(), extra_context={"cards": links(preview)})
