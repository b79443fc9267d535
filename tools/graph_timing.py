"""How long the argument graph page takes to draw on a slow connection.

Builds the site of our corpus and of a 1,000-work synthetic corpus (synthetic.py, seed
0), then opens each graph page in Debian's Chromium with Chrome's "Slow 4G" network
(150 ms latency, 1.6 Mbit/s down, 750 kbit/s up) and the CPU slowed 4x, and reads the
time from navigation to the drawn graph (graph.js's data-drawn). Files are served
gzipped, as GitHub Pages serves them, and again uncompressed (as the tests' server does).

Usage: `.venv/bin/python -m tools.graph_timing [--runs 5] [--out bench-out/graph]
[--write-docs]`; --write-docs replaces the graph section of docs/performance.md (which
`make bench` keeps when it rewrites the rest).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from toi_atlas.write.files import atomic_write

from .localserver import CHROMIUM_ARGS, chromium_path, serve, serve_gzipped
from .measure import checked, median, progress, tool
from .report import ROOT, timing_arguments, write_section
from .synthetic import copy_real_project, write_corpus

SYNTHETIC = 1000
WAIT = 180_000  # ms
GRAPH_PAGE = "/atlas/graph/"
# Chrome DevTools' "Slow 4G" profile, with the CPU slowed as much as DevTools' mid-tier
# mobile setting: the conditions the graph page must draw within 3 s under.
SLOW_4G = {"latency": 150, "downloadThroughput": 1.6e6 / 8, "uploadThroughput": 750e3 / 8}
CPU_SLOWDOWN = 4
# graph.js sets data-drawn (ms since navigation start) once the frame with the graph
# has been painted.
GRAPH_DRAWN_JS = "document.getElementById('toi-graph')?.dataset.drawn"


def measure_graph_page(site: Path, runs: int, *, compressed: bool) -> dict[str, Any]:
    """Time from navigation to a drawn argument graph, in a fresh browser context per
    run (no cache), on a slow 4G connection with a 4x slower CPU; the median of `runs`."""
    from playwright.sync_api import sync_playwright

    server = serve_gzipped(site) if compressed else serve(site)
    times: list[float] = []
    with server as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            # A throwaway visit first: starting the renderer is Chromium's cost, not ours.
            warm = browser.new_context()
            warm.new_page().goto(base + GRAPH_PAGE, wait_until="load", timeout=WAIT)
            warm.close()
            for _ in range(runs):
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
                cdp.send("Network.emulateNetworkConditions", {"offline": False, **SLOW_4G})
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
                page.goto(base + GRAPH_PAGE, wait_until="commit", timeout=WAIT)
                page.wait_for_function(GRAPH_DRAWN_JS, timeout=WAIT)
                times.append(float(page.evaluate(GRAPH_DRAWN_JS)))
                context.close()
        finally:
            browser.close()
    return {"graph_drawn_ms": median(times), "graph_drawn_runs_ms": times}


def build(root: Path) -> Path:
    checked([tool("toi-atlas"), "build"], root)
    checked([tool("mkdocs"), "build", "--strict", "--site-dir", "site"], root)
    return root / "site"


def figures(site: Path, runs: int) -> dict[str, object]:
    data = site / "atlas" / "data"
    view = json.loads((data / "graph-view.json").read_text(encoding="utf-8"))
    raw = (data / "graph-view.json").read_bytes()
    out: dict[str, object] = {
        "load": os.getloadavg()[0],  # other jobs on the machine slow every figure
        "works": len(view["nodes"]),
        "links": len(view["edges"]),
        "view_bytes": len(raw),
        "view_gzip_bytes": len(gzip.compress(raw, mtime=0)),
    }
    for compressed in (True, False):
        progress(f"{site.parent.name}: graph page, {'gzipped' if compressed else 'uncompressed'}")
        m = measure_graph_page(site, runs, compressed=compressed)
        out["gzip_ms" if compressed else "plain_ms"] = m["graph_drawn_ms"]
        out["gzip_runs_ms" if compressed else "plain_runs_ms"] = m["graph_drawn_runs_ms"]
    return out


def kib(n: object) -> str:
    return f"{int(n) / 1024:.0f} KiB" if isinstance(n, int) else "?"


def secs(ms: object) -> str:
    return f"{float(ms) / 1000:.2f} s" if isinstance(ms, int | float) else "?"


def spread(r: dict[str, object], key: str) -> str:
    """The median, then the fastest and slowest run."""
    runs = r.get(f"{key}_runs_ms")
    if not isinstance(runs, list) or not runs:
        return "?"
    return f"{secs(r[f'{key}_ms'])} ({min(runs) / 1000:.1f}–{max(runs) / 1000:.1f})"


def report(results: dict[str, dict[str, object]], runs: int) -> str:
    mbit = SLOW_4G["downloadThroughput"] * 8 / 1e6
    up = SLOW_4G["uploadThroughput"] * 8 / 1e3
    rows = [
        "| corpus | works | links | graph-view.json (gzipped) | drawn, gzipped "
        "| drawn, uncompressed | machine load |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        rows.append(
            f"| {name} | {r['works']:,} | {r['links']:,} | {kib(r['view_bytes'])} "
            f"({kib(r['view_gzip_bytes'])}) | {spread(r, 'gzip')} | {spread(r, 'plain')} "
            f"| {float(str(r['load'])):.1f} |"
        )
    return "\n".join(
        [
            "## The argument graph on a slow connection",
            "",
            "Measured by `.venv/bin/python -m tools.graph_timing` on "
            f"{dt.date.today().isoformat()}: "
            "Debian's Chromium at 1280 × 900 with Chrome's \"Slow 4G\" network "
            f"({SLOW_4G['latency']} ms latency, {mbit:.1f} Mbit/s down, {up:.0f} kbit/s up) "
            f"and the CPU slowed {CPU_SLOWDOWN}×, each run in a fresh context without "
            "cache. *Drawn* is the time from navigation until the frame with the whole "
            "graph has been painted (graph.js records it in `data-drawn`): the median "
            f"of {runs} runs, then the fastest and the slowest. *Gzipped* is how GitHub "
            "Pages serves the site; the local server of the tests sends files "
            "uncompressed. The page also loads the theme's stylesheet and script, which "
            "share the connection and the slowed CPU (in the runs we traced, the graph "
            "script waited for the theme's script to finish). *Machine load* is the "
            "1-minute load average "
            "when the corpus was measured (2 cores, shared with other jobs). Target: "
            "under 3 s for our corpus.",
            "",
            *rows,
            "",
        ]
    )


def main(argv: list[str]) -> int:
    args = timing_arguments(__doc__ or "", "graph", argv)
    out = args.out.resolve()
    real, synthetic = out / "real", out / f"n{SYNTHETIC}"
    progress("building the site of our corpus")
    shutil.rmtree(real, ignore_errors=True)
    copy_real_project(ROOT, real)
    sites = {"ours": build(real)}
    progress(f"building the site of {SYNTHETIC:,} synthetic works")
    shutil.rmtree(synthetic, ignore_errors=True)
    write_corpus(synthetic, SYNTHETIC, 0, repo=ROOT)
    sites["synthetic"] = build(synthetic)
    results = {name: figures(site, args.runs) for name, site in sites.items()}
    atomic_write(out / "results.json", (json.dumps(results, indent=2) + "\n").encode())
    text = report(results, args.runs)
    print(text)
    if args.write_docs:
        write_section(ROOT, "graph-page", text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
