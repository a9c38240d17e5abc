"""Run a function over many items on several cores: worker processes, chunked work.

Where forking is safe (see capabilities.fork_is_safe) workers are forked after the site is
loaded, so each inherits the model and the compiled templates instead of pickling them; only
item numbers go out and small results come back. Elsewhere (macOS, Windows) workers are spawned:
fresh interpreters that get the work pickled, once each, so only work that pickles small and
cheap (`spawnable`) goes to them; the rest runs in this process. Work is handed out in chunks,
sixteen per worker, so a slow chunk does not leave the other cores idle at the end and no item
pays a process round trip of its own.
"""

from __future__ import annotations

import os
from typing import Callable, Iterator, TypeVar

from sitegen.capabilities import fork_is_safe, native

R = TypeVar("R")

# Below this many items a pool costs more (fork, pipes) than it saves.
MIN_ITEMS = 48
_work: Callable[[int], object] | None = None  # the work of this worker process (set as it starts)


def default_jobs() -> int:
    affinity = native("os", "sched_getaffinity")  # the cores this process may use, where the system says
    if affinity is not None:
        return len(affinity(0))
    count = getattr(os, "process_cpu_count", os.cpu_count)  # Python 3.13 counts the allowed ones too
    return count() or 1


def _adopt(work: Callable[[int], object]) -> None:
    """A worker process's start."""
    global _work
    _work = work


def _run_chunk(chunk: range) -> list:
    assert _work is not None
    return [_work(i) for i in chunk]


def start_method(count: int, jobs: int, min_items: int = MIN_ITEMS, spawnable: bool = False) -> str | None:
    """How `run` would start worker processes for `count` items: "fork", "spawn", or None (here)."""
    if jobs <= 1 or count < min_items:
        return None
    if fork_is_safe():
        return "fork"
    return "spawn" if spawnable else None


def run(work: Callable[[int], R], count: int, jobs: int, min_items: int = MIN_ITEMS, chunk: int = 0,
        spawnable: bool = False) -> Iterator[R]:
    """Yield work(i) for i in range(count), in no particular order, on up to `jobs` processes.

    Slow items (PDF cards) pay off sooner: fewer than `min_items` run in this process, and
    `chunk` (items per round trip, default a sixteenth of each worker's share) keeps the cores
    evenly busy. `spawnable` work pickles (a module-level function or class instance) and is
    worth a fresh interpreter per worker where forking is unsafe."""
    method = start_method(count, jobs, min_items, spawnable)
    if method is None:
        for i in range(count):
            yield work(i)
        return
    import multiprocessing

    size = chunk or max(4, count // (jobs * 16))
    chunks = [range(start, min(start + size, count)) for start in range(0, count, size)]
    # Each worker adopts the work as it starts: a forked one inherits it as it is (a closure
    # over the loaded site), a spawned one gets it pickled. This process never holds it.
    with multiprocessing.get_context(method).Pool(jobs, initializer=_adopt, initargs=(work,)) as pool:
        for results in pool.imap_unordered(_run_chunk, chunks):
            yield from results
