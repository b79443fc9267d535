"""How long an edit in bib/ takes to show in the browser under `toi-atlas serve`.

For our corpus and a 1,000-work synthetic one (synthetic.py, seed 0): build once (so the
citation memo is warm, as it is after any earlier build), start `toi-atlas serve` on a
free port, open one work's page in Debian's Chromium, then edit that work's summary
`--runs` times. Each time, the clock runs from the moment the .bib file is saved until
the page, reloaded by mkdocs serve's live reload and never by us, shows the new text.
The log gives the part of it that `mkdocs serve` spends rebuilding the site.

Usage: `.venv/bin/python -m tools.preview_timing [--runs 5] [--out bench-out/preview]
[--write-docs]`; --write-docs replaces the live-preview section of docs/performance.md
(which `make bench` keeps when it rewrites the rest).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import sync_playwright

from toi_atlas.pipeline import Paths, load_and_check
from toi_atlas.write.files import atomic_write

from .localserver import CHROMIUM_ARGS, chromium_path
from .measure import checked, progress, tool
from .report import ROOT, timing_arguments, write_section
from .synthetic import copy_real_project, write_corpus

SYNTHETIC = 1000
MKDOCS_BUILT = re.compile(r"Documentation built in ([0-9.]+) seconds")


@dataclass(frozen=True)
class Timing:
    works: int
    seconds: list[float]  # from each save to the new text in the page
    mkdocs_s: float | None  # mkdocs serve's own rebuild time, median
    load: float


def summary_span(text: str, key: str) -> int:
    """Where the text of `key`'s summary starts in a .bib file's text."""
    start = re.search(rf"@\w+\{{{re.escape(key)},", text)
    assert start is not None, key
    field = re.compile(r"^\s*summary\s*=\s*\{", re.M).search(text, start.end())
    assert field is not None, key
    return field.end()


def works(root: Path) -> int:
    corpus = load_and_check(Paths(root)).corpus
    return len(corpus.works) if corpus else 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def served(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=10):
            return True
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def measure(root: Path, bib: Path, key: str, runs: int) -> Timing:
    checked([tool("toi-atlas"), "build"], root)  # a warm memo, as after any earlier build
    port = free_port()
    url = f"http://127.0.0.1:{port}/toi-atlas/atlas/works/{key.lower()}/"
    log_path = root / "serve.log"
    original = bib.read_text(encoding="utf-8")
    at = summary_span(original, key)
    with log_path.open("wb") as log:
        serve = subprocess.Popen(
            [tool("toi-atlas"), "serve", "--dev-addr", f"127.0.0.1:{port}"],
            cwd=root,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    seconds: list[float] = []
    try:
        deadline = time.monotonic() + 600
        while not served(url):
            if time.monotonic() > deadline or serve.poll() is not None:
                raise RuntimeError(log_path.read_text(encoding="utf-8")[-3000:])
            time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(url)
            for run in range(runs):
                time.sleep(3)  # let the last rebuild settle
                marker = f"Preview edit {run + 1} of {runs}."
                text = original[:at] + marker + " " + original[at:]
                atomic_write(bib, text.encode("utf-8"))
                start = time.monotonic()
                page.wait_for_function(
                    "t => document.body.innerText.includes(t)",
                    arg=marker,
                    polling=50,
                    timeout=600_000,
                )
                seconds.append(time.monotonic() - start)
                progress(f"{root.name}: edit {run + 1}: {seconds[-1]:.2f} s")
            browser.close()
    finally:
        atomic_write(bib, original.encode("utf-8"))
        serve.send_signal(signal.SIGINT)
        try:
            serve.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
    rebuilds = [float(s) for s in MKDOCS_BUILT.findall(log_path.read_text(encoding="utf-8"))]
    return Timing(
        works(root),
        seconds,
        statistics.median(rebuilds[1:]) if len(rebuilds) > 1 else None,  # not the first build
        os.getloadavg()[0],
    )


def report(results: dict[str, Timing], runs: int) -> str:
    rows = [
        "| corpus | works | saved to shown | of which `mkdocs serve` rebuilds | machine load |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, t in results.items():
        mkdocs = f"{t.mkdocs_s:.1f} s" if t.mkdocs_s is not None else "?"
        spread = f"{min(t.seconds):.1f}–{max(t.seconds):.1f}"
        rows.append(
            f"| {name} | {t.works:,} | {statistics.median(t.seconds):.1f} s ({spread}) "
            f"| {mkdocs} | {t.load:.1f} |"
        )
    return "\n".join(
        [
            "## Live preview: from saving an edit to the new text",
            "",
            f"Measured by `.venv/bin/python -m tools.preview_timing --runs {runs} --write-docs` "
            f"on {dt.date.today().isoformat()}: `toi-atlas serve` on a project that was built "
            "once before (so the citation memo holds every other work), one work's page open "
            "in Debian's Chromium, and that work's summary edited in its .bib file. The clock "
            "runs from the save until the page, reloaded by `mkdocs serve`'s live reload, shows "
            f"the new text: the median of {runs} edits, then the fastest and the slowest. Most "
            "of it is `mkdocs serve` building the whole site again (the median of its own "
            '"Documentation built in" figures); our incremental build and the reload are the '
            "rest. *Machine load* is the 1-minute load average after the runs (2 cores, shared "
            "with other jobs).",
            "",
            *rows,
            "",
        ]
    )


def main(argv: list[str]) -> int:
    args = timing_arguments(__doc__ or "", "preview", argv)
    out = args.out.resolve()
    real, synthetic = out / "real", out / f"n{SYNTHETIC}"
    progress("our corpus")
    shutil.rmtree(real, ignore_errors=True)
    copy_real_project(ROOT, real)
    results = {
        "ours": measure(real, real / "bib" / "essay-main.bib", "nanda2022longlist", args.runs)
    }
    progress(f"{SYNTHETIC:,} synthetic works")
    shutil.rmtree(synthetic, ignore_errors=True)
    write_corpus(synthetic, SYNTHETIC, 0, repo=ROOT)
    first = synthetic / "bib" / "synthetic-001.bib"
    key = re.search(r"^@\w+\{([^,]+),", first.read_text(encoding="utf-8"), re.M)
    assert key is not None
    results["synthetic"] = measure(synthetic, first, key.group(1), args.runs)
    text = report(results, args.runs)
    print(text)
    if args.write_docs:
        write_section(ROOT, "live-preview", text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
