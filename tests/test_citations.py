"""'Cite as': the memoised, parallel path gives citeproc-py's own text, escaped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from citeproc.model import CitationStylesElement

from toi_atlas.render import citations
from toi_atlas.render.citations import STYLES, CitationCache, format_item, format_many
from toi_atlas.render.exports import csl_item


@pytest.fixture(scope="module")
def items(corpus) -> list[dict[str, Any]]:
    return [csl_item(w) for w in corpus.works.values()]


def test_memoised_style_queries_change_nothing(items, monkeypatch: pytest.MonkeyPatch) -> None:
    memoised = [format_item(s, i) for i in items for s in STYLES.values()]
    search = CitationStylesElement.xpath_search
    assert getattr(search, "memoised", False)
    monkeypatch.setattr(CitationStylesElement, "xpath_search", search.unmemoised)  # type: ignore[attr-defined]
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
    memo.prefetch((s, i) for i in items[:3] for s in STYLES.values())
    first = memo.get("apa", items[0])
    memo.save()
    again = CitationCache(path)
    calls: list[str] = []
    monkeypatch.setattr(citations, "format_item", lambda s, i: calls.append(i["title"]) or "x")
    assert again.get("apa", items[0]) == first  # from the file, not recomputed
    changed = dict(items[0], title="A different title")
    assert again.get("apa", changed) == "x"
    assert calls == ["A different title"]
    again.save()
    saved = json.loads(path.read_text())
    assert len(saved) == 2  # only what the last build used is kept
