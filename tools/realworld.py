"""Run `toi-atlas check` and `toi-atlas import` over large public bibliographies.

Usage: `make realworld` (fetches Nelson Beebe's TeX bibliographies from Debian's
texlive-bibtex-extra package), or `.venv/bin/python -m tools.realworld FILE.bib ...`.
For each file it prints the entries pybtex reads, then for both commands the time, the
peak memory, whether a traceback appeared, and for import the counts (read, imported,
duplicates, rejected), what made each duplicate one (same DOI, arXiv id, key, URL or
title) and whether read = imported + duplicates + rejected. The figures go into the
README and docs/data-model.md by hand.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pybtex.errors
from pybtex.database import parse_file

ROOT = Path(__file__).resolve().parents[1]
TOOL = Path(sys.executable).parent / "toi-atlas"
SUMMARY = re.compile(
    r"read (\d+) entries .*?: (\d+) imported .*?, (\d+) duplicates?, (\d+) rejected"
)
EVIDENCE = re.compile(r"^\S+:\d+: duplicate: .*\(same ([^)]+)\)$", re.M)


def timed(cmd: list[str], cwd: Path) -> tuple[str, int, str]:
    """Wall and CPU seconds, peak RSS in MB and stderr+stdout of one command, via GNU time.

    CPU time too, because the wall time of a shared machine says more about the others.
    """
    with tempfile.NamedTemporaryFile("r") as stats:
        proc = subprocess.run(
            ["/usr/bin/time", "-f", "%e %U %S %M", "-o", stats.name, *cmd],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
        )
        wall, user, system, kb = stats.read().split()[-4:]
    seconds = f"{float(wall):.2f} s (CPU {float(user) + float(system):.2f} s)"
    return seconds, int(kb) // 1024, proc.stdout + proc.stderr


def run(bib: Path) -> str:
    bib = bib.resolve()  # the commands run in a temporary project folder
    # pybtex's default strict mode stops at the first duplicate field of a real file.
    pybtex.errors.set_strict_mode(False)
    entries = len(parse_file(str(bib)).entries)
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        (project / "bib").mkdir()
        shutil.copy(ROOT / "bib" / "taxonomy.yaml", project / "bib")
        shutil.copy(bib, project / "bib" / bib.name)
        c_time, c_mb, c_out = timed([str(TOOL), "check"], project)
        (project / "bib" / bib.name).unlink()
        i_time, i_mb, i_out = timed(
            [str(TOOL), "import", str(bib), "--into", "bib/imported.bib"], project
        )
    found = SUMMARY.search(i_out)
    read, imported, dups, rejected = (int(x) for x in found.groups()) if found else (0, 0, 0, 0)
    adds_up = bool(found) and read == imported + dups + rejected == entries
    crashed = "Traceback" in c_out or "Traceback" in i_out
    findings = len(re.findall(r"^\S+:\d+: TOI\d{3}", c_out, re.M))
    evidence = Counter(EVIDENCE.findall(i_out))
    why = ", ".join(f"{n} {kind}" for kind, n in evidence.most_common()) or "-"
    return (
        f"| {bib.name} | {entries} | {c_time}, {c_mb} MB, {findings} findings | "
        f"{i_time}, {i_mb} MB | {read} / {imported} / {dups} / {rejected} | {why} | "
        f"{'yes' if adds_up else 'NO'} | {'YES' if crashed else 'no'} |"
    )


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    print(
        "| file | entries (pybtex) | check | import | read / imported / dup / rejected "
        "| duplicates by evidence | all accounted | traceback |"
    )
    print("|---|---:|---|---|---|---|---|---|")
    for name in argv:
        print(run(Path(name)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
