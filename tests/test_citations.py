"""'Cite as': the memoised, parallel path gives citeproc-py's own text, escaped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from citeproc import CitationItem

from toi_atlas.render import citations
from toi_atlas.render.citations import STYLES, CitationCache, format_item, format_many
from toi_atlas.render.exports import csl_item


@pytest.fixture(scope="module")
def items(corpus) -> list[dict[str, Any]]:
    return [csl_item(w) for w in corpus.works.values()]


def test_memoised_style_queries_change_nothing(items, monkeypatch: pytest.MonkeyPatch) -> None:
    memoised = [format_item(s, i) for i in items for s in STYLES.values()]
    for cls, name in citations.STYLE_QUERIES:
        method = cls.__dict__[name]
        monkeypatch.setattr(cls, name, method.unmemoised)
    monkeypatch.setattr(citations, "_Item", CitationItem)  # looks its reference up each time
    plain = [format_item(s, i) for i in items for s in STYLES.values()]
    assert memoised == plain
    assert any("Nanda, N. (2022" in text for text in plain)


def test_many_items_are_formatted_on_all_cores_alike(items, monkeypatch) -> None:
    jobs = [(s, i) for i in items[:40] for s in STYLES.values()]
    serial = format_many(jobs)
    monkeypatch.setattr(citations, "PARALLEL_FROM", 2)
    monkeypatch.setattr(citations.os, "cpu_count", lambda: 2)
    assert format_many(jobs) == serial
    assert len(serial) == 80 and all(serial)


def test_hostile_title_is_escaped() -> None:
    item = {"id": "x", "type": "article", "title": '<img src=x onerror="alert(1)">'}
    item["author"] = [{"family": "O'Neil & Co", "given": "A."}]
    text = format_item("apa", item)
    assert "<img" not in text and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in text
    assert "O&#x27;Neil &amp; Co" in text


def test_memo_formats_only_what_changed(tmp_path: Path, items, monkeypatch) -> None:
    path = tmp_path / "citations.json"
    memo = CitationCache(path)
    first = memo.cite_all(items[:3])
    assert [set(cite) for cite in first] == [set(STYLES)] * 3
    memo.save()
    again = CitationCache(path)
    calls: list[str] = []
    monkeypatch.setattr(citations, "format_item", lambda s, i: calls.append(s) or "x")
    changed = dict(items[0], title="A different title")
    cited = again.cite_all([changed, items[1]])
    assert cited[1] == first[1]  # from the file, not recomputed
    assert cited[0] == {label: "x" for label in STYLES}
    assert sorted(calls) == sorted(STYLES.values())  # the changed item, once per style
    again.save()
    saved = json.loads(path.read_text())
    assert len(saved) == 2 * len(STYLES)  # only what the last build used is kept
