"""How long an edit in bib/ takes to show in the browser under `toi-atlas serve`.

For our corpus and synthetic ones (synthetic.py, seed 0; 1,000 works by default, e.g.
`--sizes 1000 10000`): build once (so the citation memo is warm, as it is after any
earlier build), start `toi-atlas serve` on a free port, open one work's page in
Debian's Chromium, then edit that work's summary `--runs` times. Each time, the clock
runs from the moment the .bib file is saved until the page shows the new text. The
page is never reloaded by us: the preview's own script in it asks the server every
half second whether its file changed (`__toi_atlas__/version`) and reloads it. The
preview's log, read as it is written, gives when it saw the change and when its
incremental build was done (the edited work page is refilled in place as soon as it is
rendered, before the generator renders the lists, topic pages and exports); the
rest of the site is then rebuilt by `mkdocs build` in the background and swapped in,
which is waited for (and timed) before the next edit.

Usage: `.venv/bin/python -m tools.preview_timing [--runs 5] [--sizes 1000 10000]
[--out bench-out/preview] [--write-docs]`; --write-docs replaces the live-preview
section of docs/performance.md (which `make bench` keeps when it rewrites the rest).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from playwright.sync_api import sync_playwright

from toi_atlas.pipeline import Paths, load_and_check
from toi_atlas.write.files import atomic_write

from .localserver import CHROMIUM_ARGS, chromium_path
from .measure import checked, progress, tool
from .report import ROOT, timing_arguments, write_section
from .synthetic import copy_real_project, write_corpus

SYNTHETIC = (1000,)
WAIT_S = 900  # the longest a step may take (a 10,000-work site on a busy machine)
# What `toi-atlas serve` prints: the change it saw, and `toi-atlas build`'s summary.
SAW = re.compile(r"toi-atlas serve: changed: ")
UPDATED = re.compile(r"toi-atlas serve: updated [\d,]+ work pages?")
GENERATED = re.compile(r"^generated [\d,]+ works?: docs/atlas ([\d,]+) written")
SITE = re.compile(r"site-(\d+)$")


@dataclass(frozen=True)
class Timing:
    works: int
    seconds: list[float]  # from each save to the new text in the page
    updated: list[float]  # from each save until the edited page was refilled in the site
    generated: list[float]  # from each save to the end of the incremental build
    background: list[float]  # from each save until the rebuilt site was swapped in
    load: float


@dataclass
class Log:
    """The preview's output, each line with the time it arrived."""

    lines: list[tuple[float, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def read(self, stream: IO[bytes], copy: IO[bytes]) -> None:
        for raw in stream:
            now = time.monotonic()
            copy.write(raw)
            copy.flush()
            with self.lock:
                self.lines.append((now, raw.decode("utf-8", "replace").rstrip("\n")))

    def first(self, pattern: re.Pattern[str], after: float) -> tuple[float, str] | None:
        """The first line since `after` that matches, with its time."""
        with self.lock:
            found = (item for item in self.lines if item[0] >= after and pattern.search(item[1]))
            return next(found, None)

    def wait(
        self, pattern: re.Pattern[str], after: float, deadline: float
    ) -> tuple[float, str] | None:
        """`first`, once it has arrived (None if not by `deadline`)."""
        while (found := self.first(pattern, after)) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        return found

    def tail(self) -> str:
        with self.lock:
            return "\n".join(line for _, line in self.lines[-40:])


def summary_span(text: str, key: str) -> int:
    """Where the text of `key`'s summary starts in a .bib file's text."""
    start = re.search(rf"@\w+\{{{re.escape(key)},", text)
    assert start is not None, key
    field_ = re.compile(r"^\s*summary\s*=\s*\{", re.M).search(text, start.end())
    assert field_ is not None, key
    return field_.end()


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
        return False  # HTTPError (404: no site yet) is a URLError


def sites(root: Path) -> list[int]:
    """The numbers of the sites the preview has built (`.toi-atlas/preview/site-N`): one
    while it serves, two while the next is being built beside it."""
    folder = Paths(root).cache / "preview"
    found = [SITE.search(p.name) for p in folder.iterdir()] if folder.is_dir() else []
    return sorted(int(m.group(1)) for m in found if m)


def swapped_in(
    root: Path, newer_than: int, deadline: float, serve: subprocess.Popen[bytes]
) -> float | None:
    """When a site newer than `newer_than` alone is served: the background rebuild after
    an edit is done. None if that did not happen by `deadline` or the preview ended."""
    while time.monotonic() < deadline and serve.poll() is None:
        now = sites(root)
        if len(now) == 1 and now[0] > newer_than:
            return time.monotonic()
        time.sleep(0.1)
    return None


def start_serve(root: Path, port: int, log: Log, copy: IO[bytes]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_MKDOCS_2_WARNING": "1"}
    serve = subprocess.Popen(
        [tool("toi-atlas"), "serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env=env,
    )
    assert serve.stdout is not None
    threading.Thread(target=log.read, args=(serve.stdout, copy), daemon=True).start()
    return serve


def stop(serve: subprocess.Popen[bytes]) -> None:
    serve.send_signal(signal.SIGINT)
    try:
        serve.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(serve.pid, signal.SIGKILL)
        serve.wait()


def measure(root: Path, bib: Path, key: str, runs: int) -> Timing:
    progress(f"{root.name}: toi-atlas build (the citation memo, as after any earlier build)")
    checked([tool("toi-atlas"), "build"], root)
    port = free_port()
    url = f"http://127.0.0.1:{port}/toi-atlas/atlas/works/{key.lower()}/"
    original = bib.read_text(encoding="utf-8")
    at = summary_span(original, key)
    shutil.rmtree(Paths(root).cache / "preview", ignore_errors=True)  # an earlier run's sites
    log = Log()
    seconds: list[float] = []
    generated: list[float] = []
    updated: list[float] = []
    background: list[float] = []
    with (root / "serve.log").open("wb") as copy:
        serve = start_serve(root, port, log, copy)
        try:
            deadline = time.monotonic() + WAIT_S
            while not served(url):
                if time.monotonic() > deadline or serve.poll() is not None:
                    raise RuntimeError(log.tail())
                time.sleep(0.5)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
                page = browser.new_page()
                page.goto(url)
                for run in range(runs):
                    time.sleep(2)  # the page's version poll has its first answer
                    before = max(sites(root), default=0)
                    marker = f"Preview edit {run + 1} of {runs}."
                    text = original[:at] + marker + " " + original[at:]
                    start = time.monotonic()
                    atomic_write(bib, text.encode("utf-8"))
                    # document.body is null for a moment while the page reloads itself.
                    page.wait_for_function(
                        "t => !!document.body && document.body.innerText.includes(t)",
                        arg=marker,
                        polling=50,
                        timeout=WAIT_S * 1000,
                    )
                    seconds.append(time.monotonic() - start)
                    # The edited page is shown before the generator renders the rest.
                    done = log.wait(GENERATED, start, start + WAIT_S)
                    refilled = log.first(UPDATED, start)
                    if done is None or refilled is None:
                        raise RuntimeError(f"no build summary after the edit:\n{log.tail()}")
                    generated.append(done[0] - start)
                    updated.append(refilled[0] - start)
                    progress(f"{root.name}: edit {run + 1}: shown after {seconds[-1]:.2f} s")
                    match = GENERATED.search(done[1])
                    if match and match.group(1) != "0":  # lists changed: MkDocs builds again
                        swapped = swapped_in(root, before, start + WAIT_S, serve)
                        if swapped is None:
                            raise RuntimeError(f"the site was not rebuilt:\n{log.tail()}")
                        background.append(swapped - start)
                        progress(f"{root.name}: whole site after {background[-1]:.1f} s")
                browser.close()
        finally:
            atomic_write(bib, original.encode("utf-8"))
            stop(serve)
    return Timing(works(root), seconds, updated, generated, background, os.getloadavg()[0])


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s" if values else "?"


def report(results: dict[str, Timing], runs: int, command: str) -> str:
    rows = [
        "| corpus | works | saved to shown | page refilled after | generator done after "
        "| whole site rebuilt after | machine load |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, t in results.items():
        spread = f"{min(t.seconds):.2f}–{max(t.seconds):.2f}"
        rows.append(
            f"| {name} | {t.works:,} | {_median(t.seconds)} ({spread}) | {_median(t.updated)} "
            f"| {_median(t.generated)} "
            f"| {_median(t.background)} | {t.load:.1f} |"
        )
    return "\n".join(
        [
            "## Live preview: from saving an edit to the new text",
            "",
            f"Measured by `{command}` on {dt.date.today().isoformat()}: `toi-atlas serve` on a "
            "project that was built once before (so the citation memo holds every other "
            "work), one work's page open in Debian's Chromium, and that work's summary edited "
            "in its .bib file. The clock runs from the save until the page shows the new "
            f"text: the median of {runs} edits, then the fastest and the slowest. The page "
            "reloads itself: its script asks the preview every half second whether its file "
            "changed. *Page refilled after* is from the save until the preview said it had "
            "put the edited work page into the served site (the watcher noticing the change, "
            "loading and checking, and rendering the pages whose inputs changed); the rest "
            "is the page's next question and its reload. *Generator done after* is from the "
            "save until the incremental `toi-atlas build` printed its summary, once it had "
            "also rendered lists, topic pages and exports. *Whole site rebuilt after* is "
            "from the save until the rest of the site (lists, browse data, search), rebuilt "
            "by `mkdocs build` in the background, was swapped in; the edited page does not "
            "wait for it. Targets: 2 s at 1,000 works, 5 s at 10,000. *Machine load* is the "
            "1-minute load average after the runs (2 cores, shared with other jobs).",
            "",
            *rows,
            "",
        ]
    )


def _more(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=list(SYNTHETIC),
        help="synthetic corpus sizes (default: %(default)s)",
    )
    p.add_argument(
        "--reuse",
        action="store_true",
        help="keep a synthetic project left by an earlier run (same seed, so the same "
        "corpus) and its build, instead of writing and building it again",
    )


def main(argv: list[str]) -> int:
    args = timing_arguments(__doc__ or "", "preview", argv, _more)
    out = args.out.resolve()
    real = out / "real"
    progress("our corpus")
    shutil.rmtree(real, ignore_errors=True)
    copy_real_project(ROOT, real)
    results = {
        "ours": measure(real, real / "bib" / "essay-main.bib", "nanda2022longlist", args.runs)
    }
    for n in args.sizes:
        progress(f"{n:,} synthetic works")
        synthetic = out / f"n{n}"
        if not (args.reuse and (synthetic / "bib").is_dir()):
            shutil.rmtree(synthetic, ignore_errors=True)
            write_corpus(synthetic, n, 0, repo=ROOT)
        first = synthetic / "bib" / "synthetic-001.bib"
        key = re.search(r"^@\w+\{([^,]+),", first.read_text(encoding="utf-8"), re.M)
        assert key is not None
        results[f"synthetic {n:,}"] = measure(synthetic, first, key.group(1), args.runs)
    sizes = " ".join(str(n) for n in args.sizes)
    command = f".venv/bin/python -m tools.preview_timing --runs {args.runs} --sizes {sizes}"
    text = report(results, args.runs, command + " --write-docs")
    print(text)
    if args.write_docs:
        write_section(ROOT, "live-preview", text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
