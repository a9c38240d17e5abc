"""Atomic output: build a whole new site folder beside the old one, then swap it in.

Readers never see a half-written site, and a failed or interrupted build leaves the previous
`output/` exactly as it was. Nothing outside the output folder (and its temporary siblings)
is ever written or removed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .config import Settings
from .errors import UsageError

# A file in every output folder sitegen makes: its presence is what allows replacing the folder.
MARKER = ".sitegen-output"


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
    if output.is_dir() and any(output.iterdir()) and not (output / MARKER).exists():
        raise UsageError(f"error: {output} holds files sitegen did not make; it will not replace them. "
                         "Move them away or set another output_dir")
    return output


class Staging:
    """A new output folder, filled by the build and swapped in by `commit()`."""

    def __init__(self, output: Path):
        self.output = output
        output.parent.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix=f".{output.name}.new-", dir=output.parent))
        (self.path / MARKER).write_text("made by sitegen; the whole folder is replaced on each build\n")
        self._dirs: set[Path] = {self.path}

    def write(self, rel: str, data: bytes | str) -> Path:
        target = self.path / rel
        if target.parent not in self._dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(target.parent)
        if isinstance(data, str):
            data = data.encode("utf-8")
        target.write_bytes(data)
        return target

    def copy(self, rel: str, source: Path) -> None:
        target = self.path / rel
        if target.parent not in self._dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(target.parent)
        shutil.copyfile(source, target)

    def commit(self) -> None:
        """Swap the new folder in place of the old one; the old one is removed afterwards."""
        old = None
        if self.output.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{self.output.name}.old-", dir=self.output.parent))
            old.rmdir()
            os.replace(self.output, old)
        try:
            os.replace(self.path, self.output)
        except OSError:
            if old is not None:
                os.replace(old, self.output)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def __enter__(self) -> "Staging":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.abort()
