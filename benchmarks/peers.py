"""`run.py --peers`: the same generated corpus, built cold by Pelican and by MkDocs.

Both are installed from the package index into a throwaway virtualenv under
benchmarks/results/tmp/. Each gets the corpus in its own format (Pelican: `Key: value`
metadata; MkDocs: the YAML front matter as it is) with the same Markdown extensions as
sitegen (tables, fenced code, heading anchors), their default themes, and the images.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from .run import clear

VERSIONS = ["pelican==4.12.0", "mkdocs==1.6.1", "markdown"]
EXTENSIONS = ["tables", "fenced_code", "toc", "attr_list", "admonition", "sane_lists"]


def _venv(work: Path) -> Path:
    venv = work / "peers-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        done = subprocess.run([str(python), "-m", "pip", "install", "-q", *VERSIONS], capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"installing {', '.join(VERSIONS)} failed:\n{done.stderr}")
    return venv / "bin"


def _pages(site: Path):
    for path in sorted((site / "content").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        _, front, body = text.split("---\n", 2)
        yield path.relative_to(site / "content"), yaml.safe_load(front), body


def pelican_site(site: Path, dest: Path) -> Path:
    clear(dest)  # moved aside, not deleted: see run.clear
    content = dest / "content"
    shutil.copytree(site / "content" / "images", content / "images")
    for rel, front, body in _pages(site):
        meta = [f"Title: {front['title']}", f"Date: {front['date']}", f"Summary: {front.get('summary', '')}",
                f"Tags: {', '.join(front.get('tags', []))}", f"Category: {rel.parts[0] if len(rel.parts) > 1 else 'misc'}",
                f"Slug: {rel.stem}"]
        target = content / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(meta) + "\n\n" + body, encoding="utf-8")
    (dest / "pelicanconf.py").write_text(
        "AUTHOR = 'benchmark'\nSITENAME = 'Benchmark'\nSITEURL = ''\nPATH = 'content'\nTIMEZONE = 'UTC'\n"
        "DEFAULT_LANG = 'en'\nSTATIC_PATHS = ['images']\nDEFAULT_PAGINATION = False\nRELATIVE_URLS = True\n"
        "FEED_ALL_ATOM = None\nCATEGORY_FEED_ATOM = None\nTRANSLATION_FEED_ATOM = None\n"
        "ARTICLE_URL = '{category}/{slug}/'\nARTICLE_SAVE_AS = '{category}/{slug}/index.html'\n"
        f"MARKDOWN = {{'extensions': {EXTENSIONS!r}, 'output_format': 'html5'}}\n", encoding="utf-8")
    return dest


def mkdocs_site(site: Path, dest: Path) -> Path:
    clear(dest)  # moved aside, not deleted: see run.clear
    shutil.copytree(site / "content", dest / "docs")
    (dest / "mkdocs.yml").write_text(
        "site_name: Benchmark\nuse_directory_urls: true\nmarkdown_extensions:\n"
        + "".join(f"  - {e}\n" for e in EXTENSIONS), encoding="utf-8")
    return dest


def time_peers(site: Path, work: Path, runs: int) -> dict:
    """Median cold build time of each peer, and its processor time, as run.py reports them."""
    from .run import measure, timed

    def cold(command: list[str], output: Path) -> list[float]:
        times = []
        for _ in range(runs):
            clear(output)
            times.append(timed(command))
        return times

    bin_ = _venv(work)
    result: dict = {}
    pelican = pelican_site(site, work / f"pelican-{site.name}")
    measure(result, "pelican", cold([str(bin_ / "pelican"), str(pelican / "content"), "-o", str(pelican / "output"),
                                     "-s", str(pelican / "pelicanconf.py"), "-q"], pelican / "output"))
    mkdocs = mkdocs_site(site, work / f"mkdocs-{site.name}")
    measure(result, "mkdocs", cold([str(bin_ / "mkdocs"), "build", "-q", "-f", str(mkdocs / "mkdocs.yml"),
                                    "-d", str(mkdocs / "site")], mkdocs / "site"))
    return result
