"""The progression checker: every rule is a small function that yields diagnostics.

Rules run on the loaded site before a single output byte is written. Each rule has a
stable code; docs/checks.md lists them with a failing example and its fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

from .diagnostics import ERROR, Diagnostic
from .loader import Content
from .model import Page, Ref
from .site import Site


@dataclass
class CheckContext:
    site: Site
    content: Content

    def at(self, page: Page, ref: Ref, severity: str, code: str, message: str, hint: str = "") -> Diagnostic:
        return Diagnostic(page.file, ref.line, ref.column, severity, code, message, hint)


Rule = Callable[[CheckContext], Iterator[Diagnostic]]
RULES: list[Rule] = []


def rule(fn: Rule) -> Rule:
    RULES.append(fn)
    return fn


@rule
def links_resolve(ctx: CheckContext) -> Iterator[Diagnostic]:
    """LINK001: every front-matter reference points at a file inside content/."""
    known = set(ctx.site.graph.pages) | ctx.site.assets
    for page in ctx.site.pages:
        for ref in page.refs():
            if ref.url:
                continue
            if ref.outside:
                yield ctx.at(page, ref, ERROR, "LINK005", f"{ref.key}: '{ref.raw}' leads outside content/",
                             "link only to files inside the content folder")
            elif ref.target not in known:
                yield ctx.at(page, ref, ERROR, "LINK001", f"{ref.key}: '{ref.raw}' does not exist",
                             "fix the path; it is relative to this file")


def run(site: Site, content: Content) -> list[Diagnostic]:
    ctx = CheckContext(site, content)
    found: list[Diagnostic] = []
    for check in RULES:
        found.extend(check(ctx))
    return found
