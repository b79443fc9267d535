"""`make bench`: how checking, generating and the site scale with the corpus.

For each size, a synthetic corpus (see synthetic.py) is written into its own project
folder under --out, then measured against a floor (pybtex parsing the same files)
and against the targets of issue #20 (build for scale). In-process steps use the pipeline's
own timings; whole commands run as subprocesses, timed with their peak RSS. Each
time is the median of --runs runs; counts and sizes come from the last run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toi_atlas.write.files import atomic_write

from .localserver import CHROMIUM_ARGS, chromium_path, local_file, serve
from .measure import (
    GZIP_LEVEL,
    Proc,
    StepFailed,
    checked,
    gzipped,
    last_line,
    median,
    progress,
    run_measured,
    tool,
)
from .report import REPORT, keep_sections

Metrics = dict[str, Any]

DEFAULT_SIZES = (100, 1000, 10_000)
KIB, MIB = 1024, 1024 * 1024
FACET = "toi-endstory-microscope"
WAIT = 180_000  # ms; at 10,000 works the search index alone is tens of megabytes


# --- a cold start ---------------------------------------------------------------------


def clean(root: Path, *, keep_state: bool = False) -> None:
    """Forget every earlier build: a cold start, as from a fresh clone. With `keep_state`,
    keep `.toi-atlas/` (the citation memo and the rest of our state), as the Pages
    workflow restores it from its cache onto a fresh clone."""
    for sub in ("docs/atlas", ".cache", "site", *(() if keep_state else (".toi-atlas",))):
        shutil.rmtree(root / sub, ignore_errors=True)


# --- in-process steps ---------------------------------------------------------------


def measure_pybtex(files: list[Path], runs: int) -> Metrics:
    """The floor: pybtex alone parsing the same files (it also splits the names)."""
    from pybtex.database import parse_file

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for path in files:
            parse_file(str(path), bib_format="bibtex")
        times.append(time.perf_counter() - start)
    return {"pybtex_s": median(times)}


def _forget_memos() -> None:
    """Clear in-process memos so every run is as cold as a fresh `toi-atlas build`."""
    from toi_atlas.pipeline import forget_memos

    forget_memos()


def _built(root: Path, *, force: bool = False) -> Any:
    from toi_atlas.diagnostics import has_errors
    from toi_atlas.pipeline import Paths, build

    _forget_memos()
    result = build(Paths(root), force=force)
    if has_errors(result.diagnostics) or result.stats is None:
        first = result.diagnostics[0] if result.diagnostics else None
        raise StepFailed(f"the synthetic corpus in {root} does not build: {first}")
    return result


def measure_pipeline(root: Path, runs: int) -> Metrics:
    """Our steps in-process with the pipeline's own timings: cold, then again with the
    citation memo kept (no docs/atlas/, no work-page fragments, every "cite as" from the
    memo), which leaves render + link check + write without citeproc-py."""
    steps: dict[str, list[float]] = {}

    def add(name: str, value: float) -> None:
        steps.setdefault(name, []).append(value)

    for run in range(runs):
        progress(f"{root.name}: load, check, generate in-process (run {run + 1}/{runs})")
        clean(root)
        t = _built(root).timings
        add("load_s", t["load"] + t["model"])
        add("check_s", t["check"])
        add("cite_s", t["cite"])
        add("render_s", t["render"])
        add("links_s", t["links"])
        add("write_s", t["write"])
        add("generate_s", t["cite"] + t["render"] + t["links"] + t["write"])
        add("ours_s", sum(t.values()))
        progress(f"{root.name}: generate again with the citation memo (run {run + 1}/{runs})")
        clean(root, keep_state=True)
        shutil.rmtree(root / ".toi-atlas" / "pages", ignore_errors=True)
        result = _built(root, force=True)
        t = result.timings
        memo_generate = t["render"] + t["links"] + t["write"]
        add("memo_generate_s", memo_generate)
        add("page_ms", memo_generate / result.works * 1000)
    return {name: median(values) for name, values in steps.items()}


# --- subprocess steps ---------------------------------------------------------------

_UP_TO_DATE = re.compile(r"docs/atlas is up to date")
# Counts are printed with thousands separators: "10,066 written".
_WRITTEN = re.compile(r"([\d,]+) written")
_CONVERTED = re.compile(r"work pages: ([\d,]+) written")


def _count(m: re.Match[str] | None) -> int | None:
    return int(m.group(1).replace(",", "")) if m else None


def written(proc: Proc) -> int | None:
    """Files `toi-atlas build` wrote: into docs/atlas, plus work-page fragments written again."""
    if _UP_TO_DATE.search(proc.output):
        return 0  # nothing changed: the build rendered and wrote nothing
    docs, pages = _count(_WRITTEN.search(proc.output)), _count(_CONVERTED.search(proc.output))
    return None if docs is None else docs + (pages or 0)


def site_written(proc: Proc) -> int | None:
    """Work pages `toi-atlas site` wrote into the built site."""
    return _count(_WRITTEN.search(proc.output))


def edit_one_summary(bib_dir: Path) -> Callable[[], None]:
    """Change the summary of one entry in the middle of the corpus; return an undo."""
    files = sorted(bib_dir.glob("*.bib"))
    path = files[len(files) // 2]
    text = path.read_text(encoding="utf-8")
    starts = [m.end() for m in re.finditer(r"^\s*summary\s*=\s*\{", text, re.MULTILINE)]
    at = starts[len(starts) // 2]
    path.write_text(text[:at] + "Edited for the benchmark. " + text[at:], encoding="utf-8")

    def undo() -> None:
        path.write_text(text, encoding="utf-8")

    return undo


SHELL = Path("atlas") / "works" / "_shell"
KEPT_SHELL = Path(".toi-atlas-bench") / "_shell"


def keep_shell(root: Path) -> None:
    """Copy the shell page the site builder rendered before `toi-atlas site` takes it out
    of the site, so that it can fill the same site again after an edit."""
    shutil.rmtree(root / KEPT_SHELL, ignore_errors=True)
    shutil.copytree(root / "site" / SHELL, root / KEPT_SHELL)


def put_shell_back(root: Path) -> None:
    """`toi-atlas site` reads the shell from the site (a preview keeps it in memory)."""
    shutil.copytree(root / KEPT_SHELL, root / "site" / SHELL, dirs_exist_ok=True)


def measure_builds(root: Path, runs: int, *, zensical: bool) -> Metrics:
    """Whole builds as `make build` runs them (`toi-atlas build`, `mkdocs build --strict`,
    `toi-atlas site`): cold from a fresh clone, then with our state kept as the Pages
    workflow keeps it; no-op and one-edit regenerations; all as subprocesses.

    Zensical runs before MkDocs so that the site/ left behind is MkDocs' one, which the
    size and browser measurements read.
    """
    atlas = [tool("toi-atlas"), "build"]
    mkdocs = [tool("mkdocs"), "build", "--strict", "--site-dir", "site"]
    fill = [tool("toi-atlas"), "site", "--site-dir", "site"]
    series: dict[str, list[float]] = {}
    last: Metrics = {}

    def add(name: str, *procs: Proc) -> None:
        series.setdefault(f"{name}_s", []).append(sum(p.seconds for p in procs))
        rss = [p.rss_mib for p in procs if p.rss_mib is not None]
        if len(rss) == len(procs):
            series.setdefault(f"{name}_rss_mib", []).append(max(rss))

    for run in range(runs):
        step = f"(run {run + 1}/{runs})"
        progress(f"{root.name}: toi-atlas build, cold from a fresh clone {step}")
        clean(root)
        cold = checked(atlas, root)
        add("build", cold)
        if zensical and "zensical_error" not in last:
            progress(f"{root.name}: zensical build --clean + toi-atlas site {step}")
            other = run_measured([tool("zensical"), "build", "--clean"], root)
            if other.returncode == 0:
                add("zensical", other)
                add("zensical_site", checked(fill, root))
            else:  # the comparison is optional: say why it is missing, measure the rest
                last["zensical_error"] = f"exited {other.returncode}: {last_line(other.output)}"
        progress(f"{root.name}: mkdocs build --strict + toi-atlas site {step}")
        site = checked(mkdocs, root)
        keep_shell(root)
        filled = checked(fill, root)
        add("mkdocs", site)
        add("site", filled)
        add("whole", cold, site, filled)
        progress(f"{root.name}: no-op and one edited summary {step}")
        noop = checked(atlas, root)
        add("noop", noop)
        undo = edit_one_summary(root / "bib")
        try:
            changed = checked(atlas, root)
            put_shell_back(root)
            changed_site = checked(fill, root)
        finally:
            undo()
        add("changed", changed, changed_site)
        add("changed_build", changed)
        progress(f"{root.name}: whole build with our state kept (citation memo) {step}")
        clean(root, keep_state=True)
        kept = checked([*atlas, "--force"], root)
        add("memo_build", kept)
        add("memo_whole", kept, checked(mkdocs, root), checked(fill, root))
        last |= {
            "build_written": written(cold),
            "site_written": site_written(filled),
            "noop_written": written(noop),
            "changed_written": written(changed),
            "changed_site_written": site_written(changed_site),
        }
    out: Metrics = {"zensical_s": None, "zensical_rss_mib": None}
    out |= {name: median(values) for name, values in series.items()}
    return {**out, **last}


# --- the built site -----------------------------------------------------------------


def measure_site(site: Path) -> Metrics:
    files = [p for p in site.rglob("*") if p.is_file()]
    pages = sorted((p.stat().st_size, p.parent.name) for p in site.glob("atlas/works/*/index.html"))
    browse = site / "atlas" / "data" / "browse.json"
    search = site / "search" / "search_index.json"
    data = browse.read_bytes() if browse.is_file() else b""
    return {
        "site_bytes": sum(p.stat().st_size for p in files),
        "site_files": len(files),
        "work_pages": len(pages),
        "work_page_median_bytes": median([float(s) for s, _ in pages]),
        "work_page_max_bytes": pages[-1][0] if pages else None,
        "work_page_max_key": pages[-1][1] if pages else None,
        "browse_json_bytes": len(data),
        "browse_json_gzip_bytes": gzipped(data),
        "search_index_bytes": search.stat().st_size if search.is_file() else None,
    }


# --- the browse page in Chromium ----------------------------------------------------


# One click, timed inside the page: the script's own figure (filter + render, set as
# data-update-ms) and the wall time from the click until the frame after it has run
# (requestAnimationFrame, then a task: style, layout and paint of that frame are done).
CLICK_JS = """async (id) => {
  const box = document.getElementById(id);
  const root = document.getElementById('toi-browse');
  await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  const start = performance.now();
  box.click();
  await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  return [performance.now() - start, parseFloat(root.dataset.updateMs)];
}"""
# Runs before the page's scripts: notes when the first results are listed (the browse
# script sets data-update-ms after every update), without polling delays.
READY_JS = """new MutationObserver((_, observer) => {
  if (document.getElementById('toi-browse')?.dataset.updateMs) {
    window.__toiReadyMs = performance.now();
    observer.disconnect();
  }
}).observe(document, {attributes: true, attributeFilter: ['data-update-ms'], subtree: true});"""
PICK_FACET_JS = f"""() => {{
  const box = document.getElementById('{FACET}') ||
    document.querySelector('#toi-form input[name="endstory"]');
  return box ? box.id : null;
}}"""


def measure_browser(site: Path, clicks: int) -> Metrics:
    """First load of atlas/browse/ (bytes, readiness) and facet-click latency."""
    from playwright.sync_api import Request, sync_playwright

    finished: list[Request] = []
    with serve(site) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            # A throwaway visit first: starting the renderer is Chromium's cost, not ours.
            warm = browser.new_context()
            warm.new_page().goto(f"{base}/atlas/browse/", wait_until="networkidle", timeout=WAIT)
            warm.close()
            context = browser.new_context()  # a fresh context shares no HTTP cache
            context.on("requestfinished", lambda request: finished.append(request))
            context.add_init_script(script=READY_JS)
            page = context.new_page()
            page.goto(f"{base}/atlas/browse/", wait_until="commit", timeout=WAIT)
            page.wait_for_function(
                "document.getElementById('toi-browse')?.dataset.updateMs", timeout=WAIT
            )
            ready_ms = page.evaluate("window.__toiReadyMs")
            page.wait_for_load_state("networkidle", timeout=WAIT)  # search index: in a worker
            loads = [(r.url, r.sizes()["responseBodySize"]) for r in finished]
            facet = page.evaluate(PICK_FACET_JS)
            timings = [page.evaluate(CLICK_JS, facet) for _ in range(clicks)] if facet else []
        finally:
            browser.close()
    files = {url: local_file(site, url) for url, _ in loads}
    return {
        "first_load_requests": len(loads),
        "first_load_bytes": sum(size for _, size in loads),
        "first_load_gzip_bytes": sum(gzipped(p.read_bytes()) for p in files.values() if p),
        "first_load_search_bytes": sum(s for u, s in loads if "search_index" in u),
        "browse_ready_ms": ready_ms,
        "click_frame_ms": median([t[0] for t in timings]),
        "update_ms": median([t[1] for t in timings]),
    }


def academic_tool(venv: Path) -> tuple[str | None, str | None]:
    """Hugo Blox's `academic` CLI in its own virtualenv, installed there if missing.

    Returns the command, or None and why not: the comparison is optional and its
    failure is reported in the table, never fatal.
    """
    exe = venv / "bin" / "academic"
    if exe.is_file():
        return str(exe), None
    progress(f"installing `academic` (Hugo Blox's importer) into {venv}")
    steps = [
        ["python3", "-m", "venv", str(venv)],
        [str(venv / "bin" / "pip"), "install", "academic"],
    ]
    for cmd in steps:
        proc = run_measured(cmd, Path.cwd())
        if proc.returncode != 0:
            last = proc.output.strip().splitlines()[-1:] or ["no output"]
            return None, f"`{' '.join(cmd[-2:])}` failed: {last[0][:120]}"
    return (str(exe), None) if exe.is_file() else (None, "installed, but no `academic` command")


HUGO_SITE = Path(__file__).resolve().parent / "hugo-site"  # config and a minimal layout


def measure_academic(root: Path, runs: int, venv: Path) -> Metrics:
    """Hugo Blox's way, cold: `academic import FILE DIR` (one call per .bib file, as its
    CLI takes one), then `hugo` over its pages with a minimal layout (tools/hugo-site)."""
    exe, why = academic_tool(venv)
    if exe is None:
        return {"academic_s": None, "academic_error": why}
    hugo_exe = shutil.which("hugo")
    site = root / "hugo"
    out = site / "content" / "publication"
    series: dict[str, list[float]] = {}
    found: Metrics = {"hugo_s": None}
    for run in range(runs):
        progress(f"{root.name}: academic import (run {run + 1}/{runs})")
        shutil.rmtree(site, ignore_errors=True)
        shutil.copytree(HUGO_SITE, site)  # Hugo writes its caches beside its config
        out.mkdir(parents=True)
        total = 0.0
        for path in sorted((root / "bib").glob("*.bib")):
            proc = run_measured([exe, "import", str(path), str(out)], root)
            if proc.returncode != 0:
                return {
                    "academic_s": None,
                    "academic_error": f"exited {proc.returncode}: {last_line(proc.output)[:120]}",
                }
            total += proc.seconds
        series.setdefault("academic_s", []).append(total)
        if hugo_exe is None:
            found["hugo_error"] = "no `hugo` command (`make bench` installs Debian's)"
            continue
        progress(f"{root.name}: hugo (run {run + 1}/{runs})")
        proc = run_measured([hugo_exe, "--quiet", "--source", str(site)], root)
        if proc.returncode != 0:
            found["hugo_error"] = f"exited {proc.returncode}: {last_line(proc.output)[:120]}"
            continue
        series.setdefault("hugo_s", []).append(proc.seconds)
        if proc.rss_mib is not None:
            series.setdefault("hugo_rss_mib", []).append(proc.rss_mib)
    found |= {name: median(values) for name, values in series.items()}
    found["academic_pages"] = len(list(out.glob("*/index.md")))
    found["hugo_pages"] = len(list((site / "public" / "publication").glob("*/index.html")))
    found["academic_error"] = None
    if found["hugo_s"] is not None:
        found["hugo_blox_s"] = found["academic_s"] + found["hugo_s"]
    return found


# --- one size -----------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    repo: Path
    out: Path
    runs: int
    seed: int
    browser: bool
    zensical: bool
    clicks: int
    hugo: Path | None  # virtualenv for Hugo Blox's `academic`, when comparing


def measure_size(n: int, opts: Options) -> Metrics:
    from .synthetic import write_corpus

    root = opts.out / f"n{n}"
    shutil.rmtree(root, ignore_errors=True)
    progress(f"{root.name}: writing {n} synthetic works")
    write_corpus(root, n, opts.seed, repo=opts.repo)
    files = sorted((root / "bib").glob("*.bib"))
    m: Metrics = {
        "load_avg_at_start": os.getloadavg()[0],  # other work on the machine skews times
        "entries": n,
        "runs": opts.runs,
        "bib_files": len(files),
        "bib_bytes": sum(p.stat().st_size for p in files),
    }
    m |= measure_pybtex(files, opts.runs)
    m |= measure_pipeline(root, opts.runs)
    m |= measure_builds(root, opts.runs, zensical=opts.zensical)
    m |= measure_site(root / "site")
    if opts.browser:
        progress(f"{root.name}: browse page in Chromium")
        try:
            m |= measure_browser(root / "site", opts.clicks)
        except Exception as exc:  # no Playwright, no Chromium, a timeout: say so, go on
            m["browser_error"] = f"{type(exc).__name__}: {last_line(str(exc))}"
    if opts.hugo is not None:
        m |= measure_academic(root, opts.runs, opts.hugo)
        if m.get("hugo_blox_s"):  # how many times faster we are, end to end
            m["hugo_blox_vs_whole"] = m["hugo_blox_s"] / m["whole_s"]
            m["hugo_blox_vs_memo_whole"] = m["hugo_blox_s"] / m["memo_whole_s"]
    m |= {
        "ours_vs_pybtex": m["ours_s"] / m["pybtex_s"],
        "load_check_vs_pybtex": (m["load_s"] + m["check_s"]) / m["pybtex_s"],
        "noop_vs_cold": m["noop_s"] / m["build_s"],
    }
    return m


# --- targets (issue #20) ---------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    label: str
    value: Callable[[Metrics], float | None]
    limit: float
    unit: str  # how value and limit are shown: s, MiB, x, %, KiB, ms, files
    at: int | None = None  # the corpus size it is set for (None: the largest measured)
    at_least: bool = False  # the limit is a floor, not a ceiling


# The targets of the issue "Build for scale" (work pages from the theme's shell), and
# the earlier ones about pages and the browse page that still hold.
TARGETS = (
    Target("whole build, cold from a fresh clone", lambda m: m.get("whole_s"), 60, "s"),
    Target("whole build, citation memo kept", lambda m: m.get("memo_whole_s"), 30, "s"),
    Target("whole build, peak RSS", lambda m: m.get("whole_rss_mib"), 1024, "MiB"),
    Target("load + check vs pybtex parse", lambda m: m.get("load_check_vs_pybtex"), 1.5, "x"),
    Target(
        "render + link check + write per work page, without cite-as",
        lambda m: m.get("page_ms"),
        1.0,
        "ms",
    ),
    Target("no-op `toi-atlas build`", lambda m: m.get("noop_s"), 1.0, "s"),
    Target("no-op, files rewritten", lambda m: m.get("noop_written"), 0, "files"),
    Target("one summary edited: build + site", lambda m: m.get("changed_s"), 5.0, "s"),
    Target("median work page", lambda m: _kib(m.get("work_page_median_bytes")), 40, "KiB"),
    Target("browse.json gzipped", lambda m: _mib(m.get("browse_json_gzip_bytes")), 1.5, "MiB"),
    Target("facet click to next frame", lambda m: m.get("click_frame_ms"), 50, "ms"),
    *(
        Target(
            "Hugo Blox end to end / ours (times faster)",
            lambda m: m.get("hugo_blox_vs_whole"),
            3.0,
            "x",
            at=n,
            at_least=True,
        )
        for n in (1000, 10_000)
    ),
)


def _kib(v: float | None) -> float | None:
    return None if v is None else v / KIB


def _mib(v: float | None) -> float | None:
    return None if v is None else v / MIB


def evaluate_targets(sizes: dict[str, Metrics]) -> list[Metrics]:
    """Every target at its own corpus size, or at the largest measured (10,000 works by
    default); a size not measured is shown as such."""
    if not sizes:
        return []
    largest = max(sizes, key=int)
    out = []
    for t in TARGETS:
        n = str(t.at) if t.at is not None else largest
        value = t.value(sizes[n]) if n in sizes else None
        ok = None
        if value is not None and value == value:  # NaN: not run
            ok = value >= t.limit if t.at_least else value <= t.limit
        out.append(
            {
                "target": t.label,
                "works": int(n),
                "value": value,
                "limit": t.limit,
                "unit": t.unit,
                "at_least": t.at_least,
                "pass": ok,
            }
        )
    return out


# --- reporting ----------------------------------------------------------------------


def fmt(value: Any, unit: str) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if unit == "s":
        return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"
    if unit == "ms":
        return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms"
    if unit == "bytes":
        if value < MIB:
            return f"{value / KIB:.1f} KiB"
        return f"{value / MIB:.1f} MiB" if value < 1024 * MIB else f"{value / MIB / 1024:.2f} GiB"
    if unit == "MiB":
        return f"{value:.0f} MiB" if value >= 100 else f"{value:.2f} MiB"
    if unit == "load":
        return f"{value:.1f}"
    if unit == "KiB":
        return f"{value:.1f} KiB"
    if unit == "x":
        return f"{value:.2f}×"
    if unit == "%":
        return f"{value:.0%}"
    return f"{value:,}" if isinstance(value, int) else str(value)


# (label, metric, unit, note: (metric to divide by, how the ratio is named))
Row = tuple[str, str, str, tuple[str, str] | None]
PYTHON_ROWS: tuple[Row, ...] = (
    ("works", "entries", "int", None),
    ("runs (times are their median)", "runs", "int", None),
    ("machine load (1-min average) at start", "load_avg_at_start", "load", None),
    (".bib files / size", "bib_bytes", "bytes", None),
    ("pybtex parse (the floor)", "pybtex_s", "s", None),
    ("our load + model", "load_s", "s", ("pybtex_s", "pybtex")),
    ("our check", "check_s", "s", ("pybtex_s", "pybtex")),
    ("our cite-as + render + link check + write, cold", "generate_s", "s", ("pybtex_s", "pybtex")),
    ('  of which "cite as" (citeproc-py)', "cite_s", "s", None),
    ("  of which render (every page, work pages as HTML)", "render_s", "s", None),
    ("  of which link check of work pages", "links_s", "s", None),
    ("  of which write", "write_s", "s", None),
    ("load + check + cite-as + render + write", "ours_s", "s", ("pybtex_s", "pybtex")),
    ("render + link check + write, citation memo kept", "memo_generate_s", "s", None),
    ("  per work page", "page_ms", "ms", None),
)
BUILD_ROWS: tuple[Row, ...] = (
    ("`toi-atlas build`, cold (fresh clone)", "build_s", "s", ("pybtex_s", "pybtex")),
    ("  peak RSS", "build_rss_mib", "MiB", None),
    ("  files written (docs/atlas + work pages)", "build_written", "int", None),
    ("`mkdocs build --strict`", "mkdocs_s", "s", None),
    ("  peak RSS", "mkdocs_rss_mib", "MiB", None),
    ("`toi-atlas site` (work pages into the site)", "site_s", "s", None),
    ("  peak RSS", "site_rss_mib", "MiB", None),
    ("  work pages written", "site_written", "int", None),
    ("whole build, cold: the three above", "whole_s", "s", None),
    ("  peak RSS", "whole_rss_mib", "MiB", None),
    ("whole build, citation memo kept: `build --force`", "memo_build_s", "s", None),
    ("  + `mkdocs build` + `toi-atlas site`", "memo_whole_s", "s", None),
    ("  peak RSS", "memo_whole_rss_mib", "MiB", None),
    ("no-op `toi-atlas build`", "noop_s", "s", ("build_s", "cold")),
    ("  files rewritten", "noop_written", "int", None),
    ("one summary edited: `build` + `site`", "changed_s", "s", None),
    ("  of which `toi-atlas build`", "changed_build_s", "s", None),
    ("  files rewritten by the build", "changed_written", "int", None),
    ("  work pages rewritten in the site", "changed_site_written", "int", None),
    ("`zensical build --clean`", "zensical_s", "s", ("mkdocs_s", "MkDocs")),
    ("  peak RSS", "zensical_rss_mib", "MiB", None),
    ("  then `toi-atlas site`", "zensical_site_s", "s", None),
)
SITE_ROWS: tuple[Row, ...] = (
    ("site/ size", "site_bytes", "bytes", None),
    ("  files", "site_files", "int", None),
    ("work page, median", "work_page_median_bytes", "bytes", None),
    ("work page, largest", "work_page_max_bytes", "bytes", None),
    ("  the largest is the page of", "work_page_max_key", "str", None),
    ("browse.json", "browse_json_bytes", "bytes", None),
    ("  gzipped", "browse_json_gzip_bytes", "bytes", None),
    ("search_index.json (MkDocs search)", "search_index_bytes", "bytes", None),
)
BROWSER_ROWS: tuple[Row, ...] = (
    ("browse page first load, transferred", "first_load_bytes", "bytes", None),
    ("  if served gzipped", "first_load_gzip_bytes", "bytes", None),
    ("  of which search index", "first_load_search_bytes", "bytes", None),
    ("  requests", "first_load_requests", "int", None),
    ("browse page: results shown after", "browse_ready_ms", "ms", None),
    ("facet click: filter + render (updateMs)", "update_ms", "ms", None),
    ("facet click to next frame", "click_frame_ms", "ms", None),
)
HUGO_ROWS: tuple[Row, ...] = (
    ("Hugo Blox: `academic import`", "academic_s", "s", None),
    ("  then `hugo` (minimal layout)", "hugo_s", "s", None),
    ("  peak RSS of `hugo`", "hugo_rss_mib", "MiB", None),
    ("  end to end", "hugo_blox_s", "s", None),
    ("  / our whole build, cold (times faster)", "hugo_blox_vs_whole", "x", None),
    ("  / our whole build, memo kept", "hugo_blox_vs_memo_whole", "x", None),
)
HUGO_NOTE = [
    "For comparison, Hugo Blox's way on the same files, cold: `academic import` (its BibTeX "
    "importer, one call per file) turns each entry into a Markdown page, then `hugo "
    "--quiet` builds them with a minimal layout kept in `tools/hugo-site/` (title, "
    "authors, venue, year, abstract and links on each page; a home page and a list). It "
    "checks nothing, links no work to another, formats no citation and has no search "
    "index. The ratios divide its end-to-end time by ours.",
    "",
]
CITE_AS = [
    '## "Cite as" off the critical path',
    "",
    "Every work page shows its APA and Harvard citations, formatted by citeproc-py at "
    "build time (a few milliseconds per entry and style; at 10,000 works, most of a cold "
    "`toi-atlas build`). Two things keep that cost off the builds that matter. A memo, "
    "`.toi-atlas/citations.json`, keeps each formatted citation under a hash of the style "
    "and the work's CSL-JSON item less our summary (which no style shows), so a work is "
    "formatted again only when what its citation shows changed; a build keeps only the "
    "entries it used, so the file does not grow, and leaves the file alone when it "
    "already holds exactly those. It lives in `.toi-atlas/`, not `.cache/`, so `zensical "
    "build --clean` leaves it alone, and the Pages workflow restores that folder from its "
    "cache. The entries the memo lacks are formatted in one batch: from 400 of them on, in "
    "worker processes on every core (at most 8), each parsing the styles once and "
    "formatting a few large chunks; fewer are formatted in the build's own process. The "
    "memo holds one string per citation, its italic runs between two private-use marks, "
    "never markup; since it comes from a cache, each entry is checked when looked up (a "
    "string whose marks are balanced and unnested) and escaped only when a page is "
    "written. While formatting, each element of a style keeps what it rendered when that "
    "render read only the entry's type and which fields it has, never a field's value, "
    "and the next entry of the same shape reuses it (`render/cslmemo.py`); the text is "
    "tested to be byte-identical with plain citeproc-py. Measured apart on the "
    "10,000-work synthetic corpus (2 cores shared with other jobs, load 4 to 7, runs "
    "interleaved): formatting all 20,000 citations cold in one process took 27.7 and "
    "28.2 s of CPU, against 35.1 and 36.0 s before the locale and bibliography options "
    "were kept and 61 and 63 s of wall time before renders were reused; with the memo "
    "holding every work, the pipeline's cite stage took 0.54 s, against 1.35 and 3.94 s "
    "before.",
    "",
    "Formatting in the browser from the CSL-JSON instead was not chosen: every reader of "
    "a work page would download a CSL processor and two styles (citeproc-js alone is "
    "945 KiB as published on npm, 190 KiB gzipped) to see two lines of text; the page "
    "would show them only after that script ran, never without JavaScript, and search "
    "engines would not see them. Formatted at build time and kept, they cost the reader "
    "nothing, and a cold build pays for them once.",
    "",
]
INCREMENTAL = [
    "## What a build after an edit does",
    "",
    "A build after an edit does only what the edit needs. It parses only the .bib files "
    "whose bytes changed: the others' parses are kept in `.toi-atlas/parsed/` under a "
    "digest of their bytes and the reader's code (and in memory, in the preview). It "
    "renders only the work pages whose inputs changed: `render/reuse.py` fingerprints each "
    "page's inputs (its entry and citations, the entries of the works it shows a line "
    "about, and the vocabulary, claims, site settings and code every page shares), and a "
    "page whose fingerprint and fragment are the last build's is kept. `build --force` "
    "renders every page, as the *citation memo kept* rows above do. The lists, topic "
    "pages, graph and exports show every work, so they are rendered again, and the "
    "checker checks the whole corpus. In the preview, the edited pages are poured into "
    "the served site as soon as they are rendered, before the rest. Both folders come "
    "back from CI's cache, so they are read as untrusted: anything of the wrong shape "
    "means a parse or a render, never a wrong page; `tests/test_reuse.py` checks after "
    "many kinds of edit that the result is byte for byte what `build --force` writes.",
    "",
]
# Optional steps whose failure is reported in the table instead of stopping the run.
ERROR_OF = {
    "zensical_s": "zensical_error",
    "first_load_bytes": "browser_error",
    "academic_s": "academic_error",
    "hugo_s": "hugo_error",
}
ROWS = PYTHON_ROWS + BUILD_ROWS + SITE_ROWS + BROWSER_ROWS + HUGO_ROWS


def cell(m: Metrics, metric: str, unit: str, note: tuple[str, str] | None) -> str:
    if m.get(metric) is None and m.get(ERROR_OF.get(metric, "")):
        return "failed (see errors)"
    text = fmt(m.get(metric), unit)
    base = m.get(note[0]) if note else None
    value = m.get(metric)
    if note and isinstance(value, float) and base:
        ratio = value / base
        shown = f"{ratio:.0%} of" if note[1] == "cold" else f"{ratio:.2f}×"
        text += f" ({shown} {note[1]})"
    return text


def table_rows(results: Metrics) -> tuple[list[str], list[list[str]]]:
    sizes = results["sizes"]
    header = ["", *[f"{int(n):,} works" for n in sizes]]
    rows = [
        [label, *[cell(m, metric, unit, note) for m in sizes.values()]]
        for label, metric, unit, note in ROWS
        if any(metric in m for m in sizes.values())  # e.g. no Hugo rows unless asked
    ]
    return header, rows


def target_rows(results: Metrics) -> tuple[list[str], list[list[str]]]:
    header = ["target", "works", "measured", "limit", "result"]
    rows = []
    for t in results["targets"]:
        verdict = {True: "pass", False: "FAIL", None: "not measured"}[t["pass"]]
        rows.append(
            [
                t["target"],
                f"{t['works']:,}",
                fmt(t["value"], t["unit"]),
                ("at least " if t.get("at_least") else "at most ") + fmt(t["limit"], t["unit"]),
                verdict,
            ]
        )
    return header, rows


def text_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    def line(cells: list[str]) -> str:
        # A leading indent marks a sub-row; Markdown would drop the spaces.
        shown = [("&emsp;" + c[2:] if c[:2] == "  " else c).replace("|", "\\|") for c in cells]
        return "| " + " | ".join(shown) + " |"

    align = "|---|" + "---:|" * (len(header) - 1)
    return "\n".join([line(header), align, *map(line, rows)])


def machine() -> Metrics:
    from importlib.metadata import PackageNotFoundError, version

    def first(path: str, prefix: str) -> str | None:
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except OSError:
            return None
        return next((ln.split(":", 1)[1].strip() for ln in lines if ln.startswith(prefix)), None)

    versions: dict[str, str | None] = {}
    for name in ("pybtex", "mkdocs", "mkdocs-material", "zensical", "playwright"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return {
        "cpu": first("/proc/cpuinfo", "model name"),
        "cpus": os.cpu_count(),
        "memory": first("/proc/meminfo", "MemTotal"),
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
    }


def text_report(results: Metrics) -> str:
    parts = [text_table(*table_rows(results)), "", text_table(*target_rows(results))]
    parts += [f"error: {e}" for e in results["errors"]]
    return "\n".join(parts) + "\n"


def markdown_report(results: Metrics) -> str:
    mach = results["machine"]
    tools = ", ".join(f"{k} {v}" for k, v in mach["versions"].items() if v)
    sizes = [int(n) for n in results["sizes"]]
    span = f"{min(sizes):,} to {max(sizes):,}" if sizes else "several sizes of"
    hugo = any("academic_s" in m for m in results["sizes"].values())
    errors = [f"- `` {' '.join(e.split())} ``" for e in results["errors"]]
    lines = [
        "---",
        "title: Performance",
        f"description: How checking, generating and building the site scale from {span} "
        "works, measured on synthetic corpora.",
        "---",
        "",
        "# Performance",
        "",
        "Measured by `make bench` (`python -m tools.bench --write-docs --hugo`) on synthetic "
        "corpora that look like ours: LaTeX in names and titles, two- or three-sentence "
        "summaries, tags with stances and about three scoped edges per work, split into "
        "files of about 500 entries. Each time is the median of the runs the table gives "
        "for that size. The floor is pybtex alone parsing the same files.",
        "",
        "A *whole build* is what `make build` runs: `toi-atlas build` (check, then write "
        "`docs/atlas/` and each work page as an HTML fragment), `mkdocs build --strict` "
        "(every page but the work pages, plus the theme's shell page) and `toi-atlas site` "
        "(each work's fragment poured into the shell, the works added to the search index "
        "and sitemap). *Cold* starts from a fresh clone: no `docs/atlas/`, no `site/` and "
        'no `.toi-atlas/`, so every "cite as" is formatted. *Citation memo kept* starts '
        "the same way but with `.toi-atlas/` from an earlier build, as the Pages workflow "
        "restores it from its cache, and runs `toi-atlas build --force`. *One summary "
        "edited* changes one entry's summary and runs `toi-atlas build` and `toi-atlas "
        "site` on the built site, the steps that bring its work page up to date (the "
        "benchmark first puts back the theme's shell page, which `toi-atlas site` takes "
        "out of the site and `toi-atlas serve` keeps in memory; `site` fills every work "
        "page and rewrites only the changed ones, where the preview fills only those). "
        "*Render + link check + write per work page* comes from the pipeline's own timings of "
        "an in-process build with the memo kept, divided by the number of works; it "
        "includes every other generated page too, so it is an upper bound.",
        "",
        f"Machine: {mach['cpu'] or 'unknown CPU'}, {mach['cpus']} cores, {mach['memory']} "
        f"memory, {mach['os']}, Python {mach['python']}; {tools}. Other jobs may share the "
        "machine: the load average at the start of each size is in the table, and small "
        "differences between runs are noise.",
        "",
        *([results["note"], ""] if results.get("note") else []),
        "## Targets",
        "",
        markdown_table(*target_rows(results)),
        "",
        "## All figures",
        "",
        markdown_table(*table_rows(results)),
        "",
        "Peak RSS is the largest resident set of the process, as GNU time reports it. "
        "Sizes are in KiB and MiB (1,024 bytes). *Gzipped* sizes use gzip's default level "
        f"({GZIP_LEVEL}); the local test server sends files uncompressed, static hosts "
        "compress them. *Facet click to next frame* is measured in the page from a scripted "
        "click on an end-story checkbox until the frame after it has run (its style, layout "
        "and paint included); *updateMs* is the browse script's own time for filtering, "
        "counting and listing. The search index is fetched by MkDocs' search worker on the "
        "first visit to any page.",
        "",
        *CITE_AS,
        *INCREMENTAL,
        *(HUGO_NOTE if hugo else []),
        *(["## Errors", "", *errors, ""] if errors else []),
    ]
    return "\n".join(lines).rstrip("\n") + "\n"


def measure_all(
    sizes: list[int], opts: Options, done: Callable[[Metrics], None] | None = None
) -> Metrics:
    """Every size in turn; `done` gets the results so far after each one, so that a long
    run stopped half way keeps the sizes it finished."""
    opts.out.mkdir(parents=True, exist_ok=True)
    results: Metrics = {
        "version": 1,
        "seed": opts.seed,
        "runs": opts.runs,
        "machine": machine(),
        "sizes": {},
        "errors": [],
    }
    for n in sizes:
        try:
            m = results["sizes"][str(n)] = measure_size(n, opts)
        except StepFailed as exc:
            results["errors"].append(f"{n} works: {exc}")
            progress(f"n{n}: {exc}")
            continue
        results["errors"] += [f"{n} works: {m[k]}" for k in ERROR_OF.values() if m.get(k)]
        results["targets"] = evaluate_targets(results["sizes"])
        if done is not None:
            done(results)
    results["targets"] = evaluate_targets(results["sizes"])
    return results


def merged(old: Metrics, new: Metrics) -> Metrics:
    """`old` results with the sizes measured again replaced by `new` ones."""
    redone = set(new["sizes"])
    sizes = {n: m for n, m in old.get("sizes", {}).items() if n not in redone} | new["sizes"]
    kept = [e for e in old.get("errors", []) if e.split(" works: ")[0] not in redone]
    out = {**new, "sizes": dict(sorted(sizes.items(), key=lambda item: int(item[0])))}
    out["errors"] = sorted(kept + new["errors"], key=lambda e: int(e.split(" ")[0]))
    out["targets"] = evaluate_targets(out["sizes"])
    return out


def run(args: argparse.Namespace) -> int:
    """`make bench` (`python -m tools.bench --write-docs`), after its arguments are read."""
    repo = Path(args.root).resolve()
    if not (repo / "bib" / "taxonomy.yaml").is_file() or not (repo / "mkdocs.yml").is_file():
        print(f"bench: {repo} is not a ToI Atlas project (use --root)", file=sys.stderr)
        return 2
    opts = Options(
        repo=repo,
        out=Path(args.out).resolve(),
        runs=args.runs,
        seed=args.seed,
        browser=not args.no_browser,
        zensical=not args.no_zensical,
        clicks=args.clicks,
        hugo=args.hugo_venv if args.hugo else None,
    )
    saved = opts.out / "results.json"
    if args.report_only:
        try:
            results = json.loads(saved.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            print(f"bench: cannot read {saved}: {exc}", file=sys.stderr)
            return 2
    else:
        sizes = sorted({n for group in args.sizes for n in group})
        old = (
            json.loads(saved.read_text(encoding="utf-8"))
            if args.merge and saved.is_file()
            else None
        )

        def save(results: Metrics) -> None:
            data = json.dumps(results, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
            atomic_write(saved, data.encode())

        results = measure_all(sizes, opts, lambda r: save(merged(old, r) if old else r))
        results = merged(old, results) if old else results
        save(results)
    if args.note is not None:  # how this run was made, kept with its figures
        results["note"] = args.note
        data = json.dumps(results, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
        atomic_write(saved, data.encode())
    sys.stdout.write(text_report(results))
    if args.write_docs:
        atomic_write(repo / REPORT, keep_sections(repo / REPORT, markdown_report(results)).encode())
        progress(f"wrote {REPORT}")
    return 1 if results["errors"] else 0


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text}") from None
    if not sizes or min(sizes) < 2:
        raise argparse.ArgumentTypeError("sizes must be at least 2 works")
    return sizes


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1: {text}")
    return int(text)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--sizes",
        type=_sizes,
        nargs="+",
        default=[list(DEFAULT_SIZES)],
        help="corpus sizes, e.g. --sizes 100 1000 10000 or --sizes 100,1000 (default: %(default)s)",
    )
    p.add_argument("--runs", type=_positive, default=3, help="runs per step; the median is shown")
    p.add_argument("--out", type=Path, default=Path("bench-out"), help="work folder (bench-out/)")
    p.add_argument("--seed", type=int, default=0, help="seed of the synthetic corpora")
    p.add_argument(
        "--root", type=Path, default=Path.cwd(), help="the ToI Atlas project to copy (here)"
    )
    p.add_argument("--write-docs", action="store_true", help=f"also write {REPORT.as_posix()}")
    p.add_argument(
        "--report-only",
        action="store_true",
        help="measure nothing: print (and with --write-docs write) the report of OUT/results.json",
    )
    p.add_argument(
        "--merge",
        action="store_true",
        help="keep the other sizes of OUT/results.json (re-measure one size, keep the rest)",
    )
    p.add_argument(
        "--note",
        help="a paragraph on how this run was made (kept in results.json, shown in the report)",
    )
    p.add_argument("--no-browser", action="store_true", help="skip the Chromium measurements")
    p.add_argument("--no-zensical", action="store_true", help="skip `zensical build`")
    p.add_argument("--clicks", type=_positive, default=20, help="facet clicks to time (default 20)")
    p.add_argument(
        "--hugo",
        action="store_true",
        help="also time Hugo Blox's `academic import` on the same files (installs it from PyPI)",
    )
    p.add_argument(
        "--hugo-venv",
        type=Path,
        default=Path(tempfile.gettempdir()) / "hugo-venv",
        help="virtualenv for `academic` (default: %(default)s)",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.bench",
        description="Measure checking, generating and building on synthetic corpora.",
    )
    add_arguments(parser)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
