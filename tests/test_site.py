"""The site: strict MkDocs build, Zensical build, and escaping in the built HTML.

On the code tests' fixture corpus (conftest.fixture_site), never on bib/; that the real
corpus builds is test_corpus.py's."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import (
    HOSTILE_KEY,
    HOSTILE_TITLE,
    HUB,
    bib_keys,
    make_fixture_project,
    reading_list_shows_times,
    run_tool,
)
from toi_atlas.pipeline import Paths, build

pytestmark = pytest.mark.site


def test_mkdocs_strict_build_has_a_page_per_entry(fixture_site: Path) -> None:
    keys = bib_keys(fixture_site / "bib")
    assert len(keys) >= 25
    works = fixture_site / "site" / "atlas" / "works"
    built = {p.parent.name for p in works.glob("*/index.html")}
    assert {k.lower() for k in keys} == built
    # Work pages stay out of the nav (every page carries the whole nav): no nav link on
    # any page points at a work page, and the nav stays small.
    for page in ("index.html", f"atlas/works/{HUB}/index.html"):
        html = (fixture_site / "site" / page).read_text(encoding="utf-8")
        nav_links = re.findall(r'<a href="([^"]*)" class="md-nav__link', html)
        assert 5 <= len(nav_links) <= 40, nav_links
        assert not [h for h in nav_links if re.search(r"works/[^/]+/$", h)]


def test_search_index_covers_titles_authors_and_summaries(fixture_site: Path) -> None:
    index = (fixture_site / "site" / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "Against Most Theories of Impact of Interpretability" in index  # the hub's title
    assert "Ravensworth" in index
    assert "Outreach is the exception" in index  # from the hub's summary


def test_search_index_leaves_out_links_edges_and_citations(fixture_site: Path) -> None:
    docs = json.loads((fixture_site / "site" / "search" / "search_index.json").read_text())["docs"]
    page = f"atlas/works/{HUB}/"
    sections = [d["location"].removeprefix(page) for d in docs if d["location"].startswith(page)]
    assert sections == [""]  # the title, byline and summary only
    works = [d for d in docs if d["location"].startswith("atlas/works/")]
    assert len(works) > 100 and not any("howpublished" in d["text"] for d in works)  # no BibTeX
    html = (fixture_site / "site" / page / "index.html").read_text(encoding="utf-8")
    assert html.count("data-search-exclude") >= 4  # Links, Where it stands, debate, Cite
    # Debate diagrams (SVG labels and keys) stay out too: they drowned real hits.
    topic = "atlas/endstory/enumerative-safety/"
    assert any(d["location"].startswith(topic) for d in docs)
    generated = [d for d in docs if d["location"].startswith("atlas/")]
    assert not any(HUB in d["text"] for d in generated)


def test_zensical_builds_the_same_config(tmp_path: Path) -> None:
    project = make_fixture_project(tmp_path)
    assert run_tool(["toi-atlas", "build"], project).returncode == 0
    state = {p: p.read_bytes() for p in (project / ".toi-atlas").rglob("*") if p.is_file()}
    assert {"citations.json", "manifest.json"} <= {p.name for p in state}
    proc = run_tool(["zensical", "build", "--clean"], project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert run_tool(["toi-atlas", "site"], project).returncode == 0
    # `--clean` empties .cache/; our memo, manifest and work pages are elsewhere, so the
    # next build has nothing to do.
    after = {p: p.read_bytes() for p in (project / ".toi-atlas").rglob("*") if p.is_file()}
    assert after == state
    assert build(Paths(project)).skipped
    page = project / "site" / "atlas" / "works" / HUB / "index.html"
    html = page.read_text(encoding="utf-8")
    assert "Against Most Theories of Impact of Interpretability" in html
    assert "rebutted by" in html  # generated cross-links survive without MkDocs plugins
    assert (project / "site" / "atlas" / "cite" / f"{HUB}.bib").is_file()
    items = json.loads((project / "site" / "search.json").read_text(encoding="utf-8"))["items"]
    works = [i for i in items if i["location"].startswith("atlas/works/")]
    assert f"atlas/works/{HUB}/" in [i["location"] for i in works]
    assert not any("#" in i["location"] or "howpublished" in i["text"] for i in works)


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.h1 = ""
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_h1 = self._in_h1 or tag == "h1"

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.h1 += data


def test_hostile_fields_are_text_in_built_html(hostile_site: Path) -> None:
    page = hostile_site / "site" / "atlas" / "works" / HOSTILE_KEY / "index.html"
    parser = _Collect()
    parser.feed(page.read_text(encoding="utf-8"))
    assert parser.h1.replace("¶", "").strip() == HOSTILE_TITLE
    names = [t for t, _ in parser.tags]
    assert "iframe" not in names  # (svg is fine: the theme draws its icons with it)
    for tag, attrs in parser.tags:
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        for value in attrs.values():
            assert not (value or "").strip().lower().startswith("javascript:"), (tag, attrs)
    # the theme's own scripts only: as many as on the page of an ordinary work
    plain = _Collect()
    plain.feed((page.parents[1] / "quill2024alone" / "index.html").read_text(encoding="utf-8"))
    assert names.count("script") == [t for t, _ in plain.tags].count("script")
    assert "<img src=x" not in page.read_text(encoding="utf-8")


def test_hostile_title_is_escaped_in_head_and_lists(hostile_site: Path) -> None:
    site = hostile_site / "site"
    page = (site / "atlas" / "works" / HOSTILE_KEY / "index.html").read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    assert title is not None and "<script" not in title.group(1)
    for listing in ("atlas/works/index.html", "atlas/toi/auditing/index.html"):
        html = (site / listing).read_text(encoding="utf-8")
        assert "&lt;script&gt;" in html or "&#60;script&#62;" in html
        assert "<script>alert" not in html
        parser = _Collect()
        parser.feed(html)
        for tag, attrs in parser.tags:  # text may mention javascript:, no attribute may
            assert not any(k.startswith("on") for k in attrs), (listing, tag, attrs)
            assert not any((v or "").lower().startswith("javascript:") for v in attrs.values())


def test_every_page_links_data_and_feed(fixture_site: Path) -> None:
    site = fixture_site / "site"
    for page in ("index.html", f"atlas/works/{HUB}/index.html", "reading/start-here/index.html"):
        html = (site / page).read_text(encoding="utf-8")
        feed = re.search(
            r'<link rel="alternate feed" type="application/atom\+xml"[^>]*href="([^"]+)"', html
        )
        assert feed is not None, page
        assert ((site / page).parent / feed.group(1)).resolve().is_file()
        data = re.search(r'<a href="([^"]+)">Data: BibTeX', html)
        assert data is not None, page
        assert ((site / page).parent / data.group(1) / "index.html").resolve().is_file()


def test_reading_lists_take_times_from_entries(fixture_site: Path) -> None:
    assert reading_list_shows_times(fixture_site) == ["start-here"]  # 7 + 20 minutes
