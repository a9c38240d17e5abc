"""Edit-to-reload latency of `sitegen serve`: save a drill → the browser is told to reload → the page is fresh.

A real preview server runs in a thread; a real livereload client (tornado's websocket, with the
preview's Origin, doing the livereload handshake) waits for the reload message, then fetches the
edited page over HTTP and checks that it carries the edit. Measured on the example site and on a
generated site (benchmarks/corpus.py). The cards are made in the background meanwhile, as in any
preview session (the first run renders every card of the site): the figures include their competition.

    .venv/bin/python -m benchmarks.bench_serve [--pages 1000] [--edits 15] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.corpus import REPO, generate
from sitegen.config import load_settings
from sitegen.preview.server import PreviewServer
from sitegen.report import NullReporter

PROTOCOL = "http://livereload.com/protocols/official-7"
# Between edits: longer than the server's debounce, so each edit is a build of its own.
PAUSE = 0.15


def example_site(dest: Path) -> Path:
    for name in ("content", "templates", "static"):
        shutil.copytree(REPO / name, dest / name)
    shutil.copy(REPO / "pyproject.toml", dest / "pyproject.toml")
    return dest


def pick_drill(site: Path) -> tuple[Path, str]:
    """A drill in the middle of the site and its URL path (drills/<file name>/)."""
    drills = sorted((site / "content" / "drills").glob("*.md"))
    drill = drills[len(drills) // 2]
    return drill, f"/drills/{drill.stem}/"


async def _client(port: int):
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    origin = f"http://127.0.0.1:{port}"
    ws = await websocket_connect(HTTPRequest(f"ws://127.0.0.1:{port}/livereload", headers={"Origin": origin}))
    await ws.write_message(json.dumps({"command": "hello", "protocols": [PROTOCOL]}))
    await ws.read_message()
    await ws.write_message(json.dumps({"command": "info", "url": origin + "/", "plugins": {}}))
    return ws


async def _edits(server: PreviewServer, drill: Path, url: str, edits: int) -> list[dict]:
    from tornado.httpclient import AsyncHTTPClient

    ws = await _client(server.port)
    while server.open_pages < 1:
        await asyncio.sleep(0.005)
    http = AsyncHTTPClient()
    original = drill.read_text(encoding="utf-8")
    samples = []
    try:
        for i in range(edits):
            token = f"Benchmark edit number {i}."
            started = time.perf_counter()
            drill.write_text(original + f"\n{token}\n", encoding="utf-8")
            while json.loads(await ws.read_message())["command"] != "reload":
                pass
            told = time.perf_counter()
            body = (await http.fetch(f"http://127.0.0.1:{server.port}{url}")).body.decode()
            fresh = time.perf_counter()
            if token not in body:
                raise SystemExit(f"edit {i}: the page served after the reload message is stale")
            samples.append({"reload_ms": (told - started) * 1000, "fresh_ms": (fresh - started) * 1000})
            await asyncio.sleep(PAUSE)
    finally:
        drill.write_text(original, encoding="utf-8")
        ws.close()
    return samples


def measure(site: Path, edits: int) -> dict:
    reporter = NullReporter()
    server = PreviewServer(load_settings(site), port=0, reporter=reporter)
    server.bind()
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    server.ready.wait(600)
    try:
        errors = server.status()["errors"]
        if errors:
            raise SystemExit(f"{site.name}: the site does not build: " + "; ".join(
                f"{e['location']} {e['text']}" for e in errors[:3]))
        drill, url = pick_drill(site)
        samples = asyncio.run(_edits(server, drill, url, edits))
    finally:
        server.stop()
        thread.join(600)
    # The server's own terminal lines: "built N pages (K files changed) in X ms" (or "1 file").
    builds = [int(m) for m in re.findall(r"built \d+ pages\b.* in (\d+) ms", "\n".join(reporter.messages))]
    pages = re.search(r"built (\d+) pages", reporter.messages[0])
    reload_ms = [s["reload_ms"] for s in samples]
    fresh_ms = [s["fresh_ms"] for s in samples]
    return {
        "pages": int(pages.group(1)) if pages else 0,
        "first_build_ms": builds[0] if builds else None,
        "edits": len(samples),
        "rebuild_ms_median": statistics.median(builds[1:]) if len(builds) > 1 else None,
        "reload_ms_median": statistics.median(reload_ms),
        "reload_ms_max": max(reload_ms),
        "fresh_ms_median": statistics.median(fresh_ms),
        "fresh_ms_max": max(fresh_ms),
    }


def table(results: dict[str, dict]) -> str:
    rows = ["| site | pages | first build | rebuild (median) | save → reload told (median / max) "
            "| save → fresh page (median / max) |", "|---|---:|---:|---:|---:|---:|"]
    for name, r in results.items():
        rows.append(f"| {name} | {r['pages']} | {r['first_build_ms']} ms | {r['rebuild_ms_median']:.0f} ms "
                    f"| {r['reload_ms_median']:.0f} / {r['reload_ms_max']:.0f} ms "
                    f"| {r['fresh_ms_median']:.0f} / {r['fresh_ms_max']:.0f} ms |")
    return "\n".join(rows)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pages", type=int, default=1000, help="size of the generated site (default 1000)")
    p.add_argument("--edits", type=int, default=15, help="edits per site (default 15)")
    p.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="sitegen-bench-serve-") as tmp:
        results = {
            "example": measure(example_site(Path(tmp) / "example"), args.edits),
            f"generated {args.pages}": measure(generate(Path(tmp) / "generated", args.pages), args.edits),
        }
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
