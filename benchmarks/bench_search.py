"""Client-side search on a phone-class CPU: time from a query to its results on a generated site.

The site (benchmarks/corpus.py) is built and served on 127.0.0.1; Debian's Chromium, driven by
Playwright, runs with its CPU slowed down through the DevTools protocol (4× is the usual stand-in
for a mid-range phone). Each query is typed into the search box; static/search.js records how long
its search and the listing of the results took (data-search-ms), which is what is reported.

    .venv/bin/python -m benchmarks.bench_search [--pages 1000] [--throttle 4] [--json FILE]
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from benchmarks.corpus import generate
from sitegen.build import build
from sitegen.config import load_settings
from sitegen.report import NullReporter

CHROMIUM = "/usr/bin/chromium"
QUERIES = ["h", "hi", "hinge", "hamstrings", "kettle", "band row", "glutes strength", "zzz", "deadlift", "step"]
ROUNDS = 5


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def measure(pages: int, throttle: float) -> dict:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        site = generate(Path(tmp) / "site", pages)
        build(load_settings(site), cards=False, reporter=NullReporter())
        index_bytes = (site / "output" / "search.json").stat().st_size
        # The corpus lives under base_url's path (/coach/): serve it there.
        base_path = load_settings(site).base_path
        (Path(tmp) / "root").mkdir()
        (Path(tmp) / "root" / base_path.strip("/")).symlink_to(site / "output")
        handler = functools.partial(_Quiet, directory=str(Path(tmp) / "root"))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        times: list[float] = []
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
                tab = browser.new_page(viewport={"width": 390, "height": 800})
                cdp = tab.context.new_cdp_session(tab)
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
                tab.goto(f"http://127.0.0.1:{server.server_address[1]}{base_path}", wait_until="load")
                box = tab.get_by_role("searchbox")
                for _ in range(ROUNDS):
                    for query in QUERIES:
                        box.fill("")
                        tab.wait_for_function("document.querySelector('.search-status').textContent === ''")
                        box.fill(query)
                        tab.wait_for_function("document.querySelector('.search-status').textContent !== ''")
                        times.append(float(tab.locator("[data-search-index]").get_attribute("data-search-ms")))
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
    first = times[0]  # the first search of a page: its code not yet compiled by the JIT
    times.sort()
    return {"first_ms": round(first, 2), "pages": pages, "throttle": throttle, "index_bytes": index_bytes, "searches": len(times),
            "median_ms": round(statistics.median(times), 2), "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
            "max_ms": round(times[-1], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--throttle", type=float, default=4)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = measure(args.pages, args.throttle)
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
