"""The citation memo comes back from CI's cache: it is read as untrusted input.

It holds text segments, never HTML; each level of its shape is checked when it is
read, an entry of the wrong shape is dropped (and formatted again), and whatever
text a tampered entry holds is escaped when the page is written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES, make_project, work_html, work_sources
from toi_atlas.model.csl import csl_item
from toi_atlas.pipeline import Paths, build, load_and_check
from toi_atlas.render.citations import STYLES, CitationCache, _key, read_memo, to_html

GOOD = "a" * 40
SEGMENTS = [["Doe, J. (2023). ", False], ["Title", True]]


@pytest.mark.parametrize(
    "memo",
    [
        [GOOD],  # not an object
        {GOOD: SEGMENTS},  # the old layout: no version
        {"version": 1, "entries": {GOOD: SEGMENTS}},
        {"version": "2", "entries": {GOOD: SEGMENTS}},
        {"version": 2, "entries": [SEGMENTS]},
    ],
    ids=["list", "unversioned", "version-1", "version-string", "entries-list"],
)
def test_a_memo_of_the_wrong_shape_is_ignored(memo: Any) -> None:
    assert read_memo(memo) == {}


@pytest.mark.parametrize(
    "value",
    [
        "<b>Doe</b>",  # HTML text: the old format
        [],
        [["Doe", False, "extra"]],
        [["Doe"]],
        [[1, False]],
        [["Doe", 1]],
        [["Doe", "true"]],
        [["Doe", False], "Title"],
    ],
)
def test_a_bad_entry_is_dropped_and_the_good_ones_kept(value: Any) -> None:
    memo = {"version": 2, "entries": {GOOD: SEGMENTS, "b" * 40: value}}
    assert read_memo(memo) == {GOOD: (("Doe, J. (2023). ", False), ("Title", True))}


@pytest.mark.parametrize("key", ["A" * 40, "a" * 39, "../../etc/passwd", "g" * 40])
def test_an_entry_under_a_key_we_never_write_is_dropped(key: str) -> None:
    assert read_memo({"version": 2, "entries": {key: SEGMENTS}}) == {}


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
    hostile = [["<script>alert('memo')</script>", False], ["<img src=x onerror=alert(2)>", True]]
    memo = {"version": 2, "entries": {_key(s, item): hostile for s in STYLES.values()}}
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
    assert saved["version"] == 2 and read_memo(saved).keys() == saved["entries"].keys()
    page = work_sources(project) / "nanda2022longlist.json"
    before = page.read_text(encoding="utf-8")
    for key in saved["entries"]:
        saved["entries"][key] = '<b onclick="x()">Cited</b>'
    _memo_path(project).write_text(json.dumps(saved), encoding="utf-8")
    assert build(Paths(project), force=True).stats is not None
    assert page.read_text(encoding="utf-8") == before
    again = CitationCache(_memo_path(project))
    assert again.data.keys() == saved["entries"].keys()  # every entry rewritten in shape
