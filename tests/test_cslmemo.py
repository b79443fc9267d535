"""'Cite as' with citeproc-py's elements memoised by entry shape (render/cslmemo.py):
the same text as plain citeproc-py, for every kind of entry we make."""

from __future__ import annotations

from typing import Any

import pytest
from citeproc import CitationItem, CitationStylesStyle, model

from conftest import FIXTURES, ROOT, TAXONOMY, make_project
from toi_atlas.model.csl import csl_item
from toi_atlas.pipeline import Paths, load_and_check
from toi_atlas.render import citations, cslmemo
from toi_atlas.render.citations import OTHERS, STYLES, format_item
from tools.synthetic import write_corpus


def _variants(item: dict[str, Any]) -> list[dict[str, Any]]:
    """The entry as it comes, and as the shapes a corpus also holds: no year, editors
    instead of authors, an organisation, many authors, no names, a truncated list."""
    names = [{"family": f"Dvořák{i}", "given": "Zoë Ana"} for i in range(25)]
    bare = {k: v for k, v in item.items() if k not in ("author", "editor")}
    return [
        item,
        {k: v for k, v in item.items() if k != "issued"},
        {**bare, "editor": item.get("author", names[:2])},
        {**bare, "author": [{"literal": "Center for AI Safety"}]},
        {**bare, "author": names},
        bare,
        {**bare, "author": [*names[:3], OTHERS]},
        {"id": item["id"], "type": item["type"], "title": item["title"] + "?"},
    ]


@pytest.fixture(scope="module")
def varied(fixture_corpus, tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The fixture corpus, every kind of entry, 300 more synthetic works (LaTeX accents,
    particles, `and others`, every kind) and shapes of them the corpora lack."""
    root = tmp_path_factory.mktemp("synthetic")
    write_corpus(root, 300, seed=7, repo=ROOT, taxonomy=TAXONOMY)
    synthetic = load_and_check(Paths(root)).corpus
    bib = (FIXTURES / "kinds" / "kinds.bib").read_text(encoding="utf-8")
    kinds = load_and_check(Paths(make_project(tmp_path_factory.mktemp("k"), {"k.bib": bib})))
    assert synthetic is not None and kinds.corpus is not None
    works = [*fixture_corpus.works.values(), *kinds.corpus.works.values()]
    items = [csl_item(w) for w in [*works, *synthetic.works.values()]]
    return items + [v for item in items[:: len(items) // 40] for v in _variants(item)[1:]]


@pytest.fixture(autouse=True)
def fresh_styles():
    """Start from no parsed style, and leave none parsed the plain way behind (torn
    down after the test's monkeypatch is undone)."""
    citations.clear_memos()
    yield
    citations.clear_memos()


def _plain(monkeypatch: pytest.MonkeyPatch) -> None:
    """format_item as plain citeproc-py would run it: parsed styles, lookups, items."""
    for cls, name in citations.STYLE_QUERIES:
        monkeypatch.setattr(cls, name, cls.__dict__[name].unmemoised)
    monkeypatch.setattr(citations, "memo_style", lambda n: CitationStylesStyle(n, validate=False))
    monkeypatch.setattr(citations, "Item", CitationItem)
    citations.clear_memos()


def test_memoised_text_is_plain_citeproc_pys(varied, monkeypatch: pytest.MonkeyPatch) -> None:
    memoised = [format_item(s, i) for i in varied for s in STYLES.values()]
    assert len(cslmemo.MEMO) > 100  # renders were kept, and reused by the later entries
    assert type(citations._style("apa").root).__module__ == cslmemo.__name__
    _plain(monkeypatch)
    plain = [format_item(s, i) for i in varied for s in STYLES.values()]
    assert type(citations._style("apa").root) is model.Style
    assert not cslmemo.MEMO
    assert memoised == plain


def test_kept_renders_are_the_same_in_any_order(varied) -> None:
    # What is kept depends on which entries came first: the text must not.
    citations.clear_memos()
    forward = [format_item(STYLES["APA"], i) for i in varied]
    citations.clear_memos()
    backward = [format_item(STYLES["APA"], i) for i in reversed(varied)]
    assert forward == backward[::-1]


def test_unknown_citeproc_py_gets_the_plain_style(varied, monkeypatch) -> None:
    citations.clear_memos()
    expected = [format_item(s, i) for i in varied[:30] for s in STYLES.values()]
    monkeypatch.setattr(cslmemo, "KNOWN_CLASSES", cslmemo.KNOWN_CLASSES | {"Future"})
    citations.clear_memos()
    assert type(citations._style("apa").root) is model.Style
    assert [format_item(s, i) for i in varied[:30] for s in STYLES.values()] == expected
    assert not cslmemo.MEMO  # nothing memoised on the plain style
    monkeypatch.setattr(cslmemo, "KNOWN_CLASSES", cslmemo.KNOWN_CLASSES - {"Future"})
    monkeypatch.setattr(cslmemo, "VERSIONS", ("0.10.",))
    citations.clear_memos()
    assert type(citations._style("apa").root) is model.Style


def test_a_value_read_is_never_kept() -> None:
    # Same shape, different titles: the title's render reads a value, so is not kept.
    one = {"id": "a", "type": "webpage", "title": "First"}
    texts = [format_item(STYLES["APA"], dict(one, title=t)) for t in ("First", "Second")]
    assert [t[0][0] for t in texts] == ["First", "Second"]
