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
from typing import Iterable
from urllib.parse import unquote, urlsplit

SCANNED = (".html", ".css", ".xml")
# Attribute names in lowercase, as templates write them: matching any case costs a third more.
_HTML = re.compile(rb"""\s(href|src|srcset|content)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_CSS = re.compile(rb"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')""")
_LOC = re.compile(rb"<loc>\s*([^<\s]*)\s*</loc>")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def _matches(rel: str, data: bytes) -> set[tuple[bytes, bytes]]:
    """(attribute, value as written) of every reference in one file; a page names the same
    files many times, and each is looked at once."""
    if rel.endswith(".css"):
        return {(b"", next(g for g in groups if g)) for groups in _CSS.findall(data) if any(groups)}
    found = {(name, double or single) for name, double, single in _HTML.findall(data)}
    return found | {(b"", loc) for loc in _LOC.findall(data)} if rel.endswith(".xml") else found


def _references(name: bytes, raw: bytes, base_url: str) -> list[str]:
    """The references one attribute value makes, decoded (a srcset makes several)."""
    value = raw.decode("utf-8", "replace")
    if "&" in value:
        value = html.unescape(value)
    if name == b"srcset":
        return [part.split()[0] for part in value.split(",") if part.strip()]
    if name == b"content" and not value.startswith(base_url):  # content="…" is a URL only in og: tags
        return []
    return [value]


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
    # Values seen to resolve: anywhere (no relative reference in them) or from one folder.
    fine_anywhere: set[tuple[bytes, bytes]] = set()
    fine_here: set[tuple[str, tuple[bytes, bytes]]] = set()
    for rel, data in files.items():
        here = rel.rpartition("/")[0]
        for match in _matches(rel, data):
            if match in fine_anywhere or (here, match) in fine_here:
                continue
            ok, relative = True, False
            for ref in _references(*match, base_url):
                relative = relative or not (ref[:1] in ("/", "#") or ":" in ref)
                path = target(ref, rel, base_url, base_path)
                if path is None or path in present or f"{path}/index.html" in present or path.startswith(skip):
                    continue
                ok = False
                found.append((rel, ref, path))
            if ok:
                (fine_here.add((here, match)) if relative else fine_anywhere.add(match))
    return found


def scannable(paths: Iterable[str]) -> list[str]:
    return sorted(p for p in paths if p.endswith(SCANNED))
