"""The only way a card may load a file: from inside the site folder, or a `data:` URL.

WeasyPrint's default fetcher reads any `file://` path and any network URL; with it, a
`<a rel="attachment" href="file:///etc/hostname">` embeds that file in the PDF. This one
refuses everything else and remembers what it refused, so the card fails with its name.
Only worker processes import this module (it imports WeasyPrint).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse


class RefusedURL(ValueError):
    pass


class SiteFetcher(URLFetcher):
    def __init__(self, root: Path):
        super().__init__(timeout=1, allowed_protocols=("file", "data"), allow_redirects=False)
        self.root = root.resolve()
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        scheme = url.partition(":")[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        path = self.local_path(url) if scheme == "file" else None
        if path is None:
            self.refused.append(url)
            raise RefusedURL(f"{url} is outside the site folder; cards load only files inside it and data: URLs")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})

    def local_path(self, url: str) -> Path | None:
        """The file a file:// URL names, if it is inside the site folder (symlinks followed)."""
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return None
        path = Path(url2pathname(parts.path)).resolve()
        return path if path.is_relative_to(self.root) and path.is_file() else None
