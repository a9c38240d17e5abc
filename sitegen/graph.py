"""The progression graph: which page comes after which, guide order, cycles and reachability.

Edges come from both sides: A's `next` naming B, or B's `prerequisites` naming A, both mean
A → B. Writing one side is enough; the other is inferred (the checker reports only
contradictions, such as a cycle).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .model import Guide, Movement, Page, Ref


@dataclass(frozen=True)
class Step:
    """Where a drill sits in one guide's progression."""

    guide: Guide
    number: int  # 1-based
    total: int
    previous: Page | None
    following: Page | None


class Graph:
    def __init__(self, pages: Iterable[Page]):
        self.pages: dict[str, Page] = {p.source: p for p in pages}
        self._next: dict[str, list[str]] = {s: [] for s in self.pages}
        self._prev: dict[str, list[str]] = {s: [] for s in self.pages}
        self._steps: dict[str, list[Step]] = {s: [] for s in self.pages}
        self._guides_unlocking: dict[str, list[Guide]] = {s: [] for s in self.pages}
        for page in self.pages.values():
            if isinstance(page, Movement):
                for target in self.resolve_all(page.next):
                    self._edge(page.source, target.source)
                for target in self.resolve_all(page.prerequisites):
                    self._edge(target.source, page.source)
            elif isinstance(page, Guide):
                self._index_guide(page)

    def _edge(self, a: str, b: str) -> None:
        if b not in self._next[a]:
            self._next[a].append(b)
            self._prev[b].append(a)

    def _index_guide(self, guide: Guide) -> None:
        drills = self.resolve_all(guide.drills)
        for i, drill in enumerate(drills):
            before = drills[i - 1] if i else guide
            after = drills[i + 1] if i + 1 < len(drills) else None
            self._steps[drill.source].append(Step(guide, i + 1, len(drills), before, after))
        for exercise in self.resolve_all(guide.exercises):
            self._guides_unlocking[exercise.source].append(guide)

    def resolve(self, ref: Ref | None) -> Page | None:
        if ref is None or ref.target is None:
            return None
        return self.pages.get(ref.target)

    def resolve_all(self, refs: Iterable[Ref]) -> list[Page]:
        return [p for p in (self.resolve(r) for r in refs) if p is not None]

    def next_of(self, page: Page) -> list[Page]:
        return [self.pages[s] for s in self._next.get(page.source, [])]

    def prerequisites_of(self, page: Page) -> list[Page]:
        return [self.pages[s] for s in self._prev.get(page.source, [])]

    def steps(self, page: Page) -> list[Step]:
        return self._steps.get(page.source, [])

    def guides_unlocking(self, page: Page) -> list[Guide]:
        return self._guides_unlocking.get(page.source, [])

    def edges(self) -> list[tuple[str, str]]:
        return [(a, b) for a, targets in self._next.items() for b in targets]

    def cycles(self) -> list[list[str]]:
        """Each cycle once, as a list of sources that starts and ends on the same page."""
        found: list[list[str]] = []
        seen_cycles: set[frozenset] = set()
        state: dict[str, int] = {}  # 1: on the current path, 2: done
        path: list[str] = []

        def visit(node: str) -> None:
            state[node] = 1
            path.append(node)
            for nxt in self._next[node]:
                if state.get(nxt) == 1:
                    cycle = path[path.index(nxt):] + [nxt]
                    key = frozenset(zip(cycle, cycle[1:]))
                    if key not in seen_cycles:
                        seen_cycles.add(key)
                        found.append(cycle)
                elif nxt not in state:
                    visit(nxt)
            path.pop()
            state[node] = 2

        for source in sorted(self.pages):
            if source not in state:
                visit(source)
        return found

    def reachable(self, roots: Iterable[Page]) -> set[str]:
        """Sources reachable from `roots` through any reference a page makes, and the graph's edges."""
        todo = [p.source for p in roots]
        seen = set(todo)
        while todo:
            page = self.pages[todo.pop()]
            targets = [p.source for p in self.resolve_all(page.refs())] + self._next[page.source]
            for t in targets:
                if t not in seen:
                    seen.add(t)
                    todo.append(t)
        return seen
