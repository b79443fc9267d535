"""A build after an edit renders only the work pages whose inputs changed, parses only the
.bib files that changed, and writes exactly what a full build writes.

Each edit below is followed by an ordinary build, then by `build --force` (every file
parsed, every page rendered): the two must leave the same bytes in docs/atlas and in the
work pages' fragments. An input the fingerprints missed would leave a stale page here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import HUB, cite_sources, make_fixture_project, work_sources
from toi_atlas.diagnostics import has_errors
from toi_atlas.pipeline import Paths, build
from toi_atlas.read import parsed
from toi_atlas.read.load import load_file
from toi_atlas.read.parsed import ParseCache, decode_parse, encode_parse
from toi_atlas.render import pages

Edit = Callable[[Path], None]


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"the fixture no longer has {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _entry_of(text: str, key: str) -> str:
    match = re.search(rf"@\w+\{{{key},.*?\n\}}\n", text, re.S)
    assert match is not None
    return match.group(0)


def hub_summary(root: Path) -> None:
    _replace(root / "bib" / "fixture.bib", "summary      = {Argues", "summary      = {Claims")


def hub_title(root: Path) -> None:  # shown on every page linked to the hub
    old = "title        = {Against Most Theories of Impact of Interpretability}"
    _replace(root / "bib" / "fixture.bib", old, old.replace("Most", "Nearly All"))


def new_edge(root: Path) -> None:  # a work without links gets one: both pages change
    _replace(
        root / "bib" / "fixture.bib",
        "  endstories   = {microscope},\n",
        f"  endstories   = {{microscope}},\n  rebuts       = {{{HUB}@auditing}},\n",
    )


def tags(root: Path) -> None:  # a lone work's related works, and others', change
    bib = root / "bib" / "fixture.bib"
    alone = _entry_of(bib.read_text(encoding="utf-8"), "quill2024alone")
    _replace(bib, alone, alone.replace("tois         = {auditing}", "tois = {microscope-ai}"))


def deleted(root: Path) -> None:  # a work nothing links to: its neighbours' pages change
    bib = root / "bib" / "synthetic-001.bib"
    text = bib.read_text(encoding="utf-8")
    others = "".join(p.read_text(encoding="utf-8") for p in (root / "bib").glob("*.*"))
    keys = re.findall(r"^@\w+\{(\w+),", text, re.M)
    key = next(k for k in reversed(keys) if others.count(k) == 1 and "rebuts" in _entry_of(text, k))
    _replace(bib, _entry_of(text, key), "")


def taxonomy(root: Path) -> None:  # shared by every page
    _replace(root / "bib" / "taxonomy.yaml", "    name: Auditing\n", "    name: Audits\n")


def synthetic_title(root: Path) -> None:  # a synthetic work's title, in its neighbours' lists
    bib = root / "bib" / "synthetic-001.bib"
    match = re.search(r"  title\s*= \{(.+)\},\n", bib.read_text(encoding="utf-8"))
    assert match is not None
    _replace(bib, match.group(0), match.group(0).replace(match.group(1), "A Renamed Work"))


EDITS: list[Edit] = [hub_summary, hub_title, new_edge, tags, deleted, taxonomy, synthetic_title]


def _snapshot(root: Path) -> dict[str, bytes]:
    folders = {
        "docs": root / "docs" / "atlas",
        "pages": work_sources(root),
        "cite": cite_sources(root),
    }
    return {
        f"{name}/{p.relative_to(folder).as_posix()}": p.read_bytes()
        for name, folder in folders.items()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


class Rendered:
    """The work pages rendered, by key."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.keys: list[str] = []
        real = pages.render_work

        def counted(work, *args, **kwargs):  # type: ignore[no-untyped-def]
            self.keys.append(work.key)
            return real(work, *args, **kwargs)

        monkeypatch.setattr(pages, "render_work", counted)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_fixture_project(tmp_path_factory.mktemp("reuse"))
    assert not has_errors(build(Paths(root)).diagnostics)
    return root


@pytest.mark.parametrize("edit", EDITS, ids=[e.__name__ for e in EDITS])
def test_an_edit_writes_what_a_full_build_writes(
    edit: Edit, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The edits build on each other, on one project, as a contributor's would."""
    rendered = Rendered(monkeypatch)
    edit(project)
    result = build(Paths(project))
    assert not has_errors(result.diagnostics) and result.corpus is not None
    incremental = _snapshot(project)
    works = len(result.corpus.works)
    if edit is not taxonomy:  # a change to the vocabulary renders every page again
        assert 0 < len(rendered.keys) < works / 4
    rendered.keys.clear()
    ParseCache.forget()
    assert build(Paths(project), force=True).stats is not None
    assert len(rendered.keys) == works
    full = _snapshot(project)
    assert incremental.keys() == full.keys()
    stale = [path for path in full if incremental[path] != full[path]]
    assert stale == []


def test_an_edit_renders_the_edited_work_and_its_neighbours_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_fixture_project(tmp_path)
    build(Paths(root))
    rendered = Rendered(monkeypatch)
    new_edge(root)
    build(Paths(root))
    assert sorted(rendered.keys) == sorted(["quill2024reply", HUB])
    rendered.keys.clear()
    assert build(Paths(root), force=True).stats is not None
    assert len(rendered.keys) > 100  # --force renders every page


def test_only_the_edited_file_is_parsed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_fixture_project(tmp_path)
    build(Paths(root))
    seen: list[str] = []
    real = parsed._parse
    monkeypatch.setattr(
        parsed, "_parse", lambda data, shown: seen.append(shown) or real(data, shown)
    )
    hub_summary(root)
    ParseCache.forget()  # a new process: the other file comes from .toi-atlas/parsed
    assert build(Paths(root)).stats is not None
    assert seen == ["bib/fixture.bib"]


def test_a_kept_parse_is_the_parse(fixture_project: Path) -> None:
    for path in sorted((fixture_project / "bib").glob("*.bib")):
        bib, diags = load_file(path, path.name)
        assert bib is not None
        again = decode_parse(json.loads(encode_parse((bib.entries, diags)) or b""))
        assert again[1] == diags
        for mine, theirs in zip(again[0], bib.entries, strict=True):
            assert (mine.key, mine.entry_type, mine.span, mine.fields) == (
                theirs.key,
                theirs.entry_type,
                theirs.span,
                theirs.fields,
            )
            assert {r: [str(p) for p in ps] for r, ps in mine.persons.items()} == {
                r: [str(p) for p in ps] for r, ps in theirs.persons.items()
            }


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.update(version=99),
        lambda d: d["entries"][0].__setitem__(3, "one"),
        lambda d: d["entries"][0][4].__setitem__(0, ["title", 3, 1]),
        lambda d: d["entries"][0][5].update(author=[["Only", "three", "parts"]]),
        lambda d: d["findings"].append(["TOI999", "x.bib", 1, "m", "h"]),
        lambda d: d.clear(),
    ],
    ids=["version", "line", "field", "name", "code", "empty"],
)
def test_a_damaged_kept_parse_means_the_file_is_parsed_again(
    damage: Callable[[dict], None], tmp_path: Path
) -> None:
    root = make_fixture_project(tmp_path)
    first = build(Paths(root))
    folder = root / ".toi-atlas" / "parsed"
    for kept in folder.iterdir():
        data = json.loads(kept.read_text(encoding="utf-8"))
        if data["entries"]:
            damage(data)
        kept.write_text(json.dumps(data), encoding="utf-8")
    ParseCache.forget()
    again = build(Paths(root), force=True)
    assert again.stats is not None and again.diagnostics == first.diagnostics
    assert again.corpus is not None and first.corpus is not None
    assert again.corpus.works.keys() == first.corpus.works.keys()


def test_a_damaged_keys_file_means_every_page_is_rendered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_fixture_project(tmp_path)
    build(Paths(root))
    keys = Paths(root).page_keys
    data = json.loads(keys.read_text(encoding="utf-8"))
    page, row = next(iter(data["pages"].items()))
    data["pages"][page] = [row[0].upper(), row[1], row[2]]  # not a digest we write
    keys.write_text(json.dumps(data), encoding="utf-8")
    rendered = Rendered(monkeypatch)
    hub_summary(root)
    build(Paths(root))
    assert page.removeprefix("works/").removesuffix(".md") in rendered.keys


def test_a_build_in_the_same_process_reuses_the_works_of_unchanged_files(
    tmp_path: Path,
) -> None:
    """As the preview builds: entries of unchanged files are the same objects, so are
    their works; an edited file's works, or all after a change of vocabulary, are new."""
    root = make_fixture_project(tmp_path)
    first = build(Paths(root)).corpus
    hub_summary(root)
    second = build(Paths(root)).corpus
    taxonomy(root)
    third = build(Paths(root)).corpus
    assert first is not None and second is not None and third is not None
    same = {k for k, w in second.works.items() if first.works[k] is w}
    files = {w.span.file for k, w in second.works.items() if k not in same}
    assert files == {"bib/fixture.bib"} and len(same) > 100
    assert [k for k, w in second.works.items() if w.summary != first.works[k].summary]
    assert not any(third.works[k] is w for k, w in second.works.items())
