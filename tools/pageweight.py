"""What a first visit to each kind of page downloads, measured in Chromium.

For each page a fresh browser context (empty cache) loads it and waits until the
network is idle, so the search index that Material's search worker fetches on every
first visit is counted. Every finished response is summed twice: as transferred by
the local server (which does not compress) and gzipped at gzip's default level, what
a static host that compresses (GitHub Pages does) sends.

Usage: `make build`, then
`.venv/bin/python -m tools.pageweight site` (prints the table) or
`.venv/bin/python -m tools.pageweight site --write-docs` (also updates the
"Page weight" section of docs/performance.md).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from toi_atlas.write.files import atomic_write

from .localserver import CHROMIUM_ARGS, chromium_path, local_file, serve
from .measure import GZIP_LEVEL, gzipped, progress
from .report import REPORT, ROOT, SECTION, section
from .report import with_section as report_with_section

if TYPE_CHECKING:  # a test dependency: imported when measuring, not with the package
    from playwright.sync_api import Browser, Request

# (page type, path, script condition meaning "the page has finished its own work")
PAGES: tuple[tuple[str, str, str], ...] = (
    ("home", "/", ""),
    ("work (the essay)", "/atlas/works/segerie2023against/", ""),
    ("work (a typical one)", "/atlas/works/templeton2024scaling/", ""),
    ("topic (debate page)", "/atlas/toi/auditing-deception/", ""),
    ("browse", "/atlas/browse/", "document.getElementById('toi-browse')?.dataset.updateMs"),
    ("graph", "/atlas/graph/", "document.getElementById('toi-graph')?.dataset.shown"),
    ("claims", "/atlas/claims/", ""),
    ("reading list", "/reading/start-here/", ""),
    ("data", "/atlas/downloads/", ""),
)
WAIT = 120_000  # ms
NAME = "page-weight"  # a marked section of docs/performance.md that `make bench` keeps
START = f"<!-- {NAME}: start -->"
END = f"<!-- {NAME}: end -->"
COMMAND = ".venv/bin/python -m tools.pageweight site --write-docs"


@dataclass(frozen=True)
class Weight:
    name: str
    path: str
    requests: int
    raw: int  # bytes of every response body, as the local server sent them
    gzip: int  # the same responses gzipped
    search_raw: int  # of which the search index
    search_gzip: int


def measure(site: Path, pages: tuple[tuple[str, str, str], ...] = PAGES) -> list[Weight]:
    """Serve `site` and measure each page in Debian's Chromium."""
    from playwright.sync_api import sync_playwright

    with serve(site) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            return measure_with(browser, base, site, pages)
        finally:
            browser.close()


def measure_with(
    browser: Browser, base: str, site: Path, pages: tuple[tuple[str, str, str], ...] = PAGES
) -> list[Weight]:
    """The same with a running browser and a server of `site` at `base`."""
    return [
        _weight(site, name, path, first_visit(browser, base + path, ready))
        for name, path, ready in pages
    ]


def first_visit(browser: Browser, url: str, ready: str = "") -> list[tuple[str, int]]:
    """(URL, body bytes) of every response of a first visit to `url`, until idle."""
    finished: list[Request] = []
    context = browser.new_context()  # a new context shares no HTTP cache
    context.on("requestfinished", lambda request: finished.append(request))
    try:
        page = context.new_page()
        page.goto(url, wait_until="load", timeout=WAIT)
        if ready:
            page.wait_for_function(ready, timeout=WAIT)
        page.wait_for_load_state("networkidle", timeout=WAIT)
        return [(r.url, r.sizes()["responseBodySize"]) for r in finished]
    finally:
        context.close()


def _weight(site: Path, name: str, path: str, sizes: list[tuple[str, int]]) -> Weight:
    def packed(url: str, size: int) -> int:
        file = local_file(site, url)
        return gzipped(file.read_bytes()) if file else size

    search = [(u, s) for u, s in sizes if u.endswith("/search_index.json")]
    return Weight(
        name=name,
        path=path,
        requests=len(sizes),
        raw=sum(s for _, s in sizes),
        gzip=sum(packed(u, s) for u, s in sizes),
        search_raw=sum(s for _, s in search),
        search_gzip=sum(packed(u, s) for u, s in search),
    )


def kib(n: int) -> str:
    return f"{n / 1024:,.1f} KiB"


def markdown_section(weights: list[Weight]) -> str:
    rows = [
        f"| {w.name} | `{w.path}` | {w.requests} | {kib(w.raw)} | {kib(w.gzip)} "
        f"| {kib(w.search_raw)} / {kib(w.search_gzip)} |"
        for w in weights
    ]
    lines = [
        "## Page weight: the first visit",
        "",
        "What Chromium downloads on a first visit (empty cache) to each kind of page of "
        f"the real site, measured by `{COMMAND}` after `make build`: every response "
        "until the network is idle, the search index included (Material's search worker "
        "fetches it on the first visit to any page). "
        "*Transferred* is what the local test server sends, uncompressed; *gzipped* is "
        f"the same responses at gzip level {GZIP_LEVEL}, what a static host that "
        "compresses sends.",
        "",
        "| page | path | requests | transferred | gzipped | of which search index |",
        "|---|---|---:|---:|---:|---:|",
        *rows,
        "",
        *_share(weights),
    ]
    return section(NAME, "\n".join(lines))


def _share(weights: list[Weight]) -> list[str]:
    """One sentence on the largest part: the search index's share of the lightest page."""
    lightest = min(weights, key=lambda w: w.gzip, default=None)
    if lightest is None or not lightest.gzip:
        return []
    share = round(100 * lightest.search_gzip / lightest.gzip)
    return [
        f"The search index is {share}% of the gzipped bytes of the lightest first visit "
        f"({lightest.name}).",
        "",
    ]


def with_section(report: str, section: str) -> str:
    """`report` with its page-weight section replaced by `section` (or added at the end)."""
    body = section.removeprefix(START + "\n").rsplit(END, 1)[0]
    return report_with_section(report, NAME, body)


def kept_section(report: str) -> str:
    """The page-weight section of an existing report (`make bench` keeps it)."""
    return next((m.group() for m in SECTION.finditer(report) if m.group(1) == NAME), "")


def main(argv: list[str]) -> int:
    write = "--write-docs" in argv
    args = [a for a in argv if a != "--write-docs"]
    if len(args) != 1 or not (Path(args[0]) / "index.html").is_file():
        print(__doc__, file=sys.stderr)
        return 2
    text = markdown_section(measure(Path(args[0])))
    sys.stdout.write(text)
    if write:
        report = ROOT / REPORT
        atomic_write(report, with_section(report.read_text(encoding="utf-8"), text).encode())
        progress(f"wrote {REPORT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
