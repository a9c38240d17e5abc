"""The progression checker: every rule is a small function that yields diagnostics.

Rules run on the loaded site before a single output byte is written. Each code has one
severity and a stable meaning; docs/checks.md lists every code with a failing example and
its fix. Nothing here renders Markdown: body links and headings are read from the source.
A check in a long-running process (`sitegen serve`, `build --watch`) starts from the last one's
findings and finds again only those resting on something that changed (see `Rule`), so an edit
costs about what the edited pages do; the findings are the same as a fresh check's.
"""

from __future__ import annotations

import difflib
import operator
import posixpath
import re
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain, compress
from typing import Callable, Iterable, Iterator
from urllib.parse import unquote, urlsplit

from sitegen.check.headings import HR, HeadingAt, StockMarkdown, code_free, element_ids, find_headings
from sitegen.content import schema
from sitegen.content.body import BodyLink, answer_links, find_links
from sitegen.content.frontmatter import FrontMatter
from sitegen.content.loader import Content
from sitegen.content.model import MOVEMENT_TYPES, Guide, Movement, Page, Ref
from sitegen.content.site import Site
from sitegen.content.stored import links_from_plain, links_to_plain, ref_from_row, row, rows, typed
from sitegen.diagnostics import ERROR, WARNING, Diagnostic

SEVERITY: dict[str, str] = {
    "LINK001": ERROR,  # a referenced page or file does not exist
    "LINK002": ERROR,  # an #anchor names no heading of its page
    "LINK003": ERROR,  # an image file does not exist
    "LINK004": ERROR,  # an absolute path (/...) instead of one relative to the page
    "LINK005": ERROR,  # a path that leads out of content/
    "TYPE001": ERROR,  # a reference points at the wrong type of page
    "TYPE002": ERROR,  # a published page points at a draft
    "DATE001": ERROR,  # a published page points at a page dated after today
    "CYCLE001": ERROR,  # next/prerequisites lead back to where they started
    "DIR001": ERROR,  # a page names another in both its next and its prerequisites
    "DIR002": ERROR,  # a regression that is also a next step
    "MASTERY001": ERROR,  # a drill that leads on states no mastery gate
    "LEVEL001": WARNING,  # level goes down along next
    "ORDER001": ERROR,  # a guide's drills do not follow the next chain
    "ORPHAN001": WARNING,  # a drill or exercise nothing reaches
    "UNIQ001": ERROR,  # two pages share a slug
    "UNIQ002": ERROR,  # two outputs on one path (found by outputs.collisions)
    "UNIQ003": WARNING,  # two headings of a page want the same anchor
    "MEDIA001": WARNING,  # an image without alt text
    "MEDIA002": ERROR,  # an external link or video that is not a well-formed http(s) URL
    "LIST001": WARNING,  # a list item that Markdown reads as text of the line above
}

# Which pages each reference key may point at.
_TARGET_TYPES: dict[str, tuple[str, ...]] = {
    "drills": ("drill",),
    "exercises": MOVEMENT_TYPES,
    "next": MOVEMENT_TYPES,
    "prerequisites": MOVEMENT_TYPES,
    "regression": MOVEMENT_TYPES,
}


# What a rule's findings may rest on besides the text of the pages they are about. A check keeps
# each rule's findings; the next check in the process finds them again only where one of these
# changed, or where a page was loaded anew (see `Changes`). Any front-matter key's name is one
# too: the key's value, or the place of the key or its value, changed in some page.
PAGES = "pages"  # which pages are published: the pages of the site, and of its graph
FILES = "files"  # which files content/ holds (pages, drafts, failed pages, images)
DRAFTS = "drafts"  # which pages are drafts
TARGETS = "targets"  # which files every page's body links point at
ANCHORS = "anchors"  # the anchors of the pages a page's #anchor links point into
FRONT = ""  # where the front matter starts: the place of a key it lacks (see FrontMatter.pos)
_MARKDOWN = ("body", "faq")  # the keys of references written as Markdown links (see CheckContext.markdown_links)
# The keys that name other files: the ways from one page to another.
_REF_KEYS = tuple(k.name for k in schema.KEYS.values()
                  if k.parse in (schema.page_ref, schema.page_refs, schema.page_or_url_refs, schema.file_ref, schema.url))


@dataclass
class Changes:
    """How the site differs from the one the last check in this process saw. An edited file is a
    new Page object, whose old and new versions are compared in what other pages' findings read
    of it; a page added or removed (or made a draft, or failing to load) changes PAGES."""

    pages: list[int]  # positions of the pages loaded anew (edited or added)
    aspects: set[str]  # which of PAGES, FILES, DRAFTS, TARGETS and the front-matter keys changed
    anchors: set[str]  # pages whose anchors changed, or that came or went
    # Each page's position in the last check's pages, when pages came or went (None: the same).
    was_at: list[int | None] | None = None


@dataclass
class Seen:
    """What a check found, and on what site: the next one patches it (see `Rule.__call__`)."""

    pages: list[Page]
    existing: set[str]
    drafts: set[str]
    found: dict[str, list[list[Diagnostic]]]  # by rule: findings per page, or one list for the site
    meant: dict[str, str | None]  # see CheckContext.meant


@dataclass
class CheckContext:
    site: Site
    content: Content
    before: Seen | None = None
    stock: StockMarkdown = field(default_factory=StockMarkdown)  # made only for a Markdown the scanner does not know

    def at(self, page: Page, where: Ref | HeadingAt | tuple[int, int], code: str, message: str,
           hint: str = "") -> Diagnostic:
        line, column = where if isinstance(where, tuple) else (where.line, where.column)
        return Diagnostic(page.file, line, column, SEVERITY[code], code, message, hint)

    @cached_property
    def drafts(self) -> dict[str, Page]:
        """Pages left out of the build: drafts, and pages dated after today."""
        return {p.source: p for p in self.content.drafts + self.content.scheduled}

    @cached_property
    def existing(self) -> set[str]:
        """Every file in content/: pages (published, draft or failed to load) and other files."""
        return set(self.site.graph.pages) | self.site.assets | set(self.drafts) | set(self.content.failed)

    @cached_property
    def changes(self) -> Changes | None:
        """What changed since the last check; None when there was none, or when most pages are new
        (another site, say): comparing them would cost more than checking afresh."""
        before, pages = self.before, self.site.pages
        if before is None:
            return None
        if len(before.pages) == len(pages):  # the common case, in C: a page or two edited
            changes = Changes(list(compress(range(len(pages)), map(operator.is_not, before.pages, pages))), set(), set())
            if all(before.pages[i].source == pages[i].source for i in changes.pages):
                return self._compared(changes, [before.pages[i] for i in changes.pages])
        was = {page.source: i for i, page in enumerate(before.pages)}
        was_at = [was.get(page.source) for page in pages]
        changes = Changes([i for i, j in enumerate(was_at) if j is None or before.pages[j] is not pages[i]],
                          {PAGES}, set(), was_at)
        gone = was.keys() - {page.source for page in pages}
        changes.anchors.update(gone)
        changes.anchors.update(pages[i].source for i in changes.pages if was_at[i] is None)
        return self._compared(changes, [None if was_at[i] is None else before.pages[was_at[i]] for i in changes.pages])

    def _compared(self, changes: Changes, old_pages: list[Page | None]) -> Changes | None:
        """`changes`, with what differs between the old and new versions of its pages."""
        assert self.before is not None
        if len(changes.pages) > len(self.site.pages) // 2 + 1:
            return None
        for i, old in zip(changes.pages, old_pages):
            new = self.site.pages[i]
            if old is None:
                continue  # a page that came: PAGES and `anchors` say so already
            if old.file != new.file:
                return None
            changes.aspects.update(_front_changes(old, new))
            if _targets(self, old) != _targets(self, new):
                changes.aspects.add(TARGETS)
            if set(self.anchors(old)) != set(self.anchors(new)):
                changes.anchors.add(new.source)
        before = self.before
        if before.existing != self.existing:
            changes.aspects.add(FILES)
        if before.drafts != set(self.drafts):
            changes.aspects.add(DRAFTS)
        return changes

    def stale(self, depends: tuple[str, ...]) -> set[int]:
        """Positions of the pages whose findings by a rule that `depends` on these are out of date,
        when none of the site-wide aspects it depends on changed."""
        assert self.changes is not None
        stale = set(self.changes.pages)
        if ANCHORS in depends and self.changes.anchors:
            into = self.changes.anchors
            stale.update(i for i, page in enumerate(self.site.pages) if not into.isdisjoint(self.anchored(page)))
        return stale

    # What scanning a page's text finds is kept with the page (see model.Derived), in plain form
    # for the cache: the next check, in this process or the next, does not scan it again.
    def markdown_links(self, page: Page) -> list[BodyLink]:
        """The links and images of the page's Markdown: its FAQ answers' (in the front matter), then its body's."""
        return page.derived.get("links", lambda: answer_links(page) + find_links(page.body, page.source, page.body_line),
                                links_to_plain, links_from_plain)

    def headings(self, page: Page) -> list[HeadingAt]:
        return page.derived.get("headings", lambda: find_headings(page.body, page.body_line, self.stock), *_HEADINGS)

    def has_anchor(self, page: Page, anchor: str) -> bool:
        return any(h.id == anchor for h in self.headings(page)) or anchor in self.other_ids(page)

    def anchors(self, page: Page) -> list[str]:
        return sorted({h.id for h in self.headings(page)} | self.other_ids(page))

    def other_ids(self, page: Page) -> set[str]:
        """Anchors besides headings (attr_list and raw HTML ids); rarely needed, so read on demand."""
        return page.derived.get("ids", lambda: element_ids(page.body, self.stock), *typed(set))

    def references(self, page: Page) -> list[tuple[Ref, bool]]:
        """(reference, is it an image) for the front matter, its FAQ answers and the body, in file order."""
        return page.derived.get("references", lambda: [(ref, ref.key == "image") for ref in page.refs()] + [
            (link.ref, link.image) for link in self.markdown_links(page)], _references_to_plain, _references_from_plain)

    def anchored(self, page: Page) -> frozenset[str]:
        """The pages `page` links into with an #anchor."""
        return page.derived.get("anchored", lambda: frozenset(
            ref.target for ref, _image in self.references(page) if ref.anchor and ref.target), *typed(frozenset))

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

    @cached_property
    def meant(self) -> dict[str, str | None]:
        """`closest` by broken target. Comparing every file name with a broken one's is slow: the
        answers of the last check are kept while content/ holds the same files."""
        same = self.before is not None and self.before.existing == self.existing
        return self.before.meant if same else {}

    def closest(self, ref: Ref) -> str | None:
        """The existing file a broken reference most likely meant: the closest file name (without
        its extension, so 'a.md' is not close to 'b.md'), then the closest folder."""
        if ref.target not in self.meant:
            names = self._names[ref.target.endswith(".md")]
            close = difflib.get_close_matches(_stem(ref.target), list(names), n=1)
            self.meant[ref.target] = max(
                names[close[0]], key=lambda c: difflib.SequenceMatcher(None, c, ref.target).ratio()) if close else None
        return self.meant[ref.target]

    def suggest(self, page: Page, ref: Ref) -> str:
        """'did you mean …?', as a path written in `page`; empty when nothing is close."""
        close = self.closest(ref)
        if close is None:
            return ""
        anchor = f"#{ref.anchor}" if ref.anchor else ""
        return f"did you mean '{self.relative(page, close)}{anchor}'?"

    def broken(self, ref: Ref) -> bool:
        return not ref.url and ref.target is not None and ref.target not in self.existing


_HEADINGS = rows(HeadingAt)


def _references_to_plain(references: list[tuple[Ref, bool]]) -> list[tuple]:
    return [(row(ref), image) for ref, image in references]


def _references_from_plain(value: list) -> list[tuple[Ref, bool]]:
    return [(ref_from_row(ref), image) for ref, image in value]


def _front_changes(old: Page, new: Page) -> set[str]:
    """The keys whose value or place differ between two versions of a page's front matter (FRONT
    for the front matter's own start): every field of a Page but its body comes from these."""
    was, now = old.front, new.front
    # The repr tells 1 from true and from 1.0, which compare equal.
    changed = {key for key in was.data.keys() | now.data.keys()
               if (key in was.data, repr(was.data.get(key))) != (key in now.data, repr(now.data.get(key)))}
    before, after = _places(was), _places(now)
    return changed | {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


def _places(front: FrontMatter) -> dict[str, list]:
    """The places in the file of each top-level key, its value and everything in it."""
    places: dict[str, list] = {}
    for table in (front.keys, front.values):
        for path, place in table.items():
            places.setdefault(path[0] if path else FRONT, []).append((path, place))
    return places


def _targets(ctx: CheckContext, page: Page) -> list[str | None]:
    return [link.ref.target for link in ctx.markdown_links(page)]


Find = Callable[..., Iterable[Diagnostic]]  # (ctx) for a site-wide rule, (ctx, page) for a rule per page


@dataclass(frozen=True)
class Rule:
    name: str
    find: Find
    depends: tuple[str, ...]
    per_page: bool

    def __call__(self, ctx: CheckContext) -> list[list[Diagnostic]]:
        """The findings, one list per page (or one for the whole site): the last check's, found
        again only for the pages that changed, or wholly when what the rule depends on changed."""
        pages = ctx.site.pages
        changes = ctx.changes
        before = ctx.before.found.get(self.name) if changes is not None and ctx.before is not None else None
        if before is None or changes is None or not changes.aspects.isdisjoint(self.depends):
            return [list(self.find(ctx, page)) for page in pages] if self.per_page else [list(self.find(ctx))]
        if not self.per_page:
            return before
        was_at = changes.was_at
        found = before.copy() if was_at is None else [[] if j is None else before[j] for j in was_at]
        for i in ctx.stale(self.depends):
            found[i] = list(self.find(ctx, pages[i]))
        return found


RULES: list[Rule] = []


def rule(*depends: str, per_page: bool = False) -> Callable[[Find], Find]:
    """Register a rule, and what its findings rest on besides the text of the pages they are
    about (FILES, a front-matter key…): a rule `per_page` takes one page and is found again for the changed
    pages only; one for the whole site is found again only when what it `depends` on changed."""
    def register(find: Find) -> Find:
        RULES.append(Rule(find.__name__, find, depends, per_page))
        return find
    return register


def _stem(path: str) -> str:
    """A file's name without folder or extension."""
    return path.rpartition("/")[2].rpartition(".")[0] or path.rpartition("/")[2]


def _a(word: str) -> str:
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


def _what(ref: Ref, image: bool) -> str:
    """How a message names a reference: by its key, or as a link or image of the body or an FAQ answer."""
    if ref.key not in _MARKDOWN:
        return f"{ref.key}: '{ref.raw}'"
    return f"{'image' if image else 'link'} '{ref.raw}'" + (" in an FAQ answer" if ref.key == "faq" else "")


# --- 1. every link resolves ----------------------------------------------------------------------


@rule(FILES, ANCHORS, per_page=True)
def links_resolve(ctx: CheckContext, page: Page) -> Iterator[Diagnostic]:
    """LINK001–LINK005: files exist inside content/, anchors exist as heading ids."""
    for ref, image in ctx.references(page):
        if not ref.url:
            yield from _check_path(ctx, page, ref, image)


def _check_path(ctx: CheckContext, page: Page, ref: Ref, image: bool) -> Iterator[Diagnostic]:
    if ref.raw.startswith("/"):
        inside = ref.raw.lstrip("/").split("#")[0]
        hint = (f"write it relative to this file: '{ctx.relative(page, inside)}'" if inside in ctx.existing
                else "write the path relative to this file, e.g. ../drills/dowel-hip-hinge.md")
        yield ctx.at(page, ref, "LINK004", f"{_what(ref, image)} is an absolute path", hint)
    elif ref.target is None:
        yield ctx.at(page, ref, "LINK005", f"{_what(ref, image)} leads outside content/",
                     "link only to files inside the content folder; copy the file there")
    elif image and ref.target.endswith(".md"):
        yield ctx.at(page, ref, "LINK003", f"{_what(ref, image)} is a page, not a picture",
                     "point it at an image file in content/, e.g. ../images/dowel-hip-hinge.svg")
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


@rule(PAGES, "type", DRAFTS, "date", per_page=True)
def types_fit(ctx: CheckContext, page: Page) -> Iterator[Diagnostic]:
    """TYPE001: each key points at the page types it is for; TYPE002: nothing points at a draft."""
    for ref, image in ctx.references(page):
        target = ctx.site.graph.pages.get(ref.target) if ref.target else None
        wanted = _TARGET_TYPES.get(ref.key)
        if target is not None and wanted and target.type not in wanted:
            yield ctx.at(page, ref, "TYPE001", f"{ref.key}: '{ref.raw}' is {_a(target.type)}, not "
                         f"{_a(' or '.join(wanted))}", f"'{ref.key}' may name only {' and '.join(wanted)} pages")
        left_out = ctx.drafts.get(ref.target) if ref.target else None
        if left_out is not None and left_out.draft:
            yield ctx.at(page, ref, "TYPE002", f"{_what(ref, image)} is a draft, which is not published",
                         "publish it (remove 'draft: true'), or remove this reference")
        elif left_out is not None:
            yield ctx.at(page, ref, "DATE001", f"{_what(ref, image)} is dated {left_out.date}, after today, "
                         "so it is not published yet", "remove this reference until that day, or build with --future")


# --- 3. no cycles, 4. both directions agree --------------------------------------------------------


@rule(PAGES, "type", "next", "prerequisites")
def no_cycles(ctx: CheckContext) -> Iterator[Diagnostic]:
    """CYCLE001: `next` and `prerequisites` never lead back to where they started."""
    graph = ctx.site.graph
    for cycle in graph.cycles():
        page, ref = graph.written[(cycle[0], cycle[1])][0]
        path = " → ".join(cycle)
        yield ctx.at(page, ref, "CYCLE001", f"{ref.key}: '{ref.raw}' is part of a loop: {path}",
                     "a step cannot come after itself; remove one link of the loop")


@rule(PAGES, "type", "next", "prerequisites", "regression")
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


@rule(PAGES, "type", "mastery", "next", "prerequisites", FRONT)
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


@rule(PAGES, "type", "next", "prerequisites", "level")
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


@rule(PAGES, "type", "drills", "next", "prerequisites", FILES)
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


@rule(PAGES, "type", *_REF_KEYS, TARGETS, FILES)
def reachable(ctx: CheckContext) -> Iterator[Diagnostic]:
    """ORPHAN001: every drill and exercise can be reached from a guide or a plain page."""
    roots = [p for p in ctx.site.pages if p.type in ("guide", "page")]
    # Body links count, and so does a mistyped reference: the page it meant is reported as a
    # broken link already, and would otherwise be called an orphan as well.
    # (`broken`, inlined: this runs for every reference of the site whenever one link changes.)
    existing = ctx.existing
    links = {page.source: [ref.target if ref.target in existing or ref.url or ref.target is None else ctx.closest(ref)
                           for ref, _image in ctx.references(page)] for page in ctx.site.pages}
    seen = ctx.site.graph.reachable(roots, links)
    for page in ctx.site.pages:
        if page.type in MOVEMENT_TYPES and page.source not in seen:
            yield ctx.at(page, page.front.pos("type"), "ORPHAN001",
                         f"no guide or page leads to this {page.type}",
                         "list it in a guide's drills or exercises, or link to it from a page that is reached")


# --- 9. uniqueness -----------------------------------------------------------------------------


@rule(PAGES, "slug", FRONT)
def unique_slugs(ctx: CheckContext) -> Iterator[Diagnostic]:
    """UNIQ001: one page per slug. (UNIQ002, no two outputs on one path, is outputs.collisions.)"""
    first: dict[str, Page] = {}
    for page in sorted(ctx.site.pages, key=lambda p: p.source):
        other = first.setdefault(page.slug, page)
        if other is not page:
            yield ctx.at(page, page.front.pos("slug"), "UNIQ001",
                         f"slug '{page.slug}' is already used by {other.file}",
                         "give one of the two another 'slug: …' (or rename its file)")


@rule(per_page=True)
def unique_anchors(ctx: CheckContext, page: Page) -> Iterator[Diagnostic]:
    """UNIQ003: two headings of one page do not want the same anchor."""
    first: dict[str, HeadingAt] = {}
    for heading in ctx.headings(page):
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


@rule(per_page=True)
def media(ctx: CheckContext, page: Page) -> Iterator[Diagnostic]:
    """MEDIA001: images have alt text; MEDIA002: external links and videos are well-formed http(s) URLs."""
    if page.image and not page.image_alt:
        yield ctx.at(page, page.image, "MEDIA001", "image has no 'image_alt'",
                     "add 'image_alt: …' saying what the picture shows")
    for link in ctx.markdown_links(page):
        if link.image and not link.text.strip():
            yield ctx.at(page, link.ref, "MEDIA001", f"image '{link.ref.raw}' has no alt text",
                         f"say what it shows: ![what it shows]({link.ref.raw})")
    for ref, image in ctx.references(page):
        mail = ref.key in _MARKDOWN and not image and ref.raw.startswith("mailto:")
        if ref.url and not (well_formed(ref.raw) or (mail and _EMAIL.fullmatch(ref.raw))):
            yield ctx.at(page, ref, "MEDIA002", f"{_what(ref, image)} is not a well-formed http(s) URL",
                         "write the full address, e.g. https://example.org/page")


# --- 11. list items ------------------------------------------------------------------------------

_ITEM = re.compile(r"( *)(?:[*+-]|\d{1,9}\.) ")  # Python-Markdown's list markers (no "1)")
_NOT_PARAGRAPH = frozenset("#|<!")  # heading, table, HTML, admonition


def _kind(line: str, indent: int) -> str:
    return "numbered" if line[indent].isdigit() else "bulleted"


def _joins(kinds: list[str], at: int, level: int, kind: str) -> int | None:
    """The level of the list that an item of `kind`, indented to level `at`, joins while lists
    are open down to `level`: its own level's when the kinds match, else (as text of the item
    above) the first inner one that matches; None when none does, and it stays text."""
    return next((j for j in range(at, level + 1) if kinds[j] == kind), None)


@rule(per_page=True)
def list_items(ctx: CheckContext, page: Page) -> Iterator[Diagnostic]:
    """LIST001: a line that looks like a list item but is read as text of the line above it: in
    a list, one indented two or more levels (of 4 spaces) deeper than the item above, or one of
    the other kind (numbered, bulleted) at a level open above it (sane_lists keeps kinds apart);
    under a paragraph, one indented further than the paragraph with no blank line before it. The lines
    are read as Python-Markdown reads blocks (tests/test_checks.py holds the two to agree)."""
    raw = page.body.split("\n")
    level: int | None = None  # the nesting level of the list item above, while in a list
    kinds: list[str] = []  # the kind of list open at each level, to that of the item above
    paragraph: int | None = None  # the indentation of the paragraph the line above is text of
    code: int | None = None  # the indentation that keeps a code block going
    blank = True  # the line above is blank (or there is none)
    for offset, line in enumerate(code_free(page.body).split("\n")):
        if not line.strip():
            paragraph, blank = None, True
            continue
        indent = len(line) - len(line.lstrip(" "))
        if code is not None and indent >= code:
            blank = False
            continue
        code = None
        item = _ITEM.match(line) is not None and not HR.match(line)
        where = (page.body_line + offset, len(raw[offset]) - len(raw[offset].lstrip()) + 1)
        if item and not blank and paragraph is not None and indent >= paragraph:
            if indent > paragraph:  # one at the paragraph's margin may be prose ("2024. The year...")
                yield ctx.at(page, where, "LIST001",
                             "this list item follows a paragraph without a blank line, so Markdown reads it as "
                             "text of the paragraph",
                             "leave a blank line above it" + (" and start it at the margin" if not paragraph else ""))
        elif item and not blank and level is not None and indent // 4 <= level < len(kinds) \
                and (joined := _joins(kinds, indent // 4, level, kind := _kind(line, indent))) != indent // 4:
            if joined is None:
                yield ctx.at(page, where, "LIST001",
                             f"this {kind} list item follows a {kinds[level]} one without a blank line, so Markdown "
                             "reads it as text of the item above",
                             f"indent it by {4 * (level + 1)} spaces to nest it under that item, or leave a blank "
                             "line above it to start a new list")
            else:  # an item of the inner list it joins
                level, paragraph = joined, None
                del kinds[level + 1:]
        elif item and not blank and level is not None and indent // 4 > level + 1:
            yield ctx.at(page, where, "LIST001",
                         f"this list item is indented {indent} spaces, more than one level (4 spaces) deeper than the "
                         "item above, so Markdown reads it as text of that item",
                         f"indent it by {4 * (level + 1)} spaces to nest it under that item, or "
                         + (f"by {4 * level} spaces" if level else "start it at the margin"))
        elif item:
            if level is None and indent >= 4 or level is not None and blank and indent // 4 > level + 1:
                code = 4 * (level + 2) if level is not None else 4
            else:
                level, paragraph = indent // 4, None
                kinds[level:] = [_kind(line, indent)]
        elif indent < 4 and line[indent] == "#":  # a heading ends a list
            level = paragraph = None
        elif not blank and (paragraph is not None or level is not None):
            pass  # more text of the paragraph or item above
        elif level is not None and indent // 4 > level + 1 or level is None and indent >= 4:
            code = 4 * (level + 2) if level is not None else 4
        elif indent >= 4:  # a paragraph of the item it is indented under
            level, paragraph = indent // 4 - 1, 4 * (indent // 4)
        else:  # a new paragraph, or another block, outside any list
            level, paragraph = None, None if line[indent] in _NOT_PARAGRAPH else 0
        blank = False


def run(site: Site, content: Content, before: Seen | None = None) -> tuple[list[Diagnostic], Seen]:
    """Every rule's findings, patched from those of the check `before` (see Rule); and what this
    check saw, for the next one."""
    ctx = CheckContext(site, content, before)
    found = {check.name: check(ctx) for check in RULES}
    seen = Seen(list(site.pages), ctx.existing, set(ctx.drafts), found, ctx.meant)
    return list(chain.from_iterable(chain.from_iterable(found.values()))), seen
