"""Card rendering speed: 50 cards cold and warm, and two ways to make a deck.

On a generated site of 50 cards (benchmarks/corpus.py: 5 guides, 20 drills, 25 exercises):
- cold: the 50 card PDFs rendered with an empty cache, in a fresh process that has not
  imported WeasyPrint (the workers import it once each), wall time;
- the whole card step of a build, cold and warm (cards, pins, decks; everything cached);
- a deck of N cards assembled from the card PDFs with pypdf, against laying out the same N
  cards again as one WeasyPrint document.

Each figure is the best of --repeat runs, each run in a fresh Python process.

    .venv/bin/python -m benchmarks.bench_cards [--cards 50] [--repeat 3] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.corpus import REPO, SKILL_PAGES, generate

_CHILD = """
import json, resource, sys, time
from pathlib import Path
from sitegen.check.checker import check
from sitegen.config import load_settings
from sitegen.report import Reporter

what, root, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
site = check(load_settings(root)).site
assert "weasyprint" not in sys.modules
if what == "cards":
    from sitegen.cards import pdf as pool
    from sitegen.cards.jobs import plan
    from sitegen.cards.sizes import SIZES
    jobs = [j for j in plan(site, SIZES[site.settings.card_size]).jobs if j.kind == "card"]
    started = time.perf_counter()
    results = pool.pdfs_and_pngs(jobs, site.settings, SIZES[site.settings.card_size])
    seconds = time.perf_counter() - started
    assert all(r.data and not r.problems and r.overflow == 0 for r in results), "a card failed"
    count = len(results)
else:
    from sitegen.cards.pipeline import build_cards
    started = time.perf_counter()
    count = build_cards(site, out, reporter=Reporter(quiet=True))
    seconds = time.perf_counter() - started
cpu = sum(r.ru_utime + r.ru_stime for r in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))
print(json.dumps({"seconds": seconds, "count": count, "cpu": cpu}))
"""


def child(what: str, site: Path, out: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", _CHILD, what, str(site), str(out)], capture_output=True, text=True,
                          cwd=REPO, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def best(runs: list[dict]) -> dict:
    """Wall time, and the CPU time of the whole process and its workers (loading the site included):
    on a busy machine the CPU time says what the cards cost when the wall time cannot."""
    seconds = [r["seconds"] for r in runs]
    return {"best_s": round(min(seconds), 3), "median_s": round(statistics.median(seconds), 3),
            "cpu_s": round(min(r["cpu"] for r in runs), 3), "count": runs[0]["count"]}


def cold_and_warm(site: Path, repeat: int) -> dict:
    cache = site / ".sitegen-cache"
    out = site / "bench-out"
    cards = []
    for _ in range(repeat):
        shutil.rmtree(cache, ignore_errors=True)
        cards.append(child("cards", site, out))
    builds_cold, builds_warm = [], []
    for _ in range(repeat):
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
        builds_cold.append(child("build", site, out))
        builds_warm.append(child("build", site, out))
    return {"cards_cold": best(cards), "card_step_cold": best(builds_cold), "card_step_warm": best(builds_warm)}


def decks(site: Path, sizes: list[int], repeat: int) -> list[dict]:
    """pypdf assembly of ready card PDFs against one WeasyPrint document of the same cards."""
    import weasyprint

    from sitegen.cards import decks as assemble
    from sitegen.cards import pdf as pool
    from sitegen.cards.jobs import plan
    from sitegen.cards.sizes import SIZES
    from sitegen.check.checker import check
    from sitegen.config import load_settings

    settings = load_settings(site)
    size = SIZES[settings.card_size]
    jobs = [j for j in plan(check(settings).site, size).jobs if j.kind == "card"]
    worker = pool._Worker(settings, size)
    pdfs = [worker.run(job).data for job in jobs]
    page = {"size": size.name, "width": size.width, "height": size.height, "page_height": size.height}
    htmls = [worker.env.get_template(job.template).render(job.context, page=page) for job in jobs]
    rows = []
    for n in sizes:
        head = htmls[0].split("<body>")[0]
        bodies = [h.split("<body>")[1].split("</body>")[0] for h in htmls[:n]]
        # The same cards, one after another; `break-before` starts each on its own page.
        document = head + "<body>" + "".join(f'<div style="break-before: page">{b}</div>' for b in bodies) + "</body></html>"
        merged, laid_out = [], []
        for _ in range(repeat):
            started = time.perf_counter()
            deck = assemble.deck(pdfs[:n], "bench")
            merged.append(time.perf_counter() - started)
            started = time.perf_counter()
            one = weasyprint.HTML(string=document, base_url=worker.root_url).render(
                stylesheets=worker.stylesheets(jobs[0].template), font_config=worker.fonts).write_pdf()
            laid_out.append(time.perf_counter() - started)
        rows.append({"cards": n, "pypdf_s": round(min(merged), 4), "weasyprint_s": round(min(laid_out), 4),
                     "pypdf_bytes": len(deck), "weasyprint_bytes": len(one)})
    return rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cards", type=int, default=50, help="cards in the generated site (a multiple of 10)")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--json", type=Path, help="also write the results here")
    args = p.parse_args()
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())} on {len(os.sched_getaffinity(0))} cores")
    with tempfile.TemporaryDirectory() as tmp:
        site = generate(Path(tmp) / "site", args.cards // SKILL_PAGES * SKILL_PAGES + 1)
        results = {"timing": cold_and_warm(site, args.repeat),
                   "decks": decks(site, [n for n in (5, 20, 50) if n <= args.cards], args.repeat)}
    for name, row in results["timing"].items():
        print(f"{name:16} {row['count']:4} files  best {row['best_s']:.3f} s  median {row['median_s']:.3f} s  "
              f"process CPU {row['cpu_s']:.2f} s")
    for row in results["decks"]:
        print(f"deck of {row['cards']:3}: pypdf {row['pypdf_s']:.3f} s ({row['pypdf_bytes'] // 1024} KB), "
              f"one WeasyPrint document {row['weasyprint_s']:.3f} s ({row['weasyprint_bytes'] // 1024} KB)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
