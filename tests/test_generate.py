"""The generator: nothing lost, links both ways, stripped BibTeX, escaping, safe writes."""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import pytest
from pybtex.database import parse_string

from conftest import cite_sources, entry, make_project, work_fragment, work_html, work_sources
from toi_atlas.pipeline import Paths, build, load_and_check
from toi_atlas.render import plan as render_plan
from toi_atlas.render.context import Context
from toi_atlas.render.plan import dropped, render_all
from toi_atlas.write import files as write
from toi_atlas.write import incremental
from toi_atlas.write.files import MARKER, UnsafePathError, safe_target, write_plan

HOSTILE_TITLE = "<script>alert(1)</script> [x](javascript:alert(2)) *bold* {{ jinja }}"

CORPUS = {
    "a.bib": entry("nanda2022longlist", title="A Longlist", stance="advocates")
    + entry(
        "segerie2023against",
        title="Against Almost Every Theory",
        rebuts="nanda2022longlist@auditing, nanda2022longlist@microscope-ai",
        tois="auditing, microscope-ai",
        endstories="enumerative-safety:mixed",
    ),
    "b.bib": entry(
        "hostile2024",
        title=HOSTILE_TITLE.replace("{{ jinja }}", r"\{\{ jinja \}\}"),
        summary="<img src=x onerror=alert(3)> | table | `code` # heading",
        supports="segerie2023against",
    ),
}


@pytest.fixture
def built(tmp_path: Path) -> Path:
    root = make_project(tmp_path, CORPUS)
    result = build(Paths(root))
    assert [d.code for d in result.diagnostics] == []
    return root / "docs" / "atlas"


def test_nothing_lost_every_entry_has_a_page(built: Path) -> None:
    pages = {p.stem for p in works_of(built).glob("*.json")}
    assert pages == {"nanda2022longlist", "segerie2023against", "hostile2024"}
    index = (built / "works" / "index.md").read_text()
    for key in pages:
        assert f'<a href="{key}/">' in index  # the list of all works links it


def test_dropped_page_is_an_error(tmp_path: Path) -> None:
    result = load_and_check(Paths(make_project(tmp_path, CORPUS)))
    assert result.corpus is not None
    plan = render_all(Context(result.corpus))
    del plan.works["works/hostile2024.md"]
    [diag] = dropped(result.corpus, plan)
    assert (diag.code, diag.span.file, diag.span.line) == ("TOI901", "bib/b.bib", 1)


def works_of(built: Path) -> Path:
    """The work pages' fragments, for docs/atlas of the same project."""
    return work_sources(built.parents[1])


def test_cross_links_both_ways_with_scope(built: Path) -> None:
    critic = work_html(built.parents[1], "segerie2023against")
    target = work_html(built.parents[1], "nanda2022longlist")
    # one group per topic the edge is about, headed by a link to that topic's page
    rebuts = '<li>rebuts <a href="../nanda2022longlist/">A Longlist</a> (Doe 2023)</li>'
    assert critic.count(rebuts) == 2
    head = '<p class="toi-group-head"><a href="../../toi/auditing/">Auditing</a> (1)</p>'
    assert f"{head}\n<ul>\n{rebuts}" in critic
    rebutted = (
        '<li>rebutted by <a href="../segerie2023against/">Against Almost Every Theory</a>'
        " (Doe 2023)</li>"
    )
    head = '<p class="toi-group-head"><a href="../../toi/microscope-ai/">Microscope AI</a> (1)</p>'
    assert f"{head}\n<ul>\n{rebutted}" in target
    # topic pages list the works with their stance
    es = (built / "endstory" / "enumerative-safety.md").read_text()
    assert '<li><a href="../../works/segerie2023against/">' in es and "Mixed" in es


def test_cite_bib_has_our_fields_stripped(built: Path) -> None:
    cite = (cite_sources(built.parents[1]) / "segerie2023against.bib").read_text()
    fields = set(parse_string(cite, "bibtex").entries["segerie2023against"].fields)
    assert fields == {"title", "year", "url"}  # author is a person field in pybtex
    page = work_html(built.parents[1], "segerie2023against")
    code = page.split('<div class="highlight"><pre><span></span><code>', 1)[1].split("</code>")[0]
    box = html.unescape(re.sub(r"<[^>]+>", "", code))
    assert box.strip() == cite.strip()
    for ours in ("tois", "stance", "rebuts", "summary", "added", "endstories"):
        assert ours not in box


def test_hostile_fields_become_inert_html(built: Path) -> None:
    page = work_fragment(built.parents[1], "hostile2024")
    title = re.search(r'<h1 id="[^"]*">(.*?)<a class="headerlink"', page["body"])
    summary = re.search(r'<p class="toi-summary">(.*?)</p>', page["body"])
    assert title is not None and summary is not None
    for shown in (title[1], summary[1]):
        assert "<" not in shown and ">" not in shown
    assert title[1].startswith("&lt;script&gt;alert(1)")
    assert summary[1].startswith("&lt;img src=x onerror=alert(3)&gt;")
    assert page["title"].startswith("&lt;script&gt;alert(1)&lt;/script&gt;")
    assert "<script" not in page["body"] and 'href="javascript' not in page["body"]


def test_key_with_path_traversal_is_refused_and_nothing_written(tmp_path: Path) -> None:
    evil = entry("..%2F..%2Fetc").replace("..%2F..%2Fetc", "../../../../tmp/pwned")
    root = make_project(tmp_path, {"evil.bib": evil})
    result = build(Paths(root))
    assert [d.code for d in result.diagnostics] == ["TOI105"]
    assert result.stats is None
    assert not (root / "docs").exists()
    assert not Path("/tmp/pwned.md").exists()


@pytest.mark.parametrize(
    "rel",
    ["../x.md", "works/../../x.md", "/etc/passwd", "", "a\\..\\b", "c:/x", "a\x00b"],
)
def test_safe_target_refuses_escapes(rel: str, tmp_path: Path) -> None:
    with pytest.raises(UnsafePathError):
        safe_target(tmp_path, rel)


def test_safe_target_refuses_symlink_escape(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "link").symlink_to(tmp_path.parent)
    with pytest.raises(UnsafePathError):
        safe_target(out, "link/x.md")
    assert safe_target(out, "works/x.md") == (out / "works" / "x.md").resolve()


def test_second_build_rewrites_nothing(tmp_path: Path) -> None:
    root = make_project(tmp_path, CORPUS)
    first = build(Paths(root)).stats
    page = work_sources(root) / "nanda2022longlist.json"
    before = page.stat().st_mtime_ns
    second = build(Paths(root)).stats
    assert first is not None and second is not None
    assert first.written > 0
    assert (second.written, second.deleted) == (0, 0)
    assert page.stat().st_mtime_ns == before


def test_changed_entry_rewrites_only_pages_that_show_it(tmp_path: Path) -> None:
    root = make_project(tmp_path, CORPUS)
    build(Paths(root))
    bib = root / "bib" / "b.bib"
    bib.write_text(bib.read_text().replace("onerror", "onfocus"))
    build_result = build(Paths(root))
    stats = build_result.stats
    assert stats is not None
    pages = {p for p in stats.written_paths if not p.startswith("data/")}
    # the summary shows in the lists that carry one-line summaries
    assert pages <= {"toi/auditing.md", "stance/critiques.md"}
    # and on its own page: only that one is written again
    converted = build_result.work_pages
    assert converted is not None and converted.written_paths == ("works/hostile2024.json",)


def test_removed_entry_page_is_pruned_only_in_our_folder(tmp_path: Path) -> None:
    root = make_project(tmp_path, CORPUS)
    build(Paths(root))
    (root / "bib" / "b.bib").unlink()
    assert build(Paths(root)).stats is not None
    assert not (work_sources(root) / "hostile2024.json").exists()
    assert not (cite_sources(root) / "hostile2024.bib").exists()

    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "keep.md").write_text("hand-written")
    write_plan(foreign, {"new.md": "x"})
    write_plan(foreign, {"other.md": "y"})
    assert (foreign / "keep.md").exists() and (foreign / "new.md").exists()
    assert not (foreign / MARKER).exists()


def test_failed_write_leaves_old_file_and_no_temp(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "page.md"
    target.write_text("old")

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        write.atomic_write(target, b"new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["page.md"]


def test_broken_corpus_writes_nothing(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"a.bib": entry("a2023", tois="nope")})
    assert build(Paths(root)).stats is None
    assert not (root / "docs").exists()


def test_atomic_write_keeps_or_sets_a_normal_mode(tmp_path: Path) -> None:
    new = tmp_path / "new.md"
    write.atomic_write(new, b"x")
    assert new.stat().st_mode & 0o777 == 0o666 & ~_umask()
    kept = tmp_path / "kept.bib"
    kept.write_text("old")
    kept.chmod(0o640)
    write.atomic_write(kept, b"new")
    assert kept.stat().st_mode & 0o777 == 0o640


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_symlinked_page_is_replaced_not_written_through(tmp_path: Path) -> None:
    out = tmp_path / "out"
    outside = tmp_path / "outside.md"
    outside.write_text("keep me")
    write_plan(out, {"works/x.md": "old"})
    (out / "works" / "x.md").unlink()
    (out / "works" / "x.md").symlink_to(outside)
    stats = write_plan(out, {"works/x.md": "new"})
    assert stats.written == 1
    assert outside.read_text() == "keep me"
    assert not (out / "works" / "x.md").is_symlink()
    assert (out / "works" / "x.md").read_text() == "new"


def _two_works(tmp_path: Path) -> Path:
    return make_project(tmp_path, {"w.bib": entry("alpha2023") + "\n" + entry("beta2024")})


def _no_render(*_: object) -> dict[str, str]:
    raise AssertionError("rendered although nothing changed")


def test_noop_build_renders_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _two_works(tmp_path)
    first = build(Paths(root))
    assert first.stats is not None and not first.skipped
    monkeypatch.setattr(render_plan, "render_all", _no_render)
    again = build(Paths(root))
    assert again.skipped and again.stats is not None
    assert (again.stats.written, again.stats.unchanged) == (0, first.stats.written)
    assert again.diagnostics == first.diagnostics  # still loaded and checked


@pytest.mark.parametrize("change", ["edit", "delete", "extra", "bib", "mkdocs", "code", "force"])
def test_any_change_renders_again(
    change: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _two_works(tmp_path)
    build(Paths(root))
    works = work_sources(root)
    page = works / "alpha2023.json"
    original = page.read_text()
    force = change == "force"
    if change == "edit":
        page.write_text(original + "hand edit\n")
    elif change == "delete":
        page.unlink()
    elif change == "extra":
        (works / "stray.json").write_text("stray")
    elif change == "bib":
        bib = root / "bib" / "w.bib"
        bib.write_text(bib.read_text().replace("beta2024", "gamma2024"))
    elif change == "mkdocs":
        (root / "mkdocs.yml").write_text("site_name: T\nsite_url: https://example.org/t/\n")
    elif change == "code":
        code = tmp_path / "code"
        code.mkdir()
        (code / "render.py").write_text("v1")
        monkeypatch.setattr(incremental, "CODE", code)
        build(Paths(root))  # recorded with this "generator"
        (code / "render.py").write_text("v2")
    result = build(Paths(root), force=force)
    assert not result.skipped and result.stats is not None
    assert page.read_text() == original or change == "bib"
    assert not (works / "stray.json").exists()
    if change == "bib":
        assert (works / "gamma2024.json").exists()
        assert not (works / "beta2024.json").exists()
