"""HTML rendering: the Jinja environment, one context per page, listings, feed and sitemap."""

from __future__ import annotations

import datetime as dt
import os
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from sitegen import theme
from sitegen.config import Settings
from sitegen.content.body import Heading
from sitegen.content.model import Guide, Movement, Page
from sitegen.content.site import TAXONOMIES, Site, Tag
from sitegen.diagnostics import ERROR, Diagnostic
from sitegen.errors import ContentError
from sitegen.render.deps import QuestionTexts, Recorder, SiteView, page_key, size_key, template_key
from sitegen.render.diagram import svg as diagram_svg
from sitegen.render.markdown import HtmlBody, MarkdownEngine, rewrite_links
from sitegen.render.sharing import DEFAULT_IMAGE, PIN_SIZE, ShareImage, image_size, pin_it_url, sized_images
from sitegen.render.structured import Crumb, breadcrumb_list, faq_page, page_blocks, to_script, website


def environment(settings: Settings):
    """The Jinja environment of a site: its own templates/ first, then the built-in theme's."""
    import jinja2
    import markupsafe

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(f) for f in theme.folders(settings, "templates")]),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date"] = _date
    env.filters["isodate"] = _iso
    env.filters["jsonld"] = lambda data: markupsafe.Markup(to_script(data))
    return env


def _date(d: dt.date | None, fmt: str = "%-d %B %Y") -> str:
    """`d` as `fmt` says; `%-d` (the day without a leading zero) is glibc's and macOS's, not
    Windows', so it is filled in here on every system."""
    if not d:
        return ""
    return d.strftime(fmt.replace("%-d", str(d.day)))


def _iso(d: dt.date | None) -> str:
    return f"{d.isoformat()}T00:00:00Z" if d else ""


def template_frame(exc: BaseException, settings: Settings) -> tuple[str, int] | None:
    """The template file and line a runtime error was raised in: Jinja puts them in the traceback."""
    folders = tuple(str(f) + os.sep for f in theme.folders(settings, "templates"))
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.startswith(folders):
            return frame.filename, frame.lineno or 1
    return None


def template_error(exc: Exception, settings: Settings) -> Diagnostic:
    """Point a template's error at the template file and line it came from, the site's own
    or the built-in theme's."""
    import jinja2

    name = getattr(exc, "filename", None)
    line = getattr(exc, "lineno", None)
    if line is None or name is None:
        name, line = template_frame(exc, settings) or (name, line)
    message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
    if isinstance(exc, jinja2.TemplateNotFound):
        message = f"template not found: {exc.name}"
    if name is None:  # a template that no folder has: Jinja names it, without a file
        missing = getattr(exc, "name", None) or message
        return Diagnostic(f"{settings.templates_dir}/{missing}", 1, 1, ERROR, "TPL001", message,
                          "check the name where it is used, or add the file to templates/")
    return template_diagnostic(Path(name), line or 1, f"template error: {message}", settings)


def template_diagnostic(path: Path, line: int, message: str, settings: Settings, code: str = "TPL001",
                        hint: str = "fix the template at that line") -> Diagnostic:
    """A diagnostic about a template file, saying whether it is the site's or the built-in theme's."""
    path = path.resolve()
    if path.is_relative_to(settings.root):
        return Diagnostic(path.relative_to(settings.root).as_posix(), line, 1, ERROR, code, message, hint)
    return Diagnostic(str(path), line, 1, ERROR, code, f"{message} (in sitegen's built-in theme)",
                      f"`sitegen theme copy {path.name}` copies it into the site's templates/, where you can change it")


def template_problems(settings: Settings) -> list[Diagnostic]:
    """What a build would stop at in any template without rendering one: a syntax error, or a
    template it extends, includes or imports that no folder has. `sitegen check` runs this, so
    it fails where `sitegen build` would, with the same file, line and message."""
    import jinja2
    from jinja2 import nodes

    env = environment(settings)
    found: list[Diagnostic] = []
    for name in env.list_templates(filter_func=lambda n: not n.endswith(".css")):  # stylesheets are plain CSS
        source, filename, _uptodate = env.loader.get_source(env, name)
        try:
            tree = env.parse(source, name, filename)
        except jinja2.TemplateSyntaxError as exc:
            found.append(template_error(exc, settings))
            continue
        for node in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
            target = node.template
            if not isinstance(target, nodes.Const) or getattr(node, "ignore_missing", False):
                continue  # a computed name, or one allowed to be missing
            try:
                env.loader.get_source(env, target.value)
            except jinja2.TemplateNotFound:
                found.append(template_diagnostic(Path(filename), node.lineno,
                                                 f"template error: template not found: {target.value}", settings))
    return found


# Each taxonomy's index title, the name of one of its terms, and what its names are shown after.
_INDEXES = {"tags": ("Tags", "Tag", "#"), **{f: (title, title.rstrip("s"), "") for f, title in TAXONOMIES.items()}}


@dataclass(frozen=True)
class Pager:
    previous: Page | None
    following: Page | None


def pager(site: Site, page: Page) -> Pager:
    """Previous and next links follow the progression, not the calendar."""
    graph = site.graph
    if isinstance(page, Guide):
        drills = graph.resolve_all(page.drills)
        return Pager(None, drills[0] if drills else None)
    steps = graph.steps(page)
    if steps:
        step = steps[0]
        following = step.following or next(iter(graph.next_of(page)), None)
        return Pager(step.previous, following)
    if isinstance(page, Movement):
        before = graph.prerequisites_of(page)
        after = graph.next_of(page)
        return Pager(before[0] if before else None, after[0] if after else None)
    return Pager(None, None)


class Renderer:
    """Turns the checked site and each page's rendered Markdown into output files."""

    def __init__(self, site: Site, bodies: Mapping[str, HtmlBody], extra_context: dict[str, Any] | None = None,
                 env: Any = None, questions: QuestionTexts | None = None):
        """`env`: an environment from `environment()` to reuse, with the templates it has compiled
        (it reloads a template whose file changed); a long-running caller passes the same one, and
        the same `questions`."""
        self.site = site
        self.questions = questions or QuestionTexts()
        self.bodies = bodies
        self.answers = MarkdownEngine()  # for FAQ answers; made on the first one (bodies come rendered)
        # Templates and page contexts read the site through a view that notes what each render
        # asked, so an incremental build knows what each output depends on.
        self.view = SiteView(site)
        self.log: Recorder | None = None
        self._sizes: dict[Path, tuple[int, int] | None] = {}  # each image read once a build, not once per page
        self.env = env or environment(site.settings)
        self.env.globals.update(site=self.view, settings=site.settings, now=dt.datetime.now(dt.timezone.utc),
                                **(extra_context or {}))

    def body_html(self, page: Page) -> str:
        if self.log is not None:
            self.log.keys.add(page_key(page.source))
        html = rewrite_links(self.bodies[page.source].html, page.source, self.view.url_for_ref)
        return sized_images(html, self.asset_size) if "<img" in html else html

    def asset_size(self, src: str) -> tuple[int, int] | None:
        """The size of an image in content/, by its URL on the site."""
        base = self.site.settings.base_path
        rel = src[len(base):] if src.startswith(base) else None
        return self.image_size(self.site.settings.content_path / rel) if rel in self.site.assets else None

    def image_size(self, path: Path) -> tuple[int, int] | None:
        if self.log is not None:  # the page shows it: a new size renders the page again
            self.log.keys.add(size_key(os.path.relpath(path, self.site.settings.root).replace(os.sep, "/")))
        if path not in self._sizes:
            self._sizes[path] = image_size(path)
        return self._sizes[path]

    def headings(self, page: Page) -> tuple[Heading, ...]:
        return self.bodies[page.source].headings

    def page_context(self, page: Page) -> dict[str, Any]:
        import markupsafe

        graph = self.view.graph
        image = self.view.url_for_ref(page.image) if page.image else None
        body = self.body_html(page)
        drills = graph.resolve_all(page.drills) if isinstance(page, Guide) else []
        share = self.share_image(page)
        crumbs = self.page_crumbs(page)
        faq = [(q.q, self.answer_html(page, q.a)) for q in page.faq]
        settings = self.site.settings
        blocks = page_blocks(page, body_html=body, url=self.view.absolute_url(page), image=share.url,
                             author=settings.author, publisher=settings.title, drills=drills,
                             absolute=self.view.absolute_url)
        return {
            "page": page,
            "body": markupsafe.Markup(body),
            "share": share,
            "pin_url": pin_it_url(self.view.absolute_url(page), share.url, page.title, page.summary),
            "crumbs": crumbs,
            "faq": [(q, markupsafe.Markup(a)) for q, a in faq],
            "jsonld": [*blocks, breadcrumb_list(crumbs), *([faq_page(faq)] if faq else [])],
            "headings": self.headings(page),
            "image_url": image,
            "image_size": self.image_size(self.site.settings.content_path / page.image.target)
            if image and page.image and page.image.target in self.site.assets else None,
            "steps": graph.steps(page),
            "next_pages": graph.next_of(page),
            "prerequisites": graph.prerequisites_of(page),
            "regression": graph.resolve(page.regression) if isinstance(page, Movement) else None,
            "unlocked_by": graph.guides_unlocking(page),
            "drills": drills,
            "diagram": markupsafe.Markup(diagram_svg(page.title, drills, graph.resolve_all(page.exercises),
                                                     self.view.url)) if drills else None,
            "exercises": graph.resolve_all(page.exercises) if isinstance(page, Guide) else [],
            "related": self._related(page),
            "tags": self.view.tags_of(page),
            "pager": pager(self.view, page),
        }

    def answer_html(self, page: Page, markdown: str) -> str:
        """A FAQ answer's Markdown as HTML, its links rewritten as the body's are."""
        return rewrite_links(self.answers.html_body(markdown).html, page.source, self.view.url_for_ref)

    def crumb(self, name: str, target: Page | Tag | str) -> Crumb:
        return Crumb(name, self.view.url(target), self.view.absolute_url(target))

    def page_crumbs(self, page: Page) -> list[Crumb]:
        """Home › the guide the page belongs to (if any) › the page."""
        graph = self.view.graph
        steps = graph.steps(page)
        guides = [steps[0].guide] if steps else graph.guides_unlocking(page)[:1]
        return [self.crumb("Home", ""), *(self.crumb(g.title, g) for g in guides), self.crumb(page.title, page)]

    def listing_context(self, *trail: tuple[str, Page | Tag | str]) -> dict[str, Any]:
        """Breadcrumbs and their JSON-LD for a page the site makes (tags, taxonomies)."""
        crumbs = [self.crumb("Home", ""), *(self.crumb(name, target) for name, target in trail)]
        return {"crumbs": crumbs, "jsonld": [breadcrumb_list(crumbs)]}

    def share_image(self, page: Page) -> ShareImage:
        """The pin image when cards are built, else the page's own image, else the site's default."""
        cards = self.env.globals.get("cards")
        alt = page.image_alt or page.title
        if cards and cards.has(page):
            return ShareImage(cards.pin_image(page), *PIN_SIZE, alt)
        settings = self.site.settings
        if page.image and page.image.target in self.site.assets:
            size = self.image_size(settings.content_path / page.image.target)
            if size:
                return ShareImage(self.view.absolute_url(page.image.target), *size, alt)
        return self.default_image()

    def default_image(self) -> ShareImage:
        settings = self.site.settings
        size = self.image_size(settings.static_path / DEFAULT_IMAGE) or (1200, 630)
        return ShareImage(self.view.absolute_url(f"static/{DEFAULT_IMAGE}"), *size, settings.title)

    def _related(self, page: Page) -> list[tuple[str, str]]:
        if not isinstance(page, Guide):
            return []
        out = []
        for ref in page.related:
            target = self.view.graph.resolve(ref)
            if ref.url:
                out.append((ref.raw, ref.raw))
            elif target is not None:
                out.append((target.title, self.view.url(target)))
        return out

    def jobs(self) -> Iterator[tuple[str, str, Callable[[], dict[str, Any]]]]:
        """(output path, template, context factory) for every file the templates make."""
        for page in self.site.pages:
            yield page.output_file, f"{page.type}.html", lambda page=page: self.page_context(page)
        yield "index.html", "index.html", self._home_context
        for folder in ("tags", *TAXONOMIES):
            yield f"{folder}/index.html", "taxonomies.html", lambda folder=folder: self._index_context(folder)
            for term in self.site.tags if folder == "tags" else self.site.terms(folder):
                yield term.url_path + "index.html", "taxonomy.html", \
                    lambda folder=folder, slug=term.slug: self._term_context(folder, slug)
        yield "404.html", "404.html", dict
        yield "feed.xml", "feed.xml", lambda: {"entries": self.view.dated[:50], "body_of": self.body_html}
        yield "sitemap.xml", "sitemap.xml", dict
        yield "site.webmanifest", "site.webmanifest", dict
        yield "robots.txt", "robots.txt", dict
        yield "search.json", "search.json", lambda: {"entries": self.search_entries()}

    def search_entries(self) -> list[dict[str, Any]]:
        """What client-side search looks through, one entry per page (short keys: the index is
        fetched by phones): title, URL, summary, type, tags, muscles, equipment and cues."""
        entries = []
        for page in self.view.pages:
            entry: dict[str, Any] = {"t": page.title, "u": self.view.url(page), "k": page.type}
            for key, value in (("s", page.summary), ("g", page.tags), ("m", getattr(page, "muscles", [])),
                               ("e", getattr(page, "equipment", [])), ("c", getattr(page, "cues", []))):
                if value:
                    entry[key] = value
            entries.append(entry)
        return entries

    def _home_context(self) -> dict[str, Any]:
        settings = self.site.settings
        data = website(settings.title, self.view.absolute_url(""), settings.description)
        return {"share": self.default_image(), "jsonld": [data]}

    def _index_context(self, folder: str) -> dict[str, Any]:
        title = _INDEXES[folder][0]
        others = [(t, f"{f}/") for f, (t, _k, _p) in _INDEXES.items() if f != folder]
        terms = ([(t.name, t.url_path, len(t.pages)) for t in self.view.tags] if folder == "tags"
                 else self.view.term_counts(folder))
        return {"terms": terms, "index_title": title, "index_path": f"{folder}/",
                "prefix": _INDEXES[folder][2], "others": others, **self.listing_context((title, f"{folder}/"))}

    def _term_context(self, folder: str, slug: str) -> dict[str, Any]:
        title, kind, prefix = _INDEXES[folder]
        term = (next(t for t in self.view.tags if t.slug == slug) if folder == "tags"
                else self.view.term(folder, slug))
        heading = prefix + (term.name if prefix else term.name[:1].upper() + term.name[1:])
        return {"term": term, "heading": heading, "kind": kind, "index_title": title, "index_path": f"{folder}/",
                **self.listing_context((title, f"{folder}/"), (heading, term))}

    def render(self, template: str, context: dict[str, Any]) -> str:
        if self.log is not None:
            self.log.keys.add(template_key(template))
        return self.env.get_template(template).render(context)

    def produce(self, template: str, context: Callable[[], dict[str, Any]]) -> tuple[str, list[str] | None]:
        """Render one output; return it with the dependency keys it read (None: render it every time)."""
        self.log = log = Recorder(self.questions)
        self.view.record(log)
        try:
            text = self.render(template, context())
        finally:
            self.log = None
            self.view.record(None)
        return text, None if log.volatile else log.texts()

    def failure(self, exc: Exception) -> Diagnostic:
        """A template's error as a diagnostic; an error that no template raised is re-raised."""
        import jinja2

        settings = self.site.settings
        # A template's own expressions can raise anything ({{ 1 / 0 }}, a filter given text
        # for a number); an error that no template raised is sitegen's and keeps its traceback.
        if not isinstance(exc, jinja2.TemplateError) and template_frame(exc, settings) is None:
            raise exc
        return template_error(exc, settings)

    def too_slow(self, path: str, template: str) -> Diagnostic:
        """The error for an output whose rendering was stopped at the time limit: at its page's
        file, or else at its template."""
        settings = self.site.settings
        message = f"rendering {path} took longer than {settings.render_seconds:g} s and was stopped"
        page = next((p for p in self.site.pages if p.output_file == path), None)
        if page is not None:
            return Diagnostic(page.file, 1, 1, ERROR, "SLOW001", message,
                              "split the page into shorter ones, or simplify its Markdown (long paragraphs full of "
                              "[ < ( and deep lists are slow); the limit is the render_time_limit setting")
        return template_diagnostic(theme.find(settings, "templates", template), 1, message, settings, "SLOW001",
                                   "simplify the template's loops, or raise the render_time_limit setting")

    def render_all(self, only: set[str] | None = None) -> dict[str, str]:
        import jinja2

        out: dict[str, str] = {}
        errors: list[Diagnostic] = []
        for path, template, context in self.jobs():
            if only is not None and path not in only:
                continue
            try:
                out[path] = self.render(template, context())
            except Exception as exc:
                errors.append(self.failure(exc))
                if isinstance(exc, jinja2.TemplateSyntaxError):
                    break  # the same broken template would fail for every page
        if errors:
            raise ContentError(sorted(set(errors)), len(self.site.pages))
        return out
