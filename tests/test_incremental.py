"""A build with nothing to do loads nothing, and still reports what the last one found.

Where our state lives (`.toi-atlas/`, not `.cache/`, which `zensical build --clean`
empties) is tested here too; the Zensical run itself is in test_site.py.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import entry, make_project, work_sources
from toi_atlas.cli import main
from toi_atlas.diagnostics import Diagnostic, has_errors
from toi_atlas.pipeline import Paths, Result, build
from toi_atlas.read import load
from toi_atlas.read.parsed import ParseCache
from toi_atlas.write import incremental

# Two findings that are warnings: a duplicate edge (from a .bib file) and a reading list
# without its hand-written page (from docs/reading/, which the checker reads too).
WARNED: dict[str, str | bytes] = {
    "w.bib": entry("alpha2023")
    + "\n"
    + entry("beta2024", rebuts="alpha2023@auditing, alpha2023@auditing")
    + "\n",
    "more.bib": entry("gamma2025"),
    "readinglists.yaml": "lists:\n  - id: first\n    title: First\n    reviewed: 2026-12-03\n"
    "    items:\n"
    "      - key: alpha2023\n        note: Start here.\n",
}
WARNINGS = ["TOI304", "TOI603", "TOI604"]


class Loads:
    """Counts the .bib files the loader reads (each goes through `load.decode` once)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.files: list[str] = []
        real = load.decode

        def counted(data: bytes, display: str) -> tuple[str | None, list[Diagnostic]]:
            self.files.append(display)
            return real(data, display)

        monkeypatch.setattr(load, "decode", counted)


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> Loads:
    return Loads(monkeypatch)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = make_project(tmp_path, WARNED)
    (root / "mkdocs.yml").write_text("site_name: T\n")
    return root


def _codes(result: Result) -> list[str]:
    return sorted(d.code for d in result.diagnostics)


def test_noop_build_reads_no_bib_file_and_reports_the_same_warnings(
    root: Path, loads: Loads
) -> None:
    first = build(Paths(root))
    assert sorted(loads.files) == ["bib/more.bib", "bib/w.bib"]
    assert _codes(first) == WARNINGS and first.stats is not None
    loads.files.clear()
    again = build(Paths(root))
    assert loads.files == []
    assert again.skipped and again.corpus is None
    assert again.diagnostics == first.diagnostics
    assert again.works == first.works == 3
    assert again.stats is not None and again.stats.unchanged == first.stats.written


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_noop_build_prints_what_a_full_build_prints(
    fmt: str, root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["build", "--root", str(root), "--format", fmt]
    assert main(args) == 0
    full = capsys.readouterr()
    assert main(args) == 0
    noop = capsys.readouterr()
    assert noop.out == full.out and "TOI304" in full.out
    assert noop.err.splitlines()[:1] == full.err.splitlines()[:1]  # the summary line
    assert main([*args, "--strict"]) == 1  # the replayed warnings count for --strict


def _edit_bib(root: Path) -> None:
    bib = root / "bib" / "more.bib"
    bib.write_text(bib.read_text().replace("A fine summary", "An edited summary"))


def _edit_mkdocs(root: Path) -> None:
    (root / "mkdocs.yml").write_text("site_name: T\nsite_url: https://example.org/t/\n")


def _add_reading_page(root: Path) -> None:
    page = root / "docs" / "reading" / "first.md"
    page.parent.mkdir(parents=True)
    page.write_text('# First\n\n--8<-- "atlas/reading/first.md.txt"\n')


@pytest.mark.parametrize(
    "change", [_edit_bib, _edit_mkdocs, _add_reading_page], ids=["bib", "mkdocs", "reading-page"]
)
def test_an_edited_input_means_a_new_build_that_parses_only_edited_files(
    change: Callable[[Path], None], root: Path, loads: Loads
) -> None:
    build(Paths(root))
    change(root)
    ParseCache.forget()  # as a new process: unchanged files come from .toi-atlas/parsed
    loads.files.clear()
    result = build(Paths(root))
    assert not result.skipped and result.stats is not None
    assert loads.files == (["bib/more.bib"] if change is _edit_bib else [])
    if change is _add_reading_page:  # the finding about the page is gone, not replayed
        assert _codes(result) == ["TOI304", "TOI603"]
    else:
        assert _codes(result) == WARNINGS


def test_an_edit_to_the_generator_means_a_full_load(
    root: Path, tmp_path: Path, loads: Loads, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "render.py").write_text("v1")
    monkeypatch.setattr(incremental, "CODE", code)
    build(Paths(root))
    (code / "render.py").write_text("v2")
    loads.files.clear()
    assert not build(Paths(root)).skipped and loads.files


class _NextYear(dt.date):
    @classmethod
    def today(cls) -> _NextYear:
        return cls(dt.date.today().year + 1, 1, 1)


def test_a_new_year_means_a_new_check(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(Paths(root))
    monkeypatch.setattr(incremental, "dt", SimpleNamespace(date=_NextYear))
    again = build(Paths(root))  # the checker's bound on `year` has moved
    assert not again.skipped and again.corpus is not None


@pytest.mark.parametrize("change", ["edit", "delete", "extra", "force"])
def test_a_changed_output_folder_means_a_full_build(change: str, root: Path, loads: Loads) -> None:
    build(Paths(root))
    out = root / ".toi-atlas" / "pages" / "html" / "works"  # each output folder counts
    page = out / "alpha2023.json"
    original = page.read_text()
    if change == "edit":
        page.write_text(original + "hand edit\n")
    elif change == "delete":
        page.unlink()
    elif change == "extra":
        (out / "stray.json").write_text("stray")
    result = build(Paths(root), force=change == "force")
    assert not result.skipped and result.corpus is not None and result.stats is not None
    # The edited or deleted page is rendered again: its fragment no longer stands as the
    # last build wrote it (render/reuse.py).
    assert page.read_text() == original and not (out / "stray.json").exists()
    assert build(Paths(root)).skipped  # and the folder is recorded again


def test_a_build_with_errors_records_nothing(root: Path, loads: Loads) -> None:
    bib = root / "bib" / "more.bib"
    good = bib.read_text()
    first = build(Paths(root))
    bib.write_text(good.replace("critiques", "nonsense"))  # an unknown stance
    for _ in range(2):  # a failed build is never taken for a successful one
        failed = build(Paths(root))
        assert not failed.skipped and has_errors(failed.diagnostics) and failed.stats is None
    bib.write_text(good)  # back as it was when the last build succeeded
    loads.files.clear()
    again = build(Paths(root))
    assert again.skipped and loads.files == [] and again.diagnostics == first.diagnostics


def _tamper(manifest: Path, how: str) -> None:
    data = json.loads(manifest.read_text())
    if how == "error-code":
        data["diagnostics"][0][0] = "TOI101"  # a recorded success holds no error
    elif how == "unknown-code":
        data["diagnostics"][0][0] = "TOI999"
    elif how == "line-as-text":
        data["diagnostics"][0][2] = "3"
    elif how == "short-row":
        data["diagnostics"][0] = data["diagnostics"][0][:4]
    elif how == "works-missing":
        del data["works"]
    elif how == "old-version":
        data["version"] = 1
    manifest.write_text(json.dumps(data))


@pytest.mark.parametrize(
    "how",
    ["error-code", "unknown-code", "line-as-text", "short-row", "works-missing", "old-version"],
)
def test_a_manifest_of_the_wrong_shape_means_a_full_build(how: str, root: Path) -> None:
    first = build(Paths(root))
    _tamper(Paths(root).manifest, how)
    result = build(Paths(root))
    assert not result.skipped and result.corpus is not None
    assert result.diagnostics == first.diagnostics


def test_state_lives_outside_dot_cache(root: Path) -> None:
    build(Paths(root))
    state = root / ".toi-atlas"
    assert {p.name for p in state.iterdir()} == {
        "citations.json",
        "manifest.json",
        "pages",
        "parsed",
    }
    assert not (root / ".cache").exists()


def test_an_old_citation_memo_is_moved_and_used(root: Path) -> None:
    build(Paths(root))
    state = root / ".toi-atlas"
    memo = json.loads((state / "citations.json").read_text())
    key = next(iter(memo["entries"]))
    memo["entries"][key] = "Cited from the old memo"
    old = root / ".cache" / "toi-atlas"
    old.mkdir(parents=True)
    (old / "citations.json").write_text(json.dumps(memo))
    for name in ("citations.json", "manifest.json"):
        (state / name).unlink()
    result = build(Paths(root))
    assert not result.skipped
    assert not (old / "citations.json").exists()  # moved, so read once
    pages = work_sources(root).glob("*.json")
    assert any("Cited from the old memo" in p.read_text() for p in pages)
