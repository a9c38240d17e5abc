"""`sitegen build`'s card step and the fit check: plan, take what the cache holds, render the
rest, report what does not fit, then write cards, pins, decks and the print sheet."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from sitegen.cache import Cache, digest
from sitegen.cards import decks, pdf
from sitegen.cards.jobs import Job, Plan, plan
from sitegen.cards.paths import OWN, SHEET, card_path, deck_path
from sitegen.cards.sizes import MM, SIZES, CardSize
from sitegen.config import Settings
from sitegen.content.model import Movement
from sitegen.content.site import Site
from sitegen.diagnostics import ERROR, Diagnostic
from sitegen.errors import ContentError, UsageError
from sitegen.report import Reporter

# The parts of a card that grow; an overflow is reported at the longest of them.
_GROWING = ("faults", "cues", "mastery", "drills", "exercises", "next", "equipment")


@dataclass
class RenderedCards:
    plan: Plan
    results: list[pdf.Result]
    fresh: list[str]  # outputs rendered in this run (the rest came from the cache)

    def problems(self) -> list[Diagnostic]:
        found = list(self.plan.problems)
        for job, result in zip(self.plan.jobs, self.results):
            found += result.problems
            if result.overflow > 0:
                found.append(overflow_diagnostic(job, result.overflow, self.plan.size))
        return sorted(found)


def card_size(settings: Settings, name: str | None = None) -> CardSize:
    name = (name or settings.card_size).lower()
    if name not in SIZES:
        raise UsageError(f"error: card size {name!r} is not known; use one of {', '.join(SIZES)}")
    return SIZES[name]


def _entry(result: pdf.Result) -> bytes:
    return json.dumps({"overflow": result.overflow}).encode() + b"\n" + result.data


def _from_entry(raw: bytes | None) -> pdf.Result | None:
    """What `_entry` stored; None for anything else (the card is rendered again)."""
    header, _, data = (raw or b"").partition(b"\n")
    try:
        overflow = json.loads(header)["overflow"]
    except (ValueError, KeyError, TypeError):
        return None
    return pdf.Result(overflow, data) if type(overflow) in (int, float) else None


def cards_and_pins(site: Site, size: CardSize, reporter: Reporter, jobs: int | None = None) -> RenderedCards:
    """Every card and pin of the site: from the cache, or rendered now (on `jobs` cores) and cached."""
    settings = site.settings
    planned = plan(site, size)
    if planned.problems:
        return RenderedCards(planned, [pdf.Result(0, b"") for _ in planned.jobs], [])
    cache = Cache(settings.root, "cards")
    results: list[pdf.Result | None] = []
    for job in planned.jobs:
        results.append(_from_entry(cache.get(job.key)))
    missing = [i for i, r in enumerate(results) if r is None]
    fresh = pdf.pdfs_and_pngs([planned.jobs[i] for i in missing], settings, size,
                        lambda done, total: reporter.progress("cards", done, total), jobs)
    for i, result in zip(missing, fresh):
        results[i] = result
        if not result.problems:  # failures are re-tried next time, never served from the cache
            cache.put(planned.jobs[i].key, _entry(result))
    done = [r for r in results if r is not None]
    return RenderedCards(planned, done, [planned.jobs[i].output for i in missing])


def overflow_diagnostic(job: Job, overflow: float, size: CardSize) -> Diagnostic:
    page = job.page
    lengths = {k: len(json.dumps(job.context.get(k), default=repr)) for k in _GROWING
               if k in job.context and k in page.front.data}
    where = max(lengths, key=lengths.__getitem__) if lengths else "title"
    line, column = page.front.pos(where)
    what = {"card": f"one {size.label} card", "log": "its one-page training log"}.get(job.kind,
                                                                                             "its pin image")
    return Diagnostic(page.file, line, column, ERROR, "CARD001",
                      f"{job.output}: '{page.title}' does not fit on {what}: it overflows by {overflow:g} pt "
                      f"({overflow / MM:.1f} mm)",
                      f"shorten the text, starting with '{where}' (the longest part); cards never shrink text to fit")


def card_fit_diagnostics(site: Site, size: str | None = None, reporter: Reporter | None = None) -> list[Diagnostic]:
    """CARD001–CARD005 (and TPL001) for `sitegen check`: cards and pins that overflow or fail to render."""
    return cards_and_pins(site, card_size(site.settings, size), reporter or Reporter(quiet=True)).problems()


def build_cards(site: Site, out_dir: Path, reporter: Reporter | None = None, size: str | None = None,
                jobs: int | None = None) -> int:
    """Write cards/, pins/, the decks and (for 4-up sizes) the print sheet into `out_dir`, the
    cards rendered on `jobs` cores (default: all; 1 in a process that runs threads: no forking).

    Raises ContentError, before writing anything, when a card overflows or fails.
    Returns the number of files cards/ and pins/ hold.
    """
    reporter = reporter or Reporter()
    chosen = card_size(site.settings, size)
    rendered = cards_and_pins(site, chosen, reporter, jobs)
    problems = rendered.problems()
    if any(d.severity == ERROR for d in problems):
        raise ContentError(problems, len(site.pages))
    files: dict[str, bytes] = {job.output: result.data for job, result in zip(rendered.plan.jobs, rendered.results)}
    assembled = _decks_and_sheet(site, rendered, files)
    put(out_dir, files)
    cached = len(rendered.plan.jobs) - len(rendered.fresh)
    reporter.info(f"cards: rendered {_names(rendered.fresh)}; assembled {_names(assembled)}; {cached} from the cache")
    return len(files)


def put(out_dir: Path, files: dict[str, bytes]) -> None:
    """Make cards/ and pins/ in `out_dir` hold exactly `files`.

    The folder may be an earlier build being brought up to date, whose files can be hard
    links shared with the live site: a changed file is written beside and renamed over, never
    rewritten in place, and a file with the same bytes is left alone (its time too).
    """
    for folder in OWN:
        for path in sorted((out_dir / folder).rglob("*")) if (out_dir / folder).is_dir() else []:
            if path.is_file() and path.relative_to(out_dir).as_posix() not in files:
                path.unlink()
    for rel, data in files.items():
        target = out_dir / rel
        if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        fresh = target.with_name(f".{target.name}.new")
        fresh.write_bytes(data)
        os.replace(fresh, target)


def _names(outputs: list[str]) -> str:
    return f"{len(outputs)} ({', '.join(outputs)})" if 0 < len(outputs) <= 8 else str(len(outputs))


def _decks_and_sheet(site: Site, rendered: RenderedCards, files: dict[str, bytes]) -> list[str]:
    """Add the decks and the sheet to `files`; returns those not taken from the cache."""
    size = rendered.plan.size
    keys = {job.output: job.key for job in rendered.plan.jobs}
    cache = Cache(site.settings.root, "cards")
    made: list[str] = []

    def add(output: str, members: list[str], make) -> None:
        key = digest("assembled", output, size.name, *(keys[m] for m in members))
        data = cache.get(key)
        if data is None:
            data = make([files[m] for m in members])
            cache.put(key, data)
            made.append(output)
        files[output] = data

    for guide in site.guides:
        members = [card_path(guide)] + [card_path(d) for d in site.graph.resolve_all(guide.drills)
                                        if isinstance(d, Movement)]
        add(deck_path(guide), members, lambda cards, g=guide: decks.deck(cards, f"{g.title}: drill cards"))
    if size.sheet is not None:
        cards = [job.output for job in rendered.plan.jobs if job.kind == "card"]
        add(SHEET, cards, lambda data: decks.sheet(data, size, f"{site.settings.title}: cards to print"))
    return made

