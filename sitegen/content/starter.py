"""`sitegen init`: a ready site (settings, a starter guide with two drills and an exercise, a
.gitignore and a GitHub Pages workflow), never over an existing file."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from sitegen import __version__
from sitegen.errors import UsageError

STARTER = Path(__file__).parent / "starter-site"
# Stored without their leading dot: a package's data files should not be hidden.
DOTTED = (("gitignore", ".gitignore"), ("github", ".github"))


def settings_text(title: str, base_url: str, author: str) -> str:
    def value(text: str) -> str:  # a JSON string is a TOML basic string
        return json.dumps(text, ensure_ascii=False)

    url = (f"base_url = {value(base_url)}" if base_url else
           "# Where the site will be published; until it is set, links in cards, pins, the feed and\n"
           "# the sitemap point at localhost. For GitHub Pages: https://USER.github.io/REPOSITORY/\n"
           '# base_url = "https://example.org/"')
    return (f"# sitegen's settings; every setting is listed in sitegen's README.\n"
            f"title = {value(title)}\n{url}\nauthor = {value(author)}\n")


def starter_files(today: dt.date) -> dict[str, bytes]:
    """Every file of the starter site by its path in the new site, with today's date and this
    version of sitegen filled in."""
    files: dict[str, bytes] = {}
    for folder, _dirs, names in os.walk(STARTER):
        for name in names:
            source = Path(folder, name)
            parts = source.relative_to(STARTER).parts
            rel = "/".join([dict(DOTTED).get(parts[0], parts[0]), *parts[1:]])
            data = source.read_bytes()
            if source.suffix in (".md", ".yml"):
                text = data.decode("utf-8").replace("date: TODAY", f"date: {today.isoformat()}")
                data = text.replace("sitegen==VERSION", f"sitegen=={__version__}").encode("utf-8")
            files[rel] = data
    return files


def init_site(folder: Path, title: str, base_url: str, author: str,
              today: dt.date | None = None) -> tuple[list[str], list[str]]:
    """Write a new site into `folder`; return (written, kept): files already there are kept as
    they are. A folder that already holds a site (settings or content/) is refused whole."""
    for name in ("sitegen.toml", "content"):
        if (folder / name).exists():
            raise UsageError(f"error: {folder / name} already exists: {folder} already holds a site, and "
                             "sitegen init never writes over one; start in an empty folder, e.g. sitegen init my-site")
    files = {"sitegen.toml": settings_text(title, base_url, author).encode("utf-8"),
             **starter_files(today or dt.date.today())}
    written, kept = [], []
    for rel, data in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(path, "xb") as handle:  # "x": never over an existing file
                handle.write(data)
        except FileExistsError:
            kept.append(rel)
            continue
        written.append(rel)
    return sorted(written), sorted(kept)
