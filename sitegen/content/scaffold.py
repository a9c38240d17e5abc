"""`sitegen new`: a fresh page with a front-matter skeleton for its type, never over an existing file."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from sitegen.config import Settings
from sitegen.content import schema
from sitegen.errors import UsageError

FOLDERS = {"guide": "guides", "drill": "drills", "exercise": "exercises", "page": ""}

# Keys filled in for the author; the rest of the type's keys appear commented out with an example.
_SKIP = {"type", "title", "slug", "date", "draft", "updated"}


def skeleton(page_type: str, title: str, today: dt.date) -> str:
    lines = ["---", f"type: {page_type}", f"title: {_quote(title)}", f"date: {today.isoformat()}", "draft: true"]
    for key in schema.KEYS.values():
        if page_type in key.types and key.name not in _SKIP:
            lines.append(f"# {key.name}: {key.example}    # {key.kind}: {key.doc}")
    lines += ["---", "", f"Write the {page_type} here in Markdown.", ""]
    return "\n".join(lines)


def _quote(text: str) -> str:
    """A YAML double-quoted string: JSON's escapes are YAML's, so any text reads back as written."""
    return json.dumps(text, ensure_ascii=False)


# Letters that Unicode's decomposition does not turn into ASCII ones.
_SPELLED = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
                          "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "þ": "th", "ð": "d"})


def ascii_slug(title: str) -> str:
    """A file name and URL part from a title: 'Übung für Anfänger' → 'ubung-fur-anfanger'."""
    import unicodedata

    folded = unicodedata.normalize("NFKD", title.translate(_SPELLED)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def new_page(settings: Settings, page_type: str, title: str, slug: str | None = None) -> Path:
    """Write the skeleton; the title stays as written, the slug is ASCII (or `slug`, as given)."""
    title = title.strip()
    if not title:
        raise UsageError('error: the title is empty; it must be one line of text: write one, '
                         'e.g. sitegen new drill "Wall push-up"')
    if "\n" in title or "\r" in title or schema.CONTROL.search(title):
        raise UsageError("error: the title must be one line of text, without control characters; "
                         'write e.g. sitegen new drill "Dowel hip hinge"')
    if slug is None:
        slug = ascii_slug(title)
        if not slug:
            raise UsageError(f"error: no letter of {title!r} makes an ASCII file name; "
                             "name the page's file yourself with --slug, e.g. --slug wall-push-up")
    elif not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", slug):
        raise UsageError(f"error: --slug {slug!r} may hold only lowercase letters a-z, digits, '-', '_' and '.', "
                         f"starting with a letter or digit; e.g. --slug {ascii_slug(slug) or 'wall-push-up'}")
    folder = settings.content_path / FOLDERS[page_type]
    path = folder / f"{slug}.md"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(skeleton(page_type, title, dt.date.today()))
    except FileExistsError:
        raise UsageError(f"error: {path.relative_to(settings.root).as_posix()} already exists; "
                         "it was left as it is. Pick another title or edit that file") from None
    return path
