"""The built output's own check: every local reference in the new output resolves to one of its
files. It runs after rendering (and the cards), before the swap, so a stylesheet or image that a
template names but nothing makes stops the build instead of shipping a 404 on every page.

Read: `href`, `src`, `srcset` and URL-valued `content` (og:image, og:url) attributes of HTML,
`url()` and `@import` of CSS, `href` and `<loc>` of the feed and sitemap. Local means relative,
root-relative, or absolute under base_url; other sites, `mailto:`, `data:` and anchors in the same
page are not checked. A reference to a folder resolves to its index.html.
"""

from __future__ import annotations

import html
import posixpath
import re
from typing import Iterable, Iterator
from urllib.parse import unquote, urlsplit

SCANNED = (".html", ".css", ".xml")
_HTML = re.compile(rb"""\s(href|src|srcset|content)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_CSS = re.compile(rb"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')""")
_LOC = re.compile(rb"<loc>\s*([^<\s]*)\s*</loc>")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def references(rel: str, data: bytes, base_url: str) -> Iterator[str]:
    """Every reference `rel` makes that could be local, as written (entities decoded)."""
    if rel.endswith(".css"):
        for match in _CSS.finditer(data):
            yield next(g for g in match.groups() if g is not None).decode("utf-8", "replace")
        return
    for name, double, single in set(_HTML.findall(data)):  # a page names the same files many times
        value = (double or single).decode("utf-8", "replace")
        if "&" in value:
            value = html.unescape(value)
        name = name.lower()
        if name == b"srcset":
            yield from (part.split()[0] for part in value.split(",") if part.strip())
        elif name != b"content" or value.startswith(base_url):  # content="…" is a URL only in og: tags
            yield value
    if rel.endswith(".xml"):
        yield from (html.unescape(m.decode("utf-8", "replace")) for m in _LOC.findall(data))


def target(ref: str, rel: str, base_url: str, base_path: str) -> str | None:
    """The output path `ref` (written in output file `rel`) points at; None when it is not local.
    A path outside the site (above it, or beside base_url's subpath) comes back starting '../'."""
    ref = ref.strip()
    if not ref or ref.startswith("#"):
        return None
    if ref.startswith(base_url):
        path = ref[len(base_url):]
    elif ref.startswith("//") or _SCHEME.match(ref):
        return None  # another site, mailto:, data:, javascript:…
    elif ref.startswith("/"):
        path = ref[len(base_path):] if ref.startswith(base_path) else "../" + ref.lstrip("/")
    else:
        path = posixpath.join(posixpath.dirname(rel), ref)
    parts = urlsplit(path)
    path = unquote(parts.path)
    folder = path == "" or path.endswith("/")
    path = posixpath.normpath(path) if path else "."
    if path == ".":
        path = ""
    return f"{path}/index.html".lstrip("/") if folder else path


def broken(files: dict[str, bytes], present: set[str], base_url: str, skip: tuple[str, ...] = ()) -> list[tuple[str, str, str]]:
    """(output file, reference, missing path) for every local reference in `files` (output path →
    bytes) that names no file of `present`; paths under a `skip` folder are made elsewhere."""
    base_path = urlsplit(base_url).path
    found = []
    known: dict[str, bool] = {}  # by reference (and folder, for a relative one): is it fine?
    for rel, data in files.items():
        here = rel.rpartition("/")[0]
        for ref in references(rel, data, base_url):
            key = ref if ref[:1] == "/" or ":" in ref else f"{here}\0{ref}"
            if known.get(key):
                continue
            path = target(ref, rel, base_url, base_path)
            fine = path is None or path in present or f"{path}/index.html" in present or path.startswith(skip)
            known[key] = fine
            if not fine:
                found.append((rel, ref, path))
    return found


def scannable(paths: Iterable[str]) -> list[str]:
    return sorted(p for p in paths if p.endswith(SCANNED))
