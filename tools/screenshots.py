"""Screenshots of the built site for the README, taken with Debian's Chromium.

Usage: `make screenshots` (builds the site first), or
`.venv/bin/python -m tools.screenshots site docs/img`.
Refresh them whenever the look of the site changes.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Literal

from playwright.sync_api import sync_playwright

from .localserver import CHROMIUM_ARGS, serve

Scheme = Literal["light", "dark"]
SHOTS: list[tuple[str, str, int, int, Scheme]] = [
    # (file, path, viewport width, height, colour scheme)
    ("home.png", "/", 1280, 900, "light"),
    ("debate.png", "/atlas/toi/auditing-deception/", 1280, 900, "light"),
    ("browse.png", "/atlas/browse/?endstory=microscope,enumerative-safety", 1280, 900, "dark"),
    ("work-phone.png", "/atlas/works/segerie2023against/", 390, 844, "light"),
]


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    site, out = Path(argv[0]), Path(argv[1])
    chromium = shutil.which("chromium")
    if not (site / "index.html").is_file() or chromium is None:
        print("need a built site (make build) and Debian's chromium (make chromium)")
        return 1
    out.mkdir(parents=True, exist_ok=True)
    with serve(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for name, path, width, height, scheme in SHOTS:
            page = browser.new_page(
                viewport={"width": width, "height": height}, color_scheme=scheme
            )
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(out / name))
            page.close()
            print(f"wrote {out / name}")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
