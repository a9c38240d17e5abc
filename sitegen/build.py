"""The pipeline: files → validated model → checked graph → rendered outputs.

Nothing is written until every page has loaded and every check has passed; the outputs
then go into a fresh folder that replaces `output/` in one step.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import checks
from .config import Settings
from .diagnostics import Diagnostic, count
from .errors import ContentError
from .loader import Content, load
from .markdown import Rendered, render
from .model import Page
from .output import Staging, check_output_dir
from .render import Renderer
from .report import Reporter
from .site import Site


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


def check(settings: Settings, drafts: bool = False) -> Checked:
    """Load and check the whole site; return every diagnostic, errors and warnings alike."""
    content = load(settings, drafts=drafts)
    site = Site(settings, content.pages, content.assets)
    diagnostics = content.diagnostics + checks.run(site, content)
    return Checked(site, content, diagnostics)


def render_bodies(pages: list[Page]) -> dict[str, Rendered]:
    return {page.source: render(page.body) for page in pages}


@dataclass
class BuildResult:
    output: Path
    pages: int
    files: int
    seconds: float
    warnings: list[Diagnostic] = field(default_factory=list)


def build(settings: Settings, *, drafts: bool = False, strict: bool = False, cards: bool = True,
          output: Path | None = None, reporter: Reporter | None = None) -> BuildResult:
    reporter = reporter or Reporter()
    started = time.perf_counter()
    target = check_output_dir(settings, output)
    checked = check(settings, drafts=drafts)
    if checked.failed(strict):
        raise ContentError(checked.diagnostics, checked.pages)
    site = checked.site
    bodies = render_bodies(site.pages)
    files = Renderer(site, bodies).render_all()
    with Staging(target) as staging:
        for rel, text in files.items():
            staging.write(rel, text)
        written = len(files) + _copy_files(settings, site, staging)
        if cards:
            from .cards import build_cards

            written += build_cards(site, staging.path, reporter=reporter)
        staging.commit()
    return BuildResult(target, len(site.pages), written, time.perf_counter() - started, checked.diagnostics)


def _copy_files(settings: Settings, site: Site, staging: Staging) -> int:
    """Static files go under static/; images and other files in content/ keep their paths."""
    copied = 0
    static = settings.static_path
    if static.is_dir():
        for folder, _dirs, names in os.walk(static):
            for name in names:
                path = Path(folder) / name
                staging.copy("static/" + path.relative_to(static).as_posix(), path)
                copied += 1
    for rel in sorted(site.assets):
        staging.copy(rel, settings.content_path / rel)
        copied += 1
    return copied
