"""What to render: one job per card and per pin, each a plain context and a cache key.

A context holds exactly what its template shows (texts, numbers, image paths, URLs), so
its key (a hash of the context, the templates and stylesheets it uses, the images it
points at, the fonts, the size and the sitegen version) changes exactly when the output
would. Contexts are plain data: the template, not this module, decides the layout.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitegen import theme
from sitegen.cache import code_digest, digest, file_digest
from sitegen.cards.fonts import FontUse, check_fonts, named_families
from sitegen.cards.paths import card_path, has_card, log_path, pin_path
from sitegen.cards.sizes import CardSize
from sitegen.config import Settings
from sitegen.content.model import Guide, Movement, Page
from sitegen.content.site import Site
from sitegen.diagnostics import Diagnostic
from sitegen.render import diagram

CARD_TEMPLATE = "card.html"
PIN_TEMPLATE = "pin.html"
LOG_TEMPLATE = "log.html"
# Columns of boxes on a training log, about two weeks of practice: on a card, and on a sheet.
LOG_SESSIONS = {"card": 6, "sheet": 10}
LOG_CUES = 2  # the cues a log repeats, in brief: the first ones, which the pages list first
PIN_SIZE = (400.0, 600.0)  # points; rasterized at 2.5 px per point: 1000×1500 px, the 2:3 Pinterest asks for
PIN_SCALE = 2.5


@dataclass
class Job:
    kind: str  # "card", "pin" or "log" (a guide's training log: one page, see log_page)
    output: str  # output-relative path
    page: Page
    template: str
    context: dict[str, Any]
    files: list[str] = field(default_factory=list)  # site-relative files the context points at
    key: str = ""


@dataclass
class Plan:
    size: CardSize
    jobs: list[Job]
    problems: list[Diagnostic]  # found before rendering: fonts that are not installed


# --- contexts ------------------------------------------------------------------------------------


def _image(site: Site, page: Page) -> str | None:
    """Site-relative path of the page's illustration; the card's base URL is the site folder."""
    if page.image is None or page.image.target not in site.assets:
        return None
    return f"{site.settings.content_dir}/{page.image.target}"


def _short(url: str) -> str:
    return url.split("://", 1)[-1].rstrip("/")


def _common(site: Site, page: Page) -> dict[str, Any]:
    url = site.absolute_url(page)
    return {"kind": page.type, "title": page.title, "url": url, "short_url": _short(url),
            "image": _image(site, page), "image_alt": page.image_alt,
            "site_title": site.settings.title, "lang": site.settings.language}


def movement_context(site: Site, page: Movement) -> dict[str, Any]:
    graph = site.graph
    return {
        **_common(site, page),
        "steps": [{"number": s.number, "total": s.total, "guide": s.guide.title} for s in graph.steps(page)],
        "unlocked_by": [g.title for g in graph.guides_unlocking(page)],
        "level": page.level,
        "equipment": page.equipment,
        "sets": page.sets,
        "reps": page.reps,
        "cues": page.cues,
        "faults": [{"fault": f.fault, "fix": f.fix} for f in page.faults],
        "mastery": page.mastery,
        "next": [p.title for p in graph.next_of(page)],
    }


def guide_context(site: Site, page: Guide) -> dict[str, Any]:
    """The deck's cover: the progression diagram, the drills in order, then what they unlock (each
    drill's own card, next in the deck, states its gate)."""
    graph = site.graph
    drills = graph.resolve_all(page.drills)
    exercises = graph.resolve_all(page.exercises)
    return {
        **_common(site, page),
        "summary": page.summary,
        "diagram": diagram.svg(page.title, drills, exercises, None, layout=diagram.CARD) if drills else "",
        "drills": [d.title for d in drills],
        "exercises": [e.title for e in exercises],
    }


def log_page(size: CardSize) -> tuple[float, float]:
    """A training log is one card, or with a 4-up size one whole sheet (the card is too small)."""
    return size.sheet or (size.width, size.height)


def log_context(site: Site, guide: Guide, size: CardSize) -> dict[str, Any]:
    """A guide's training log: per drill, a box per set for each session, its first cues and its gate."""
    drills = [d for d in site.graph.resolve_all(guide.drills) if isinstance(d, Movement)]
    return {
        **_common(site, guide),
        "sessions": LOG_SESSIONS["sheet" if size.sheet else "card"],
        "drills": [{"number": i, "title": d.title, "sets": d.sets, "reps": d.reps,
                    # A range of sets gets a row for each set of its top end.
                    "rows": (d.sets.high or d.sets.low) if d.sets and not d.sets.unit else 1,
                    "cues": d.cues[:LOG_CUES], "mastery": d.mastery} for i, d in enumerate(drills, 1)],
    }


def pin_context(site: Site, page: Page) -> dict[str, Any]:
    """A tall picture: the title, the step pictures, the site's name."""
    graph = site.graph
    if isinstance(page, Guide):
        drills = graph.resolve_all(page.drills)
        pictures = [{"src": _image(site, d), "alt": d.image_alt, "label": d.title} for d in drills if _image(site, d)]
        subtitle = f"{len(drills)} drills, step by step" if drills else page.summary
    else:
        pictures = [{"src": _image(site, page), "alt": page.image_alt, "label": ""}] if _image(site, page) else []
        steps = graph.steps(page)
        unlocked = graph.guides_unlocking(page)
        subtitle = (f"Step {steps[0].number} of {steps[0].total}: {steps[0].guide.title}" if steps
                    else f"Unlocked by {unlocked[0].title}" if unlocked else page.summary)
    return {**_common(site, page), "subtitle": subtitle, "pictures": pictures, "mastery": getattr(page, "mastery", "")}


def _files(context: dict[str, Any]) -> list[str]:
    found = [context["image"]] if context.get("image") else []
    return found + [p["src"] for p in context.get("pictures", [])]


# --- keys ----------------------------------------------------------------------------------------


class KeyMaker:
    """Digests of the parts many jobs share, each computed once per build."""

    def __init__(self, settings: Settings, size: CardSize, fonts: str):
        from sitegen.render.pages import environment

        self.settings = settings
        self.env = environment(settings)
        self.base = digest("sitegen-cards-1", code_digest(), fonts)  # sitegen and WeasyPrint as installed
        # A card depends on the card size; a pin has its own, whatever the cards' size.
        card = digest(size.name, size.fmt())
        self.sizes = {"card": card, "log": digest(card, repr(log_page(size))),
                      "pin": digest(repr(PIN_SIZE), str(PIN_SCALE))}
        self._templates: dict[str, str] = {}
        self._files: dict[str, str] = {}

    def template(self, name: str) -> str:
        """The template, every template it extends, includes or imports, and its stylesheet."""
        if name not in self._templates:
            import jinja2.meta

            try:
                source = self.env.loader.get_source(self.env, name)[0]
                deps = sorted(d for d in jinja2.meta.find_referenced_templates(self.env.parse(source)) if d)
            except jinja2.TemplateError:  # the render reports it, with its file and line
                return digest("broken template", name)
            css = stylesheet(self.settings, name)
            self._templates[name] = digest(name, source, css.read_bytes() if css is not None else b"",
                                           *(self.template(d) for d in deps))
        return self._templates[name]

    def file(self, rel: str) -> str:
        if rel not in self._files:
            path = self.settings.root / rel
            self._files[rel] = file_digest(path) if path.is_file() else "missing"
        return self._files[rel]

    def key(self, job: Job) -> str:
        data = json.dumps(job.context, sort_keys=True, default=repr, ensure_ascii=False)
        return digest(self.base, job.kind, self.sizes[job.kind], self.template(job.template), data,
                      *(self.file(f) for f in job.files))


def stylesheet(settings: Settings, template: str) -> Path | None:
    """A template's own print stylesheet, the site's or the theme's: card.html → card.css."""
    return theme.find(settings, "templates", template.rpartition(".")[0] + ".css")


# --- the plan ------------------------------------------------------------------------------------


def carded(site: Site) -> list[Page]:
    """Pages with a card, in reading order: each guide's cover and drills, then everything else."""
    ordered: list[Page] = []
    for guide in site.guides:
        ordered += [guide, *site.graph.resolve_all(guide.drills)]
    ordered += site.movements
    unique: dict[str, Page] = {}
    for page in ordered:
        if has_card(page):
            unique.setdefault(page.source, page)
    return list(unique.values())


def font_uses(settings: Settings) -> list[FontUse]:
    """The fonts the card and pin stylesheets name."""
    uses: list[FontUse] = []
    for template in (CARD_TEMPLATE, PIN_TEMPLATE, LOG_TEMPLATE):
        css = stylesheet(settings, template)
        if css is not None:
            shown = css.relative_to(settings.root).as_posix() if css.is_relative_to(settings.root) else str(css)
            uses += named_families(css.read_text(encoding="utf-8"), shown)
    return uses


def plan(site: Site, size: CardSize) -> Plan:
    settings = site.settings
    fonts, problems = check_fonts(font_uses(settings))
    keys = KeyMaker(settings, size, fonts)
    jobs: list[Job] = []
    for page in carded(site):
        context = guide_context(site, page) if isinstance(page, Guide) else movement_context(site, page)
        jobs.append(Job("card", card_path(page), page, CARD_TEMPLATE, context, _files(context)))
        pin = pin_context(site, page)
        jobs.append(Job("pin", pin_path(page), page, PIN_TEMPLATE, pin, _files(pin)))
        if isinstance(page, Guide):
            jobs.append(Job("log", log_path(page), page, LOG_TEMPLATE, log_context(site, page, size)))
    for job in jobs:
        job.key = keys.key(job)
    return Plan(size, jobs, problems)
