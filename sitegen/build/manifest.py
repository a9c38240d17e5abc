"""The record of the previous build into one output folder: what each file was made from
(its dependency keys and their answers then) and what it holds, so the next build renders only
outputs whose answers changed."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Iterable

from sitegen.render.deps import Answers


@dataclass
class Output:
    """One file of the output folder as the last build left it."""

    keys: list[int] | None  # indices into Manifest.keys; None: rendered on every build
    digest: str
    size: int
    mtime: int


@dataclass
class Manifest:
    """What the last build into one output folder made, and from what."""

    build_id: str
    global_digest: str
    state: str  # Answers.state of that build
    command: str = ""  # Builder._command() of that build
    keys: list[str] = field(default_factory=list)
    values: list[str | None] = field(default_factory=list)
    compacted: int = 0  # how many keys there were when unused ones were last dropped (KeyTable.compact)
    outputs: dict[str, Output] = field(default_factory=dict)  # rendered files
    copies: dict[str, Output] = field(default_factory=dict)  # static and content files, keys unused
    sources: dict[str, list[int]] = field(default_factory=dict)  # site file → [size, mtime, ctime] (builder._stamp)
    started_ns: int = 0
    pages: int = 0  # files read
    files: int = 0  # files written
    warnings: list[dict] = field(default_factory=list)
    scheduled: list[str] = field(default_factory=list)  # pages left out for their future date

    def to_plain(self) -> dict:
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        for name in ("outputs", "copies"):
            data[name] = {rel: [o.keys, o.digest, o.size, o.mtime] for rel, o in getattr(self, name).items()}
        return data

    @classmethod
    def from_plain(cls, data: Any) -> "Manifest | None":
        try:
            tables = {name: {rel: Output(*o) for rel, o in data.pop(name).items()} for name in ("outputs", "copies")}
            return cls(**data, **tables)
        except (TypeError, KeyError, AttributeError):
            return None  # written by another version: start afresh

    def stale(self, answers: Answers) -> set[int]:
        """Indices of the keys whose answer changed since this manifest was written."""
        same_state = answers.state == self.state
        changed = set()
        for index, (key, old) in enumerate(zip(self.keys, self.values)):
            if old is None:
                changed.add(index)
            elif same_state and not key.startswith(_OWN):
                continue  # questions are about page data and files, and none of those changed
            elif answers.value(key) != old:
                changed.add(index)
        return changed


_OWN = ('["page"', '["tpl"')


class KeyTable:
    """The dependency keys of one manifest, each named once (`keys`), with its answer at the same
    index (`values`). A table started from the previous build's keeps their indices, so the
    outputs that build made and this one keeps need no translating (10,000 outputs of ~13 keys
    each, on every build); keys no output uses any more are dropped once they add up (`compact`)."""

    def __init__(self, keys: list[str], values: list[str | None]) -> None:
        self.keys = keys
        self.values = values
        self.index: dict[str, int] = {key: i for i, key in enumerate(keys)}

    def ids(self, keys: Iterable[str], values: Iterable[str | None]) -> list[int]:
        """The indices of `keys`, noting `values` as their answers."""
        out = []
        for key, value in sorted(zip(keys, values)):
            found = self.index.get(key)
            if found is None:
                found = self.index[key] = len(self.keys)
                self.keys.append(key)
                self.values.append(value)
            else:
                self.values[found] = value
            out.append(found)
        return out

    def compact(self, outputs: Iterable[Output], since: int) -> int:
        """Drop the keys no output uses once the table has grown by half since it last did so
        (`since`: its size then); renumber the outputs' keys. Return the size to compare with next."""
        if len(self.keys) <= since * 3 // 2:
            return since
        outputs = [o for o in outputs if o.keys is not None]
        used = sorted({i for o in outputs for i in o.keys})  # type: ignore[union-attr]
        number = {old: new for new, old in enumerate(used)}
        for output in outputs:
            output.keys = [number[i] for i in output.keys]  # type: ignore[union-attr]
        self.keys[:] = [self.keys[i] for i in used]
        self.values[:] = [self.values[i] for i in used]
        self.index = {key: i for i, key in enumerate(self.keys)}
        return len(self.keys)
