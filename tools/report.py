"""docs/performance.md: the benchmark's report and the sections other tools keep in it.

The benchmark rewrites the file; the graph-page, page-weight and live-preview
measurements each own one marked section of it, which a new report keeps.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from pathlib import Path

from toi_atlas.write.files import atomic_write

from .measure import progress

ROOT = Path(__file__).resolve().parents[1]  # the checkout the tools are run from
REPORT = Path("docs") / "performance.md"

# Sections of docs/performance.md written by other measurements (the graph page's, by
# tools/graph_timing.py) between these markers; a new report keeps them.
SECTION = re.compile(r"<!-- ([a-z-]+): start -->\n.*?<!-- \1: end -->\n", re.S)


def section(name: str, body: str) -> str:
    return f"<!-- {name}: start -->\n{body.rstrip()}\n<!-- {name}: end -->\n"


def keep_sections(old: Path, report: str) -> str:
    """`report` with the marked sections of the `old` file appended."""
    try:
        kept = [m.group() for m in SECTION.finditer(old.read_text(encoding="utf-8"))]
    except OSError:
        kept = []
    return "\n".join([report, *kept]) if kept else report


def write_section(repo: Path, name: str, body: str) -> None:
    """Replace (or add) the marked section `name` of the report in `repo`."""
    path = repo / REPORT
    atomic_write(path, with_section(path.read_text(encoding="utf-8"), name, body).encode())
    progress(f"wrote {REPORT}")


def with_section(text: str, name: str, body: str) -> str:
    """`text` with the section `name` replaced by `body`, or `body` appended."""
    new = section(name, body)
    for m in SECTION.finditer(text):
        if m.group(1) == name:
            return text[: m.start()] + new + text[m.end() :]
    return text.rstrip("\n") + "\n\n" + new


def timing_arguments(
    doc: str,
    name: str,
    argv: list[str],
    more: Callable[[argparse.ArgumentParser], None] | None = None,
) -> argparse.Namespace:
    """The options every timing script takes: --runs, --out (bench-out/NAME under the
    checkout) and --write-docs, plus any that `more` adds; `doc` is the script's
    docstring, whose first paragraph becomes the description."""
    p = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--out", type=Path, default=ROOT / "bench-out" / name)
    p.add_argument("--write-docs", action="store_true", help=f"update {REPORT.as_posix()}")
    if more is not None:
        more(p)
    return p.parse_args(argv)
