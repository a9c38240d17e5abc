"""The built output's own check: every local reference in the new output resolves to one of its
files. It runs after rendering (and the cards), before the swap, so a stylesheet or image that a
template names but nothing makes stops the build instead of shipping a 404 on every page.
Each page is read as it is rendered, in the render workers; the few other files (stylesheets,
and every page after an incremental build removed a file) are read back from the new folder.

Read: `href`, `src`, `srcset` and URL-valued `content` (og:image, og:url) attributes of HTML,
in any case and quoted or not, `url()` and `@import` of CSS, `href` and `<loc>` of the feed and sitemap. Local means relative,
root-relative, or absolute under base_url; other sites, `mailto:`, `data:` and anchors in the same
page are not checked. A reference to a folder resolves to its index.html.
"""

from __future__ import annotations

import html
import posixpath
import re
from typing import Container
from urllib.parse import unquote, urlsplit

SCANNED = (".html", ".css", ".xml")
# Attribute names in any case; values quoted either way or not at all, as HTML allows. An
# unquoted value ends the attribute (space, `>`, `/>`) and holds no `&`: escaped markup in a
# code sample or the feed's content (`src=x.png&gt;`, `href=&quot;x&quot;`) is text, not a tag.
# Matched from the "=" on, the name checked behind it: the engine then jumps from "=" to "="
# instead of trying every space, four times faster. (So no space between a name and its "=".)
_HTML = re.compile(rb"""=(?:(?<=\s(?i:href)=)|(?<=\s(?i:src)=)|(?<=\s((?i:srcset))=)|(?<=\s((?i:content))=))"""
                   rb"""\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`&]+)(?=[\s>]|/>))""")
_CSS = re.compile(rb"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')""")
_LOC = re.compile(rb"<loc>\s*([^<\s]*)\s*</loc>")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def _matches(rel: str, data: bytes) -> set[tuple[bytes, bytes]]:
    """(attribute, value as written) of every reference in one file; a page names the same
    files many times, and each is looked at once."""
    if rel.endswith(".css"):
        return {(b"", next(g for g in groups if g)) for groups in _CSS.findall(data) if any(groups)}
    # The name, where it matters: srcset and content; href and src are read alike (b"").
    found = {((srcset or content).lower(), double or single or bare)
             for srcset, content, double, single, bare in _HTML.findall(data)}
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


class References:
    """Finds the local references of generated files that name no file of the output. Each
    value is resolved once (per folder when it is relative): pages repeat the same few links.
    One per build; render workers each fill their own copy's cache, and check each page as
    they make it, against the outputs the build plans."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.base_path = urlsplit(base_url).path
        self._resolved: dict[object, tuple[tuple[str, str], ...]] = {}

    def unresolved(self, rel: str, data: bytes, present: Container[str],
                   skip: tuple[str, ...] = ()) -> list[tuple[str, str, str]]:
        """(rel, reference, missing path) for each local reference in output file `rel` that
        names no file of `present`; paths under a `skip` folder are made elsewhere."""
        here = rel.rpartition("/")[0]
        found = []
        for match in _matches(rel, data):
            pairs = self._resolved.get(match)
            if pairs is None:
                pairs = self._resolved.get((here, match))
            if pairs is None:
                refs = _references(*match, self.base_url)
                pairs = tuple((ref, path) for ref in refs
                              if (path := target(ref, rel, self.base_url, self.base_path)) is not None)
                relative = any(not (ref[:1] in ("/", "#") or ":" in ref) for ref in refs)
                self._resolved[(here, match) if relative else match] = pairs
            for ref, path in pairs:
                if path not in present and not resolves(path, present, skip):  # nearly all are present
                    found.append((rel, ref, path))
        return found


def resolves(path: str, present: Container[str], skip: tuple[str, ...] = ()) -> bool:
    return path in present or f"{path}/index.html" in present or path.startswith(skip)


def broken(files: dict[str, bytes], present: set[str], base_url: str, skip: tuple[str, ...] = ()) -> list[tuple[str, str, str]]:
    """(output file, reference, missing path) for every local reference in `files` (output path →
    bytes) that names no file of `present`; paths under a `skip` folder are made elsewhere."""
    references = References(base_url)
    return [found for rel, data in files.items() for found in references.unresolved(rel, data, present, skip)]
