"""Files -> validated model -> checked graph: load every page and run every rule.

Nothing is written here; `sitegen check` and every build call `check` before anything else, so
a broken site never reaches `output/`. It stays light to import: `sitegen check` must start fast.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable

from sitegen import theme
from sitegen.check import rules
from sitegen.check.outputs import Claim, claims, collisions
from sitegen.collector import collector_paused
from sitegen.config import Settings
from sitegen.content.loader import Content, PageMemo, everything_kept, load, tree
from sitegen.content.site import Site
from sitegen.diagnostics import WARNING, Diagnostic, count


@dataclass
class Checked:
    site: Site
    content: Content
    diagnostics: list[Diagnostic]

    @property
    def pages(self) -> int:
        return self.content.files_read

    def failed(self, strict: bool = False) -> bool:
        return count(self.diagnostics, strict)[0] > 0


class Checker:
    """Checks a site again and again (a long-running Builder keeps one): each check starts from
    the last one's findings and finds again only those resting on something that changed (see
    rules.Rule); the findings are the same as a fresh check's."""

    def __init__(self) -> None:
        self.last: rules.Seen | None = None

    def check(self, settings: Settings, drafts: bool = False, memo: PageMemo | None = None,
              stats: dict[str, os.stat_result] | None = None, future: bool = False,
              more_outputs: Callable[[Site], list[Claim]] | None = None) -> Checked:
        """Load and check the whole site; return every diagnostic, errors and warnings alike. `stats`:
        the content files' stats, taken moments ago (see builder.scan). `more_outputs`: what the
        stages above this one will write too (cards.paths.claims), to take part in the check that no
        two outputs share a path."""
        with collector_paused():
            content = load(settings, drafts=drafts, memo=memo, stats=stats, future=future)
            site = Site(settings, content.pages, content.assets)
            static: dict[str, os.stat_result] = {}
            diagnostics = list(content.diagnostics)
            if settings.static_path.is_dir():  # its links that lead elsewhere are errors, as content/'s
                tree(settings.static_path, settings.root, static, diagnostics, skip=everything_kept)
            themed: dict[str, os.stat_result] = {}
            tree(theme.folder("static"), theme.folder("static"), themed, [], skip=everything_kept)
            outputs = claims(site, static, [rel for rel in themed if rel not in static]) + \
                (more_outputs(site) if more_outputs else [])
            diagnostics += collisions(outputs)
            # Taken, not read: a check that fails half-way leaves nothing for the next one to patch.
            before, self.last = self.last, None
            found, self.last = rules.run(site, content, before)
        return Checked(site, content, diagnostics + found + settings_findings(settings))


def check(settings: Settings, drafts: bool = False, memo: PageMemo | None = None,
          stats: dict[str, os.stat_result] | None = None, future: bool = False,
          more_outputs: Callable[[Site], list[Claim]] | None = None) -> Checked:
    """A check that starts from nothing (see Checker.check)."""
    return Checker().check(settings, drafts, memo, stats, future, more_outputs)


def settings_findings(settings: Settings) -> list[Diagnostic]:
    """CONF006: a base_url left at its default makes every absolute link point at localhost."""
    if settings.base_url != Settings.base_url:
        return []
    written = (settings.root / settings.source).is_file()
    return [Diagnostic(settings.source if written else "sitegen.toml", settings.line_of("base_url"), 1, WARNING, "CONF006",
                       f"base_url is still the default {Settings.base_url}: card QR codes, pins, the feed and the "
                       "sitemap will point at localhost",
                       'set base_url to where the site is published, e.g. base_url = "https://example.org/" '
                       "(or build with --base-url URL)")]
