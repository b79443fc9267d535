"""The works' pieces of whole-corpus outputs, kept from one build to the next
(render/pieces.py): a piece is made again exactly when one of its inputs changed, and a
damaged file only means pieces are made again."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from toi_atlas.model.corpus import Corpus, Work
from toi_atlas.render.pieces import Pieces, work_digests


class Maker:
    """make(work) for Pieces.get, counting the works it was called for."""

    def __init__(self, tag: str = "") -> None:
        self.made: list[str] = []
        self.tag = tag

    def __call__(self, work: Work) -> str:
        self.made.append(work.key)
        return f"<li>{work.title}{self.tag}</li>"


def _build(path: Path, works: list[Work], shared: str = "s", make: Maker | None = None) -> Maker:
    make = make or Maker()
    pieces = Pieces(path, shared, work_digests(works))
    for w in works:
        pieces.get("list", w, make)
    pieces.save()
    return make


def _edited(work: Work, summary: str) -> Work:
    fields = dict(work.raw.fields)
    fields["summary"] = fields["summary"]._replace(value=summary)
    return dataclasses.replace(work, raw=dataclasses.replace(work.raw, fields=fields))


@pytest.fixture
def works(fixture_corpus: Corpus) -> list[Work]:
    return [w for w in fixture_corpus.works.values() if "summary" in w.raw.fields][:5]


def test_unchanged_pieces_are_kept_and_only_an_edited_work_is_made_again(
    tmp_path: Path, works: list[Work]
) -> None:
    path = tmp_path / "pieces.json"
    assert _build(path, works).made == [w.key for w in works]
    assert _build(path, works).made == []
    edited = [works[0], _edited(works[1], "Another summary."), *works[2:]]
    assert _build(path, edited).made == [works[1].key]


def test_the_shared_inputs_and_what_a_renderer_names_are_part_of_each_piece(
    tmp_path: Path, works: list[Work]
) -> None:
    path = tmp_path / "pieces.json"
    _build(path, works)
    assert len(_build(path, works, shared="vocabulary renamed").made) == len(works)
    pieces = Pieces(path, "vocabulary renamed", work_digests(works))
    make = Maker()
    pieces.get("list", works[0], make, pieces.digest(works[1].key))  # a neighbour, named
    pieces.get("other output", works[0], make)
    assert make.made == [works[0].key, works[0].key]


def test_a_damaged_or_foreign_file_means_pieces_are_made_again(
    tmp_path: Path, works: list[Work]
) -> None:
    path = tmp_path / "pieces.json"
    _build(path, works)
    good = json.loads(path.read_text())
    row = good["outputs"]["list"][works[0].key]
    for damaged in (
        "{not json",
        json.dumps({**good, "version": 99}),
        json.dumps({"version": 1, "outputs": []}),
        json.dumps({"version": 1, "outputs": {"list": {works[0].key: [row[0], 7]}}}),
        json.dumps({"version": 1, "outputs": {"list": {works[0].key: ["x" * 64, "<li>"]}}}),
    ):
        path.write_text(damaged)
        assert _build(path, works).made == [w.key for w in works], damaged
    path.write_bytes(b"\xff\xfe")
    assert _build(path, works).made == [w.key for w in works]


def test_the_file_keeps_only_the_pieces_of_this_build_and_is_left_alone_when_unchanged(
    tmp_path: Path, works: list[Work]
) -> None:
    path = tmp_path / "pieces.json"
    _build(path, works)
    _build(path, works[:2])
    assert set(json.loads(path.read_text())["outputs"]["list"]) == {w.key for w in works[:2]}
    before = path.stat().st_mtime_ns
    path.touch()
    touched = path.stat().st_mtime_ns
    _build(path, works[:2])
    assert path.stat().st_mtime_ns == touched and touched >= before


def test_without_a_file_pieces_last_for_one_build(works: list[Work]) -> None:
    pieces = Pieces(None, "s", work_digests(works))
    make = Maker()
    assert pieces.get("list", works[0], make) == pieces.get("list", works[0], make)
    assert make.made == [works[0].key]  # asked twice in one build, made once
    pieces.save()  # nowhere to write: no error
