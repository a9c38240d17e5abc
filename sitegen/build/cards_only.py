"""`sitegen cards`: the same checks as a build, then only cards/ and pins/ are replaced.

The rest of the current output is carried over as hard links into a staging folder, the
cards are added, and the folder is swapped in: readers never see a half-made output.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from sitegen.build.output import MARKER, Staging, check_output_dir, one_build_at_a_time
from sitegen.cards.paths import OWN, claims as card_claims
from sitegen.config import Settings
from sitegen.errors import ContentError
from sitegen.report import Reporter


def carry_over(previous: Path, staging: Path) -> None:
    """Hard-link every file of the previous output except cards/ and pins/ into `staging`."""
    if not previous.is_dir():
        return
    for folder, dirs, names in os.walk(previous):
        rel = Path(folder).relative_to(previous)
        if rel == Path("."):
            dirs[:] = [d for d in dirs if d not in OWN]
            names = [n for n in names if n != MARKER]
        (staging / rel).mkdir(exist_ok=True)
        for name in names:
            try:
                os.link(Path(folder) / name, staging / rel / name)
            except OSError:  # a file system without hard links: copy instead
                shutil.copy2(Path(folder) / name, staging / rel / name)


def cards_command(settings: Settings, size: str | None = None, reporter: Reporter | None = None) -> int:
    from sitegen.cards.pipeline import build_cards, card_size
    from sitegen.check.checker import check
    from sitegen.diagnostics import write_text

    reporter = reporter or Reporter()
    chosen = card_size(settings, size).name
    target = check_output_dir(settings)
    checked = check(settings, more_outputs=lambda site: card_claims(site, chosen))
    if checked.failed():
        raise ContentError(checked.diagnostics, checked.pages)
    with one_build_at_a_time(settings.root, target), Staging(target) as staging:
        carry_over(target, staging.path)
        files = build_cards(checked.site, staging.path, reporter=reporter, size=chosen)
        staging.commit()
    if checked.diagnostics:
        write_text(checked.diagnostics, checked.pages)
    where = target.relative_to(settings.root) if target.is_relative_to(settings.root) else target
    print(f"made {files} card files ({chosen}) into {where}/cards and {where}/pins", file=sys.stderr)
    return 0
