"""First-visit weight of each kind of page of a built site, in Debian's Chromium.

Usage: `make build`, then
`.venv/bin/python scripts/page_weight.py site` (prints the table) or
`.venv/bin/python scripts/page_weight.py site --write-docs` (also updates the
"Page weight" section of docs/performance.md). See toi_atlas/pageweight.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

from toi_atlas.pageweight import markdown_section, measure, with_section
from toi_atlas.write import atomic_write

REPORT = Path(__file__).resolve().parents[1] / "docs" / "performance.md"


def main(argv: list[str]) -> int:
    write = "--write-docs" in argv
    args = [a for a in argv if a != "--write-docs"]
    if len(args) != 1 or not (Path(args[0]) / "index.html").is_file():
        print(__doc__, file=sys.stderr)
        return 2
    section = markdown_section(measure(Path(args[0])))
    sys.stdout.write(section)
    if write:
        atomic_write(REPORT, with_section(REPORT.read_text(encoding="utf-8"), section).encode())
        print(f"wrote {REPORT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
