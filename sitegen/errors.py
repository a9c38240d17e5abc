"""The few exceptions that end a command with a clean message instead of a traceback."""

from __future__ import annotations

from sitegen.diagnostics import Diagnostic


class SitegenError(Exception):
    """An error the CLI prints as one clean message and turns into an exit code."""

    exit_code = 1


class UsageError(SitegenError):
    """Bad command-line arguments, settings or folders: exit code 2."""

    exit_code = 2


class ContentError(SitegenError):
    """The content has errors; `diagnostics` holds every one found, not only the first."""

    exit_code = 1

    def __init__(self, diagnostics: list[Diagnostic], pages: int = 0, strict: bool = False):
        self.diagnostics = diagnostics
        self.pages = pages
        self.strict = strict  # warnings counted as errors: the summary line must say so
        super().__init__(f"{len(diagnostics)} problem(s) in the content")
