"""Put each file of a build into the folder that is swapped in, writing only what differs.

Two ways, chosen per build (see output.py):
- `Fresh`: a new folder (`Staging`); a file equal to the live one is hard-linked from it.
- `Reuse`: the twin folder, which holds an earlier build; a file is left alone when the twin
  already has those bytes, copied from the live folder when that one has them (keeping its
  time, so deploy tools see no change), and written only when its bytes are new.

Either way a file's time changes only when its bytes do.
"""

from __future__ import annotations

import os
from pathlib import Path

from sitegen.build.manifest import Manifest, Output
from sitegen.build.output import Staging, Twin


def intact(path: str | Path, record: Output | None) -> bool:
    """True when the file is still the one the record describes (same size and time)."""
    if record is None:
        return False
    try:
        st = os.stat(path)
    except OSError:
        return False
    return st.st_size == record.size and st.st_mtime_ns == record.mtime


def _records(manifest: Manifest | None) -> dict[str, Output]:
    return {**manifest.outputs, **manifest.copies} if manifest is not None else {}


class Fresh:
    """A new folder beside the live one."""

    def __init__(self, staging: Staging, live_dir: Path, live: Manifest | None):
        self.staging = staging
        self.path = staging.path
        self.live_dir = live_dir
        self._live = os.fspath(live_dir)  # paths joined as text: a build asks about every file
        self.live = _records(live)

    def put(self, rel: str, made: str, data: bytes | str | Path) -> tuple[int, int, bool]:
        """Place one file (its bytes, or the path of a file to copy); return its size and time in
        the folder, and whether it was written."""
        old = self.live.get(rel)
        if old is not None and old.digest == made and intact(f"{self._live}/{rel}", old):
            return old.size, old.mtime, False  # linked by settle(): a build that changes nothing makes no folder
        target = self.staging.write(rel, data) if isinstance(data, bytes) else self.staging.copy(rel, data)
        st = os.stat(target)
        return st.st_size, st.st_mtime_ns, True

    def settle(self, keep: set[str]) -> None:
        """Make the folder hold `keep`: link the files that equal the live ones."""
        if not self.live:  # a first build: `put` wrote every file
            return
        for rel in sorted(keep):
            if not os.path.lexists(self.path / rel):
                self.staging.link(rel, self.live_dir / rel)

    def commit(self) -> None:
        self.staging.commit()

    def abort(self) -> None:
        self.staging.abort()


class Reuse:
    """The twin folder, brought up to date in place."""

    def __init__(self, twin: Twin, twin_manifest: Manifest, live_dir: Path, live: Manifest | None, build_id: str,
                 dirty: bool):
        self.twin = twin
        self.path = twin.path
        self._path = os.fspath(twin.path)  # paths joined as text: a build asks about every file
        self.held = _records(twin_manifest)
        self.live_dir = live_dir
        self._live = os.fspath(live_dir)
        self.live = _records(live)
        self.build_id = build_id
        self.dirty = dirty
        twin.begin(twin_manifest.build_id)

    def put(self, rel: str, made: str, data: bytes | str | Path) -> tuple[int, int, bool]:
        held = self.held.get(rel)
        if held is not None and held.digest == made and intact(f"{self._path}/{rel}", held):
            return held.size, held.mtime, False
        old = self.live.get(rel)
        live_file = f"{self._live}/{rel}"
        if old is not None and old.digest == made and intact(live_file, old):
            target = self.twin.copy(rel, live_file)
            os.utime(target, ns=(old.mtime, old.mtime))
            return old.size, old.mtime, True
        target = self.twin.write(rel, data) if isinstance(data, bytes) else self.twin.copy(rel, data)
        st = os.stat(target)
        return st.st_size, st.st_mtime_ns, True

    def settle(self, keep: set[str]) -> None:
        """Make the twin hold `keep` only: remove the files this build did not put, looking at
        every file when its record may be incomplete (after an interrupted build, or cards)."""
        present = self.twin.files() if self.dirty else set(self.held)
        for rel in sorted(present - keep):
            self.twin.remove(rel)
            folder = (self.path / rel).parent
            while folder != self.path and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent

    def commit(self) -> None:
        self.twin.commit(self.build_id)

    def abort(self) -> None:
        """The twin stays marked as changed: the next build checks every file of it."""
