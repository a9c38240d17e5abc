"""Incremental builds: what each output file was made from, and whether any of it changed.

While a template renders, the `site`, its `graph` and its tags are *views* that note every
question asked of them (`site.of_type('page')`, `graph.next_of(page)`, `tag.pages`, …). An
output's dependencies are those questions (keys), its own page and its template; the
manifest keeps each key's answer. The next build asks the questions again of the new model:
when every answer of an output is the same, and nothing global changed (settings, sitegen and
library code, the build's options), the output is the same, and it is kept instead of
rendered. Answers are about front matter only (titles, order, links, tags), so a body edit
changes no answer but its own page's, unless a template reads another page's raw `body` or
`front`: then bodies count too. The size of an image a page shows (its `width` and `height`) is
a question too, about the image file. And when no page's front matter and no file changed at
all, no question can have a new answer, so none is asked again.

An answer that cannot be compared across builds (an object with no value, a template that
reads `now`) makes its outputs volatile: they are rendered on every build.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from functools import cached_property
from pathlib import Path
from typing import Any

from sitegen.cache import Cache, code_digest, digest
from sitegen.content.model import Page, Ref
from sitegen.content.stored import typed
from sitegen.content.site import Site, Tag
from sitegen.render.sharing import image_size

# Page attributes holding raw source: a template reading them from another page sees its body.
_RAW = {"body", "front"}


Question = tuple  # (object, attribute, encoded arguments or None); stored as its JSON text


class QuestionTexts:
    """The JSON text of each question, and the question of each text: a long-running Builder meets
    the same questions in every build, and answers a render's questions without parsing them."""

    def __init__(self) -> None:
        self._texts: dict[Question, str] = {}
        self._questions: dict[str, Question] = {}

    def text(self, question: Question) -> str:
        found = self._texts.get(question)
        if found is None:
            if len(self._texts) > 200_000:
                self._texts.clear()
                self._questions.clear()
            found = self._texts[question] = json.dumps(question)
            self._questions[found] = question
        return found

    def question(self, text: str) -> Question:
        found = self._questions.get(text)
        return found if found is not None else json.loads(text)


class Recorder:
    """The questions one render asked; `volatile` when one of them cannot be asked again."""

    def __init__(self, texts: QuestionTexts) -> None:
        self.keys: set[Question] = set()
        self.volatile = False
        self._texts = texts

    def ask(self, obj: str, attr: str, args: tuple | None = None) -> None:
        encoded = None if args is None else tuple(_encode(a) for a in args)
        if encoded is not None and None in encoded:
            self.volatile = True
            return
        self.keys.add((obj, attr, encoded))

    def texts(self) -> list[str]:
        return sorted(map(self._texts.text, self.keys))


def page_key(source: str) -> Question:
    return ("page", source, None)


def template_key(name: str) -> Question:
    return ("tpl", name, None)


def size_key(rel: str) -> Question:
    """The size of an image, by its path in the site folder."""
    return ("size", rel, None)


def _encode(value: Any) -> Any:
    """Arguments as JSON-able tuples that turn back into equal arguments; None when impossible."""
    if isinstance(value, Page):
        return ("P", value.source)
    if isinstance(value, Ref):
        return ("R", value.raw, value.target, value.anchor, value.url)
    if isinstance(value, TagView):
        return ("T", value.slug)
    if value is None or isinstance(value, (str, int, float)):
        return ("V", value)
    if isinstance(value, (list, tuple)):
        items = tuple(_encode(v) for v in value)
        return None if None in items else ("L", items)
    return None


class _Missing(Exception):
    """An argument names a page or tag that is gone: the answer changed."""


class _Volatile(Exception):
    """An answer with no value to compare with the next build's."""


class View:
    """A read-only stand-in for a model object that notes the questions asked of it."""

    __slots__ = ("_obj", "_name", "_log", "_pure")

    def __init__(self, obj: Any, name: str, log: Recorder | None, pure: frozenset[str] = frozenset()):
        object.__setattr__(self, "_obj", obj)
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_log", log)
        object.__setattr__(self, "_pure", pure)

    def __getattr__(self, attr: str) -> Any:
        value = getattr(self._obj, attr)
        if attr in self._pure or attr.startswith("__"):
            return value
        log = self._log
        if callable(value):
            def ask(*args: Any) -> Any:
                if log is not None:
                    log.ask(self._name, attr, args)
                return wrap(value(*args), log)
            return ask
        if log is not None:
            log.ask(self._name, attr)
        return wrap(value, log)

    def __setattr__(self, attr: str, value: Any) -> None:
        raise AttributeError(f"{self._name} is read-only in templates")


class TagView(View):
    __slots__ = ()

    def __init__(self, tag: Tag, log: Recorder | None):
        super().__init__(tag, f"tag/{tag.slug}", log, frozenset({"name", "slug", "url_path"}))


class SiteView(View):
    """`site` as templates and page contexts see it. A URL is a pure function of what it is given
    (noted where that came from), so asking for one is not a question; `graph` is a view too."""

    __slots__ = ("graph",)

    def __init__(self, site: Site, log: Recorder | None = None):
        super().__init__(site, "site", log, frozenset({"url", "absolute_url", "settings"}))
        object.__setattr__(self, "graph", View(site.graph, "graph", log))

    # Asked for dozens of times a page: found here, without going through __getattr__.
    def url(self, target: Any) -> str:
        return self._obj.url(target)

    def absolute_url(self, target: Any) -> str:
        return self._obj.absolute_url(target)

    def record(self, log: Recorder | None) -> None:
        """Send the questions of the next render to `log`."""
        object.__setattr__(self, "_log", log)
        object.__setattr__(self.graph, "_log", log)


def wrap(value: Any, log: Recorder | None) -> Any:
    if isinstance(value, Tag):
        return TagView(value, log)
    if isinstance(value, list) and value and isinstance(value[0], Tag):
        return [TagView(t, log) for t in value]
    return value


# --- the answers --------------------------------------------------------------------------------


def _digests_of(page: Page) -> tuple[str, str]:
    def compute() -> tuple[str, str]:
        data = digest(page.source, repr(page.front.data))
        return data, digest(data, page.body)

    return page.derived.get("digests", compute, *typed(tuple))  # kept with the page, across builds and processes


def data_digest(page: Page, raw: bool) -> str:
    """What other pages can show of `page`: its front matter (and its body when templates read it)."""
    return _digests_of(page)[1 if raw else 0]


def full_digest(page: Page) -> str:
    return _digests_of(page)[1]


class Answers:
    """The current value of every dependency key, for one build's model; memoized."""

    def __init__(self, site: Site, templates: "TemplateInfo", texts: QuestionTexts,
                 files: dict[str, list[int]] | None = None):
        """`files`: the size and times of each file besides pages and templates that a render may
        read (images), by its path in the site folder."""
        self.site = site
        self.files = files or {}
        self.templates = templates
        self.texts = texts
        self._memo: dict[str, str | None] = {}
        self._tags: dict[str, Tag] | None = None

    def data(self, page: Page) -> str:
        return data_digest(page, self.templates.raw)

    @cached_property
    def state(self) -> str:
        """A digest of everything a question can be about: every page's data, and the other files."""
        pages = sorted((p.source, self.data(p)) for p in self.site.pages)
        return digest(repr(pages), repr(sorted(self.site.assets)), repr(sorted(self.files.items())))

    def value(self, key: str) -> str | None:
        if key not in self._memo:
            self._memo[key] = self._answer(key)
        return self._memo[key]

    def _answer(self, key: str) -> str | None:
        obj, attr, args = self.texts.question(key)
        if obj == "page":
            page = self.site.graph.pages.get(attr)
            return full_digest(page) if page is not None else "-"
        if obj == "tpl":
            return self.templates.closure(attr)
        if obj == "size":
            return repr(image_size(self.site.settings.root / attr))
        try:
            target = self._target(obj)
            value = getattr(target, attr)
            if args is not None:
                value = value(*[self._decode(a) for a in args])
            return digest(self.canon(value))
        except _Missing:
            return "-"
        except _Volatile:
            return None

    def _target(self, obj: str) -> Any:
        if obj == "site":
            return self.site
        if obj == "graph":
            return self.site.graph
        if self._tags is None:
            self._tags = {t.slug: t for t in self.site.tags}
        tag = self._tags.get(obj.partition("/")[2])
        if tag is None:
            raise _Missing
        return tag

    def _decode(self, arg: list) -> Any:
        kind = arg[0]
        if kind == "P":
            page = self.site.graph.pages.get(arg[1])
            if page is None:
                raise _Missing
            return page
        if kind == "R":
            return Ref(arg[1], "", 0, 0, target=arg[2], anchor=arg[3], url=arg[4])
        if kind == "T":
            return TagView(self._target(f"tag/{arg[1]}"), None)
        if kind == "L":
            return [self._decode(a) for a in arg[1]]
        return arg[1]

    def canon(self, value: Any) -> str:
        """A stable text for an answer: pages by their data digest, tags by name, the rest by value."""
        if isinstance(value, Page):
            return f"P{self.data(value)}"
        if isinstance(value, (Tag, TagView)):
            return f"T{value.slug}/{value.name}"
        if isinstance(value, (list, tuple)):
            return "[" + ",".join(self.canon(v) for v in value) + "]"
        if isinstance(value, (set, frozenset)):
            return "{" + ",".join(sorted(self.canon(v) for v in value)) + "}"
        if isinstance(value, dict):
            return "{" + ",".join(f"{self.canon(k)}:{self.canon(v)}" for k, v in sorted(value.items())) + "}"
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return type(value).__name__ + self.canon([getattr(value, f.name) for f in dataclasses.fields(value)])
        if value is None or isinstance(value, (str, int, float, dt.date, Path)):
            return repr(value)
        if type(value).__repr__ is object.__repr__:
            raise _Volatile
        return repr(value)


# --- templates ----------------------------------------------------------------------------------


Analysis = tuple[tuple[str, list[str] | None, bool], bool]
Analyses = dict[tuple[str, str], Analysis]


class TemplateInfo:
    """What each template includes (transitively), whether it reads `now`, and whether any reads raw pages."""

    def __init__(self, env: Any, store: Cache | None = None, known: Analyses | None = None):
        """`store`: a cache that keeps each template's analysis, for the next process; `known`: the
        analyses a long-running caller keeps, by template name and source."""
        known = known if known is not None else {}
        self._own: dict[str, tuple[str, list[str] | None, bool]] = {}
        self._closure: dict[str, str | None] = {}
        self.raw = False
        for name in env.list_templates():
            try:
                source = env.loader.get_source(env, name)[0]
            except Exception:  # an unreadable template: rendering it reports the error
                self._own[name] = (digest(name, "unreadable"), None, False)
                continue
            own, raw = _analyse(env, name, source, store, known)
            self._own[name] = own
            self.raw = self.raw or raw

    @property
    def signature(self) -> str:
        """A digest of every template's source."""
        return digest(*sorted(own[0] for own in self._own.values()))

    def closure(self, name: str) -> str | None:
        """A digest of the template and all it extends, imports or includes; None when volatile."""
        if name not in self._closure:
            self._closure[name] = self._walk(name)
        return self._closure[name]

    def _walk(self, name: str) -> str | None:
        seen: list[str] = []
        todo = [name]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.append(current)
            own = self._own.get(current)
            if own is None:
                continue  # a missing template fails the render itself
            _digest, refs, volatile = own
            if volatile:
                return None
            if refs is None:  # a computed template name: it may be any of them
                todo.extend(self._own)
            else:
                todo.extend(refs)
        return digest(*sorted(self._own[n][0] if n in self._own else n for n in seen))


def _analyse(env: Any, name: str, source: str, store: Cache | None, known: Analyses) -> Analysis:
    """((digest, templates it references or None when computed, reads `now`), reads raw pages)."""
    key = (name, source)
    if key not in known:
        if len(known) > 512:  # the preview server sees every version of an edited template
            known.clear()
        stored_key = digest("template", code_digest(), name, source)
        found = _stored_analysis(store.get_plain(stored_key)) if store is not None else None
        if found is None:
            found = _parse_template(env, name, source)
            if found is None:
                return (digest(name, source), None, False), False  # a syntax error: its render reports it
            if store is not None:
                store.put_plain(stored_key, found)
        known[key] = found
    return known[key]


def _parse_template(env: Any, name: str, source: str) -> Analysis | None:
    from jinja2 import meta, nodes

    try:
        ast = env.parse(source)
    except Exception:
        return None
    refs = list(meta.find_referenced_templates(ast))
    names = {n.name for n in ast.find_all(nodes.Name)}
    consts = {c.value for c in ast.find_all(nodes.Const) if isinstance(c.value, str)}
    attrs = {a.attr for a in ast.find_all(nodes.Getattr)}
    own = (digest(name, source), None if None in refs else refs, "now" in names)
    return own, bool((consts | attrs) & _RAW)


def _stored_analysis(entry: Any) -> Analysis | None:
    """An analysis as the cache returns it; None when it is not one."""
    try:
        (own_digest, refs, now), raw = entry
    except (TypeError, ValueError):
        return None
    if not (isinstance(own_digest, str) and (refs is None or isinstance(refs, list)) and isinstance(now, bool)
            and isinstance(raw, bool)):
        return None
    return (own_digest, refs, now), raw
