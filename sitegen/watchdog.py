"""Stop one piece of work that runs past its time: a page whose rendering would hang the build.

The bounds on a page body (content/limits.py) keep the inputs we know of fast; this is for the
ones we do not know of, and for templates that loop. `Watchdog.limit()` is entered around one
page's render: a thread of the watchdog's own, started in each process that renders (a
forked worker too), waits for the deadline and raises `TooSlow` in the rendering thread, at its
next Python instruction (CPython's asynchronous exception, available on every system, in any
thread). The work stops where it is, whichever process or thread runs it, and the
stack unwinds as for any error. A single call into C (one regular-expression search) is
interrupted only once it returns.
"""

from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator


class TooSlow(BaseException):
    """Raised in work that ran past its time. A BaseException: no `except Exception` on the way
    up (a template's, Markdown's) may take it for an error of its own."""


class Watchdog:
    """Time limits for the work of one thread at a time, in each process that uses it."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._pid = 0  # the process the state below belongs to: a forked child makes its own

    def _fresh(self) -> None:
        self._pid = os.getpid()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None  # this process's watching thread, while it runs
        self._work: _Work | None = None  # the work being watched
        self._fired = False

    @contextmanager
    def limit(self) -> Iterator[None]:
        """Raise TooSlow in this thread if the work inside runs longer than `seconds`."""
        if self.seconds <= 0:
            yield
            return
        if self._pid != os.getpid():
            self._fresh()
        # The watching thread is not woken for each piece of work: a build renders hundreds of
        # pages a second, and waking a thread for each one costs it more than the pages' writes.
        # It sleeps until the deadline of the work it last saw, or for `seconds` when it saw none:
        # either way it wakes by the deadline of any work that started meanwhile.
        with self._cond:
            self._work, self._fired = _Work(threading.get_ident(), time.monotonic() + self.seconds), False
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="sitegen-watchdog", daemon=True)
                self._thread.start()
        try:
            yield
        finally:
            with self._cond:
                work, fired, self._work = self._work, self._fired, None
                if fired and work is not None:  # raised just as the work ended, not delivered yet: not wanted now
                    _raise_in(work.thread, None)
            if fired:
                raise TooSlow()

    def release(self) -> None:
        """End this process's watching thread: rendering is over, and the process may fork (the
        cards' workers), which is safe only with no other thread. The next limit() starts another."""
        if self._pid != os.getpid() or self._thread is None:
            return
        thread = self._thread
        with self._cond:
            self._thread = None
            self._cond.notify()
        thread.join()

    def _watch(self) -> None:
        me = threading.current_thread()
        with self._cond:
            while self._thread is me:
                work = self._work
                if work is None or self._fired:
                    self._cond.wait(self.seconds)  # or until release()
                elif (left := work.deadline - time.monotonic()) > 0:
                    self._cond.wait(left)
                else:
                    self._fired = True
                    _raise_in(work.thread, TooSlow)


@dataclass(frozen=True)
class _Work:
    thread: int
    deadline: float


def _raise_in(thread: int | None, exc: type[BaseException] | None) -> None:
    """Raise `exc` in `thread` at its next Python instruction; None takes back one not raised yet."""
    import ctypes

    if thread is not None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread), ctypes.py_object(exc) if exc else None)
