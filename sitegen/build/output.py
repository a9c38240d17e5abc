"""Atomic output: build a whole new site folder beside the old one, then swap it in.

Readers never see a half-written site, and a failed or interrupted build leaves the previous
`output/` exactly as it was. Nothing outside the output folder (and its siblings named after
it: `.output.new-*` while building, `.output.twin`) is ever written or removed.

The first build writes a fresh folder (`Staging`). After that, builds alternate between
`output/` and its twin `.output.twin/`, which holds the site as it was two builds ago: a build
rewrites, in place, only the twin's files that differ from the new site, then exchanges the
two folders in one step. No folder is made or deleted, which on some file systems costs more
than rendering the page.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import tempfile
from pathlib import Path

from sitegen.config import Settings
from sitegen.errors import UsageError

# A file in every output folder sitegen makes: its presence is what allows replacing the folder.
MARKER = ".sitegen-output"
MARKER_TEXT = "made by sitegen; the whole folder is replaced on each build\n"


def build_id_of(output: Path) -> str | None:
    """The id the build that made `output` wrote into its marker; None for none or unreadable."""
    try:
        text = (output / MARKER).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    last = text.rstrip("\n").rpartition("\n")[2]
    return last[6:] if last.startswith("build ") else None


def _mark(folder: Path, build_id: str) -> None:
    (folder / MARKER).write_text(MARKER_TEXT + (f"build {build_id}\n" if build_id else ""))


def _native_exchange(a: Path, b: Path) -> bool:
    """Linux's renameat2(RENAME_EXCHANGE): swap two paths in one step. False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        at_fdcwd, exchange = -100, 2
        return libc.renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), exchange) == 0
    except (AttributeError, OSError):
        return False


def _exchange(a: Path, b: Path) -> None:
    """Swap two folders: in one step where the kernel can, else in three renames."""
    if _native_exchange(a, b):
        return
    parked = a.with_name(a.name + ".swap")
    os.replace(a, parked)
    try:
        os.replace(b, a)
    except OSError:
        os.replace(parked, a)
        raise
    os.replace(parked, b)


def twin_path(output: Path) -> Path:
    """Where the twin of an output folder lives: `.output.twin` beside `output/`."""
    hidden = output.name if output.name.startswith(".") else "." + output.name
    return output.with_name(hidden + ".twin")


def _inside(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def check_output_dir(settings: Settings, output: Path | None = None) -> Path:
    """Refuse an output folder whose replacement could destroy something the user wrote."""
    output = (output or settings.output_path).resolve()
    root = settings.root.resolve()
    sources = [settings.content_path, settings.templates_path, settings.static_path]
    if _inside(root, output):
        raise UsageError(f"error: the output folder {output} is, or contains, the site folder; "
                         "set output_dir to a folder of its own, e.g. output_dir = \"output\"")
    for folder in sources:
        folder = folder.resolve()
        if _inside(folder, output) or _inside(output, folder):
            raise UsageError(f"error: the output folder {output} overlaps {folder.name}/, which holds your sources; "
                             "set output_dir to a separate folder, e.g. output_dir = \"output\"")
    if output.exists() and not output.is_dir():
        raise UsageError(f"error: {output} is a file, not a folder; move it away or set another output_dir")
    for folder in (output, twin_path(output)):
        if folder.exists() and not (folder.is_dir() and (folder / MARKER).exists()) and (
                not folder.is_dir() or any(folder.iterdir())):
            raise UsageError(f"error: {folder} holds files sitegen did not make; it will not replace them. "
                             "Move them away or set another output_dir")
    return output


class _Folder:
    """A folder filled file by file; each parent folder is made once."""

    def __init__(self, path: Path):
        self.path = path
        self._dirs: set[Path] = {path}

    def _target(self, rel: str) -> Path:
        target = self.path / rel
        if target.parent not in self._dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(target.parent)
        return target

    def write(self, rel: str, data: bytes | str) -> Path:
        target = self._target(rel)
        if isinstance(data, str):
            data = data.encode("utf-8")
        with open(target, "wb") as handle:  # an existing file is rewritten in place: same inode
            handle.write(data)
        return target

    def copy(self, rel: str, source: str | Path) -> Path:
        target = self._target(rel)
        shutil.copyfile(source, target)
        return target


class Staging(_Folder):
    """A new output folder, filled by the build and swapped in by `commit()`."""

    def __init__(self, output: Path, build_id: str = ""):
        self.output = output
        output.parent.mkdir(parents=True, exist_ok=True)
        super().__init__(Path(tempfile.mkdtemp(prefix=f".{output.name}.new-", dir=output.parent)))
        _mark(self.path, build_id)

    def link(self, rel: str, existing: Path) -> None:
        """Reuse an unchanged file of the previous output: a hard link, or a copy where links fail."""
        target = self._target(rel)
        try:
            os.link(existing, target)
        except OSError:
            shutil.copy2(existing, target)

    def commit(self) -> None:
        """Swap the new folder in place of the old one; the old one becomes the twin."""
        if not self.output.exists():
            os.replace(self.path, self.output)
            return
        twin = twin_path(self.output)
        if twin.exists():
            shutil.rmtree(twin)
        _exchange(self.output, self.path)
        os.replace(self.path, twin)

    def abort(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def __enter__(self) -> "Staging":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.abort()


class Twin(_Folder):
    """The output folder's twin, brought up to date in place while `output/` is served, then
    exchanged with it. Files may be hard links shared with `output/` (a `Staging` makes them):
    such a file is replaced, never written through, so the live folder never changes."""

    def __init__(self, output: Path):
        self.output = output
        super().__init__(twin_path(output))

    def begin(self, based_on: str) -> None:
        """From here until `commit`, the twin is not the build it was: say so in its marker."""
        _mark(self.path, f"{based_on} dirty")

    def _target(self, rel: str) -> Path:
        target = super()._target(rel)
        try:
            if os.stat(target).st_nlink > 1:
                os.unlink(target)
        except FileNotFoundError:
            pass
        return target

    def remove(self, rel: str) -> None:
        (self.path / rel).unlink(missing_ok=True)

    def files(self) -> set[str]:
        """Every file in the twin, for finding those no build recorded (after an interrupted one)."""
        found = set()
        for folder, _dirs, names in os.walk(self.path):
            rel = os.path.relpath(folder, self.path)
            for name in names:
                found.add(name if rel == "." else f"{rel}/{name}")
        found.discard(MARKER)
        return found

    def commit(self, build_id: str) -> None:
        _mark(self.path, build_id)
        _exchange(self.output, self.path)
