"""What a shared link shows: the image for `og:image` and Pinterest, with its size, and the
plain "Save to Pinterest" address (no third-party script); and the sizes of a page's images."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlencode

PIN_IT = "https://www.pinterest.com/pin/create/button/"
PIN_SIZE = (1000, 1500)  # the pin PNG's pixels (see templates/pin.html)
DEFAULT_IMAGE = "share.png"  # in the static folder: the site's image for pages that have none


@dataclass(frozen=True)
class ShareImage:
    url: str  # absolute
    width: int
    height: int
    alt: str


_SVG_SIZE = re.compile(r"<svg\b[^>]*?\bviewBox=\"\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)\s*\"", re.S)


def image_size(path: Path) -> tuple[int, int] | None:
    """Pixel size of a PNG, JPEG, GIF or WebP file, or an SVG's viewBox; None when unknown."""
    try:
        if path.suffix.lower() == ".svg":
            found = _SVG_SIZE.search(path.read_text(encoding="utf-8", errors="replace")[:4096])
            return (round(float(found.group(1))), round(float(found.group(2)))) if found else None
        from PIL import Image  # WeasyPrint's dependency: loaded only when a page has a raster image

        with Image.open(path) as img:
            return img.size
    except (OSError, ValueError, SyntaxError):
        return None


_IMG = re.compile(r"<img\b([^>]*?)\s*/?>")
_SRC = re.compile(r'\bsrc="([^"]*)"')


def sized_images(html: str, size_of: Callable[[str], tuple[int, int] | None]) -> str:
    """Give each <img> of a rendered body its width and height (no layout shift while it loads)
    and lazy loading (a body's images sit below the page's header). `size_of(src)`: None when
    unknown, and the tag then keeps what it has."""
    def fix(m: re.Match) -> str:
        attrs = m.group(1)
        if "loading=" not in attrs:
            attrs += ' loading="lazy"'
        src = _SRC.search(attrs)
        size = size_of(src.group(1)) if src and "width=" not in attrs and "height=" not in attrs else None
        if size:
            attrs += f' width="{size[0]}" height="{size[1]}"'
        return f"<img{attrs}>"

    return _IMG.sub(fix, html)


def pin_it_url(page_url: str, media: str, title: str, summary: str) -> str:
    """Pinterest's create-pin address for a page, its image and a description."""
    description = f"{title}: {summary}" if summary else title
    return f"{PIN_IT}?{urlencode({'url': page_url, 'media': media, 'description': description})}"
