"""The content model: typed pages as the rest of sitegen sees them.

The front-matter keys that fill these classes, and their rules, live in `schema.py`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from sitegen.content.frontmatter import FrontMatter

PAGE_TYPES = ("guide", "drill", "exercise", "page")
MOVEMENT_TYPES = ("drill", "exercise")


@dataclass(frozen=True)
class Ref:
    """A reference to another file, as written, and where it was written."""

    raw: str
    key: str  # the front-matter key, or "body" for a Markdown link
    line: int
    column: int
    # Content-relative posix path of the target file; None for URLs and paths that leave content/.
    target: Optional[str] = None
    anchor: str = ""
    url: bool = False

    @property
    def outside(self) -> bool:
        return not self.url and self.target is None


@dataclass(frozen=True)
class Count:
    """Sets or reps: a number, a range ('6-10') or a duration ('30s')."""

    low: int
    high: Optional[int] = None
    unit: str = ""  # "" for a count, "s" for seconds

    def __str__(self) -> str:
        text = str(self.low) if self.high is None else f"{self.low}–{self.high}"
        return text + self.unit


@dataclass(frozen=True)
class Fault:
    fault: str
    fix: str


@dataclass(frozen=True)
class Variation:
    title: str
    how: str


class Derived:
    """What later steps compute from a page's text alone (its links, headings, digests), by name.

    It lives with the page, so an unchanged page is not scanned again; a PageMemo stores the
    plain form of each value (see `get`) with the page, for the next process. Each name must be
    computed from the page (and sitegen's code) only, and the page must not change after loading."""

    __slots__ = ("values", "plain")

    def __init__(self, plain: dict[str, Any] | None = None) -> None:
        self.values: dict[str, Any] = {}
        self.plain: dict[str, Any] = plain if plain is not None else {}  # name -> plain form, kept across processes

    def get(self, name: str, compute: Callable[[], Any],
            dump: Callable[[Any], Any] | None = None, load: Callable[[Any], Any] | None = None) -> Any:
        """The value `name`, computed once. `dump` turns it into plain data (str, numbers,
        tuples, lists, dicts, sets) and `load` back; without them the value is plain data itself.
        A stored form that `load` cannot read (TypeError, ValueError) is computed again."""
        found = self.values.get(name, _MISSING)
        if found is _MISSING:
            raw = self.plain.get(name, _MISSING)
            if raw is not _MISSING:
                try:
                    found = load(raw) if load is not None else raw
                except (TypeError, ValueError):
                    found = _MISSING
            if found is _MISSING:
                found = compute()
                self.plain[name] = dump(found) if dump is not None else found
            self.values[name] = found
        return found


_MISSING = object()


@dataclass(frozen=True)
class Question:
    """One entry of a page's `faq`: a question and its answer (Markdown)."""

    q: str
    a: str


@dataclass(eq=False)
class Page:
    """Every page: guides, drills, exercises and plain pages."""

    source: str  # content-relative posix path, e.g. "drills/dowel-hip-hinge.md"
    file: str  # site-relative path for messages, e.g. "content/drills/dowel-hip-hinge.md"
    front: FrontMatter
    body: str
    body_line: int
    type: str
    title: str
    slug: str
    date: Optional[dt.date] = None
    updated: Optional[dt.date] = None
    summary: str = ""
    tags: list[str] = field(default_factory=list)
    draft: bool = False
    image: Optional[Ref] = None
    image_alt: str = ""
    faq: list[Question] = field(default_factory=list)
    derived: Derived = field(default_factory=Derived, repr=False, compare=False)

    @property
    def url_path(self) -> str:
        """Site-relative URL path with a trailing slash, e.g. "drills/dowel-hip-hinge/"."""
        folder = self.source.rpartition("/")[0]
        return f"{folder}/{self.slug}/" if folder else f"{self.slug}/"

    @property
    def output_file(self) -> str:
        return self.url_path + "index.html"

    def refs(self) -> list[Ref]:
        """Every front-matter reference this page makes."""
        return [self.image] if self.image else []


@dataclass(eq=False)
class Movement(Page):
    """A drill or an exercise: something a reader performs."""

    level: Optional[int] = None
    equipment: list[str] = field(default_factory=list)
    muscles: list[str] = field(default_factory=list)
    sets: Optional[Count] = None
    reps: Optional[Count] = None
    cues: list[str] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    mastery: str = ""
    next: list[Ref] = field(default_factory=list)
    prerequisites: list[Ref] = field(default_factory=list)
    regression: Optional[Ref] = None
    variations: list[Variation] = field(default_factory=list)
    video: Optional[Ref] = None

    def refs(self) -> list[Ref]:
        extra = [r for r in (self.regression, self.video) if r]
        return super().refs() + self.next + self.prerequisites + extra


@dataclass(eq=False)
class Guide(Page):
    """A blog-style article that teaches a skill through an ordered list of drills."""

    drills: list[Ref] = field(default_factory=list)
    exercises: list[Ref] = field(default_factory=list)
    related: list[Ref] = field(default_factory=list)

    def refs(self) -> list[Ref]:
        return super().refs() + self.drills + self.exercises + self.related
