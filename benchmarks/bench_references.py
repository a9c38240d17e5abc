"""What the check of the built output (sitegen/build/references.py) costs on a cold build.

On a generated site (benchmarks/corpus.py, 1,000 pages by default): a cold `sitegen build
--no-cards` in a fresh process (no output, no cache), then, in this process, the check as a
cold build runs it: read every generated HTML, CSS and XML file of the output and resolve every
local reference. Each figure is the median of --runs; the check's share is its median over
the cold build's median.

    .venv/bin/python -m benchmarks.bench_references [--pages 1000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.corpus import generate
from sitegen.build import references

WORK = Path(__file__).resolve().parent / "results" / "tmp"


def cold_build(site: Path, trash: Path) -> float:
    for name in ("output", ".output.twin", ".sitegen-cache"):
        if (site / name).exists():
            (site / name).rename(trash / f"{name}-{time.monotonic_ns()}")  # deleting now would slow the next build
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sitegen", "-C", str(site), "build", "--no-cards"], check=True,
                   capture_output=True)
    return time.perf_counter() - started


def check_output(folder: Path, base_url: str) -> tuple[float, int]:
    """The check's time: the build knows its files from its manifest, so the walk is not timed."""
    present = set()
    for dirpath, _dirs, names in os.walk(folder):
        inner = os.path.relpath(dirpath, folder).replace(os.sep, "/")
        present.update(name if inner == "." else f"{inner}/{name}" for name in names)
    started = time.perf_counter()
    files = {}
    for rel in references.scannable(present):
        with open(folder / rel, "rb") as handle:
            files[rel] = handle.read()
    found = references.broken(files, present, base_url)
    assert not found, found[:3]
    return time.perf_counter() - started, len(files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    site = WORK / f"references-{args.pages}"
    if not site.exists():
        generate(site, args.pages)
    trash = WORK / "trash"
    trash.mkdir(parents=True, exist_ok=True)
    try:
        builds = [cold_build(site, trash) for _ in range(args.runs)]
        checks = [check_output(site / "output", "https://example.org/coach/") for _ in range(args.runs)]
    finally:
        shutil.rmtree(trash, ignore_errors=True)
    build, check = statistics.median(builds), statistics.median(c[0] for c in checks)
    print(f"{args.pages} pages: cold build {build:.3f} s; output check {check * 1000:.1f} ms over "
          f"{checks[0][1]} files = {check / build:.1%} of the cold build")


if __name__ == "__main__":
    main()
