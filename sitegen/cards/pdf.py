"""Render jobs to PDF (and pins to PNG) on every core, importing WeasyPrint once per worker.

`sitegen.parallel` starts the workers after the jobs are planned: forked ones inherit the
jobs and receive only indices, spawned ones get them pickled once. Each worker imports WeasyPrint, parses the stylesheets and sets
up fonts once, then renders chunk after chunk: a process and an import per card would cost
half a second each. A card's fit is measured on its laid-out boxes, in the same pass.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Iterator

from sitegen.cards.jobs import PIN_SCALE, PIN_SIZE, Job, log_page, stylesheet
from sitegen.cards.sizes import CardSize
from sitegen.config import Settings
from sitegen.diagnostics import ERROR, Diagnostic

PX = 0.75  # WeasyPrint lays out in CSS pixels; PDF points are 3/4 of one
MEASURE = 20  # how many card heights tall the page is when measuring an overflowing card


@dataclass
class Result:
    overflow: float  # points beyond the page (0 when the card fits)
    data: bytes  # the PDF or PNG; empty when the job failed
    problems: list[Diagnostic] = field(default_factory=list)


# --- inside a worker -----------------------------------------------------------------------------


class _Worker:
    """Everything a worker sets up once: WeasyPrint, stylesheets, fonts, the Jinja environment."""

    def __init__(self, settings: Settings, size: CardSize):
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        from sitegen.cards.fetcher import SiteFetcher
        from sitegen.render.pages import environment

        self.weasyprint = weasyprint
        self.settings = settings
        self.size = size
        self.root_url = settings.root.resolve().as_uri() + "/"
        self.fonts = FontConfiguration()
        self.env = environment(settings)
        self.env.globals["qr"] = qr_svg
        self.css: dict[str, list] = {}
        self.css_fetcher = SiteFetcher(settings.root)  # what the stylesheets load, for every card
        self.log = _collector()

    def stylesheets(self, template: str) -> list:
        if template not in self.css:
            path = stylesheet(self.settings, template)
            self.css[template] = ([self.weasyprint.CSS(filename=str(path), url_fetcher=self.css_fetcher,
                                                       font_config=self.fonts)] if path is not None else [])
        return self.css[template]

    def page_size(self, job: Job) -> tuple[float, float]:
        if job.kind == "pin":
            return PIN_SIZE
        return log_page(self.size) if job.kind == "log" else (self.size.width, self.size.height)

    def layout(self, job: Job, page_height: float):
        """Lay out the job's HTML on a page `page_height` points tall; returns it and its fetcher."""
        from sitegen.cards.fetcher import SiteFetcher

        width, height = self.page_size(job)
        html = self.env.get_template(job.template).render(
            job.context, page={"size": self.size.name, "width": width, "height": height, "page_height": page_height})
        fetcher = SiteFetcher(self.settings.root)
        document = self.weasyprint.HTML(string=html, base_url=self.root_url, url_fetcher=fetcher).render(
            stylesheets=self.stylesheets(job.template), font_config=self.fonts)
        return document, fetcher

    def run(self, job: Job) -> Result:
        import jinja2

        from sitegen.render.pages import template_error

        self.log.records.clear()
        try:
            return self._run(job)
        except jinja2.TemplateError as exc:
            return Result(0, b"", [template_error(exc, self.settings)])

    def _run(self, job: Job) -> Result:
        height = self.page_size(job)[1]
        document, fetcher = self.layout(job, height)
        overflow = overflow_of(document)
        if overflow is None:
            return Result(0, b"", [no_card_box(job, self.settings)])
        if len(document.pages) > 1:  # a page break hides how far it runs over: measure on a tall page
            overflow = max(overflow_of(self.layout(job, height * MEASURE)[0]) or 0.0, 0.1)
        data = b"" if overflow > 0 else document.write_pdf()
        problems = [refused(job, url) for url in dict.fromkeys(self.css_fetcher.refused + fetcher.refused)]
        problems += [failed(job, message) for message in self.log.errors() if "RefusedURL" not in message]
        if job.kind == "pin" and data and not problems:
            data = rasterize(data)
        return Result(overflow, b"" if problems else data, problems)


class _Collector(logging.Handler):
    """WeasyPrint's error messages for the card being rendered (an image it could not load…)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def errors(self) -> list[str]:
        return [r.getMessage() for r in self.records]


@lru_cache(maxsize=1)
def _collector() -> _Collector:
    """One per process: WeasyPrint's messages become diagnostics, not stray lines on stderr."""
    collector = _Collector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    logger.propagate = False
    return collector


def qr_svg(url: str) -> Any:
    """The QR code of `url` as inline SVG, sized by its container."""
    import markupsafe
    import segno

    return markupsafe.Markup(segno.make(url, error="m").svg_inline(border=0, omitsize=True, dark="#000"))


def _boxes(box) -> Iterator:
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def _by_id(root, name: str):
    return next((b for b in _boxes(root) if getattr(b, "element", None) is not None and b.element.get("id") == name
                 and b.element_tag != "html"), None)


def overflow_of(document) -> float | None:
    """How far, in points, the card's content reaches past the space it has on the first page;
    None when the template has no #card to measure.

    The space ends at the top of #footer's margin box (the block pinned to the bottom), or
    else at the bottom of #card. A fixed-height card overflows without a page break, so the
    test is the layout's geometry, not the page count.
    """
    card = _by_id(document.pages[0]._page_box, "card")
    if card is None:
        return None
    footer = _by_id(card, "footer")
    pinned = {id(b) for b in _boxes(footer)} if footer is not None else set()
    limit = footer.position_y if footer is not None else card.content_box_y() + card.height
    bottoms = [b.border_box_y() + b.border_height() for b in _boxes(card) if b is not card and id(b) not in pinned]
    return round(max(max(bottoms, default=limit) - limit, 0.0) * PX, 1)


def rasterize(pdf: bytes) -> bytes:
    """The pin's PDF page as a PNG, PIN_SCALE pixels per point."""
    import io

    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=PIN_SCALE).to_pil()
    finally:
        document.close()
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def refused(job: Job, url: str) -> Diagnostic:
    line, column = job.page.front.pos("title")
    return Diagnostic(job.page.file, line, column, ERROR, "CARD002",
                      f"{job.output} ('{job.page.title}') tried to load {url}, which is outside the site folder",
                      "cards load only files inside the site folder and data: URLs; no network, no other files")


def no_card_box(job: Job, settings: Settings) -> Diagnostic:
    from sitegen import theme
    from sitegen.render.pages import template_diagnostic

    path = theme.find(settings, "templates", job.template) or settings.templates_path / job.template
    return template_diagnostic(path, 1, f"{job.template} has no element with id=\"card\", so {job.output} cannot be "
                               "checked for fit", settings, "CARD005",
                               'wrap the card in <article id="card">, sized to the page, as the theme\'s card.html does')


def failed(job: Job, message: str) -> Diagnostic:
    line, column = job.page.front.pos("title")
    return Diagnostic(job.page.file, line, column, ERROR, "CARD004", f"{job.output}: {message}",
                      "fix the file it names, or the card template")


# --- the pool ------------------------------------------------------------------------------------


class _Cards:
    """The pool's work: job number -> (number, result). It pickles small (the jobs and settings,
    not the worker), so spawned workers get it too; each process sets its worker up on its first
    job, so each imports WeasyPrint once, and a run small enough to stay in this process uses it here."""

    def __init__(self, jobs: list[Job], settings: Settings, size: CardSize):
        self.jobs, self.settings, self.size = jobs, settings, size
        self.worker: _Worker | None = None

    def __getstate__(self) -> dict:
        return {**self.__dict__, "worker": None}

    def __call__(self, index: int) -> tuple[int, Result]:
        if self.worker is None:
            self.worker = _Worker(self.settings, self.size)
        return index, self.worker.run(self.jobs[index])


def pdfs_and_pngs(jobs: list[Job], settings: Settings, size: CardSize,
           progress: Callable[[int, int], None] = lambda done, total: None,
           processes: int | None = None) -> list[Result]:
    """Render every job on `processes` cores (default: all); results in the jobs' order."""
    from sitegen.collector import collector_running
    from sitegen.parallel import default_jobs, run

    results: list[Result] = [Result(0, b"")] * len(jobs)
    with collector_running():
        # One card per round trip: a card takes ~40 ms, so the cores finish within one card of each other.
        made = run(_Cards(jobs, settings, size), len(jobs), processes or default_jobs(), min_items=2, chunk=1,
                   spawnable=True)
        for done, (index, result) in enumerate(made, 1):
            results[index] = result
            progress(done, len(jobs))
    return results
