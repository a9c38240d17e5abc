"""Time sitegen on generated sites and write the results: JSON, a Markdown table and a chart.

    python -m benchmarks.run                      # 100 and 1,000 pages
    python -m benchmarks.run --pages 100 1000 10000 --runs 5
    python -m benchmarks.run --peers              # also Pelican and MkDocs on the same corpus

Every figure is the median of `--runs` runs of a fresh `sitegen` process (what a user types),
except "watch edit" and "preview edit", which time one long-running process: `sitegen build
--watch`, and `Builder.build()` as `sitegen serve` calls it. Builds are HTML only (`--no-cards`). Sites are generated into
benchmarks/results/tmp/ (git-ignored); results go to benchmarks/results/.

What each row times:
- cold: no output folder, no cache; the checker included.
- template change: a comment added to (or removed from) base.html, so every page is rendered
  again from cached Markdown. The first one after a cold build also makes the output's twin
  folder (see sitegen/build/output.py); it is reported apart, the rest are the steady state.
- no-op: nothing changed since the last build, which ran more than a second after the last
  edit (sooner, file times cannot prove a file unchanged and the build checks the content).
- one-page edit: a sentence added to one drill (or removed again: runs alternate, so its
  Markdown comes from the cache, as for an edit the author undoes).
- watch edit: the same edit under `sitegen build --watch`, from writing the file to the line the
  build prints once the new output/ is in place (file event, the 20 ms wait for a burst of
  saves to end, the build, the swap).
- check: `sitegen check --no-cards` alone, like the builds HTML only (without it, check also
  lays out every drill's card to see that it fits), after the builds above: it starts from the
  pages they kept (with no cache at all, 1,000 pages take ~0.5 s). help: `sitegen --help`,
  i.e. process start and imports.
- peak memory: the largest resident size of any process of a cold build (getrusage).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

from .corpus import generate

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
WORK = RESULTS / "tmp"
TRASH = WORK / "trash"
DRILL = "content/drills/squat-step-2.md"


def machine() -> dict:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": model, "cores": os.cpu_count(), "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()}"}


CPU: list[float] = []  # processor time (user + system, all processes) of each timed command
# sitegen as a user's Python runs it: writing and reusing compiled modules (__pycache__), which a
# development shell may have turned off (compiling sitegen's modules again costs ~35 ms a run).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(command: list[str]) -> float:
    """Run a command; return its wall time in seconds, and note its processor time in CPU."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=ENV)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    CPU.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return seconds


def sitegen(site: Path, *args: str) -> float:
    """Run one sitegen command in a fresh process; return its wall time in seconds."""
    return timed([sys.executable, "-m", "sitegen", "-C", str(site), *args])


def peak_rss(site: Path, *args: str) -> float:
    """The largest resident size, in MB, of any process the command ran (itself or its workers)."""
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
             "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", probe, sys.executable, "-m", "sitegen", "-C", str(site), *args],
                         check=True, capture_output=True, text=True, env=ENV).stdout
    return int(out.strip()) / 1024


def clear(*folders: Path) -> None:
    """Move folders out of the way, into TRASH, deleted once all timing is done (`empty_trash`).

    Not deleted now: for its next 30 s (vm.dirty_expire_centisecs) ext4 will not give a freshly
    deleted inode number to a new file, and finds a free one by stepping over each of them
    (`recently_deleted` in a kernel profile). A build started right after deleting the last
    one's 2,500 files and folders spent 1-2 s of system time on that, and Pelican and MkDocs
    would too: the harness would be timing its own clean-up."""
    for folder in folders:
        if folder.exists():
            TRASH.mkdir(parents=True, exist_ok=True)
            os.replace(folder, TRASH / f"{len(list(TRASH.iterdir()))}-{folder.name}")
    os.sync()  # the next command is not charged for writing back the last one's files
    time.sleep(1)


def empty_trash() -> None:
    shutil.rmtree(TRASH, ignore_errors=True)


def fresh(site: Path) -> None:
    """Remove every trace of earlier builds: output, its twin, the cache."""
    clear(site / "output", site / ".output.twin", site / ".sitegen-cache")


def median(times: list[float]) -> float:
    return round(statistics.median(times), 3)


def measure(result: dict, key: str, times: list[float]) -> None:
    """Record the median wall time of the last runs, and their median processor time."""
    result[key] = median(times)
    result[key + "_cpu"] = median(CPU[-len(times):])


def repeat(runs: int, before: Callable[[int], None], measure: Callable[[], float]) -> list[float]:
    out = []
    for i in range(runs):
        before(i)
        out.append(measure())
    return out


def toggle(path: Path, marker: str) -> Callable[[int], None]:
    """An edit that alternates between adding and removing a line, so every run changes the file."""
    original = path.read_text(encoding="utf-8")

    def change(i: int) -> None:
        path.write_text(original + (marker if i % 2 == 0 else ""), encoding="utf-8")
    return change


def settle(site: Path, jobs: str) -> None:
    """A build more than a second after the last edit, so the next one can trust file times."""
    time.sleep(1.1)
    sitegen(site, "build", "--no-cards", "--jobs", jobs)


PREVIEW = """
import statistics, sys, time
from pathlib import Path
from sitegen.build.builder import Builder
from sitegen.config import load_settings
from sitegen.report import NullReporter
site, runs = Path(sys.argv[1]), int(sys.argv[2])
drill = site / {drill!r}
original = drill.read_text()
builder = Builder(load_settings(site), cards=False, reporter=NullReporter())
builder.build()
times = []
for i in range(runs):
    drill.write_text(original + ("\\nOne more sentence for the preview.\\n" if i % 2 == 0 else ""))
    started = time.perf_counter()
    result = builder.build()
    times.append(time.perf_counter() - started)
    assert result.rendered == [{page!r}], result.rendered
drill.write_text(original)
print(statistics.median(times))
"""


def preview_edit(site: Path, runs: int) -> float:
    code = PREVIEW.format(drill=DRILL, page="drills/squat-step-2/index.html")
    out = subprocess.run([sys.executable, "-c", code, str(site), str(runs)], check=True, capture_output=True,
                         text=True, env=ENV).stdout
    return round(float(out.strip()), 3)


def wait_for(ready: Callable[[], bool], proc: subprocess.Popen, log: Path) -> None:
    """Poll `ready` every millisecond while `proc` runs (a minute at most)."""
    deadline = time.perf_counter() + 60
    while not ready():
        if proc.poll() is not None or time.perf_counter() > deadline:
            raise SystemExit(f"sitegen build --watch did not get there:\n{log.read_text()[-2000:]}")
        time.sleep(0.001)


def watch_edit(site: Path, runs: int) -> float:
    """Seconds from saving the drill to `sitegen build --watch` putting it into output/; the median.
    Each save adds a sentence of its own, and the time is taken when output/ shows it: a line in
    the log could be an earlier save's."""
    log = WORK / "watch.log"
    with open(log, "w", encoding="utf-8") as err:
        proc = subprocess.Popen([sys.executable, "-m", "sitegen", "-C", str(site), "build", "--no-cards", "--watch"],
                                stdout=subprocess.DEVNULL, stderr=err, env=ENV)
    drill, page = site / DRILL, site / "output" / "drills" / "squat-step-2" / "index.html"
    original = drill.read_text(encoding="utf-8")

    def shows(text: str) -> Callable[[], bool]:
        return lambda: text in page.read_text(encoding="utf-8", errors="replace")

    try:
        wait_for(lambda: "watching for changes" in log.read_text(encoding="utf-8"), proc, log)
        time.sleep(1.1)  # past the first build's clock tick, as an editor's first save is
        times = []
        for i in range(runs):
            sentence = f"Benchmark sentence number {i}."
            started = time.perf_counter()
            drill.write_text(f"{original}\n{sentence}\n", encoding="utf-8")
            wait_for(shows(sentence), proc, log)
            times.append(time.perf_counter() - started)
            time.sleep(0.2)  # editors do not save this often; let the process settle
    finally:
        proc.terminate()  # SIGTERM: run in the background (`&`), the harness and sitegen ignore SIGINT
        proc.wait(30)
        drill.write_text(original, encoding="utf-8")
    return median(times)


def bench(pages: int, runs: int, jobs: int) -> dict:
    site = WORK / f"site-{pages}"
    clear(site)
    generate(site, pages)
    j = str(jobs)
    build = ("build", "--no-cards", "--jobs", j)
    result: dict = {"pages": pages, "jobs": jobs}

    def cold(jobs_: str) -> list[float]:
        return repeat(runs, lambda i: fresh(site), lambda: sitegen(site, "build", "--no-cards", "--jobs", jobs_))

    measure(result, "cold_1_job", cold("1"))
    measure(result, "cold", cold(j))
    fresh(site)
    result["peak_rss_mb"] = round(peak_rss(site, *build), 1)
    base = site / "templates" / "base.html"
    template = toggle(base, "\n<!-- benchmark: template change -->\n")
    template(0)
    measure(result, "template_change_first", [sitegen(site, *build)])
    measure(result, "template_change", repeat(runs, lambda i: template(i + 1), lambda: sitegen(site, *build)))
    template(1)
    settle(site, j)
    measure(result, "no_op", repeat(runs, lambda i: None, lambda: sitegen(site, *build)))
    edit = toggle(site / DRILL, "\nOne more sentence for the benchmark.\n")
    measure(result, "one_page_edit", repeat(runs, edit, lambda: sitegen(site, *build)))
    edit(1)
    result["watch_edit"] = watch_edit(site, max(runs, 5))
    result["preview_edit"] = preview_edit(site, max(runs, 5))
    measure(result, "check", repeat(runs, lambda i: None, lambda: sitegen(site, "check", "--no-cards")))
    measure(result, "help", repeat(runs, lambda i: None, lambda: sitegen(site, "--help")))
    return result


# --- the report -----------------------------------------------------------------------------------

ROWS = [
    ("cold", "Cold build (no cache), checker included"),
    ("cold_1_job", "Cold build, one process (`--jobs 1`)"),
    ("template_change", "After a template change (Markdown cached)"),
    ("template_change_first", "First template change after a cold build (makes the twin folder)"),
    ("no_op", "No-op rebuild"),
    ("one_page_edit", "One page edited (`sitegen build`)"),
    ("watch_edit", "One page edited under `sitegen build --watch` (save → new output/)"),
    ("preview_edit", "One page edited in the preview (`Builder.build()` in `sitegen serve`)"),
    ("check", "`sitegen check --no-cards` after a build (HTML only: no card layout)"),
    ("help", "`sitegen --help`"),
    ("peak_rss_mb", "Peak memory of a cold build (largest process)"),
    ("pelican", "Pelican, cold, same corpus"),
    ("mkdocs", "MkDocs, cold, same corpus"),
]


def cell(result: dict, key: str) -> str:
    if key not in result:
        return ""
    if key == "peak_rss_mb":
        return f"{result[key]:g} MB"
    cpu = result.get(key + "_cpu")
    return f"{result[key]:.2f} s" + (f" ({cpu:.2f} s CPU)" if cpu is not None else "")


def table(results: list[dict], facts: dict) -> str:
    heads = [f"{r['pages']:,} pages" for r in results]
    lines = ["| | " + " | ".join(heads) + " |", "|---|" + "---|" * len(results)]
    for key, label in ROWS:
        if not any(key in r for r in results):
            continue
        cells = [cell(r, key) for r in results]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(f"Wall time, median of {facts['runs']} runs (in brackets: processor time, user + system, all "
                 f"processes), on {facts['cores']} cores ({facts['cpu']}), Python {facts['python']}, "
                 f"{facts['system']}; `--jobs {facts['jobs']}` unless noted. Load average {facts['load_before']} "
                 f"before and {facts['load_after']} after the run: other work on the machine inflates wall times.")
    return "\n".join(lines) + "\n"


def chart(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4), dpi=100, gridspec_kw={"width_ratios": [2, 3]})
    thousand = next((r for r in results if r["pages"] == 1000), results[-1])
    bars = [(f"sitegen, {thousand['jobs']} processes", thousand["cold"]), ("sitegen, 1 process", thousand["cold_1_job"])]
    bars += [(name, thousand[key]) for key, name in (("pelican", "Pelican 4.12"), ("mkdocs", "MkDocs 1.6.1"))
             if key in thousand]
    names, values = zip(*reversed(bars))
    left.barh(names, values, color=["#9ca3af"] * (len(bars) - 2) + ["#5eead4", "#0f766e"])
    for y, value in enumerate(values):
        left.text(value, y, f" {value:.1f} s", va="center", fontsize=9)
    left.set_title(f"Cold build, {thousand['pages']:,} pages", fontsize=10)
    left.set_xlim(0, max(values) * 1.3)
    left.set_xlabel("seconds")
    keys = [("cold", "cold"), ("template_change", "template\nchange"), ("no_op", "no-op"),
            ("one_page_edit", "one edit"), ("watch_edit", "edit in\n--watch"), ("check", "check")]
    width = 0.8 / len(results)
    for i, r in enumerate(results):
        xs = [k + i * width for k in range(len(keys))]
        right.bar(xs, [r[key] for key, _ in keys], width, label=f"{r['pages']:,} pages")
    right.set_xticks([k + width * (len(results) - 1) / 2 for k in range(len(keys))], [label for _, label in keys],
                     fontsize=9)
    right.set_yscale("log")
    right.set_ylabel("seconds (log scale)")
    right.set_title("sitegen, HTML only", fontsize=10)
    right.legend(frameon=False, fontsize=8)
    for ax in (left, right):
        ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--pages", type=int, nargs="+", default=[100, 1000], help="site sizes (default: 100 1000)")
    p.add_argument("--runs", type=int, default=5, help="runs per figure; the median is reported (default 5)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="sitegen --jobs (default: CPU count)")
    p.add_argument("--peers", action="store_true", help="also time Pelican and MkDocs (installs them)")
    p.add_argument("--peers-max", type=int, default=1000, help="time the peers up to this many pages (default 1000)")
    p.add_argument("--no-chart", action="store_true", help="skip the PNG (needs matplotlib: the 'bench' extra)")
    args = p.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    if TRASH.exists():  # left by an interrupted run: delete it, then let its inodes age (see clear)
        empty_trash()
        time.sleep(31)
    facts = machine() | {"runs": args.runs, "jobs": args.jobs, "load_before": round(os.getloadavg()[0], 2)}
    results = []
    for pages in args.pages:
        print(f"{pages} pages…", file=sys.stderr, flush=True)
        result = bench(pages, args.runs, args.jobs)
        if args.peers and pages <= args.peers_max:
            from .peers import time_peers

            result |= time_peers(WORK / f"site-{pages}", WORK, args.runs)
        results.append(result)
        print(json.dumps(result), file=sys.stderr, flush=True)
    facts["load_after"] = round(os.getloadavg()[0], 2)
    empty_trash()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "results.json").write_text(json.dumps({"machine": facts, "results": results}, indent=2) + "\n")
    (RESULTS / "README-table.md").write_text(table(results, facts))
    if not args.no_chart:
        chart(results, RESULTS / "chart.png")
    print(table(results, facts))


if __name__ == "__main__":
    main()
