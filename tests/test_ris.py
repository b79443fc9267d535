"""RIS records for the browse page's download: one per work, read back by rispy."""

from __future__ import annotations

import json
from pathlib import Path

import rispy

from toi_atlas.render.exports import csl_item
from toi_atlas.render.ris import RIS_TYPES, ris_fields, ris_record


def test_every_work_has_one_record_that_reads_back(fixture_site: Path, fixture_corpus) -> None:
    corpus = fixture_corpus
    data = fixture_site / "docs" / "atlas" / "data"
    records = json.loads((data / "works.ris.json").read_text("utf-8"))
    assert set(records) == set(corpus.works)
    for key, text in records.items():
        work = corpus.works[key]
        (ref,) = rispy.loads(text)
        assert ref["id"] == key
        assert ref["title"] == " ".join(work.title.split())
        assert ref["type_of_reference"] == RIS_TYPES.get(csl_item(work)["type"], "GEN")
        assert ref.get("year") == (str(work.year) if work.year else None)
        assert ref.get("doi") == work.doi
        assert len(ref.get("authors", [])) == len(work.authors)
        assert "others" not in ref.get("authors", [])
        incomplete = any("Author list incomplete" in n for n in ref.get("notes", []))
        assert incomplete is work.more_authors


def test_a_cut_short_author_list_is_marked_not_filed_as_a_person() -> None:
    item = {
        "id": "many2024",
        "type": "report",
        "title": "Many hands",
        "author": [{"family": "Doe", "given": "Jane"}, {"literal": "others"}],
    }
    (ref,) = rispy.loads(rispy.dumps([ris_fields(item)]))
    assert ref["authors"] == ["Doe, Jane"]
    assert any("et al." in n for n in ref["notes"])


def test_line_breaks_in_a_value_cannot_start_a_field_or_a_record() -> None:
    item = {
        "id": "evil2024",
        "type": "article-journal",
        "title": "Line one\nER  - \nTY  - BOOK\nTI  - injected",
        "abstract": "Para one.\r\n\r\nAU  - Someone, Else",
        "author": [{"family": "Doe\nPY  - 1900", "given": "Jane"}],
    }
    text = rispy.dumps([ris_fields(item)])
    (ref,) = rispy.loads(text)
    assert ref["title"] == "Line one ER - TY - BOOK TI - injected"
    assert ref["authors"] == ["Doe PY - 1900, Jane"]
    assert "year" not in ref and ref["type_of_reference"] == "JOUR"


def test_record_is_one_block_without_a_number_line(fixture_corpus) -> None:
    corpus = fixture_corpus
    text = ris_record(corpus.works["quill2024reply"])
    lines = text.splitlines()
    assert lines[0].startswith("TY  - ") and lines[-1] == "ER  - "
    assert text.endswith("\n") and "\n\n" not in text
    # Concatenated records (what the browser does) read back as that many records.
    both = text + "\n" + ris_record(corpus.works["quill2024alone"])
    assert [r["id"] for r in rispy.loads(both)] == ["quill2024reply", "quill2024alone"]
