"""The front-matter schema: every key a page may carry, its type, its rule and its documentation.

This is the one place that knows the keys. `loader.py` applies it; the README's
reference table is generated from it (`python -m sitegen.schema`).
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable
from urllib.parse import unquote, urlsplit

from sitegen.config import CONTROL  # what XML 1.0 and HTML cannot carry: a feed holding one is not well-formed
from sitegen.content.model import (
    MOVEMENT_TYPES,
    PAGE_TYPES,
    Count,
    Fault,
    Question,
    Ref,
    Variation,
)

ALL = PAGE_TYPES
MOVEMENT = MOVEMENT_TYPES
GUIDE = ("guide",)


class FieldError(Exception):
    """A value breaks its key's rule. `at` is a sub-path below the key (e.g. (1, "fix"))."""

    def __init__(self, message: str, hint: str, at: tuple = ()):
        super().__init__(message)
        self.message, self.hint, self.at = message, hint, at


@dataclass(frozen=True)
class RefContext:
    """What parsing a reference needs: the page's own path and the key's position."""

    source: str  # content-relative path of the page being read
    key: str
    pos: Callable[..., tuple[int, int]]


# --- value parsers -----------------------------------------------------------------------------


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (an empty value)"
    return {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list",
            dict: "a mapping"}.get(type(value), type(value).__name__)


def text(value: Any, ctx: RefContext) -> str:
    # "- Cue 1: keep the back flat": YAML reads the colon and space in a sentence as a key and its value.
    sentence = isinstance(value, dict) and len(value) == 1 and any(" " in str(v) for v in (*value, *value.values()))
    if sentence and all(isinstance(v, (str, int, float)) for v in (*value, *value.values())):
        (key, item), = value.items()
        raise FieldError(f"'{ctx.key}' must be text, but the ': ' in it makes YAML read a key and a value",
                         f'put the text in quotes: "{key}: {item}"')
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise FieldError(f"'{ctx.key}' must be text, not {_type_name(value)}", f"write it as {ctx.key}: some text")
    result = str(value).strip()
    bad = CONTROL.search(result)
    if bad:
        raise FieldError(f"'{ctx.key}' holds the control character U+{ord(bad.group()):04X}",
                         "remove the escape (such as \\x01) from the text")
    if not result:
        raise FieldError(f"'{ctx.key}' is empty", f"write a value after '{ctx.key}:' or remove the line")
    return result


def text_list(value: Any, ctx: RefContext) -> list[str]:
    """A list of short texts; one bare text is accepted as a list of one."""
    items = value if isinstance(value, list) else [value]
    out = []
    for i, item in enumerate(items):
        try:
            out.append(text(item, ctx))
        except FieldError as exc:
            raise FieldError(f"item {i + 1} of '{ctx.key}': {exc.message}",
                             exc.hint if isinstance(item, dict) else f"write each item as '- some text' under '{ctx.key}:'",
                             (i,) if isinstance(value, list) else ()) from None
    return out


def flag(value: Any, ctx: RefContext) -> bool:
    if not isinstance(value, bool):
        raise FieldError(f"'{ctx.key}' must be true or false, not {value!r}", f"write {ctx.key}: true")
    return value


def date(value: Any, ctx: RefContext) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise FieldError(f"'{ctx.key}' must be a date like 2026-11-26, not {value!r}",
                     "write the date as year-month-day: YYYY-MM-DD")


def level(value: Any, ctx: RefContext) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise FieldError(f"'level' must be a whole number from 1 to 5, not {value!r}",
                         "use 1 for the easiest step and 5 for the hardest")
    return value


# At most 9 digits: more is no count of reps, and past 4,300 int() refuses to read them.
_RANGE = re.compile(r"^(\d{1,9})\s*(?:-|–|to)\s*(\d{1,9})$")
_DURATION = re.compile(r"^(\d{1,9})\s*(s|sec|secs|seconds|m|min|mins|minutes)$")


def _count(value: Any, ctx: RefContext, durations: bool) -> Count:
    example = "8, a range such as 6-10" + (", or a duration such as 30s" if durations else "")
    if isinstance(value, int) and not isinstance(value, bool):
        if value >= 1:
            return Count(value)
    elif isinstance(value, str):
        raw = value.strip().lower()
        if raw.isdigit() and raw.isascii() and len(raw) <= 9 and int(raw) >= 1:
            return Count(int(raw))
        m = _RANGE.match(raw)
        if m:
            low, high = int(m.group(1)), int(m.group(2))
            if 1 <= low < high:
                return Count(low, high)
            raise FieldError(f"'{ctx.key}' range {value!r} must go from low to high",
                             f"write the smaller number first, e.g. {min(low, high)}-{max(low, high)}")
        m = _DURATION.match(raw)
        if m and durations and int(m.group(1)) >= 1:
            seconds = int(m.group(1)) * (60 if m.group(2).startswith("m") else 1)
            return Count(seconds, unit="s")
    raise FieldError(f"'{ctx.key}' must be a positive number, not {value!r}", f"write {example}")


def sets(value: Any, ctx: RefContext) -> Count:
    return _count(value, ctx, durations=False)


def reps(value: Any, ctx: RefContext) -> Count:
    return _count(value, ctx, durations=True)


def _pairs(value: Any, ctx: RefContext, first: str, second: str) -> list[tuple[str, str]]:
    example = f"- {first}: ...\n    {second}: ..."
    if not isinstance(value, list):
        raise FieldError(f"'{ctx.key}' must be a list of {{{first}, {second}}} items, not {_type_name(value)}",
                         f"write each item as '{example}'")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise FieldError(f"item {i + 1} of '{ctx.key}' must have '{first}' and '{second}'",
                             f"write it as '{example}'", (i,))
        extra = sorted(set(item) - {first, second})
        if extra:
            raise FieldError(f"item {i + 1} of '{ctx.key}' has unknown key '{extra[0]}'",
                             f"use only '{first}' and '{second}'", (i, extra[0]))
        missing = [k for k in (first, second) if k not in item]
        if missing:
            raise FieldError(f"item {i + 1} of '{ctx.key}' is missing '{missing[0]}'",
                             f"add '{missing[0]}: ...' to it", (i,))
        pair = []
        for k in (first, second):
            try:
                pair.append(text(item[k], RefContext(ctx.source, k, ctx.pos)))
            except FieldError as exc:
                raise FieldError(f"item {i + 1} of '{ctx.key}': {exc.message}", exc.hint, (i, k)) from None
        out.append((pair[0], pair[1]))
    return out


def faults(value: Any, ctx: RefContext) -> list[Fault]:
    return [Fault(a, b) for a, b in _pairs(value, ctx, "fault", "fix")]


def variations(value: Any, ctx: RefContext) -> list[Variation]:
    return [Variation(a, b) for a, b in _pairs(value, ctx, "title", "how")]


def questions(value: Any, ctx: RefContext) -> list[Question]:
    return [Question(a, b) for a, b in _pairs(value, ctx, "q", "a")]


_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")


def is_url(raw: str) -> bool:
    return _SCHEME.match(raw) is not None or raw.startswith("//")


def make_ref(raw: str, source: str, key: str, line: int, column: int) -> Ref:
    """Resolve `raw`, written in page `source`, to a content-relative target path."""
    url, target, anchor = _resolve(raw, posixpath.dirname(source))
    if url:
        return Ref(raw, key, line, column, url=True)
    return Ref(raw, key, line, column, target=source if target == "" else target, anchor=anchor)


@lru_cache(maxsize=16384)  # pages of one folder link to the same few files, and renders ask again
def _resolve(raw: str, folder: str) -> tuple[bool, str | None, str]:
    """(a URL?, content-relative target, anchor) of `raw` written in a page in `folder`; the
    target is "" for "#anchor" (the page itself), None when it leads outside content/."""
    if is_url(raw):
        return True, None, ""
    path, _, anchor = raw.partition("#")
    if not path:
        return False, "", anchor
    path = unquote(path.split("?")[0])
    if path.startswith("/"):
        return False, None, anchor  # absolute paths bypass content/: refused later
    joined = posixpath.normpath(posixpath.join(folder, path))
    return False, None if joined == ".." or joined.startswith("../") else joined, anchor


def _ref(value: Any, ctx: RefContext, index: tuple, *, pages: bool, urls: bool) -> Ref:
    where = ctx.pos(ctx.key, *index)
    if not isinstance(value, str) or not value.strip():
        raise FieldError(f"'{ctx.key}' must be a path to a file, not {_type_name(value)}",
                         "write a path relative to this file, e.g. ../drills/dowel-hip-hinge.md", index)
    raw = value.strip()
    if is_url(raw):
        if urls:
            return Ref(raw, ctx.key, *where, url=True)
        raise FieldError(f"'{ctx.key}' must point to a page in content/, not to the URL {raw!r}",
                         "write a path relative to this file, e.g. ../drills/dowel-hip-hinge.md", index)
    if pages and not urlsplit(raw).path.endswith(".md"):
        raise FieldError(f"'{ctx.key}' path {raw!r} must end in '.md'",
                         f"point at the page's Markdown file, e.g. {raw.rstrip('/')}.md", index)
    return make_ref(raw, ctx.source, ctx.key, *where)


def _refs(value: Any, ctx: RefContext, *, urls: bool = False) -> list[Ref]:
    if isinstance(value, list):
        return [_ref(v, ctx, (i,), pages=not (urls and is_url(str(v))), urls=urls) for i, v in enumerate(value)]
    return [_ref(value, ctx, (), pages=True, urls=urls)]


def page_ref(value: Any, ctx: RefContext) -> Ref:
    return _ref(value, ctx, (), pages=True, urls=False)


def page_refs(value: Any, ctx: RefContext) -> list[Ref]:
    return _refs(value, ctx)


def page_or_url_refs(value: Any, ctx: RefContext) -> list[Ref]:
    return _refs(value, ctx, urls=True)


def file_ref(value: Any, ctx: RefContext) -> Ref:
    return _ref(value, ctx, (), pages=False, urls=False)


def url(value: Any, ctx: RefContext) -> Ref:
    return _ref(value, ctx, (), pages=False, urls=True)


def page_type(value: Any, ctx: RefContext) -> str:
    if value not in PAGE_TYPES:
        raise FieldError(f"'type' must be one of {', '.join(PAGE_TYPES)}, not {value!r}",
                         "write e.g. 'type: drill'")
    return value


_SLUG = re.compile(r"^[\w][\w.-]*$")


def slugify(name: str) -> str:
    return re.sub(r"[^\w]+", "-", name.lower()).strip("-_") or "page"


def tag_list(value: Any, ctx: RefContext) -> list[str]:
    """Tags: texts, each short enough that its slug names its page's folder."""
    tags = text_list(value, ctx)
    for i, tag in enumerate(tags):
        try:
            short_slug(slugify(tag), "tag")
        except FieldError as exc:
            raise FieldError(exc.message, exc.hint, (i,) if isinstance(value, list) else ()) from None
    return tags


# A slug names folders and files (with "-deck.pdf" added): file systems allow 255 bytes a name.
MAX_SLUG_BYTES = 200


def slug(value: Any, ctx: RefContext) -> str:
    raw = text(value, ctx)
    if not _SLUG.match(raw) or raw != raw.lower():
        raise FieldError(f"'slug' {raw!r} may hold only lowercase letters, digits, '-', '_' and '.'",
                         f"write e.g. 'slug: {slugify(raw)}'")
    return short_slug(raw, "slug")


def short_slug(made: str, what: str) -> str:
    """`made`, when it is short enough to name a file."""
    if len(made.encode("utf-8")) > MAX_SLUG_BYTES:
        raise FieldError(f"the {what} '{made[:30]}…' is {len(made.encode('utf-8'))} bytes long, longer than a file "
                         f"name may be", f"make it shorter than {MAX_SLUG_BYTES} bytes")
    return made


# --- the schema --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FrontKey:
    name: str
    types: tuple[str, ...]  # page types that may carry the key
    parse: Callable[[Any, RefContext], Any]
    kind: str  # the value's type, as the README states it
    example: str
    doc: str
    required: bool = False


KEYS: dict[str, FrontKey] = {k.name: k for k in [
    FrontKey("type", ALL, page_type, "text", "drill", "What the page is: guide, drill, exercise or page.", True),
    FrontKey("title", ALL, text, "text", "Dowel hip hinge", "The page's title.", True),
    FrontKey("slug", ALL, slug, "text", "dowel-hip-hinge", "The last part of the URL. Default: the file name."),
    FrontKey("date", ALL, date, "date", "2026-11-20", "When the page was first published (YYYY-MM-DD). A page dated "
             "after today is left out of the build until that day (`--future` includes it)."),
    FrontKey("updated", ALL, date, "date", "2026-11-24", "When the page last changed meaningfully."),
    FrontKey("summary", ALL, text, "text", "Learn the hinge with a broomstick.",
        "One sentence for listings, feeds and link previews."),
    FrontKey("tags", ALL, tag_list, "list of text", "[hip-hinge, beginner]", "Topics; each gets a tag page."),
    FrontKey("draft", ALL, flag, "true/false", "true",
        "A draft is left out of the build (shown by `sitegen serve --drafts`)."),
    FrontKey("image", ALL, file_ref, "path", "../images/dowel-hip-hinge.svg",
        "The page's illustration, relative to this file."),
    FrontKey("image_alt", ALL, text, "text", "A dowel touching head, upper back and tailbone",
        "What the image shows, for screen readers and when it fails to load."),
    FrontKey("faq", ALL, questions, "list of {q, a}", "[{q: Where should I feel it?, a: In the hamstrings.}]",
        "Questions readers ask, each with its answer (Markdown allowed, its links checked as the body's); "
        "shown as a section and as FAQPage data."),
    FrontKey("level", MOVEMENT, level, "number 1–5", "2", "How hard the step is: 1 easiest, 5 hardest."),
    FrontKey("equipment", MOVEMENT, tag_list, "list of text", "[dowel]", "What the reader needs."),
    FrontKey("muscles", MOVEMENT, tag_list, "list of text", "[hamstrings, glutes]", "What the movement trains."),
    FrontKey("sets", MOVEMENT, sets, "number or range", "2-3", "How many sets."),
    FrontKey("reps", MOVEMENT, reps, "number, range or duration", "6-10",
        "Repetitions per set: a number (8), a range (6-10) or a duration (30s)."),
    FrontKey("cues", MOVEMENT, text_list, "list of text", "[Push the hips back, Keep the shins still]",
        "Short coaching cues, 3–5 fit on a card."),
    FrontKey("faults", MOVEMENT, faults, "list of {fault, fix}",
        "[{fault: Knees bend first, fix: Send the hips back}]", "Common faults and how to fix each."),
    FrontKey("mastery", MOVEMENT, text, "text", "8 reps without losing a contact point",
        "The gate to pass before moving on to `next`."),
    FrontKey("next", MOVEMENT, page_refs, "path or list of paths", "bodyweight-rdl.md",
        "What comes after this step (drills or exercises)."),
    FrontKey("prerequisites", MOVEMENT, page_refs, "list of paths", "[dowel-hip-hinge.md]",
        "What must be mastered first."),
    FrontKey("regression", MOVEMENT, page_ref, "path", "dowel-hip-hinge.md",
        "An easier page to go back to when this one is too hard."),
    FrontKey("variations", MOVEMENT, variations, "list of {title, how}",
        "[{title: Hands on the lower back, how: Palms up behind you}]",
        "Ways to vary the movement, in order, easiest first."),
    FrontKey("video", MOVEMENT, url, "URL", "https://example.org/hinge.mp4", "A video of the movement."),
    FrontKey("drills", GUIDE, page_refs, "list of paths", "[../drills/dowel-hip-hinge.md]",
        "The progression: the guide's drills in the order to learn them."),
    FrontKey("exercises", GUIDE, page_refs, "list of paths", "[../exercises/kettlebell-swing.md]",
        "What the skill unlocks."),
    FrontKey("related", GUIDE, page_or_url_refs, "list of paths or URLs", "[../guides/squat.md]",
        "Further reading: other pages or web addresses."),
]}


def reference_table() -> str:
    """The README's front-matter reference, generated from KEYS so the two never drift."""
    rows = ["| key | pages | type | example | meaning |", "|---|---|---|---|---|"]
    for k in KEYS.values():
        pages = "all" if k.types == ALL else ", ".join(k.types)
        need = " **Required.**" if k.required else ""
        rows.append(f"| `{k.name}` | {pages} | {k.kind} | `{k.example}` | {k.doc}{need} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(reference_table())
