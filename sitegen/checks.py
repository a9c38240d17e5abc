"""The progression checker: every rule is a small function that yields diagnostics.

Rules run on the loaded site before a single output byte is written. Each code has one
severity and a stable meaning; docs/checks.md lists every code with a failing example and
its fix. Nothing here renders Markdown: body links and headings are read from the source.
"""

from __future__ import annotations

import difflib
import posixpath
import re
import weakref
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Iterator
from urllib.parse import unquote, urlsplit

from .diagnostics import ERROR, WARNING, Diagnostic
from .loader import Content, derived
from .headings import HeadingAt, element_ids, find_headings
from .markdown import BodyLink, find_links
from .model import MOVEMENT_TYPES, Guide, Movement, Page, Ref
from .site import Site

SEVERITY: dict[str, str] = {
    "LINK001": ERROR,  # a referenced page or file does not exist
    "LINK002": ERROR,  # an #anchor names no heading of its page
    "LINK003": ERROR,  # an image file does not exist
    "LINK004": ERROR,  # an absolute path (/...) instead of one relative to the page
    "LINK005": ERROR,  # a path that leads out of content/
    "TYPE001": ERROR,  # a reference points at the wrong type of page
    "TYPE002": ERROR,  # a published page points at a draft
    "CYCLE001": ERROR,  # next/prerequisites lead back to where they started
    "DIR001": ERROR,  # a page names another in both its next and its prerequisites
    "DIR002": ERROR,  # a regression that is also a next step
    "MASTERY001": ERROR,  # a drill that leads on states no mastery gate
    "LEVEL001": WARNING,  # level goes down along next
    "ORDER001": ERROR,  # a guide's drills do not follow the next chain
    "ORPHAN001": WARNING,  # a drill or exercise nothing reaches
    "UNIQ001": ERROR,  # two pages share a slug
    "UNIQ002": ERROR,  # a page's output path is taken by another output
    "UNIQ003": WARNING,  # two headings of a page want the same anchor
    "MEDIA001": WARNING,  # an image without alt text
    "MEDIA002": ERROR,  # an external link or video that is not a well-formed http(s) URL
}

# Files the renderer writes besides pages (render.Renderer.jobs): no page may land on one.
_SITE_FILES = ("index.html", "404.html", "feed.xml", "sitemap.xml", "tags/index.html")
# Which pages each reference key may point at.
_TARGET_TYPES: dict[str, tuple[str, ...]] = {
    "drills": ("drill",),
    "exercises": MOVEMENT_TYPES,
    "next": MOVEMENT_TYPES,
    "prerequisites": MOVEMENT_TYPES,
    "regression": MOVEMENT_TYPES,
}


@dataclass
class CheckContext:
    site: Site
    content: Content
    _closest: dict[str, str | None] = field(default_factory=dict)

    def at(self, page: Page, where: Ref | HeadingAt | tuple[int, int], code: str, message: str,
           hint: str = "") -> Diagnostic:
        line, column = where if isinstance(where, tuple) else (where.line, where.column)
        return Diagnostic(page.file, line, column, SEVERITY[code], code, message, hint)

    @cached_property
    def drafts(self) -> dict[str, Page]:
        return {p.source: p for p in self.content.drafts}

    @cached_property
    def existing(self) -> set[str]:
        """Every file in content/: pages (published, draft or failed to load) and other files."""
        return set(self.site.graph.pages) | self.site.assets | set(self.drafts) | set(self.content.failed)

    @cached_property
    def body_links(self) -> dict[str, list[BodyLink]]:
        return {p.source: self._scan(p, "links", lambda p: find_links(p.body, p.source, p.body_line))
                for p in self.site.pages}

    @cached_property
    def headings(self) -> dict[str, list[HeadingAt]]:
        return {p.source: self._scan(p, "headings", lambda p: find_headings(p.body, p.body_line))
                for p in self.site.pages}

    @staticmethod
    def _scan(page: Page, kind: str, scan: Callable[[Page], Any]) -> Any:
        """What scanning a page's text finds, kept with the page (see loader.derived)."""
        kept = derived(page)
        if kind not in kept:
            kept[kind] = scan(page)
        return kept[kind]

    def has_anchor(self, page: Page, anchor: str) -> bool:
        return any(h.id == anchor for h in self.headings[page.source]) or anchor in self.other_ids(page)

    def anchors(self, page: Page) -> list[str]:
        return sorted({h.id for h in self.headings[page.source]} | self.other_ids(page))

    def other_ids(self, page: Page) -> set[str]:
        """Anchors besides headings (attr_list and raw HTML ids); rarely needed, so read on demand."""
        return self._scan(page, "ids", lambda p: element_ids(p.body))

    def references(self, page: Page) -> list[tuple[Ref, bool]]:
        """(reference, is it an image) for the front matter and the body, in file order."""
        return self._references[page.source]

    @cached_property
    def _references(self) -> dict[str, list[tuple[Ref, bool]]]:
        return {page.source: [(ref, ref.key == "image") for ref in page.refs()]
                + [(link.ref, link.image) for link in self.body_links[page.source]] for page in self.site.pages}

    def relative(self, page: Page, target: str) -> str:
        """`target` (content-relative) as a path written in `page`."""
        return posixpath.relpath(target, posixpath.dirname(page.source) or ".")

    @cached_property
    def _names(self) -> dict[bool, dict[str, list[str]]]:
        """Existing files by kind (a page or not) and by name without extension, for suggestions."""
        names: dict[bool, dict[str, list[str]]] = {True: {}, False: {}}
        for path in sorted(self.existing):
            names[path.endswith(".md")].setdefault(_stem(path), []).append(path)
        return names

    def closest(self, ref: Ref) -> str | None:
        """The existing file a broken reference most likely meant: the closest file name (without
        its extension, so 'a.md' is not close to 'b.md'), then the closest folder."""
        if ref.target not in self._closest:
            names = self._names[ref.target.endswith(".md")]
            close = difflib.get_close_matches(_stem(ref.target), list(names), n=1)
            self._closest[ref.target] = max(
                names[close[0]], key=lambda c: difflib.SequenceMatcher(None, c, ref.target).ratio()) if close else None
        return self._closest[ref.target]

    def suggest(self, page: Page, ref: Ref) -> str:
        """'did you mean …?', as a path written in `page`; empty when nothing is close."""
        close = self.closest(ref)
        if close is None:
            return ""
        anchor = f"#{ref.anchor}" if ref.anchor else ""
        return f"did you mean '{self.relative(page, close)}{anchor}'?"

    @cached_property
    def existing_token(self) -> set[str]:
        """`existing`, or an equal set an earlier check in this process saw: the same object
        for as long as content/ holds the same files."""
        if _files_seen[0] != self.existing:
            _files_seen[0] = self.existing
        return _files_seen[0]

    def broken(self, ref: Ref) -> bool:
        return not ref.url and ref.target is not None and ref.target not in self.existing


# The files of content/ as the last check saw them (see CheckContext.existing_token).
_files_seen: list[set[str]] = [set()]
# Each page's findings by rule, with what else they were found from (see `_kept`). Kept in
# this process only, for the pages it loaded: a page changes (and is loaded anew) with its file.
_found: "weakref.WeakKeyDictionary[Page, dict[str, tuple[tuple, list[Diagnostic]]]]" = weakref.WeakKeyDictionary()


def _kept(page: Page, rule: str, inputs: tuple, find: Callable[[], Iterator[Diagnostic]]) -> list[Diagnostic]:
    """What `find` finds about `page`, found again only when the page or `inputs` (what else
    the finding depends on, compared by identity first) differ from the last time."""
    kept = _found.setdefault(page, {})
    entry = kept.get(rule)
    if entry is None or entry[0] != inputs:
        entry = kept[rule] = (inputs, list(find()))
    return entry[1]


Rule = Callable[[CheckContext], Iterator[Diagnostic]]
RULES: list[Rule] = []


def rule(fn: Rule) -> Rule:
    RULES.append(fn)
    return fn


def _stem(path: str) -> str:
    """A file's name without folder or extension."""
    return path.rpartition("/")[2].rpartition(".")[0] or path.rpartition("/")[2]


def _a(word: str) -> str:
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


def _what(ref: Ref, image: bool) -> str:
    """How a message names a reference: by its key, or as a body link or image."""
    if ref.key != "body":
        return f"{ref.key}: '{ref.raw}'"
    return f"{'image' if image else 'link'} '{ref.raw}'"


# --- 1. every link resolves ----------------------------------------------------------------------


@rule
def links_resolve(ctx: CheckContext) -> Iterator[Diagnostic]:
    """LINK001–LINK005: files exist inside content/, anchors exist as heading ids."""
    # A page's findings depend on its own text, on which files exist, and on the headings of
    # the pages its anchors point into: while all three are the same objects, so are they.
    files = ctx.existing_token
    pages = ctx.site.graph.pages
    for page in ctx.site.pages:
        refs = ctx.references(page)
        anchored = tuple(pages.get(ref.target) for ref, _image in refs if ref.anchor and ref.target)
        yield from _kept(page, "links", (files, anchored), lambda page=page, refs=refs: (
            d for ref, image in refs if not ref.url for d in _check_path(ctx, page, ref, image)))


def _check_path(ctx: CheckContext, page: Page, ref: Ref, image: bool) -> Iterator[Diagnostic]:
    if ref.raw.startswith("/"):
        inside = ref.raw.lstrip("/").split("#")[0]
        hint = (f"write it relative to this file: '{ctx.relative(page, inside)}'" if inside in ctx.existing
                else "write the path relative to this file, e.g. ../drills/dowel-hip-hinge.md")
        yield ctx.at(page, ref, "LINK004", f"{_what(ref, image)} is an absolute path", hint)
    elif ref.target is None:
        yield ctx.at(page, ref, "LINK005", f"{_what(ref, image)} leads outside content/",
                     "link only to files inside the content folder; copy the file there")
    elif ctx.broken(ref):
        hint = ctx.suggest(page, ref) or f"fix the path; it is relative to {page.file.rpartition('/')[0]}/"
        code = "LINK003" if image else "LINK001"
        yield ctx.at(page, ref, code, f"{_what(ref, image)} does not exist", hint)
    elif ref.anchor:
        target = ctx.site.graph.pages.get(ref.target)
        anchor = unquote(ref.anchor)
        if target is not None and not ctx.has_anchor(target, anchor):
            ids = ctx.anchors(target)
            close = difflib.get_close_matches(anchor, ids, n=1, cutoff=0.6)
            shown = ", ".join("#" + i for i in ids[:6]) + (", …" if len(ids) > 6 else "")
            hint = f"did you mean '#{close[0]}'?" if close else (
                f"its anchors are: {shown}" if ids else "that page has no headings")
            where = "this page" if target is page else target.file
            yield ctx.at(page, ref, "LINK002", f"{_what(ref, image)}: there is no heading '#{anchor}' in {where}",
                         hint)


# --- 2. types fit ---------------------------------------------------------------------------------


@rule
def types_fit(ctx: CheckContext) -> Iterator[Diagnostic]:
    """TYPE001: each key points at the page types it is for; TYPE002: nothing points at a draft."""
    for page in ctx.site.pages:
        for ref, image in ctx.references(page):
            target = ctx.site.graph.pages.get(ref.target) if ref.target else None
            wanted = _TARGET_TYPES.get(ref.key)
            if target is not None and wanted and target.type not in wanted:
                yield ctx.at(page, ref, "TYPE001", f"{ref.key}: '{ref.raw}' is {_a(target.type)}, not "
                             f"{_a(' or '.join(wanted))}", f"'{ref.key}' may name only {' and '.join(wanted)} pages")
            if ref.target in ctx.drafts:
                yield ctx.at(page, ref, "TYPE002", f"{_what(ref, image)} is a draft, which is not published",
                             "publish it (remove 'draft: true'), or remove this reference")


# --- 3. no cycles, 4. both directions agree --------------------------------------------------------


@rule
def no_cycles(ctx: CheckContext) -> Iterator[Diagnostic]:
    """CYCLE001: `next` and `prerequisites` never lead back to where they started."""
    graph = ctx.site.graph
    for cycle in graph.cycles():
        page, ref = graph.written[(cycle[0], cycle[1])][0]
        path = " → ".join(cycle)
        yield ctx.at(page, ref, "CYCLE001", f"{ref.key}: '{ref.raw}' is part of a loop: {path}",
                     "a step cannot come after itself; remove one link of the loop")


@rule
def directions_agree(ctx: CheckContext) -> Iterator[Diagnostic]:
    """DIR001: a page is not both next and prerequisite; DIR002: a regression is not a next step."""
    graph = ctx.site.graph
    for page, ref in graph.contradictions:
        yield ctx.at(page, ref, "DIR001", f"prerequisites: '{ref.raw}' is also in this page's next",
                     "a page comes either before or after this one; remove it from one of the two lists")
    for page in ctx.site.pages:
        target = graph.resolve(page.regression) if isinstance(page, Movement) else None
        if target is not None and target in graph.next_of(page):
            yield ctx.at(page, page.regression, "DIR002", f"regression: '{page.regression.raw}' comes after "
                         "this page in the progression", "a regression is an easier page that comes before it")


# --- 5. mastery before moving on, 6. level order, 7. guide order ----------------------------------


@rule
def mastery_stated(ctx: CheckContext) -> Iterator[Diagnostic]:
    """MASTERY001: a drill that leads on says what to master before moving on."""
    for page in ctx.site.pages:
        if page.type != "drill" or page.mastery:
            continue
        following = ctx.site.graph.next_of(page)
        if following:
            where = page.front.keys.get(("next",)) or page.front.pos()
            names = ", ".join(f"'{ctx.relative(page, p.source)}'" for p in following)
            yield ctx.at(page, where, "MASTERY001", f"this drill leads on to {names} but states no mastery gate",
                         "add 'mastery: …' saying what the reader must do before moving on")


@rule
def level_order(ctx: CheckContext) -> Iterator[Diagnostic]:
    """LEVEL001: `level` never goes down along `next`."""
    graph = ctx.site.graph
    for (a, b), mentions in graph.written.items():
        before, after = graph.pages[a], graph.pages[b]
        low, high = getattr(after, "level", None), getattr(before, "level", None)
        if low is None or high is None or low >= high:
            continue
        page, ref = mentions[0]
        if page is before:
            message = f"next: '{ref.raw}' is level {low}, easier than this page (level {high})"
        else:
            message = f"prerequisites: '{ref.raw}' is level {high}, harder than this page (level {low})"
        yield ctx.at(page, ref, "LEVEL001", message, "levels should rise along the progression; fix a level or the order")


@rule
def guide_order(ctx: CheckContext) -> Iterator[Diagnostic]:
    """ORDER001: a guide's drills follow the next chain, drill k leading on to drill k+1."""
    graph = ctx.site.graph
    for guide in ctx.site.pages:
        if not isinstance(guide, Guide):
            continue
        steps = [(ref, graph.resolve(ref)) for ref in guide.drills]
        for (_ref, before), (ref, after) in zip(steps, steps[1:]):
            if _out_of_order(ctx, before, after):
                name = ctx.relative(guide, before.source)
                yield ctx.at(guide, ref, "ORDER001", f"drills: '{ref.raw}' follows '{name}' here, but is not in "
                             "its next", f"add it to the next of {before.file}, or reorder this list")


def _out_of_order(ctx: CheckContext, before: Page | None, after: Page | None) -> bool:
    """Whether two drills listed in a row are not linked. A missing page, a page of the wrong
    type or a mistyped `next` is reported by its own rule, not again here."""
    if not (isinstance(before, Movement) and isinstance(after, Movement)):
        return False
    if before.type != "drill" or after.type != "drill" or any(ctx.broken(r) for r in before.next):
        return False
    return after not in ctx.site.graph.next_of(before)


# --- 8. reachability ---------------------------------------------------------------------------


@rule
def reachable(ctx: CheckContext) -> Iterator[Diagnostic]:
    """ORPHAN001: every drill and exercise can be reached from a guide or a plain page."""
    roots = [p for p in ctx.site.pages if p.type in ("guide", "page")]
    # Body links count, and so does a mistyped reference: the page it meant is reported as a
    # broken link already, and would otherwise be called an orphan as well.
    links = {page.source: [ctx.closest(ref) if ctx.broken(ref) else ref.target for ref, _image in ctx.references(page)]
             for page in ctx.site.pages}
    seen = ctx.site.graph.reachable(roots, links)
    for page in ctx.site.pages:
        if page.type in MOVEMENT_TYPES and page.source not in seen:
            yield ctx.at(page, page.front.pos("type"), "ORPHAN001",
                         f"no guide or page leads to this {page.type}",
                         "list it in a guide's drills or exercises, or link to it from a page that is reached")


# --- 9. uniqueness -----------------------------------------------------------------------------


@rule
def unique_slugs(ctx: CheckContext) -> Iterator[Diagnostic]:
    """UNIQ001: one page per slug; UNIQ002: no page lands on another output file."""
    first: dict[str, Page] = {}
    for page in sorted(ctx.site.pages, key=lambda p: p.source):
        other = first.setdefault(page.slug, page)
        if other is not page:
            yield ctx.at(page, page.front.pos("slug"), "UNIQ001",
                         f"slug '{page.slug}' is already used by {other.file}",
                         "give one of the two another 'slug: …' (or rename its file)")
    taken = {path: "a file in content/" for path in ctx.site.assets}
    taken.update({path: "a page sitegen makes" for path in _SITE_FILES})
    if any(page.url_path.startswith("tags/") for page in ctx.site.pages):  # rare: spare listing the tags
        taken.update({tag.url_path + "index.html": f"the page of tag '{tag.name}'" for tag in ctx.site.tags})
    for page in ctx.site.pages:
        # Its output file, and each folder above it, which no file may already be.
        folders = [page.url_path[:i] for i, char in enumerate(page.url_path) if char == "/"]
        clash = next((p for p in (page.output_file, *folders) if p in taken), None)
        if clash or page.url_path.startswith("static/"):
            what = taken.get(clash, "the static files' folder")
            yield ctx.at(page, page.front.pos("slug"), "UNIQ002",
                         f"this page would be written to {page.output_file}, which clashes with {what}",
                         "give it another 'slug: …' or move it to another folder")


@rule
def unique_anchors(ctx: CheckContext) -> Iterator[Diagnostic]:
    """UNIQ003: two headings of one page do not want the same anchor."""
    for page in ctx.site.pages:
        first: dict[str, HeadingAt] = {}
        for heading in ctx.headings[page.source]:
            other = first.setdefault(heading.wanted, heading)
            if other is heading or not heading.wanted:  # headings of punctuation only get _1, _2…
                continue
            if heading.id == heading.wanted:
                message = f"heading id '#{heading.id}' is also the id of the heading at line {other.line}"
            else:
                message = (f"heading '{heading.name}' has the same anchor as the heading at line {other.line}, "
                           f"so links to '#{heading.wanted}' go there; this one becomes '#{heading.id}'")
            yield ctx.at(page, heading, "UNIQ003", message,
                         "rename one, or give it an id of its own: '## Title {#other-id}'")


# --- 10. media ---------------------------------------------------------------------------------

# A host name with a dot (letters of any script), localhost, or an IPv4 or IPv6 address.
_HOST = re.compile(r"localhost|(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_][\w-]*|\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f:.]*:[0-9a-f:.]*",
                   re.IGNORECASE)
_EMAIL = re.compile(r"mailto:[^@\s]+@[^@\s]+\.[^@\s]+")


def well_formed(url: str) -> bool:
    """An absolute http(s) URL with a plausible host, no spaces and a valid port."""
    if any(char.isspace() or ord(char) < 32 for char in url):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # raises ValueError for a port that is not a number from 0 to 65535
    except ValueError:
        return False
    ok_scheme = parts.scheme in ("http", "https") and url[len(parts.scheme):].startswith("://")
    return ok_scheme and bool(parts.hostname) and bool(_HOST.fullmatch(parts.hostname))


@rule
def media(ctx: CheckContext) -> Iterator[Diagnostic]:
    """MEDIA001: images have alt text; MEDIA002: external links and videos are well-formed http(s) URLs."""
    for page in ctx.site.pages:
        yield from _kept(page, "media", (), lambda page=page: _media_of(ctx, page))


def _media_of(ctx: CheckContext, page: Page) -> Iterator[Diagnostic]:
    """The media findings of one page, which depend on nothing but its own text."""
    if page.image and not page.image_alt:
        yield ctx.at(page, page.image, "MEDIA001", "image has no 'image_alt'",
                     "add 'image_alt: …' saying what the picture shows")
    for link in ctx.body_links[page.source]:
        if link.image and not link.text.strip():
            yield ctx.at(page, link.ref, "MEDIA001", f"image '{link.ref.raw}' has no alt text",
                         f"say what it shows: ![what it shows]({link.ref.raw})")
    for ref, image in ctx.references(page):
        mail = ref.key == "body" and not image and ref.raw.startswith("mailto:")
        if ref.url and not (well_formed(ref.raw) or (mail and _EMAIL.fullmatch(ref.raw))):
            yield ctx.at(page, ref, "MEDIA002", f"{_what(ref, image)} is not a well-formed http(s) URL",
                         "write the full address, e.g. https://example.org/page")


def run(site: Site, content: Content) -> list[Diagnostic]:
    ctx = CheckContext(site, content)
    found: list[Diagnostic] = []
    for check in RULES:
        found.extend(check(ctx))
    return found
