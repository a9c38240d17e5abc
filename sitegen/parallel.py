"""Run a function over many items on several cores: forked workers, chunked work.

Workers are forked after the site is loaded, so each inherits the model and the compiled
templates instead of pickling them; only item numbers go out and small results come back.
Work is handed out in chunks, sixteen per worker, so a slow chunk does not leave the other
cores idle at the end and no item pays a process round trip of its own.
"""

from __future__ import annotations

import os
from typing import Callable, Iterator, TypeVar

R = TypeVar("R")

# Below this many items a pool costs more (fork, pipes) than it saves.
MIN_ITEMS = 48
_work: Callable[[int], object] | None = None


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when `parent` ends (Linux), even while it is stopped:
    the preview holds its card job with SIGSTOP, and a job held when the server was killed would
    otherwise wait, stopped, for ever."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    except (AttributeError, OSError):  # not Linux
        return
    if os.getppid() != parent:  # it ended before the kernel was told
        os._exit(1)


def _run_chunk(chunk: range) -> list:
    assert _work is not None
    return [_work(i) for i in chunk]


def _can_fork() -> bool:
    import multiprocessing  # imported only for big batches: one edit's build does without it

    return "fork" in multiprocessing.get_all_start_methods()


def forks(count: int, jobs: int, min_items: int = MIN_ITEMS) -> bool:
    """Whether `run` would hand `count` items to worker processes."""
    return jobs > 1 and count >= min_items and _can_fork()


def run(work: Callable[[int], R], count: int, jobs: int, min_items: int = MIN_ITEMS, chunk: int = 0) -> Iterator[R]:
    """Yield work(i) for i in range(count), in no particular order, on up to `jobs` processes.

    Slow items (PDF cards) pay off sooner: fewer than `min_items` run in this process, and
    `chunk` (items per round trip, default a sixteenth of each worker's share) keeps the cores evenly busy."""
    global _work
    if not forks(count, jobs, min_items):
        for i in range(count):
            yield work(i)
        return
    import multiprocessing

    size = chunk or max(4, count // (jobs * 16))
    chunks = [range(start, min(start + size, count)) for start in range(0, count, size)]
    _work = work
    try:
        with multiprocessing.get_context("fork").Pool(jobs, initializer=die_with_parent,
                                                      initargs=(os.getpid(),)) as pool:
            for results in pool.imap_unordered(_run_chunk, chunks):
                yield from results
    finally:
        _work = None
