"""Files -> validated model -> checked graph: load every page and run every rule.

Nothing is written here; `sitegen check` and every build call `check` before anything else, so
a broken site never reaches `output/`. It stays light to import: `sitegen check` must start fast.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from sitegen.check import rules
from sitegen.collector import collector_paused
from sitegen.config import Settings
from sitegen.content.loader import Content, PageMemo, everything_kept, load, tree
from sitegen.content.site import Site
from sitegen.diagnostics import Diagnostic, count


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


def check(settings: Settings, drafts: bool = False, memo: PageMemo | None = None,
          stats: dict[str, os.stat_result] | None = None) -> Checked:
    """Load and check the whole site; return every diagnostic, errors and warnings alike. `stats`:
    the content files' stats, taken moments ago (see builder.scan)."""
    with collector_paused():
        content = load(settings, drafts=drafts, memo=memo, stats=stats)
        site = Site(settings, content.pages, content.assets)
        diagnostics = content.diagnostics + static_links(settings) + rules.run(site, content)
    return Checked(site, content, diagnostics)


def static_links(settings: Settings) -> list[Diagnostic]:
    """The symbolic links in static/ that the build leaves out (see loader.tree)."""
    found: list[Diagnostic] = []
    if settings.static_path.is_dir():
        tree(settings.static_path, settings.root, {}, found, skip=everything_kept)
    return found
