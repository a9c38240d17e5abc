"""When Python's cycle collector runs during a build: loading and rendering make millions of
lasting objects and no cyclic garbage, card layout makes cyclic garbage."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector. Loading a site makes millions of objects and no cyclic
    garbage, yet each full collection walks them all again: at 10,000 pages that is a third of
    the time. Garbage made meanwhile is collected once it is back on."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


@contextmanager
def collector_running() -> Iterator[None]:
    """The cycle collector on, here and in processes forked meanwhile, within a build that turned
    it off: card layout is cyclic garbage (WeasyPrint's boxes point at their parents), ~0.6 MB a
    card. What exists already is frozen meanwhile, so collections do not walk the loaded site."""
    was_on = gc.isenabled()
    if not was_on:
        gc.freeze()
        gc.enable()
    try:
        yield
    finally:
        if not was_on:
            gc.disable()
            gc.unfreeze()  # a long-running process's later collections see them again
