"""The benchmark (tools/bench.py): its synthetic corpus is valid, and `bench.main` runs end to
end (no timings)."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest

from conftest import ROOT
from toi_atlas.pipeline import Paths, load_and_check
from tools import bench, localserver, report
from tools.synthetic import linked_works, write_corpus

N = 30


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("synthetic")
    write_corpus(root, N, seed=1, repo=ROOT)
    return root


def test_synthetic_corpus_passes_the_checker(synthetic: Path) -> None:
    result = load_and_check(Paths(synthetic))
    assert [d.code for d in result.diagnostics] == []
    assert result.corpus is not None
    assert len(result.corpus.works) == result.entries_read == N
    assert set(linked_works(synthetic / "docs")) <= set(result.corpus.works)


def test_synthetic_works_have_about_three_scoped_edges(synthetic: Path) -> None:
    result = load_and_check(Paths(synthetic))
    assert result.corpus is not None
    works = result.corpus.works.values()
    edges = [e for w in works for e in w.edges]
    # The files are in date order; the five oldest works have too few older ones to answer.
    answering = [len(w.edges) for w in list(works)[5:]]
    assert 2.5 <= sum(answering) / len(answering) <= 3.5
    assert {e.type for e in edges} == {"rebuts", "supports", "extends", "repliesto"}
    for work in works:
        topics = {t.topic for t in work.tags}
        assert all(e.scope in topics for e in work.edges), work.key
    text = "".join(p.read_text(encoding="utf-8") for p in (synthetic / "bib").glob("*.bib"))
    assert re.search(r"\{\\[\"'][a-z]\}", text)  # LaTeX accents such as {\"u}
    assert "--" in text


def test_synthetic_corpus_is_a_whole_project_without_reading_lists(synthetic: Path) -> None:
    assert (synthetic / "docs" / "index.md").is_file()
    assert (synthetic / "overrides").is_dir()
    assert not (synthetic / "bib" / "readinglists.yaml").exists()
    assert not (synthetic / "docs" / "reading").exists()
    assert not (synthetic / "docs" / "atlas").exists()
    assert "reading/" not in (synthetic / "mkdocs.yml").read_text(encoding="utf-8")
    for page in (synthetic / "docs").rglob("*.md"):  # links there would fail --strict
        assert not re.search(r"\]\((\.\./)*reading/", page.read_text(encoding="utf-8")), page


def test_synthetic_corpus_holds_the_works_the_hand_written_pages_link_to(tmp_path: Path) -> None:
    """Which works the corpus must hold comes from the pages copied, not from a list."""
    repo = tmp_path / "repo"
    (repo / "bib").mkdir(parents=True)
    (repo / "bib" / "taxonomy.yaml").write_bytes((ROOT / "bib" / "taxonomy.yaml").read_bytes())
    (repo / "docs" / "guide").mkdir(parents=True)
    (repo / "overrides").mkdir()
    for name in ("CONTRIBUTING.md", "README.md"):
        (repo / name).write_text("# x\n", encoding="utf-8")
    (repo / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    (repo / "docs" / "index.md").write_text(
        "See [one](atlas/works/first2020key/) and [two](atlas/works/second2021key/#cite).\n",
        encoding="utf-8",
    )
    (repo / "docs" / "guide" / "more.md").write_text(
        "Again [one](../../atlas/works/first2020key/); [a list](../atlas/browse.md).\n"
        "And [three](../../atlas/works/third2022key/#cite).\n",
        encoding="utf-8",
    )
    write_corpus(tmp_path / "out", 12, seed=3, repo=repo)
    linked = ["first2020key", "third2022key", "second2021key"]  # guide/ sorts first
    assert linked_works(tmp_path / "out" / "docs") == linked
    result = load_and_check(Paths(tmp_path / "out"))
    assert [d.code for d in result.diagnostics] == []
    assert result.corpus is not None and len(result.corpus.works) == 12
    works = result.corpus.works
    assert set(linked) <= set(works)
    cited = [e.target for w in works.values() for e in w.edges]
    assert "first2020key" in cited or "second2021key" in cited


def test_synthetic_corpus_is_deterministic_for_a_seed(synthetic: Path, tmp_path: Path) -> None:
    def bibs(root: Path) -> dict[str, str]:
        return {p.name: p.read_text(encoding="utf-8") for p in (root / "bib").glob("*.bib")}

    write_corpus(tmp_path / "same", N, seed=1, repo=ROOT)
    write_corpus(tmp_path / "other", N, seed=2, repo=ROOT)
    assert bibs(tmp_path / "same") == bibs(synthetic)
    assert bibs(tmp_path / "other") != bibs(synthetic)


@pytest.mark.site
def test_bench_main_writes_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    out = tmp_path / "out"
    argv = ["--sizes", str(N), "--runs", "1", "--out", str(out), "--no-browser", "--no-zensical"]
    assert bench.main(argv) == 0
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert {"version", "machine", "runs", "seed", "sizes", "targets", "errors"} <= set(results)
    assert results["errors"] == []
    metrics = results["sizes"][str(N)]
    assert {
        "runs",
        "pybtex_s",
        "load_s",
        "check_s",
        "render_s",
        "cite_s",
        "links_s",
        "write_s",
        "generate_s",
        "memo_generate_s",
        "page_ms",
        "ours_vs_pybtex",
        "load_check_vs_pybtex",
        "build_s",
        "build_rss_mib",
        "mkdocs_s",
        "site_s",
        "whole_s",
        "whole_rss_mib",
        "memo_build_s",
        "memo_whole_s",
        "memo_whole_rss_mib",
        "noop_s",
        "noop_written",
        "changed_s",
        "changed_build_s",
        "changed_written",
        "changed_site_written",
        "site_bytes",
        "work_page_median_bytes",
        "work_page_max_bytes",
        "browse_json_bytes",
        "browse_json_gzip_bytes",
    } <= set(metrics)
    assert metrics["entries"] == N and metrics["runs"] == 1
    assert metrics["noop_written"] == 0
    assert metrics["changed_written"] >= 2  # its work page and at least one list
    assert metrics["changed_site_written"] == 1  # only the edited work's page
    assert metrics["site_written"] == metrics["work_pages"] == N
    assert metrics["build_written"] > N  # docs/atlas and a fragment per work
    # The whole build is its three steps; its peak RSS is the largest of theirs.
    parts = metrics["build_s"] + metrics["mkdocs_s"] + metrics["site_s"]
    assert metrics["whole_s"] == pytest.approx(parts)
    peaks = (metrics["build_rss_mib"], metrics["mkdocs_rss_mib"], metrics["site_rss_mib"])
    assert metrics["whole_rss_mib"] == max(peaks)
    assert "academic_s" not in metrics and "zensical_site_s" not in metrics  # not asked for
    # Each target at the largest size, the Hugo Blox ones at theirs (not measured here).
    at = [t["works"] for t in results["targets"]]
    fixed = [t.at for t in bench.TARGETS if t.at is not None]
    assert at == [N] * (len(bench.TARGETS) - len(fixed)) + fixed
    assert all(t["pass"] is None for t in results["targets"] if t["works"] != N)


def test_counts_of_files_written_are_read_with_thousands_separators() -> None:
    from tools.measure import Proc

    def out(text: str) -> Proc:
        return Proc(1.0, None, 0, text)

    build = out(
        "generated 10,000 works: docs/atlas 66 written, 1,000 unchanged, 0 removed; "
        "work pages: 10,000 written, 0 unchanged (`toi-atlas site` ...)"
    )
    assert bench.written(build) == 10_066
    assert bench.written(out("docs/atlas is up to date (10,000 work pages, 66 files)")) == 0
    site = out("put 10,000 work pages into site (1,234 written, 0 removed); updated x")
    assert bench.site_written(site) == 1234


def test_bench_refuses_a_folder_that_is_not_a_project(tmp_path: Path) -> None:
    assert bench.main(["--root", str(tmp_path), "--out", str(tmp_path / "out")]) == 2


@pytest.mark.parametrize("argv", [["--runs", "0"], ["--sizes", "1"], ["--sizes", "ten"]])
def test_bench_usage_errors_exit_2(argv: list[str], tmp_path: Path) -> None:
    assert bench.main([*argv, "--out", str(tmp_path)]) == 2
    assert not (tmp_path / "results.json").exists()


def test_bench_sizes_are_lists_or_separate_numbers() -> None:
    parser = argparse.ArgumentParser(prog="bench")
    bench.add_arguments(parser)
    args = parser.parse_args(["--sizes", "100,1000", "10", "--no-browser"])
    assert args.sizes == [[100, 1000], [10]] and args.no_browser and args.runs == 3


def test_the_package_has_no_bench_command_and_never_imports_the_tools() -> None:
    from toi_atlas.cli import main

    assert main(["bench"]) == 2  # argparse: no such command
    package = ROOT / "scripts" / "toi_atlas"
    for path in package.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import) tools\b", text, re.M), path
    assert not {"bench.py", "synthetic.py", "localserver.py", "pageweight.py"} & {
        p.name for p in package.iterdir()
    }


def test_merge_replaces_only_the_sizes_measured_again() -> None:
    old = {
        "runs": 3,
        "sizes": {"100": {"whole_s": 9.0}, "10000": {"whole_s": 400.0}},
        "errors": ["100 works: old failure", "10000 works: search index limit"],
    }
    new = {"runs": 3, "sizes": {"100": {"whole_s": 8.0}}, "errors": []}
    out = bench.merged(old, new)
    assert list(out["sizes"]) == ["100", "10000"]
    assert out["sizes"]["100"]["whole_s"] == 8.0
    assert out["errors"] == ["10000 works: search index limit"]
    assert {t["works"] for t in out["targets"]} == {1000, 10_000}  # Hugo's at 1,000 too


def test_targets_are_judged_at_their_own_size_and_direction() -> None:
    """The Hugo Blox ratio is a floor judged at 1,000 and 10,000 works; the rest are
    ceilings judged at the largest size measured."""
    sizes = {
        "1000": {"hugo_blox_vs_whole": 3.5, "noop_s": 0.2},
        "10000": {"hugo_blox_vs_whole": 2.0, "noop_s": 1.5},
    }
    judged = {(t["target"], t["works"]): t["pass"] for t in bench.evaluate_targets(sizes)}
    hugo = next(t.label for t in bench.TARGETS if t.at_least)
    noop = next(t.label for t in bench.TARGETS if t.value({"noop_s": 7.0}) == 7.0)
    assert judged[(hugo, 1000)] is True and judged[(hugo, 10_000)] is False
    assert judged[(noop, 10_000)] is False and (noop, 1000) not in judged
    only_small = {t["works"] for t in bench.evaluate_targets({"100": {"noop_s": 0.1}})}
    assert only_small == {100, 1000, 10_000}  # the Hugo targets: not measured, still listed


def test_report_only_renders_saved_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    sizes = {"30": {"entries": 30, "whole_s": 3.0, "work_page_median_bytes": 30_000.0}}
    saved = {
        "version": 1,
        "seed": 0,
        "runs": 1,
        "machine": bench.machine(),
        "sizes": sizes,
        "errors": [],
        "targets": bench.evaluate_targets(sizes),
    }
    (tmp_path / "results.json").write_text(json.dumps(saved), encoding="utf-8")
    assert bench.main(["--report-only", "--out", str(tmp_path)]) == 0
    report = bench.markdown_report(saved)
    assert report.startswith("---\ntitle: Performance\n") and "| 30 works |" in report
    note = "One run per size: the machine was shared."
    assert bench.main(["--report-only", "--out", str(tmp_path), "--note", note]) == 0
    kept = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert kept["note"] == note and f"\n{note}\n" in bench.markdown_report(kept)
    assert note not in report


def test_a_new_report_keeps_the_graph_page_section(tmp_path: Path) -> None:
    old = tmp_path / "performance.md"
    graph = "## The argument graph on a slow connection\n\n| ours | 2.5 s |"
    old.write_text(report.with_section("# Performance\n\nold figures\n", "graph-page", graph))
    kept = report.keep_sections(old, "# Performance\n\nnew figures\n")
    assert kept.startswith("# Performance\n\nnew figures\n") and "old figures" not in kept
    assert kept.count("| ours | 2.5 s |") == 1
    again = report.with_section(kept, "graph-page", graph.replace("2.5", "2.4"))
    assert "| ours | 2.4 s |" in again and "2.5 s" not in again and "new figures" in again
    assert report.keep_sections(tmp_path / "missing.md", "report\n") == "report\n"


def test_the_timing_server_gzips_text_like_github_pages(tmp_path: Path) -> None:
    import gzip
    import urllib.request

    (tmp_path / "page").mkdir()
    (tmp_path / "page" / "index.html").write_text("<p>hello</p>" * 100, encoding="utf-8")
    (tmp_path / "dot.png").write_bytes(b"\x89PNG" + bytes(50))
    with localserver.serve_gzipped(tmp_path) as base:
        asked = urllib.request.Request(base + "/page/", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(asked) as r:
            assert r.headers["Content-Encoding"] == "gzip"
            assert gzip.decompress(r.read()).decode() == "<p>hello</p>" * 100
        with urllib.request.urlopen(base + "/page/") as r:  # a client that cannot unzip
            assert r.headers["Content-Encoding"] is None and r.read().startswith(b"<p>")
        png = urllib.request.Request(base + "/dot.png", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(png) as r:
            assert r.headers["Content-Encoding"] is None
