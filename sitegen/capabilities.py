"""What the system offers beyond what every platform has, found by looking, never by its name.

`SITEGEN_PORTABLE=1` in the environment hides all of it, so a Linux machine runs the paths macOS
and Windows take: spawned worker processes, two renames instead of an atomic exchange, a lock
file instead of `flock`. CI runs the test suite both ways. This is the only place that reads it.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

PORTABLE = "SITEGEN_PORTABLE"


def portable() -> bool:
    """Whether to behave as on a system with none of the optional calls (read on each call:
    a test turns it on for one case)."""
    return os.environ.get(PORTABLE, "") not in ("", "0")


def native(module: str, name: str) -> Any | None:
    """`module.name` where this system has it; None where it does not, or in portable mode."""
    if portable():
        return None
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def fork_is_safe() -> bool:
    """Whether worker processes may be forked: fork exists, and CPython does not default to
    spawn here (it does on macOS, where system libraries break in a forked child, and on Windows,
    which has no fork)."""
    if portable():
        return False
    import multiprocessing  # imported only for big batches: one edit's build does without it

    return ("fork" in multiprocessing.get_all_start_methods()
            and multiprocessing.get_context().get_start_method() != "spawn")
