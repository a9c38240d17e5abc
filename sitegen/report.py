"""Where progress and messages go: the terminal, a test, or the preview server's overlay."""

from __future__ import annotations

import sys
from typing import TextIO


class Reporter:
    """Prints one-line progress messages to stderr; subclasses send them elsewhere."""

    def __init__(self, stream: TextIO | None = None, quiet: bool = False):
        self.stream = stream or sys.stderr
        self.quiet = quiet

    def info(self, message: str) -> None:
        if not self.quiet:
            print(message, file=self.stream, flush=True)

    def progress(self, label: str, done: int, total: int) -> None:
        """A bar on a terminal for long jobs; nothing when output is piped."""
        if self.quiet or total <= 4 or not self.stream.isatty():
            return
        width = 30
        filled = width * done // total
        end = "\n" if done == total else ""
        print(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end=end,
              file=self.stream, flush=True)


class NullReporter(Reporter):
    """Keeps messages in a list: for tests and for the preview server."""

    def __init__(self) -> None:
        super().__init__(quiet=True)
        self.messages: list[str] = []

    def info(self, message: str) -> None:
        self.messages.append(message)
