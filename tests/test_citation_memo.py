"""The citation memo comes back from CI's cache: it is read as untrusted input.

It holds text with italic runs between private-use marks, never HTML; each level of
its shape is checked when it is read, an entry of the wrong shape is dropped (and
formatted again), and whatever text a tampered entry holds is escaped when the page is
written.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES, make_project, work_html, work_sources
from toi_atlas.model.csl import csl_item
from toi_atlas.pipeline import Paths, build, load_and_check
from toi_atlas.render import citations
from toi_atlas.render.citations import (
    _MEMO_TEXT,
    ITALIC,
    ROMAN,
    STYLES,
    CitationCache,
    _good_text,
    _key,
    as_marked,
    marked_html,
    read_memo,
    to_html,
)

GOOD = "a" * 40
TEXT = f"Doe, J. (2023). {ITALIC}Title{ROMAN}"


@pytest.mark.parametrize(
    "memo",
    [
        [GOOD],  # not an object
        {GOOD: TEXT},  # the old layout: no version
        {"version": 2, "entries": {GOOD: TEXT}},
        {"version": "3", "entries": {GOOD: TEXT}},
        {"version": 3, "entries": [TEXT]},
    ],
    ids=["list", "unversioned", "version-2", "version-string", "entries-list"],
)
def test_a_memo_of_the_wrong_shape_is_ignored(memo: Any) -> None:
    assert read_memo(memo) == {}


@pytest.mark.parametrize(
    "value",
    [
        [["Doe, J. (2023). ", False], ["Title", True]],  # the old format: segments
        "",
        1,
        None,
        f"Doe {ITALIC}Title",  # an italic run never closed
        f"Doe {ROMAN}Title{ITALIC}",  # closed before it opens
        f"{ITALIC}Doe {ITALIC}Title{ROMAN}{ROMAN}",  # nested
        f"{ITALIC}a{ROMAN}{ROMAN}b{ITALIC}",  # as many of each, out of order
    ],
)
def test_a_bad_entry_is_dropped_and_the_good_ones_kept(value: Any) -> None:
    memo = {"version": 3, "entries": {GOOD: TEXT, "b" * 40: value}}
    assert read_memo(memo) == {GOOD: TEXT}


@pytest.mark.parametrize("key", ["A" * 40, "a" * 39, "../../etc/passwd", "g" * 40])
def test_an_entry_under_a_key_we_never_write_is_dropped(key: str) -> None:
    assert read_memo({"version": 3, "entries": {key: TEXT}}) == {}


def test_quick_check_of_marks_is_the_regular_expressions() -> None:
    # Every string of up to 6 pieces drawn from text and the two marks.
    for n in range(7):
        for pieces in itertools.product(("a", ITALIC, ROMAN), repeat=n):
            text = "".join(pieces)
            assert _good_text(text) == (text != "" and _MEMO_TEXT.fullmatch(text) is not None)


def test_memo_text_becomes_the_html_its_segments_do() -> None:
    parts = (("<script>alert(1)</script> & ", False), ('<img src=x onerror="a()">', True))
    parts += (("'s", False),)
    assert marked_html(as_marked(parts)) == to_html(parts)


def test_segments_become_html_only_when_shown() -> None:
    parts = (("<script>alert(1)</script> & ", False), ('<img src=x onerror="a()">', True))
    assert to_html(parts) == (
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; "
        "<i>&lt;img src=x onerror=&quot;a()&quot;&gt;</i>"
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    bib = (FIXTURES / "kinds" / "kinds.bib").read_text(encoding="utf-8")
    return make_project(tmp_path, {"kinds.bib": bib})


def _memo_path(root: Path) -> Path:
    return Paths(root).cache / "citations.json"


def test_tampered_memo_cannot_put_markup_in_a_page(project: Path) -> None:
    corpus = load_and_check(Paths(project)).corpus
    assert corpus is not None
    item = csl_item(corpus.works["nanda2022longlist"])
    hostile = f"<script>alert('memo')</script>{ITALIC}<img src=x onerror=alert(2)>{ROMAN}"
    memo = {"version": 3, "entries": {_key(s, item): hostile for s in STYLES.values()}}
    _memo_path(project).parent.mkdir(parents=True)
    _memo_path(project).write_text(json.dumps(memo), encoding="utf-8")
    assert build(Paths(project)).stats is not None
    page = work_html(project, "nanda2022longlist")
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&#x27;memo&#x27;)&lt;/script&gt;" in page  # used, as text
    assert "<i>&lt;img src=x onerror=alert(2)&gt;</i>" in page


def test_damaged_entries_are_formatted_again_and_saved_in_shape(project: Path) -> None:
    assert build(Paths(project)).stats is not None
    saved = json.loads(_memo_path(project).read_text(encoding="utf-8"))
    assert saved["version"] == 3 and read_memo(saved).keys() == saved["entries"].keys()
    page = work_sources(project) / "nanda2022longlist.json"
    before = page.read_text(encoding="utf-8")
    for key in saved["entries"]:
        saved["entries"][key] = [['<b onclick="x()">Cited</b>', False]]
    _memo_path(project).write_text(json.dumps(saved), encoding="utf-8")
    assert build(Paths(project), force=True).stats is not None
    assert page.read_text(encoding="utf-8") == before
    again = json.loads(_memo_path(project).read_text(encoding="utf-8"))
    assert read_memo(again).keys() == saved["entries"].keys()  # every entry rewritten in shape


def _writes(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    written: list[Path] = []
    real = citations.atomic_write
    monkeypatch.setattr(citations, "atomic_write", lambda p, b: written.append(p) or real(p, b))
    return written


def test_a_memo_that_holds_exactly_what_was_used_is_not_written_again(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = load_and_check(Paths(project)).corpus
    assert corpus is not None
    items = [csl_item(w) for w in corpus.works.values()]
    first = CitationCache(_memo_path(project))
    cited = first.cite_all(items)
    first.save()
    written = _writes(monkeypatch)
    again = CitationCache(_memo_path(project))
    assert again.cite_all(items) == cited
    again.save()
    assert written == []
    fewer = CitationCache(_memo_path(project))  # a work removed: its entries dropped
    fewer.cite_all(items[1:])
    fewer.save()
    assert written == [_memo_path(project)]
    kept = json.loads(_memo_path(project).read_text(encoding="utf-8"))["entries"]
    assert len(kept) == len(STYLES) * (len(items) - 1)


def test_a_memo_with_a_bad_entry_is_written_again(project, monkeypatch) -> None:
    corpus = load_and_check(Paths(project)).corpus
    assert corpus is not None
    items = [csl_item(w) for w in corpus.works.values()]
    first = CitationCache(_memo_path(project))
    first.cite_all(items)
    first.save()
    saved = json.loads(_memo_path(project).read_text(encoding="utf-8"))
    saved["entries"][_key(STYLES["APA"], items[0])] = f"unclosed {ITALIC}"
    _memo_path(project).write_text(json.dumps(saved), encoding="utf-8")
    written = _writes(monkeypatch)
    again = CitationCache(_memo_path(project))
    again.cite_all(items)
    again.save()
    assert written == [_memo_path(project)]
    assert read_memo(json.loads(_memo_path(project).read_text(encoding="utf-8"))).keys() == (
        saved["entries"].keys()
    )


def test_our_summary_is_not_part_of_the_memo_key(project: Path) -> None:
    corpus = load_and_check(Paths(project)).corpus
    assert corpus is not None
    item = csl_item(corpus.works["nanda2022longlist"])
    assert "custom" in item  # the fixture work has a summary
    edited = dict(item, custom={"toi-atlas-summary": "Another summary."})
    assert all(_key(s, edited) == _key(s, item) for s in STYLES.values())
    assert _key(STYLES["APA"], dict(item, title="Another title")) != _key(STYLES["APA"], item)
    assert _key(STYLES["APA"], item) != _key(STYLES["Harvard"], item)
