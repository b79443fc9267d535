"""`toi-atlas site` writing into the built site (write/fill.py): work pages new and
changed, never through a symlink, and the works' BibTeX files put in beside them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from toi_atlas.write.files import UnsafePathError
from toi_atlas.write.fill import FRAGMENT_VERSION, Shell, fill_site, publish_cite

SHELL = (
    "<html><head><title>TOIATLASSHELLTITLE</title></head><body><nav><ul><li>"
    '<a href="#toiatlasshelltoc">TOIATLASSHELLTOC</a></li></ul></nav>'
    '<h1 id="toiatlasshellh1">TOIATLASSHELLTITLE</h1><p>TOIATLASSHELLBODY</p>'
    '<h2 id="toiatlasshelltoc">TOIATLASSHELLTOC</h2></body></html>'
)


def _fragment(text: str) -> dict[str, object]:
    return {
        "version": FRAGMENT_VERSION,
        "title": "T é",
        "description": "D",
        "h1": "t",
        "toc": [["cite", "Cite"]],
        "body": f'<h1 id="t">T é</h1><p>{text}</p>',
        "search": {"text": text, "tags": [], "boost": 1.0},
    }


def _project(tmp_path: Path, works: dict[str, str], bibs: dict[str, str]) -> tuple[Path, Path]:
    """A built site (only its shell) and the generator's folder with `works` (slug: text)
    as fragments and `bibs` (slug: BibTeX) as cite files."""
    site, folder = tmp_path / "site", tmp_path / "pages"
    (site / "atlas" / "works" / "_shell").mkdir(parents=True)
    (site / "atlas" / "works" / "_shell" / "index.html").write_text(SHELL, encoding="utf-8")
    _write(folder, works, bibs)
    return site, folder


def _write(folder: Path, works: dict[str, str], bibs: dict[str, str]) -> None:
    (folder / "works").mkdir(parents=True, exist_ok=True)
    (folder / "cite").mkdir(parents=True, exist_ok=True)
    for slug, text in works.items():
        (folder / "works" / f"{slug}.json").write_text(json.dumps(_fragment(text)), "utf-8")
    for slug, bib in bibs.items():
        path = folder / "cite" / f"{slug}.bib"
        path.unlink(missing_ok=True)  # the build replaces a file, never writes into it
        path.write_text(bib, encoding="utf-8")


def test_pages_are_written_new_then_only_when_they_change(tmp_path: Path) -> None:
    site, folder = _project(tmp_path, {"a2020": "first", "b2021": "second"}, {})
    shell = Shell.parse(SHELL)
    stats = fill_site(site, folder, shell)
    assert (stats.pages, stats.written) == (2, 2)
    page = site / "atlas" / "works" / "a2020" / "index.html"
    assert page.read_bytes() == shell.fill("a2020", _fragment("first")).encode("utf-8")
    assert fill_site(site, folder, shell).written == 0
    _write(folder, {"b2021": "changed"}, {})
    assert fill_site(site, folder, shell).written == 1
    assert "changed" in (site / "atlas" / "works" / "b2021" / "index.html").read_text("utf-8")


def test_a_work_folder_that_is_a_symlink_is_never_written_through(tmp_path: Path) -> None:
    site, folder = _project(tmp_path, {"a2020": "first"}, {})
    outside = tmp_path / "outside"
    outside.mkdir()
    (site / "atlas" / "works" / "a2020").symlink_to(outside)
    with pytest.raises(UnsafePathError):
        fill_site(site, folder, Shell.parse(SHELL))
    assert list(outside.iterdir()) == []


def test_cite_files_are_put_in_the_site_and_follow_the_build(tmp_path: Path) -> None:
    works = {"a2020": "x", "b2021": "y"}
    site, folder = _project(tmp_path, works, {"a2020": "@misc{a}\n", "b2021": "@misc{b}\n"})
    shell = Shell.parse(SHELL)
    assert fill_site(site, folder, shell).cite_files == 2
    cite = site / "atlas" / "cite"
    assert (cite / "a2020.bib").read_text(encoding="utf-8") == "@misc{a}\n"
    assert fill_site(site, folder, shell).cite_files == 0  # nothing changed
    _write(folder, {}, {"a2020": "@misc{a, note = {new}}\n"})
    (folder / "cite" / "b2021.bib").unlink()  # the work is gone
    assert publish_cite(folder / "cite", site) == 1
    assert (cite / "a2020.bib").read_text(encoding="utf-8") == "@misc{a, note = {new}}\n"
    assert sorted(os.listdir(cite)) == ["a2020.bib"]


def test_a_cite_file_in_the_site_is_replaced_not_written_through(tmp_path: Path) -> None:
    site, folder = _project(tmp_path, {}, {"a2020": "@misc{a}\n"})
    outside = tmp_path / "outside.bib"
    outside.write_text("keep", encoding="utf-8")
    (site / "atlas" / "cite").mkdir(parents=True)
    (site / "atlas" / "cite" / "a2020.bib").symlink_to(outside)
    assert publish_cite(folder / "cite", site) == 1
    assert outside.read_text(encoding="utf-8") == "keep"
    assert not (site / "atlas" / "cite" / "a2020.bib").is_symlink()


def test_without_cite_files_from_the_build_the_site_keeps_its_own(tmp_path: Path) -> None:
    """Until the build writes them beside the fragments, MkDocs copies them from docs/."""
    site, folder = _project(tmp_path, {"a2020": "x"}, {})
    (folder / "cite").rmdir()
    (site / "atlas" / "cite").mkdir(parents=True)
    (site / "atlas" / "cite" / "a2020.bib").write_text("@misc{a}\n", encoding="utf-8")
    assert fill_site(site, folder, Shell.parse(SHELL)).cite_files == 0
    assert (site / "atlas" / "cite" / "a2020.bib").is_file()
