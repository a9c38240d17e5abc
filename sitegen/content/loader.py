"""Read `content/` into validated pages, reporting every problem with its file, line and column."""

from __future__ import annotations

import datetime as dt

import difflib
import errno
import gc
import os
import time
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Callable

from sitegen.cache import digest, pack, unpack
from sitegen.collector import collector_paused
from sitegen.config import Settings
from sitegen.content import schema
from sitegen.content.frontmatter import FrontMatterError, SourceFile, split
from sitegen.content.limits import body_limits
from sitegen.content.model import MOVEMENT_TYPES, Guide, Movement, Page
from sitegen.content.stored import diagnostics_from_plain, diagnostics_to_plain, page_from_plain, page_to_plain
from sitegen.diagnostics import ERROR, Diagnostic

# Editor droppings: vim swap and backup files, emacs lock files, vim's write test file.
_IGNORED_SUFFIXES = (".swp", ".swx", ".swo", "~", ".tmp", ".bak")


def ignored(name: str) -> bool:
    return name.startswith(".") or name.startswith("#") or name == "4913" or name.endswith(_IGNORED_SUFFIXES)


def everything_kept(name: str) -> bool:
    """For static/, copied whole: its hidden files (.well-known/, .htaccess) are published too."""
    return False


@dataclass(frozen=True)
class Unpublished:
    """Which pages a published site leaves out that a command shows anyway: `--drafts`, `--future`."""

    drafts: bool = False
    future: bool = False

    def flags(self) -> list[str]:
        """As command-line options, for a command run in another process."""
        return [f"--{f.name}" for f in fields(self) if getattr(self, f.name)]

    @classmethod
    def from_flags(cls, argv: list[str]) -> Unpublished:
        return cls(**{f.name: f"--{f.name}" in argv for f in fields(cls)})


@dataclass
class Content:
    """Everything read from content/: the pages and the other files (images) beside them."""

    pages: list[Page] = field(default_factory=list)
    drafts: list[Page] = field(default_factory=list)
    scheduled: list[Page] = field(default_factory=list)  # dated after today: left out, like drafts
    assets: list[str] = field(default_factory=list)  # content-relative paths of non-Markdown files
    failed: list[str] = field(default_factory=list)  # pages that exist but did not load (already reported)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files_read: int = 0


def site_path(path: str | Path, root: str | Path) -> str:
    """`path` as builds name it: relative to the site folder `root`, with "/"; absolute where no
    relative path leads there (the installed theme on another drive than the site, on Windows)."""
    try:
        return os.path.relpath(path, root).replace(os.sep, "/")
    except ValueError:
        return Path(path).as_posix()


def tree(folder: str | Path, root: str | Path, files: dict[str, os.stat_result], diagnostics: list[Diagnostic],
         skip: Callable[[str], bool] = ignored) -> None:
    """Fill `files` with every file under `folder` (its path there, posix, and its stat), in sorted
    order, leaving out the names `skip` says (editor droppings). A symbolic link is followed only where it leads to a file
    or folder inside the site folder `root` and not back into a folder above it: any other (one
    leading out of the site, a dangling one, a loop) is left out with an error at the link, so a
    site folder from anywhere never publishes a file from elsewhere on the machine."""
    root = os.path.realpath(root)
    base = os.fspath(folder)
    shown = site_path(base, root)
    _tree(base, "", root, shown, files, diagnostics, {os.path.realpath(base)}, skip)


def _tree(path: str, inner: str, root: str, shown: str, files: dict[str, os.stat_result],
          diagnostics: list[Diagnostic], above: set[str], skip: Callable[[str], bool]) -> None:
    try:
        with os.scandir(path) as found:
            entries = sorted((e for e in found if not skip(e.name)), key=lambda e: e.name)
    except OSError:
        return  # a folder that vanished or cannot be read holds nothing to build from
    folders = []
    for entry in entries:
        rel = inner + entry.name
        if not entry.name.isprintable() or _undecodable(entry.name):
            shown_name = entry.name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            diagnostics.append(Diagnostic(f"{shown}/{inner}{ascii(shown_name)[1:-1]}", 1, 1, ERROR, "FILE001",
                                          "this file name is not UTF-8 text, or holds control characters",
                                          "rename it, using letters, digits and '-'"))
            continue
        if entry.is_symlink():
            problem = _bad_link(entry.path, root, above)
            if problem:
                diagnostics.append(Diagnostic(f"{shown}/{rel}", 1, 1, ERROR, "FILE002", problem,
                                              "copy the file into the site folder instead of linking to it"))
                continue
        try:
            if entry.is_dir():
                folders.append(entry)
            else:
                files[rel] = entry.stat()
        except OSError:
            continue  # removed while being read: the next build sees it gone
    for entry in folders:  # a folder's files come before its subfolders'
        real = os.path.realpath(entry.path)
        _tree(entry.path, f"{inner}{entry.name}/", root, shown, files, diagnostics, above | {real}, skip)


def _undecodable(name: str) -> bool:
    """A name that was not UTF-8 on disk: Python keeps its bytes as lone surrogates."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _bad_link(path: str, root: str, above: set[str]) -> str:
    """What is wrong with following the symbolic link at `path`; empty when nothing is."""
    try:
        real = os.path.realpath(path, strict=True)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "this symbolic link leads round in a loop"
        return f"this symbolic link leads to '{os.readlink(path)}', which does not exist"
    if real != root and not real.startswith(root + os.sep):
        return "this symbolic link leads outside the site folder, whose files only are published"
    if real in above or any(a.startswith(real + os.sep) for a in above):
        return "this symbolic link leads back into a folder above it, a loop"
    return ""


def walk(content_dir: Path, root: Path | None = None) -> tuple[list[str], list[str], list[Diagnostic]]:
    """Return (Markdown sources, other files) as sorted content-relative posix paths, and the
    errors of the symbolic links left out (see `tree`); `root`: the site folder."""
    files: dict[str, os.stat_result] = {}
    diagnostics: list[Diagnostic] = []
    tree(content_dir, root or content_dir.parent, files, diagnostics)
    pages, assets = [], []
    for rel in files:
        (pages if rel.endswith(".md") else assets).append(rel)
    return pages, assets, diagnostics


# A file read this close to its last change may change again within the same tick of the file
# system's clock, keeping its size and times: its stat alone does not prove it unchanged.
_RACY_NS = 1_000_000_000


@dataclass
class Loaded:
    """One file as read: its stat when read, the digest of its bytes, and what loading it gave
    (its page keeps what later steps derive from it: see model.Derived). All of it is a function
    of the bytes and the path, so it stays valid while the bytes do."""

    file: str
    signature: tuple[int, int, int, int]  # size, mtime, ctime, inode
    settled: bool  # read more than a tick after its last change: an equal stat proves it unchanged
    digest: str
    result: tuple[Page | None, list[Diagnostic]]

    @property
    def derived_count(self) -> int:
        """How many values were derived from its page: more than were stored means store it again."""
        page = self.result[0]
        return len(page.derived.plain) if page is not None else 0

    def to_plain(self) -> tuple:
        page, diags = self.result
        return (self.file, self.signature, self.settled, self.digest,
                None if page is None else page_to_plain(page), diagnostics_to_plain(diags))

    @classmethod
    def from_plain(cls, value: Any) -> "Loaded":
        """What `to_plain` made; raises TypeError, ValueError, KeyError or IndexError for anything else."""
        file, signature, settled, hashed, page, diags = value
        if not (type(file) is str and type(hashed) is str and type(settled) is bool and type(signature) is tuple
                and len(signature) == 4 and all(type(n) is int for n in signature)):
            raise TypeError("not a stored file")
        return cls(file, signature, settled, hashed,
                   (None if page is None else page_from_plain(page), diagnostics_from_plain(diags)))


class PageMemo:
    """Pages read by an earlier build, reused while their file is unchanged.

    A settled file whose size, times and inode are as they were is not read again; any other
    file is read and hashed, and its page is still reused when its bytes are the same. With a
    `Cache` (see `stored`), the memo outlives the process: a one-shot build then reads only the
    files that changed since the last one. The cache lies in the site folder, which may come
    from someone else: entries are plain data (see content/stored.py), never anything that runs
    code when read, one per file, under a version of sitegen's code; an entry that is
    corrupted, foreign, from another version or not of the shape written is ignored, and its
    file read again (and stored anew)."""

    def __init__(self, store: Any = None, version: str = "") -> None:
        self._entries: dict[str, Loaded] = {}
        self._store = store
        self._version = version
        self._dirty: set[str] = set()
        self._stored: dict[str, int] = {}  # how many derived values each stored entry holds

    @classmethod
    def stored(cls, store: Any, version: str, writable: bool = True) -> "PageMemo":
        """The memo kept in `store` (a cache.Cache) by earlier processes running code `version`;
        not `writable`, it never writes to the store."""
        memo = cls(store if writable else None, version)
        for source, data in store.items():
            try:
                stored_version, plain = unpack(data)
                if stored_version != version:
                    continue
                entry = Loaded.from_plain(plain)
            except (TypeError, ValueError, KeyError, IndexError):  # not an entry written by `save`
                continue
            memo._entries[source] = entry
            memo._stored[source] = entry.derived_count
        return memo

    def __contains__(self, source: str) -> bool:
        return source in self._entries

    def load(self, path: str | Path, source: str, file: str, st: os.stat_result | None = None) -> Loaded:
        """The file's page; `st`, its stat if the caller has just taken it."""
        try:
            st = st or os.stat(path)
        except OSError:
            return Loaded(file, (0, 0, 0, 0), False, "", load_page(path, source, file))
        signature = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        found = self._entries.get(source)
        if found is not None and found.file == file and found.settled and found.signature == signature:
            return found
        now = time.time_ns()
        data, diags = read_bytes(path, file)
        hashed = digest(data) if data is not None else ""
        settled = max(st.st_mtime_ns, st.st_ctime_ns) + _RACY_NS < now
        if found is not None and found.file == file and found.digest == hashed and data is not None:
            found.signature, found.settled = signature, settled
        else:
            result = (None, diags) if data is None else load_text(data, source, file)
            found = Loaded(file, signature, settled, hashed, result)
            self._entries[source] = found
        self._dirty.add(source)
        return found

    def retain(self, sources: list[str]) -> None:
        keep = set(sources)
        gone = [s for s in self._entries if s not in keep]
        for source in gone:
            del self._entries[source]
        if self._store is not None and gone:
            self._store.delete_many(gone)

    def save(self) -> None:
        """Store the entries that are new, re-read, or have new derived values."""
        if self._store is None:
            return
        changed = self._dirty | {s for s, e in self._entries.items() if e.derived_count != self._stored.get(s)}
        rows = []
        for source in sorted(changed):
            entry = self._entries.get(source)
            if entry is not None and entry.digest:
                try:
                    rows.append((source, pack((self._version, entry.to_plain()))))
                except ValueError:  # a value plain data cannot hold (an exotic YAML tag): read it again next time
                    continue
                self._stored[source] = entry.derived_count
            if len(rows) >= 500:  # stored as they come: 10,000 entries held to the end weigh 70 MB
                self._store.put_many(rows)
                rows = []
        self._store.put_many(rows)
        self._dirty.clear()


def load(settings: Settings, drafts: bool = False, memo: PageMemo | None = None,
         stats: dict[str, os.stat_result] | None = None, future: bool = False) -> Content:
    """Every page of content/; `stats`: the files' stats by their path in content/, if just taken.
    Drafts are left out unless `drafts`, pages dated after today unless `future`."""
    today = dt.date.today()
    content_dir = settings.content_path
    sources, assets, links = walk(content_dir, settings.root)
    content = Content(assets=assets, diagnostics=links)
    stats = stats or {}
    folder = os.fspath(content_dir)  # paths joined as text: this runs for every page of every build
    for source in sources:
        file = f"{settings.content_dir}/{source}"
        if memo is not None:
            loaded = memo.load(f"{folder}/{source}", source, file, stats.get(source))
            page, diags = loaded.result
        else:
            page, diags = load_page(f"{folder}/{source}", source, file)
        content.files_read += 1
        content.diagnostics.extend(diags)
        if page is None:
            content.failed.append(source)
            continue
        if page.draft and not drafts:
            content.drafts.append(page)
        elif page.date and page.date > today and not future:
            content.scheduled.append(page)
        else:
            content.pages.append(page)
    if memo is not None:
        memo.retain(sources)
    return content


def read_bytes(path: str | Path, file: str) -> tuple[bytes | None, list[Diagnostic]]:
    try:
        with open(path, "rb") as handle:
            return handle.read(), []
    except OSError as exc:
        return None, [Diagnostic(file, 1, 1, ERROR, "FILE001", f"cannot read the file: {exc.strerror}",
                                 "check that it exists and is readable")]


def decode(data: bytes, file: str) -> tuple[str | None, list[Diagnostic]]:
    """The text of a file, its line endings made "\n" (as reading it in text mode does); None for
    one that is not UTF-8 or holds a control character (XML and HTML allow none)."""
    try:
        text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as exc:
        line = exc.object.count(b"\n", 0, exc.start) + 1
        column = exc.start - exc.object.rfind(b"\n", 0, exc.start)  # in bytes: the text cannot be decoded
        return None, [Diagnostic(file, line, column, ERROR, "FILE001",
                                 f"the file is not UTF-8 text (byte {exc.start})", "save it as UTF-8 in your editor")]
    bad = schema.CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - text.rfind("\n", 0, bad.start())
        return None, [Diagnostic(file, line, column, ERROR, "FILE001",
                                 f"the file holds the control character U+{ord(bad.group()):04X}, which feeds and web "
                                 "pages cannot carry", "delete it (it is invisible in most editors)")]
    return text, []


def load_page(path: str | Path, source: str, file: str) -> tuple[Page | None, list[Diagnostic]]:
    data, diags = read_bytes(path, file)
    return (None, diags) if data is None else load_text(data, source, file)


def load_text(data: bytes, source: str, file: str) -> tuple[Page | None, list[Diagnostic]]:
    text, diags = decode(data, file)
    if text is None:
        return None, diags
    try:
        parsed = split(text)
    except FrontMatterError as exc:
        return None, [Diagnostic(file, exc.line, exc.column, ERROR, "FM001", exc.message, exc.hint)]
    beyond = body_limits(parsed.body, parsed.body_line, file)
    if beyond:  # nothing reads such a body further: it could take minutes, or gigabytes
        return None, beyond
    return build_page(parsed, source, file)


def build_page(parsed: SourceFile, source: str, file: str) -> tuple[Page | None, list[Diagnostic]]:
    """Apply the schema to one page's front matter; collect every problem, not only the first."""
    front = parsed.front
    diags: list[Diagnostic] = []

    def report(path: tuple, code: str, message: str, hint: str) -> None:
        line, col = front.pos(*path)
        diags.append(Diagnostic(file, line, col, ERROR, code, message, hint))

    values: dict = {}
    for key in ("type", "title"):
        if key not in front.data:
            report((), "KEY003", f"required key '{key}' is missing",
                   f"add '{key}: ...' to the front matter" + (" (guide, drill, exercise or page)" if key == "type" else ""))
    page_type = front.data.get("type")
    for key, raw in front.data.items():
        spec = schema.KEYS.get(key) if isinstance(key, str) else None
        if spec is None:
            # Only a near-miss: 'rest' is not a misspelt 'reps', 'titel' is one of 'title'.
            close = difflib.get_close_matches(str(key), list(schema.KEYS), n=1, cutoff=0.8)
            hint = f"did you mean '{close[0]}'?" if close else "remove it, or see the README for the keys"
            line, col = front.keys.get((key,), front.pos())
            diags.append(Diagnostic(file, line, col, ERROR, "KEY001", f"unknown key '{key}'", hint))
            continue
        if page_type in schema.PAGE_TYPES and page_type not in spec.types:
            line, col = front.keys[(key,)]
            owners = " and ".join(spec.types)
            diags.append(Diagnostic(file, line, col, ERROR, "KEY002",
                                    f"'{key}' is a key of {owners} pages, not of a {page_type}",
                                    f"remove it, or change 'type' to {spec.types[0]}"))
            continue
        ctx = schema.RefContext(source, key, front.pos)
        try:
            values[key] = spec.parse(raw, ctx)
        except schema.FieldError as exc:
            report((key, *exc.at), "VALUE001", exc.message, exc.hint)
    if "slug" not in values:
        try:
            values["slug"] = schema.short_slug(schema.slugify(source.rpartition("/")[2][:-3]), "file name")
        except schema.FieldError as exc:
            diags.append(Diagnostic(file, 1, 1, ERROR, "VALUE001", exc.message, exc.hint))
    if diags:
        return None, diags
    cls = Guide if page_type == "guide" else Movement if page_type in MOVEMENT_TYPES else Page
    page = cls(source=source, file=file, front=front, body=parsed.body, body_line=parsed.body_line, **values)
    return page, []


def stored_memo(settings: Settings, read_only: bool = False) -> PageMemo:
    """The pages the last build kept in the cache (see loader.PageMemo): a one-shot command reads
    again only the files changed since. `read_only` (for `sitegen check`) creates and changes
    nothing: without a readable cache the memo is empty."""
    import sqlite3

    from sitegen.cache import CACHE_DIR, Cache, code_digest

    if read_only and not (settings.root / CACHE_DIR / "pages.sqlite").is_file():
        return PageMemo()
    with collector_paused():  # reading the pages makes many lasting objects and no garbage
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
