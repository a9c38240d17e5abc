"""The one diagnostic type every check, loader and renderer reports through."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, dataclass
from typing import Iterable, TextIO

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A problem at a place in a source file.

    `file` is relative to the site folder (posix separators); line and column
    are 1-based and point at the offending value, as compilers do.
    """

    file: str
    line: int
    column: int
    severity: str
    code: str
    message: str
    hint: str = ""

    def format(self, color: bool = False) -> str:
        sev = self.severity
        if color:
            sev = ("\033[1;31m" if sev == ERROR else "\033[1;33m") + sev + "\033[0m"
        text = f"{self.file}:{self.line}:{self.column}: {sev}[{self.code}]: {self.message}"
        if self.hint:
            text += f"; {self.hint}"
        return text

    def to_json(self) -> dict:
        return asdict(self)


def sort_key(d: Diagnostic) -> tuple:
    return (d.file, d.line, d.column, d.code, d.message)


def count(diags: Iterable[Diagnostic], strict: bool = False) -> tuple[int, int]:
    """Return (errors, warnings); in strict mode warnings count as errors."""
    errors = warnings = 0
    for d in diags:
        if d.severity == ERROR or strict:
            errors += 1
        else:
            warnings += 1
    return errors, warnings


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary(diags: list[Diagnostic], pages: int, strict: bool = False) -> str:
    errors, warnings = count(diags, strict)
    return f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')} in {_plural(pages, 'page')}"


def use_color(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def write_text(diags: list[Diagnostic], pages: int, stream: TextIO | None = None, strict: bool = False) -> None:
    stream = stream or sys.stderr  # looked up now, not at import, so redirection is honoured
    color = use_color(stream)
    for d in sorted(diags, key=sort_key):
        print(d.format(color), file=stream)
    print(summary(diags, pages, strict), file=stream)


def write_json(diags: list[Diagnostic], stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    json.dump([d.to_json() for d in sorted(diags, key=sort_key)], stream, indent=2)
    stream.write("\n")
