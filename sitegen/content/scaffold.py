"""`sitegen new`: a fresh page with a front-matter skeleton for its type, never over an existing file."""

from __future__ import annotations

import datetime as dt
import json
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


def new_page(settings: Settings, page_type: str, title: str) -> Path:
    title = title.strip()
    if not title or "\n" in title or "\r" in title or schema.CONTROL.search(title):
        raise UsageError("error: the title must be one line of text, without control characters; "
                         'write e.g. sitegen new drill "Dowel hip hinge"')
    slug = schema.slugify(title)
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
