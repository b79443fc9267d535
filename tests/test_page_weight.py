"""The first-visit weight measurement (tools/pageweight.py) and its docs section."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from conftest import HUB, ROOT, make_project
from tools import bench
from tools.localserver import serve
from tools.pageweight import (
    END,
    START,
    Weight,
    first_visit,
    kept_section,
    markdown_section,
    measure_with,
    with_section,
)

WEIGHTS = [Weight("home", "/", 11, 2048, 1024, 1024, 512)]


def test_section_is_replaced_in_place_or_added_at_the_end() -> None:
    section = markdown_section(WEIGHTS)
    assert section.startswith(START) and section.rstrip().endswith(END)
    assert "| home | `/` | 11 | 2.0 KiB | 1.0 KiB | 1.0 KiB / 0.5 KiB |" in section
    added = with_section("# Performance\n\nText.\n", section)
    assert added == "# Performance\n\nText.\n\n" + section
    old = added.replace("2.0 KiB", "9.9 KiB") + "## Later\n"
    replaced = with_section(old, section)
    assert replaced == "# Performance\n\nText.\n\n" + section + "## Later\n"
    assert kept_section(replaced) == section and kept_section("# no section\n") == ""


def test_bench_report_keeps_the_page_weight_section(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path / "project", {})
    (project / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    report = project / "docs" / "performance.md"
    report.parent.mkdir()
    section = markdown_section(WEIGHTS)
    report.write_text("# Old figures\n\n" + section, encoding="utf-8")
    sizes = {"30": {"entries": 30, "whole_s": 3.0}}
    saved = {
        "version": 1,
        "seed": 0,
        "runs": 1,
        "machine": bench.machine(),
        "sizes": sizes,
        "errors": [],
        "targets": bench.evaluate_targets(sizes),
    }
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.json").write_text(json.dumps(saved), encoding="utf-8")
    argv = ["--report-only", "--write-docs", "--out", str(out), "--root", str(project)]
    assert bench.main(argv) == 0
    text = report.read_text(encoding="utf-8")
    assert "# Old figures" not in text and text.startswith("---\ntitle: Performance\n")
    assert text.endswith("\n" + section)


def test_the_docs_section_is_the_scripts_output_format() -> None:
    text = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    section = kept_section(text)
    assert section and "-m tools.pageweight site --write-docs" in section
    for name in ("home", "work", "topic", "browse", "graph", "claims", "reading list", "data"):
        assert f"\n| {name}" in section


@pytest.mark.browser
def test_first_visit_counts_every_response_and_the_search_index(
    browser: Browser, fixture_site: Path
) -> None:
    site = fixture_site / "site"
    essay, browse = f"/atlas/works/{HUB}/", "/atlas/browse/"
    with serve(site) as base:
        loads = {path: first_visit(browser, base + path) for path in (essay, browse)}
        [weight] = measure_with(browser, base, site, (("work", essay, ""),))
    urls = {path: [u.removeprefix(base) for u, _ in got] for path, got in loads.items()}
    # Responses are listed as they finish: under load a stylesheet can beat the page.
    assert urls[essay].count(essay) == 1 and "/search/search_index.json" in urls[essay]
    assert not [u for u in urls[essay] if u.endswith("browse.js")]
    assert [u for u in urls[browse] if u.endswith("/javascripts/browse.js")]
    assert "/atlas/data/browse.json" in urls[browse]
    sizes = {u.removeprefix(base): s for u, s in loads[essay]}
    index = site / "search" / "search_index.json"
    assert sizes["/search/search_index.json"] == index.stat().st_size
    assert weight.requests == len(loads[essay])
    assert weight.raw == sum(sizes.values()) and 0 < weight.gzip < weight.raw
    assert weight.search_raw == index.stat().st_size > weight.search_gzip > 0
