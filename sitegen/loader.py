"""Read `content/` into validated pages, reporting every problem with its file, line and column."""

from __future__ import annotations

import difflib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import schema
from .config import Settings
from .diagnostics import ERROR, Diagnostic
from .frontmatter import FrontMatterError, SourceFile, split
from .model import MOVEMENT_TYPES, Guide, Movement, Page

# Editor droppings: vim swap and backup files, emacs lock files, vim's write test file.
_IGNORED_SUFFIXES = (".swp", ".swx", ".swo", "~", ".tmp", ".bak")


def ignored(name: str) -> bool:
    return name.startswith(".") or name.startswith("#") or name == "4913" or name.endswith(_IGNORED_SUFFIXES)


@dataclass
class Content:
    """Everything read from content/: the pages and the other files (images) beside them."""

    pages: list[Page] = field(default_factory=list)
    drafts: list[Page] = field(default_factory=list)
    assets: list[str] = field(default_factory=list)  # content-relative paths of non-Markdown files
    failed: list[str] = field(default_factory=list)  # pages that exist but did not load (already reported)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files_read: int = 0


def walk(content_dir: Path) -> tuple[list[str], list[str]]:
    """Return (Markdown sources, other files) as sorted content-relative posix paths."""
    pages, assets = [], []
    for folder, dirs, files in os.walk(content_dir):
        dirs[:] = sorted(d for d in dirs if not ignored(d))
        rel = Path(folder).relative_to(content_dir).as_posix()
        prefix = "" if rel == "." else rel + "/"
        for name in sorted(files):
            if ignored(name):
                continue
            (pages if name.endswith(".md") else assets).append(prefix + name)
    return pages, assets


class PageMemo:
    """Pages read by an earlier build, reused while their file keeps its size, time and inode.

    A file is remembered only once its time is more than a second old: two saves within one
    tick of the file system's clock could otherwise leave the same time on different text.
    """

    def __init__(self) -> None:
        self._pages: dict[str, tuple[tuple[int, int, int], tuple[Page | None, list[Diagnostic]]]] = {}

    def load(self, path: Path, source: str, file: str) -> tuple[Page | None, list[Diagnostic]]:
        try:
            st = os.stat(path)
        except OSError:
            return load_page(path, source, file)
        signature = (st.st_size, st.st_mtime_ns, st.st_ino)
        found = self._pages.get(source)
        if found is not None and found[0] == signature:
            return found[1]
        result = load_page(path, source, file)
        if st.st_mtime_ns + 1_000_000_000 < time.time_ns():
            self._pages[source] = (signature, result)
        else:
            self._pages.pop(source, None)
        return result

    def retain(self, sources: list[str]) -> None:
        keep = set(sources)
        self._pages = {s: v for s, v in self._pages.items() if s in keep}


def load(settings: Settings, drafts: bool = False, memo: PageMemo | None = None) -> Content:
    content_dir = settings.content_path
    sources, assets = walk(content_dir)
    content = Content(assets=assets)
    read = memo.load if memo is not None else load_page
    for source in sources:
        file = f"{settings.content_dir}/{source}"
        page, diags = read(content_dir / source, source, file)
        content.files_read += 1
        content.diagnostics.extend(diags)
        if page is None:
            content.failed.append(source)
            continue
        if page.draft and not drafts:
            content.drafts.append(page)
        else:
            content.pages.append(page)
    if memo is not None:
        memo.retain(sources)
    return content


def read_text(path: Path, file: str) -> tuple[str | None, list[Diagnostic]]:
    try:
        return path.read_text(encoding="utf-8"), []
    except UnicodeDecodeError as exc:
        line = exc.object.count(b"\n", 0, exc.start) + 1
        column = exc.start - exc.object.rfind(b"\n", 0, exc.start)  # in bytes: the text cannot be decoded
        return None, [Diagnostic(file, line, column, ERROR, "FILE001",
                                 f"the file is not UTF-8 text (byte {exc.start})", "save it as UTF-8 in your editor")]
    except OSError as exc:
        return None, [Diagnostic(file, 1, 1, ERROR, "FILE001", f"cannot read the file: {exc.strerror}",
                                 "check that it exists and is readable")]


def load_page(path: Path, source: str, file: str) -> tuple[Page | None, list[Diagnostic]]:
    text, diags = read_text(path, file)
    if text is None:
        return None, diags
    try:
        parsed = split(text)
    except FrontMatterError as exc:
        return None, [Diagnostic(file, exc.line, exc.column, ERROR, "FM001", exc.message, exc.hint)]
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
            close = difflib.get_close_matches(str(key), list(schema.KEYS), n=1)
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
    if diags:
        return None, diags
    values.setdefault("slug", schema.slugify(source.rpartition("/")[2][:-3]))
    cls = Guide if page_type == "guide" else Movement if page_type in MOVEMENT_TYPES else Page
    page = cls(source=source, file=file, front=front, body=parsed.body, body_line=parsed.body_line, **values)
    return page, []
