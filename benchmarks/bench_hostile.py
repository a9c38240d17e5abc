"""Time and peak memory of `sitegen check` and `sitegen build` on hostile pages (issue 17).

Each page is under 1 MB and inside the bounds of sitegen/content/limits.py, chosen to be as slow as
those bounds allow; each is added alone to a copy of the example site and checked, then built
(HTML only), in a fresh process. The bound to keep: no such page over 5 s or 300 MB.

    .venv/bin/python -m benchmarks.bench_hostile [NAME ...]
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FILLER = "A plain sentence about hinging at the hips with a flat back. " * 16 + "\n\n"


def _fill(text: str, size: int = 1_000_000) -> str:
    """`text`, then plain paragraphs up to `size` characters."""
    return text + FILLER * max(0, (size - len(text)) // len(FILLER))


PAGES = {
    "plain-1mb": _fill(""),
    "brackets-1200": _fill("[" * 1_190 + "\n\n"),
    "links-open-500": _fill("[a](" * 495 + "\n\n"),
    "tags-open-1200": _fill("<a " * 1_190 + "\n\n"),
    "escapes-100kb": _fill("\\[" * 2_500 + "x" * 85_000 + "\n\n"),
    "entities-100kb": _fill("&amp;" * 1_900 + "x" * 85_000 + "\n\n"),
    "emphasis-lines": _fill("*a* _b_ `c` " * 200 + "\n\n"),
    "nested-lists": "".join("    " * (i % 10) + "- item\n" for i in range(40_000)),
    "quotes-4": _fill(("> " * 4 + "said\n") * 2_000 + "\n"),
    "unclosed-tag": _fill("<a " + "\n\n"),
    "same-headings": _fill("## Same\n\n" * 500),
    "headings-attrs": _fill("## Set-up {#id .class data-x=1}\n\n" * 500),
    "table-rows": _fill(("| a | b |\n|---|---|\n" + "| x | y |\n" * 496 + "\n") * 10),
    "code-fence": "```\n" + "[<({|" * 190_000 + "\n```\n",
    "long-line": "word " * 199_000 + "\n",
    "html-blocks": _fill("<div>\n" * 1_000 + "\n"),
}


def measure(site: Path, *args: str) -> tuple[float, float, int]:
    """(seconds, peak MB of the process, exit code) of one sitegen command in a fresh process;
    (inf, 0, -1) when it runs over two minutes."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "sitegen", "-C", str(site), *args],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = started + 120
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return time.perf_counter() - started, usage.ru_maxrss / 1024, process.returncode
        if time.perf_counter() > deadline:
            process.kill()
            process.wait()
            return float("inf"), 0.0, -1
        time.sleep(0.01)


def main(names: list[str]) -> None:
    results = {}
    for name in names or list(PAGES):
        with tempfile.TemporaryDirectory() as tmp:
            site = Path(tmp) / "site"
            for folder in ("content", "templates", "static"):
                shutil.copytree(REPO / folder, site / folder)
            shutil.copy(REPO / "pyproject.toml", site)
            text = "---\ntype: page\ntitle: Hostile\n---\n" + PAGES[name]
            (site / "content" / "hostile.md").write_text(text, encoding="utf-8")
            check = measure(site, "check", "--no-cards")
            build = measure(site, "build", "--no-cards", "--jobs", "1")
            results[name] = {"size": len(text.encode()), "check": check, "build": build}
            print(f"{name:16} {len(text.encode()) / 1e6:5.2f} MB   check {check[0]:6.2f} s {check[1]:6.1f} MB "
                  f"exit {check[2]}   build {build[0]:6.2f} s {build[1]:6.1f} MB exit {build[2]}", flush=True)
    out = REPO / "benchmarks" / "results" / "hostile.json"
    if not names:
        out.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
