"""The progression graph: which page comes after which, guide order, cycles and reachability.

Edges come from both sides: A's `next` naming B, or B's `prerequisites` naming A, both mean
A → B. Writing one side is enough; the other is inferred. A page that names another in both
its `next` and its `prerequisites` contradicts itself: that pair is kept aside in
`contradictions` (the checker reports it) and only the `next` edge is made.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Iterable, Mapping

from sitegen.content.model import Guide, Movement, Page, Ref


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
        # Where each edge was written: (the page, the reference) for every mention of it.
        self.written: dict[tuple[str, str], list[tuple[Page, Ref]]] = {}
        self.contradictions: list[tuple[Movement, Ref]] = []  # prerequisites also named in `next`
        for page in self.pages.values():
            if isinstance(page, Movement):
                self._index_movement(page)
            elif isinstance(page, Guide):
                self._index_guide(page)

    def _index_movement(self, page: Movement) -> None:
        following = set()
        for ref in page.next:
            target = self.resolve(ref)
            if target is not None:
                following.add(target.source)
                self._edge(page.source, target.source, page, ref)
        for ref in page.prerequisites:
            target = self.resolve(ref)
            if target is None:
                continue
            if target.source in following:
                self.contradictions.append((page, ref))
            else:
                self._edge(target.source, page.source, page, ref)

    def _edge(self, a: str, b: str, page: Page, ref: Ref) -> None:
        self.written.setdefault((a, b), []).append((page, ref))
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

    def cycles(self) -> list[list[str]]:
        """One cycle per knot of pages that lead back to themselves, as sources from and back to
        the knot's first page (in path order), e.g. [a, b, c, a]; the shortest such loop."""
        found = []
        for component in self._components():
            start = min(component)
            if len(component) > 1 or start in self._next[start]:
                found.append(self._loop(start, set(component)))
        return sorted(found)

    def _components(self) -> list[list[str]]:
        """Strongly connected components (Tarjan's algorithm, iterative: chains may be long)."""
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on_stack: set[str] = set()
        out: list[list[str]] = []
        for root in sorted(self.pages):
            if root in index:
                continue
            work = [(root, iter(self._next[root]))]
            index[root] = low[root] = len(index)
            stack.append(root)
            on_stack.add(root)
            while work:
                node, children = work[-1]
                for child in children:
                    if child not in index:
                        index[child] = low[child] = len(index)
                        stack.append(child)
                        on_stack.add(child)
                        work.append((child, iter(self._next[child])))
                        break
                    if child in on_stack:
                        low[node] = min(low[node], index[child])
                else:
                    work.pop()
                    if work:
                        parent = work[-1][0]
                        low[parent] = min(low[parent], low[node])
                    if low[node] == index[node]:
                        component = []
                        while not component or component[-1] != node:
                            component.append(stack.pop())
                            on_stack.discard(component[-1])
                        out.append(component)
        return out

    def _loop(self, start: str, members: set[str]) -> list[str]:
        """The shortest path from `start` back to itself inside one component (breadth first)."""
        came_from: dict[str, str] = {}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            for nxt in self._next[node]:
                if nxt == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return path[::-1] + [start]
                if nxt in members and nxt not in came_from:
                    came_from[nxt] = node
                    queue.append(nxt)
        raise AssertionError(f"{start} is in no loop")  # components of more than one page always loop

    def reachable(self, roots: Iterable[Page], links: Mapping[str, Iterable[str]]) -> set[str]:
        """Sources a reader can get to from `roots`: through every reference a page makes in its
        front matter, the pages its body links to (`links`), and the progression both ways (a
        page shows what comes next and what to master first)."""
        todo = [p.source for p in roots]
        seen = set(todo)
        while todo:
            source = todo.pop()
            page = self.pages[source]
            targets = [p.source for p in self.resolve_all(page.refs())]
            for group in (targets, self._next[source], self._prev[source], links.get(source, ())):
                for target in group:
                    if target not in seen and target in self.pages:
                        seen.add(target)
                        todo.append(target)
        return seen
