"""What the check of the built output (sitegen/build/references.py) costs on a cold build.

On a generated site (benchmarks/corpus.py, 1,000 pages by default): a cold `sitegen build
--no-cards` in a fresh process (no output, no cache), then, in this process, the check's work
on every generated HTML, CSS and XML file (held in memory, as the render workers hold each page
they make): find and resolve every local reference. A cold build spreads that work over its
render workers, so its share of the build's time is about the figure divided by --jobs. Each
figure is the median of --runs.

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


def cold_build(site: Path, trash: Path, jobs: int) -> float:
    for name in ("output", ".output.twin", ".sitegen-cache"):
        if (site / name).exists():
            (site / name).rename(trash / f"{name}-{time.monotonic_ns()}")  # deleting now would slow the next build
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sitegen", "-C", str(site), "build", "--no-cards", "--jobs", str(jobs)], check=True,
                   capture_output=True)
    return time.perf_counter() - started


def check_output(folder: Path, base_url: str) -> tuple[float, int]:
    """The check's time: the build knows its files from its manifest, and has each page in
    memory as it makes it, so neither the walk nor the reading is timed."""
    present = set()
    for dirpath, _dirs, names in os.walk(folder):
        inner = os.path.relpath(dirpath, folder).replace(os.sep, "/")
        present.update(name if inner == "." else f"{inner}/{name}" for name in names)
    files = {}
    for rel in sorted(p for p in present if p.endswith(references.SCANNED)):
        with open(folder / rel, "rb") as handle:
            files[rel] = handle.read()
    started = time.perf_counter()
    found = references.broken(files, present, base_url)
    assert not found, found[:3]
    return time.perf_counter() - started, len(files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    site = WORK / f"references-{args.pages}"
    if not site.exists():
        generate(site, args.pages)
    trash = WORK / "trash"
    trash.mkdir(parents=True, exist_ok=True)
    try:
        builds = [cold_build(site, trash, args.jobs) for _ in range(args.runs)]
        checks = [check_output(site / "output", "https://example.org/coach/") for _ in range(args.runs)]
    finally:
        shutil.rmtree(trash, ignore_errors=True)
    build, check = statistics.median(builds), statistics.median(c[0] for c in checks)
    print(f"{args.pages} pages: cold build {build:.3f} s; output check {check * 1000:.1f} ms over "
          f"{checks[0][1]} files = {check / build:.1%} of the cold build in one process, "
          f"{check / build / args.jobs:.1%} spread over {args.jobs} render workers")


if __name__ == "__main__":
    main()
