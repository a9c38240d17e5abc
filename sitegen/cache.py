"""The persistent build cache in `.sitegen-cache/`: content-addressed, safe to delete.

Entries are keyed by a hash of everything they depend on, so a stale entry is never looked
up; each entry carries a checksum of its own bytes, so a corrupted one is detected, dropped
and rebuilt instead of served.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

CACHE_DIR = ".sitegen-cache"
_VERSION = b"sitegen-cache-1"


def digest(*parts: bytes | str) -> str:
    """A stable key for a sequence of inputs (lengths included, so ('ab','c') != ('a','bc'))."""
    h = hashlib.blake2b(_VERSION, digest_size=20)
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def file_digest(path: Path) -> str:
    return digest(path.read_bytes())


class Cache:
    """One namespace of the cache (e.g. "markdown", "cards"), a file per entry."""

    def __init__(self, root: Path, namespace: str):
        self.folder = root / CACHE_DIR / namespace
        self.hits = 0
        self.misses = 0

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / key

    def get(self, key: str) -> bytes | None:
        try:
            raw = self._path(key).read_bytes()
        except OSError:
            self.misses += 1
            return None
        check, data = raw[:40], raw[40:]
        if check != digest(data).encode()[:40]:
            self._path(key).unlink(missing_ok=True)  # corrupted: drop it and let the caller rebuild
            self.misses += 1
            return None
        self.hits += 1
        return data

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a reader never sees half an entry (builds may run in parallel).
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(digest(data).encode()[:40] + data)
        os.replace(tmp, path)
