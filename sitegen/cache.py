"""The persistent build cache in `.sitegen-cache/`: content-addressed, safe to delete.

Entries are keyed by a hash of everything they depend on, so a stale entry is never looked
up; each entry carries a checksum of its own bytes, so a corrupted one is detected, dropped
and rebuilt instead of served, and a cache file that is not a database at all is replaced.
"""

from __future__ import annotations

import hashlib
import importlib.util
import marshal
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

CACHE_DIR = ".sitegen-cache"
_VERSION = b"sitegen-cache-1"
# The libraries that shape what a build makes. Each one's top module (and Markdown's __meta__.py)
# holds its version, so reading them covers the version as well as the code (tests/test_cache.py
# holds each file to the installed version); importlib.metadata would cost `sitegen check` a
# fifth of its time to import.
_LIBRARIES = ("jinja2", "markupsafe", "markdown", "yaml", "weasyprint", "pydyf")


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


@lru_cache(maxsize=1)
def code_digest() -> str:
    """sitegen's own code and data (its theme, the overlay script) and the code and versions of
    the libraries that shape its output: an upgrade changes every output."""
    libraries = [path.read_bytes() for path in library_files(_LIBRARIES)]
    return digest(*tree_parts(Path(__file__).resolve().parent), *libraries)


def tree_parts(folder: Path) -> list[bytes]:
    """Every file below `folder` but compiled bytecode, each as its path and its bytes."""
    parts = []
    for path in sorted(folder.rglob("*")):
        if "__pycache__" in path.parts or path.suffix in (".pyc", ".pyo") or not path.is_file():
            continue
        parts += [path.relative_to(folder).as_posix().encode(), path.read_bytes()]
    return parts


def library_files(names: tuple[str, ...]) -> list[Path]:
    """The top module of each library, and Markdown's __meta__.py (its version), as installed."""
    found = []
    for name in names:
        spec = importlib.util.find_spec(name)  # finds a top-level package without importing it
        origin = Path(spec.origin) if spec and spec.origin else None
        for candidate in (origin, origin and origin.parent / "__meta__.py"):
            if candidate and candidate.is_file():
                found.append(candidate)
    return found


class Cache:
    """One namespace of the cache (e.g. "markdown", "cards"): one SQLite file of entries.

    One file rather than a file per entry: creating and deleting files is what costs most on
    some file systems, while SQLite adds an entry in microseconds. Each process (and thread)
    opens its own connection, so forked workers can read and write at the same time; a
    database that cannot be read is deleted and started afresh.
    """

    def __init__(self, root: Path, namespace: str):
        self.path = root / CACHE_DIR / f"{namespace}.sqlite"
        self.hits = 0
        self.misses = 0
        self._connections: dict[tuple[int, int], Any] = {}

    def _db(self) -> Any:
        import sqlite3

        owner = (os.getpid(), threading.get_ident())
        db = self._connections.get(owner)
        if db is None:
            try:
                db = self._open()
            except sqlite3.DatabaseError:  # not a database any more: drop it, rebuild the entries
                self._drop()
                db = self._open()
            self._connections[owner] = db
        return db

    def _open(self) -> Any:
        import sqlite3

        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
        # A cache may lose its last entries in a crash, never its consistency: no fsync needed.
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=OFF")
        db.execute("CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, data BLOB NOT NULL)")
        return db

    def _drop(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def _run(self, sql: str, args: tuple) -> list:
        import sqlite3

        try:
            return self._db().execute(sql, args).fetchall()
        except sqlite3.DatabaseError:
            self._connections.clear()
            self._drop()
            return []

    def get(self, key: str) -> bytes | None:
        rows = self._run("SELECT data FROM entries WHERE key = ?", (key,))
        data = self._checked(key, rows[0][0]) if rows else None
        if data is None:
            self.misses += 1
        else:
            self.hits += 1
        return data

    def items(self) -> Iterator[tuple[str, bytes]]:
        """Every intact entry; corrupted ones are dropped on the way."""
        for key, raw in self._run("SELECT key, data FROM entries", ()):
            data = self._checked(key, raw)
            if data is not None:
                yield key, data

    def _checked(self, key: str, raw: bytes) -> bytes | None:
        """The data of a stored entry; None, and the entry deleted, when it fails its checksum."""
        raw = bytes(raw)
        check, data = raw[:40], raw[40:]
        if check != digest(data).encode():
            self.delete(key)  # corrupted: drop it and let the caller rebuild
            return None
        return data

    def put(self, key: str, data: bytes) -> None:
        self.put_many([(key, data)])

    def put_many(self, entries: list[tuple[str, bytes]]) -> None:
        """Store several entries in one transaction."""
        rows = [(key, digest(data).encode() + data) for key, data in entries]
        self._write("INSERT OR REPLACE INTO entries (key, data) VALUES (?, ?)", rows)

    def delete(self, key: str) -> None:
        self.delete_many([key])

    def delete_many(self, keys: list[str]) -> None:
        self._write("DELETE FROM entries WHERE key = ?", [(key,) for key in keys])

    def _write(self, sql: str, rows: list[tuple]) -> None:
        """Run `sql` for each row in one transaction (one writer at a time: batch the writes)."""
        import sqlite3

        if not rows:
            return
        try:
            with self._db() as db:
                db.execute("BEGIN")
                db.executemany(sql, rows)
        except sqlite3.DatabaseError:
            self._connections.clear()
            self._drop()

    def delete_except(self, prefix: str, keep: set[str]) -> None:
        """Delete the entries whose key starts with `prefix`, except those in `keep`."""
        for (key,) in self._run("SELECT key FROM entries WHERE substr(key, 1, ?) = ?", (len(prefix), prefix)):
            if key not in keep:
                self.delete(key)

    def get_plain(self, key: str) -> Any:
        """The plain value (see `pack`) stored under `key`; None when absent, corrupted or not one."""
        return unpack(self.get(key))

    def put_plain(self, key: str, value: Any) -> None:
        self.put(key, pack(value))


# Plain values (str, int, None, lists, tuples, dicts of them) are stored with marshal: a fifth of
# JSON's time each way, for the large ones a build stores and reads (manifests, rendered bodies).
# marshal trusts its input (a bad length can ask for gigabytes): only what carries this mark,
# and passed the entry's checksum, was written by `pack`.
_MARK = b"sitegen-plain-1\n"


def pack(value: Any) -> bytes:
    return _MARK + marshal.dumps(value)


def unpack(data: bytes | None) -> Any:
    """What `pack` packed; None for None, or for bytes it did not make or cannot read."""
    if data is None or not data.startswith(_MARK):
        return None
    try:
        return marshal.loads(memoryview(data)[len(_MARK):])
    except (EOFError, TypeError, ValueError):  # marked, yet unreadable: packed by another Python
        return None
