"""Pages as plain data (str, numbers, tuples, lists, dicts, sets), for the cache in the site folder.

The cache lies in a folder that may come from someone else, so what it holds must never be able
to run code when read: it holds plain data, which `cache.pack` writes and `cache.unpack` reads
with marshal, and the classes are rebuilt here from that data. Whatever does not have the shape
written here raises TypeError or ValueError, and its page is read from its file again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import fields
from typing import Any, Callable, Iterable

from sitegen.content.body import BodyLink
from sitegen.content.frontmatter import FrontMatter
from sitegen.content.model import Count, Derived, Fault, Guide, Movement, Page, Question, Ref, Variation
from sitegen.diagnostics import Diagnostic

_CLASSES = {"page": Page, "movement": Movement, "guide": Guide}
_KINDS = {cls: kind for kind, cls in _CLASSES.items()}


def row(obj: Any) -> tuple:
    """The fields of a flat dataclass instance (Ref, HeadingAt, Diagnostic, …), in order."""
    return tuple(obj.__dict__.values())


def from_row(cls: type, names: tuple[str, ...], values: Any) -> Any:
    """An instance of `cls` with the fields `names` (those of `row`) set to `values`, without
    calling its __init__: what pickle does, at a fraction of a frozen dataclass's __init__ cost."""
    if type(values) is not tuple or len(values) != len(names):
        raise ValueError(f"not a stored {cls.__name__}")
    obj = object.__new__(cls)
    obj.__dict__.update(zip(names, values))
    return obj


def names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def typed(kind: type) -> Callable[[Any], Any]:
    """(None, load) for `Derived.get`: a plain value of type `kind`, stored as it is."""
    def load(value: Any) -> Any:
        if type(value) is not kind:
            raise TypeError(f"not a stored {kind.__name__}")
        return value
    return None, load


def rows(cls: type) -> tuple[Callable[[list], list[tuple]], Callable[[Any], list]]:
    """(dump, load) for a list of flat dataclass instances, as `Derived.get` takes them."""
    names_ = names(cls)
    return ((lambda items: [row(item) for item in items]),
            (lambda value: [from_row(cls, names_, v) for v in _list(value)]))


_REF, _COUNT, _FAULT, _VARIATION, _QUESTION, _DIAGNOSTIC, _LINK = (
    names(c) for c in (Ref, Count, Fault, Variation, Question, Diagnostic, BodyLink))


def ref_from_row(values: Any) -> Ref:
    return from_row(Ref, _REF, values)


def _date(value: Any) -> dt.date:
    if type(value) is not str:
        raise TypeError("not a stored date")
    return dt.date.fromisoformat(value)


# How each field of a page that is not plain data is stored: (to plain, from plain).
def _optional(out: Any, back: Any) -> tuple[Any, Any]:
    return (lambda v: None if v is None else out(v)), (lambda v: None if v is None else back(v))


def _listed(out: Any, back: Any) -> tuple[Any, Any]:
    return (lambda v: [out(x) for x in v]), (lambda v: [back(x) for x in _list(v)])


def _list(value: Any) -> list:
    if type(value) is not list:
        raise TypeError("not a stored list")
    return value


def _flat(cls: type, names_: tuple[str, ...]) -> tuple[Any, Any]:
    return row, (lambda v: from_row(cls, names_, v))


_FIELDS: dict[str, tuple[Any, Any]] = {
    "front": (lambda f: front_to_plain(f), lambda v: front_from_plain(v)),
    "date": _optional(dt.date.isoformat, _date),
    "updated": _optional(dt.date.isoformat, _date),
    "image": _optional(*_flat(Ref, _REF)),
    "regression": _optional(*_flat(Ref, _REF)),
    "video": _optional(*_flat(Ref, _REF)),
    "sets": _optional(*_flat(Count, _COUNT)),
    "reps": _optional(*_flat(Count, _COUNT)),
    "next": _listed(*_flat(Ref, _REF)),
    "prerequisites": _listed(*_flat(Ref, _REF)),
    "drills": _listed(*_flat(Ref, _REF)),
    "exercises": _listed(*_flat(Ref, _REF)),
    "related": _listed(*_flat(Ref, _REF)),
    "faults": _listed(*_flat(Fault, _FAULT)),
    "variations": _listed(*_flat(Variation, _VARIATION)),
    "faq": _listed(*_flat(Question, _QUESTION)),
}
# Each class's stored fields, in order; `derived` travels beside them, as its plain form.
_STORED = {cls: tuple(n for n in names(cls) if n != "derived") for cls in _KINDS}


def page_to_plain(page: Page) -> tuple:
    """(kind, field values, plain form of what was derived from it)."""
    values = []
    for name in _STORED[type(page)]:
        value = getattr(page, name)
        coder = _FIELDS.get(name)
        values.append(coder[0](value) if coder is not None else value)
    return _KINDS[type(page)], tuple(values), page.derived.plain


def page_from_plain(value: Any) -> Page:
    kind, values, plain = value
    cls = _CLASSES[kind]
    stored = _STORED[cls]
    if type(values) is not tuple or len(values) != len(stored) or type(plain) is not dict:
        raise ValueError("not a stored page")
    page = object.__new__(cls)
    state = page.__dict__
    for name, item in zip(stored, values):
        coder = _FIELDS.get(name)
        state[name] = coder[1](item) if coder is not None else item
    state["derived"] = Derived(plain)
    return page


# Front-matter values that plain data cannot hold: each is stored as its ISO text, and its path
# listed with its kind, to be turned back (a page has one or two: its date, its update).
_TIMES: dict[type, str] = {dt.date: "date", dt.datetime: "datetime"}


def front_to_plain(front: FrontMatter) -> tuple:
    times: list[tuple[tuple, str]] = []
    return _data_out(front.data, (), times), times, front.values, front.keys, front.texts


def _data_out(value: Any, path: tuple, times: list[tuple[tuple, str]]) -> Any:
    if isinstance(value, dict):
        return {k: _data_out(v, path + (k,), times) for k, v in value.items()}
    if isinstance(value, list):
        return [_data_out(v, path + (i,), times) for i, v in enumerate(value)]
    kind = _TIMES.get(type(value))
    if kind is not None:
        times.append((path, kind))
        return value.isoformat()
    return value  # anything else plain data cannot hold fails the dump: the page is not stored


def front_from_plain(value: Any) -> FrontMatter:
    data, times, values, keys, texts = value
    if not (type(data) is dict and type(values) is dict and type(keys) is dict and type(texts) is dict):
        raise TypeError("not a stored front matter")
    for path, kind in _list(times):
        *inner, last = path
        holder = data
        for step in inner:
            holder = holder[step]
        text = holder[last]
        if type(text) is not str:
            raise TypeError("not a stored time")
        holder[last] = dt.datetime.fromisoformat(text) if kind == "datetime" else dt.date.fromisoformat(text)
    return FrontMatter(data, values, keys, texts)


def links_to_plain(links: list[BodyLink]) -> list[tuple]:
    return [(row(link.ref), link.image, link.text) for link in links]


def links_from_plain(value: Any) -> list[BodyLink]:
    return [from_row(BodyLink, _LINK, (ref_from_row(ref), image, text)) for ref, image, text in _list(value)]


def diagnostics_to_plain(diags: Iterable[Diagnostic]) -> list[tuple]:
    return [row(d) for d in diags]


def diagnostics_from_plain(value: Any) -> list[Diagnostic]:
    return [from_row(Diagnostic, _DIAGNOSTIC, d) for d in _list(value)]
