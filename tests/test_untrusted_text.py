"""Text from fields, trusted nowhere: `%` survives, bidi controls stay inside their
element, walls of text and invisible characters are reported, a non-UTF-8 file gets
a hint that works."""

from __future__ import annotations

import html
import json
import re
import shlex
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pybtex.database import parse_string

from conftest import (
    FIXTURES,
    build_site,
    entry,
    make_fixture_project,
    make_project,
    work_fragment,
    work_html,
)
from toi_atlas import cli
from toi_atlas.model import bidi
from toi_atlas.model.corpus import latex_to_unicode
from toi_atlas.model.csl import SUMMARY_KEY, csl_item
from toi_atlas.pipeline import Paths, build, load_and_check
from toi_atlas.render.citations import MEMO_VERSION, STYLES, _key, as_marked
from toi_atlas.render.markdown import first_sentence

PCT_TITLE = "Pruning 90% of heads in Schrödinger nets"
PCT_SUMMARY = "Cuts error by 40% on held-out data – and élan. Second 3% sentence."
PCT_AUTHORS = ["Jo Müller 50%", "Ann Doe 7%"]
PCT_VENUE = "Blög 100% – daily"
PCT_JOURNAL = "Journal of 99% Ünits & Co"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The one-entry-per-kind fixture, whose last two entries hold a `%` in every
    free-text field next to LaTeX, generated into docs/atlas/."""
    bib = (FIXTURES / "kinds" / "kinds.bib").read_text(encoding="utf-8")
    root = make_project(tmp_path_factory.mktemp("pct"), {"kinds.bib": bib})
    result = build(Paths(root))
    assert result.stats is not None, result.diagnostics
    return root / "docs" / "atlas"


def test_percent_survives_on_the_work_page(data: Path) -> None:
    fragment = work_fragment(data.parents[1], "pct2023")
    page = html.unescape(fragment["body"])
    assert html.unescape(fragment["title"]) == PCT_TITLE
    assert re.search(f'<h1 id="[^"]+">{re.escape(PCT_TITLE)}<', page)
    assert " and ".join(PCT_AUTHORS) in page and PCT_VENUE in page
    assert PCT_SUMMARY in page
    assert "Müller 50%, J., & Doe 7%, A. (2023). Pruning 90% of heads" in page  # cite as
    journal = html.unescape(work_html(data.parents[1], "pct2024"))
    assert PCT_JOURNAL in journal and "Half of it – 50%" in journal


def test_percent_survives_in_works_json_and_csl_json(data: Path) -> None:
    works = json.loads((data / "data" / "works.json").read_text(encoding="utf-8"))
    record = {w["key"]: w for w in works["works"]}
    got = record["pct2023"]
    assert (got["title"], got["authors"], got["venue"], got["summary"]) == (
        PCT_TITLE,
        PCT_AUTHORS,
        PCT_VENUE,
        PCT_SUMMARY,
    )
    assert record["pct2024"]["venue"] == PCT_JOURNAL
    items = json.loads((data / "data" / "works.csl.json").read_text(encoding="utf-8"))
    csl = {i["id"]: i for i in items}
    item = csl["pct2023"]
    assert item["title"] == PCT_TITLE
    assert [n["family"] for n in item["author"]] == ["Müller 50%", "Doe 7%"]
    assert item["container-title"] == PCT_VENUE
    assert item["note"] == "See 5% – the appendix"
    assert item["custom"]["toi-atlas-summary"] == PCT_SUMMARY
    assert csl["pct2024"]["container-title"] == PCT_JOURNAL


def test_data_page_says_where_our_summary_is(data: Path) -> None:
    page = (data / "downloads.md").read_text(encoding="utf-8")
    row = next(line for line in page.splitlines() if "works.csl.json" in line)
    assert f"custom.{SUMMARY_KEY}" in row and "`abstract`" in row


@pytest.mark.parametrize("name", ["all.bib", "all-clean.bib"])
def test_percent_survives_in_the_bibtex_exports(data: Path, name: str) -> None:
    db = parse_string((data / "data" / name).read_text(encoding="utf-8"), "bibtex")
    fields = db.entries["pct2023"].fields
    assert latex_to_unicode(fields["title"]) == PCT_TITLE
    assert latex_to_unicode(fields["howpublished"]) == PCT_VENUE
    assert latex_to_unicode(fields["note"]) == "See 5% – the appendix"
    assert latex_to_unicode(db.entries["pct2024"].fields["journal"]) == PCT_JOURNAL
    people = db.entries["pct2023"].persons["author"]
    assert [latex_to_unicode(str(p)) for p in people] == ["Müller 50%, Jo", "Doe 7%, Ann"]
    if name == "all.bib":
        assert latex_to_unicode(fields["summary"]) == PCT_SUMMARY
    else:
        assert "summary" not in fields


def test_percent_survives_in_the_feed(data: Path) -> None:
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring((data / "data" / "feed.xml").read_bytes())
    [item] = [e for e in root.findall("a:entry", ns) if "pct2023" in e.findtext("a:id", "", ns)]
    assert item.findtext("a:title", namespaces=ns) == PCT_TITLE
    assert item.findtext("a:summary", namespaces=ns) == PCT_SUMMARY.split(". ")[0] + "."
    names = [a.findtext("a:name", namespaces=ns) for a in item.findall("a:author", ns)]
    assert names == PCT_AUTHORS


CONTROL_CHARS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
CONTROLS = st.sampled_from(list(CONTROL_CHARS))


@settings(max_examples=300, deadline=None)
@given(st.lists(CONTROLS | st.sampled_from(["a", "ש", " "]), max_size=12).map("".join))
def test_contain_leaves_nothing_open_and_balanced_text_alone(text: str) -> None:
    assert bidi.first_unbalanced(bidi.contain(text)) is None
    if bidi.first_unbalanced(text) is None:
        assert bidi.contain(text) == text


def test_an_override_the_checker_refuses_is_still_closed_where_it_is_shown(tmp_path) -> None:
    title = "Deceptive \u202eevil"
    summary = "Quotes \u2067\u05e9\u05dc\u05d5\u05dd. Then more\u2069 text."
    root = make_project(tmp_path, {"w.bib": entry("rlo2023", title=title, summary=summary)})
    result = load_and_check(Paths(root))
    assert [d.code for d in result.diagnostics] == ["TOI130"]
    assert result.corpus is not None
    work = result.corpus.works["rlo2023"]
    assert work.title == title + bidi.PDF  # closed before anything that follows it
    # The summary is balanced, but its first sentence ends inside the isolate.
    assert bidi.first_unbalanced(work.summary) is None
    assert first_sentence(work.summary) == "Quotes \u2067\u05e9\u05dc\u05d5\u05dd." + bidi.PDI


def test_a_40000_character_title_and_200000_character_summary_are_reported(
    tmp_path: Path,
) -> None:
    bib = entry("wall2023", title="Word " * 8000, summary="Sentence. " * 20000)
    diags = load_and_check(Paths(make_project(tmp_path, {"w.bib": bib}))).diagnostics
    assert sorted((d.code, d.span.line) for d in diags) == [("TOI132", 3), ("TOI132", 8)]


def test_non_utf8_hint_names_the_import_that_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = entry("cafe2023", title="Caf\xe9 \x93quoted\x94").encode("latin-1")
    root = make_project(tmp_path, {"bad.bib": data})
    [diag] = load_and_check(Paths(root)).diagnostics
    assert diag.code == "TOI100"
    # Follow the hint as written: the command it names reads the file.
    [command] = re.findall(r"`(toi-atlas import [^`]+)`", diag.hint)
    monkeypatch.chdir(root)
    assert cli.main([*shlex.split(command)[1:], "--root", str(root)]) == 0
    (root / "bib" / "bad.bib").unlink()
    result = load_and_check(Paths(root))
    assert "TOI100" not in {d.code for d in result.diagnostics}
    assert result.corpus is not None
    assert result.corpus.works["cafe2023"].title == "Café “quoted”"


# --- In Chromium: the tab title and a tampered citation memo ---------------------

ISOLATE_TITLE = "Probing \u2067\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd\u2069 features"
BIDI_BIB = entry(
    "isolate2023",
    title=ISOLATE_TITLE,
    summary="Quotes \u2067\u05e9\u05dc\u05d5\u05dd. Still quoted\u2069 here.",
)
TAMPERED = [("<script>alert('memo')</script>", False), ("<img src=x onerror=alert(2)>", True)]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The fixture corpus plus an entry with a balanced isolate, built with MkDocs from a
    citation memo in which every citation of that entry was replaced by markup."""
    project = make_fixture_project(tmp_path_factory.mktemp("bidi"))
    (project / "bib" / "isolate.bib").write_text(BIDI_BIB, encoding="utf-8")
    corpus = load_and_check(Paths(project)).corpus
    assert corpus is not None
    item = csl_item(corpus.works["isolate2023"])
    tampered = as_marked(TAMPERED)
    memo = {
        "version": MEMO_VERSION,
        "entries": {_key(style, item): tampered for style in STYLES.values()},
    }
    Paths(project).cache.mkdir(parents=True)
    (Paths(project).cache / "citations.json").write_text(json.dumps(memo))
    yield build_site(project)


# Where each character of `text` is drawn, left to right, when the browser lays it out
# as a line of its own (as a tab strip does with the document title).
CHAR_X = """text => {
  const div = document.createElement('div');
  div.style.cssText = 'position:absolute;white-space:pre;direction:ltr';
  div.textContent = text;
  document.body.append(div);
  const node = div.firstChild, range = document.createRange(), xs = [];
  for (let i = 0; i < text.length; i++) {
    range.setStart(node, i); range.setEnd(node, i + 1);
    xs.push(range.getBoundingClientRect().left);
  }
  div.remove();
  return xs;
}"""


@pytest.mark.browser
def test_tab_title_keeps_its_suffix_and_memo_markup_stays_text(site: Path, browser) -> None:
    from browser import serve

    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        with serve(site) as base:
            page.goto(f"{base}/atlas/works/isolate2023/")
            title = page.title()
            suffix = " - ToI Atlas"
            assert title == ISOLATE_TITLE + suffix
            xs = page.evaluate(CHAR_X, title)
            shown = [x for char, x in zip(title, xs, strict=True) if char not in CONTROL_CHARS]
            tail = xs[-len(suffix) :]
            # The suffix reads left to right, after everything else: nothing reversed it.
            assert tail == sorted(tail) and tail[0] > max(shown[: -len(suffix)])
            # The memo's markup is shown as text, in the right places, and never runs.
            cites = page.locator(".toi-citeas")
            assert cites.count() == 2
            assert "<script>alert('memo')</script>" in cites.first.inner_text()
            assert page.locator(".toi-citeas script, .toi-citeas img").count() == 0
            assert page.locator(".toi-citeas i").first.inner_text() == TAMPERED[1][0]
            description = page.locator("meta[name=description]").get_attribute("content")
            assert description is not None
            assert bidi.first_unbalanced(description) is None
    finally:
        page.close()
    assert dialogs == []
