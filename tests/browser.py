"""The browser tests' server and Chromium settings live in tools/ (shared with the
benchmark and the screenshot script); this module keeps the tests' import short, and
holds the one accessibility check every browser test uses."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

from tools.localserver import CHROMIUM_ARGS, chromium_path, serve

__all__ = ["CHROMIUM_ARGS", "chromium_path", "serious_violations", "serve"]

AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def serious_violations(page: Page) -> list[tuple[str, str, list[str]]]:
    """axe-core's serious and critical findings on the page as it is now (WCAG 2.1 A/AA
    and axe's best practices), as (rule, impact, first five targets)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
