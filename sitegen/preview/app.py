"""The preview's web application: the built pages, the reload socket and the error status.

Files come from the preview folder only. The request path is checked as the client sent it,
before and after decoding, and the file's real path must lie inside the folder, so no
spelling of `..`, no encoded separator and no symlink can reach a file outside it.

Only `sitegen serve` imports this module, so tornado and livereload load at its top.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from livereload.server import LiveScriptInjector
from tornado import web
from tornado.websocket import WebSocketClosedError

# Where the overlay script asks for the build's errors; as a reload "path" it means "ask again".
STATUS_PATH = "/_sitegen/status"
OVERLAY_PATH = "/_sitegen/overlay.js"
# livereload.js finds its server from its own URL, which must end in /livereload.js.
CLIENT_PATH = "/livereload.js"
SOCKET_PATH = "/livereload"
PROTOCOL = "http://livereload.com/protocols/official-7"

# Shown while no build has succeeded yet; it has a <head> so the overlay script still gets in.
NOT_BUILT = (b'<!doctype html><html><head><meta charset="utf-8"><title>Not built yet</title></head>'
             b"<body><p>The site has not built yet: fix the errors listed over this page and save.</p></body></html>")
NOT_FOUND = (b'<!doctype html><html><head><meta charset="utf-8"><title>Not found</title></head>'
             b"<body><p>Nothing at this address.</p></body></html>")
CARDS_COMING = (b'<!doctype html><html><head><meta charset="utf-8"><title>Cards on the way</title></head>'
                b"<body><p>The cards are being made: try again in a few seconds.</p></body></html>")
# Served from the preview's cards folder (card_job.py), not from the built pages.
CARD_FOLDERS = ("/cards/", "/pins/")

_ENCODED_SEPARATORS = ("%2f", "%5c", "%00")
# The preview folder vanishes for an instant while a build swaps the new one in.
_SWAP_RETRIES, _SWAP_WAIT = 5, 0.01


class Preview(Protocol):
    """What the application needs from the server that owns it."""

    root: Path
    cards_root: Path
    origins: frozenset[str]

    def status(self) -> dict: ...
    def building(self) -> bool: ...
    def card_state(self) -> str: ...
    def attach(self, socket: "ReloadSocket") -> None: ...
    def detach(self, socket: "ReloadSocket") -> None: ...


@dataclass(frozen=True)
class Target:
    kind: str  # "file", "redirect", "missing" or "refused"
    value: str = ""  # the file's real path, or the redirect location


def resolve(root: Path, raw_path: str) -> Target:
    """Map a raw (still percent-encoded) request path to a file inside `root`, or refuse it."""
    if not raw_path.startswith("/") or raw_path.startswith("//") or "\\" in raw_path:
        return Target("refused")
    if any(sep in raw_path.lower() for sep in _ENCODED_SEPARATORS):
        return Target("refused")
    try:
        path = unquote(raw_path, errors="strict")
    except UnicodeDecodeError:
        return Target("refused")
    parts = path.split("/")[1:]
    if any(part in (".", "..") or "\\" in part or "\0" in part for part in parts):
        return Target("refused")
    if not os.path.isdir(root):  # nothing built yet: every page is the not-built page, / too
        return Target("missing")
    candidate = os.path.join(root, *parts)
    if os.path.isdir(candidate):
        if not raw_path.endswith("/"):
            return Target("redirect", raw_path + "/")  # pretty URLs: /drills/x → /drills/x/
        candidate = os.path.join(candidate, "index.html")
    real, base = os.path.realpath(candidate), os.path.realpath(root)
    if not real.startswith(base + os.sep):
        return Target("refused")
    return Target("file", real) if os.path.isfile(real) else Target("missing")


def content_type(path: str) -> str:
    kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/javascript", "application/xml", "image/svg+xml"):
        kind += "; charset=utf-8"
    return kind


class _NoCache(web.RequestHandler):
    def set_default_headers(self) -> None:
        # A preview page must never come from the browser's cache after a rebuild.
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")

    def compute_etag(self) -> None:
        return None


class SiteFiles(_NoCache):
    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    async def get(self) -> None:
        target, data = await self._load()
        if target.kind == "file":
            self.set_header("Content-Type", content_type(target.value))
            self.finish(data)
        elif target.kind == "redirect":
            query = f"?{self.request.query}" if self.request.query else ""
            self.redirect(target.value + query, permanent=True)
        elif target.kind == "refused":
            self.set_status(403)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish("403: this path is not allowed in the preview\n")
        elif self._card_file() and self.preview.card_state() in ("waiting", "rendering"):
            self.set_status(503)
            self.set_header("Retry-After", "5")
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(CARDS_COMING)
        else:
            self.set_status(404)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(self._not_found_page())

    head = get

    def _card_file(self) -> bool:
        return self.request.path.startswith(CARD_FOLDERS)

    async def _load(self) -> tuple[Target, bytes]:
        root = self.preview.cards_root if self._card_file() else self.preview.root
        for _ in range(_SWAP_RETRIES):
            target = resolve(root, self.request.path)
            if target.kind == "file":
                try:
                    return target, Path(target.value).read_bytes()
                except OSError:
                    target = Target("missing")
            if target.kind != "missing" or not self.preview.building():
                break
            await asyncio.sleep(_SWAP_WAIT)
        return target, b""

    def _not_found_page(self) -> bytes:
        if not self.preview.root.is_dir():
            return NOT_BUILT
        page = resolve(self.preview.root, "/404.html")
        try:
            return Path(page.value).read_bytes() if page.kind == "file" else NOT_FOUND
        except OSError:
            return NOT_FOUND


class Status(_NoCache):
    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def get(self) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(self.preview.status()))


class OverlayScript(_NoCache):
    def get(self) -> None:
        self.set_header("Content-Type", "application/javascript; charset=utf-8")
        self.finish(resources.files("sitegen.preview").joinpath("overlay.js").read_bytes())


class ReloadSocket(LiveReloadHandler):
    """livereload's socket, bound to one preview: its own origin only, its own set of pages."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def prepare(self) -> None:
        # Tornado also accepts an Origin that merely matches the Host header, which a DNS-rebound
        # name satisfies; so the preview's own origins are enforced here, before any of that.
        origin = self.request.headers.get("Origin")
        if origin is not None and not self.check_origin(origin):
            raise web.HTTPError(403)

    def check_origin(self, origin: str) -> bool:
        return origin in self.preview.origins

    def on_message(self, message: str | bytes) -> None:
        try:
            command = json.loads(message).get("command")
        except (ValueError, AttributeError):
            self.close(1003, "not a livereload message")
            return
        if command == "hello":
            self.send_message({"command": "hello", "protocols": [PROTOCOL], "serverName": "sitegen"})
        elif command == "info":
            self.preview.attach(self)

    def on_close(self) -> None:
        self.preview.detach(self)

    def notify(self, message: dict) -> bool:
        """Send `message`; False when the page has gone away."""
        try:
            self.write_message(json.dumps(message))
        except WebSocketClosedError:
            return False
        return True


class _Injector(LiveScriptInjector):
    script = f'<script src="{OVERLAY_PATH}"></script>'.encode()


class WrongHost(web.RequestHandler):
    """A request for another host name: a web page that rebound its own name to this machine
    (DNS rebinding) must not read the preview."""

    def prepare(self) -> None:
        raise web.HTTPError(403)


def host_names(origins: frozenset[str]) -> str:
    """A pattern of the host names (without port) the preview answers to: those of its origins."""
    names = {urlsplit(origin).netloc.rpartition(":")[0].lower() for origin in origins}
    return "^(?:" + "|".join(sorted(re.escape(name) for name in names)) + ")$"


def make_app(preview: Preview) -> web.Application:
    app = web.Application(transforms=[_Injector], log_function=_quiet)
    app.add_handlers(host_names(preview.origins), [
        (SOCKET_PATH, ReloadSocket, {"preview": preview}),
        (CLIENT_PATH, LiveReloadJSHandler),
        (OVERLAY_PATH, OverlayScript),
        (STATUS_PATH, Status, {"preview": preview}),
        (r".*", SiteFiles, {"preview": preview}),
    ])
    app.add_handlers(r".*", [(r".*", WrongHost)])
    return app


def _quiet(handler: web.RequestHandler) -> None:
    """Requests are not logged: the terminal is for build messages."""
