"""Atomic output: build a whole new site folder beside the old one, then swap it in.

Readers never see a half-written site, and a failed or interrupted build leaves the previous
`output/` exactly as it was. Nothing outside the output folder (and its siblings named after
it: `.output.new-*` while building, `.output.twin`, `.output.parked` for a moment of the swap)
is ever written or removed. `output/` is always a real folder, never a link: hosts and upload
tools copy a link as a link.

The first build writes a fresh folder (`Staging`). After that, builds alternate between
`output/` and its twin `.output.twin/`, which holds the site as it was two builds ago: a build
rewrites, in place, only the twin's files that differ from the new site, then exchanges the
two folders, in one step where the system can (Linux's renameat2), else in three renames
(`_exchange`). No folder is made or deleted, which on some file systems costs more
than rendering the page.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sitegen.cache import CACHE_DIR, digest
from sitegen.capabilities import native, portable
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
    """renameat2(RENAME_EXCHANGE): swap two paths in one step. False where the system has no such
    call (it is Linux's; on Windows `CDLL(None)` is a TypeError) or the file system refuses it."""
    if portable():
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        at_fdcwd, exchange = -100, 2
        return libc.renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), exchange) == 0
    except (AttributeError, OSError, TypeError):
        return False


def _parked(output: Path) -> Path:
    """Where the live folder waits while another takes its name, on systems without an exchange."""
    hidden = output.name if output.name.startswith(".") else "." + output.name
    return output.with_name(hidden + ".parked")


def _exchange(a: Path, b: Path) -> None:
    """Swap two folders: in one step where the system can, else in three renames, with a moment
    between the first two when `a` does not exist; `repair` puts right one that was interrupted."""
    if _native_exchange(a, b):
        return
    parked = _parked(a)
    os.replace(a, parked)
    try:
        os.replace(b, a)
    except OSError:
        os.replace(parked, a)
        raise
    os.replace(parked, b)


def repair(output: Path) -> None:
    """Finish or undo a swap the process stopped in the middle of (see `_exchange`): with no
    `output/`, the parked folder is the last complete site and takes its name back; with one, the
    swap got as far as the new site, and the parked folder becomes the twin (or goes, if a twin
    exists). A new folder a build left unfinished is removed. Runs at the start of every build,
    under its lock."""
    for unfinished in output.parent.glob(f".{output.name}.new-*"):
        if (unfinished / MARKER).is_file():
            shutil.rmtree(unfinished, ignore_errors=True)
    parked = _parked(output)
    if not (parked / MARKER).is_file():
        return
    if not output.exists():
        os.replace(parked, output)
    elif not twin_path(output).exists():
        os.replace(parked, twin_path(output))
    else:
        shutil.rmtree(parked)


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
    if _inside(output, root / CACHE_DIR):
        raise UsageError(f"error: the output folder {output} is inside {CACHE_DIR}/, which sitegen may empty at any "
                         "time; set output_dir to a folder of its own, e.g. output_dir = \"output\"")
    made = next((p for p in output.parents if (p / MARKER).is_file()), None)
    if made is not None:
        raise UsageError(f"error: the output folder {output} is inside {made}, a folder an earlier build made, "
                         "which is replaced whole; set output_dir to a folder of its own, e.g. output_dir = \"output\"")
    if output.exists() and not output.is_dir():
        raise UsageError(f"error: {output} is a file, not a folder; move it away or set another output_dir")
    for folder in (output, twin_path(output)):
        if folder.exists() and not (folder.is_dir() and (folder / MARKER).exists()) and (
                not folder.is_dir() or any(folder.iterdir())):
            raise UsageError(f"error: {folder} holds files sitegen did not make; it will not replace them. "
                             "Move them away or set another output_dir")
    return output


@contextmanager
def one_build_at_a_time(root: Path, target: Path) -> Iterator[None]:
    """Builds into one output folder wait for each other (its twin is shared between them); each
    starts by putting right what one that was cut short left (`repair`)."""
    folder = root / CACHE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"build-{digest(str(target))[:16]}.lock"
    flock = native("fcntl", "flock")
    locking = None if flock is not None else native("msvcrt", "locking")  # Windows
    if flock is None and locking is None:
        with _lock_file(path.with_suffix(".held")):
            repair(target)
            yield
        return
    with open(path, "a+b") as handle:
        if flock is not None:
            import fcntl

            flock(handle, fcntl.LOCK_EX)  # released when the file is closed, or the process ends
        else:
            import msvcrt

            handle.seek(0)
            while True:  # LK_LOCK gives up after ten seconds; a build may take longer
                try:
                    locking(handle.fileno(), msvcrt.LK_LOCK, 1)
                    break
                except OSError:
                    continue
        repair(target)
        yield


@contextmanager
def _lock_file(path: Path) -> Iterator[None]:
    """A lock for systems with neither flock nor Windows' locking: a file made only if it does not
    exist, holding its maker's process id. One left by a process that has ended is taken over."""
    while True:
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            if not _held_by_a_live_process(path):
                path.unlink(missing_ok=True)
                continue
            time.sleep(0.05)
            continue
        with os.fdopen(fd, "w") as handle:
            handle.write(str(os.getpid()))
        break
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def _held_by_a_live_process(path: Path) -> bool:
    try:
        pid = int(path.read_text())
    except FileNotFoundError:
        return False
    except (OSError, ValueError):  # being written this instant
        return True
    try:
        os.kill(pid, 0)  # signal 0 only asks whether it exists (these systems are POSIX ones)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
