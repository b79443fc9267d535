"""`toi-atlas import`: lenient reading, every entry accounted for, the target kept intact."""

from __future__ import annotations

import argparse
import datetime
import json
import re
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, make_project
from toi_atlas.commands import importer
from toi_atlas.entries import bibimport
from toi_atlas.entries.bibformat import format_bib_text
from toi_atlas.entries.bibimport import Index, choose_key, facts_of, import_text
from toi_atlas.model.identity import make_key
from toi_atlas.pipeline import Paths, load_and_check
from toi_atlas.read.bibsource import read_source
from toi_atlas.read.load import parse_text

IMPORT = FIXTURES / "import"
TODAY = datetime.date.today().isoformat()
SUMMARY = re.compile(r"read (\d+) entries .*: (\d+) imported .*, (\d+) duplicates, (\d+) rejected")
# What the checker may say about a fresh import: what the entries still lack, and
# defects of the source's own data. Never a syntax error, a bad key or a lost field.
EXPECTED_AFTER_IMPORT = {"TOI110", "TOI111", "TOI114", "TOI116", "TOI118", "TOI120", "TOI121"}


def checker_codes(root: Path) -> set[str]:
    """What `toi-atlas check` says about bib/imported.bib."""
    diags = load_and_check(Paths(root)).diagnostics
    return {d.code for d in diags if d.span.file == "bib/imported.bib"}


def run_import(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    importer.add_arguments(parser)
    return importer.run(parser.parse_args(list(argv)))


def project(tmp_path: Path, **files: str | bytes) -> Path:
    """A project whose bib/ holds the stand-in corpus plus `files`."""
    corpus = (IMPORT / "corpus.bib").read_text(encoding="utf-8")
    return make_project(tmp_path, {"corpus.bib": corpus, **files})


def summary(err: str) -> tuple[int, int, int, int]:
    found = SUMMARY.search(err)
    assert found, err
    read, imported, duplicates, rejected = map(int, found.groups())
    return read, imported, duplicates, rejected


def expectations(path: Path) -> dict[int, str]:
    """`% expect STATUS` on the line above an entry -> {entry line: STATUS}."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return {
        n + 2: m.group(1)
        for n, line in enumerate(lines)
        if (m := re.match(r"% expect (imported|duplicate|rejected)", line))
    }


# --- each kind of defect ------------------------------------------------------------


def test_each_defect_gets_its_outcome_at_its_line(tmp_path: Path) -> None:
    text = (IMPORT / "defects.bib").read_text(encoding="utf-8")
    index = bibimport.corpus_index([IMPORT / "corpus.bib"], IMPORT)
    result = import_text(text, "defects.bib", index, TODAY)
    got = {o.line: o.status for o in result.outcomes}
    assert got == expectations(IMPORT / "defects.bib")
    counts = [result.count(s) for s in ("imported", "duplicate", "rejected")]
    assert sum(counts) == len(result.outcomes) == 16
    reasons = {o.line: o.reason for o in result.outcomes}
    assert "olah2020zoom" in reasons[64] and "DOI" in reasons[64]
    assert "arXiv" in reasons[72] and "URL" in reasons[80] and "title" in reasons[88]
    assert "Smith2020Deep" in reasons[103] and "defects.bib:8" in reasons[103]


def test_report_lines_and_summary_add_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    code = run_import(str(IMPORT / "defects.bib"), "--root", str(root))
    out, err = capsys.readouterr()
    assert code == 1  # some entries were rejected
    read, imported, duplicates, rejected = summary(err)
    assert (read, imported, duplicates, rejected) == (16, 7, 5, 4)
    reported = {int(m.group(1)) for m in re.finditer(r"defects\.bib:(\d+): TOI81[12] ", out)}
    not_imported = {n for n, s in expectations(IMPORT / "defects.bib").items() if s != "imported"}
    assert reported == not_imported
    assert "undefined macro `jml`" in out and "field `file` dropped" in out
    assert "@preamble not imported" in out
    assert "repeated `title` dropped (kept the one at line 9)" in out


# --- --format: the findings every command reports, in text, github and json ---------

NOT_IMPORTED = {"rejected": "TOI811", "duplicate": "TOI812"}


def test_json_findings_account_for_every_entry_not_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    assert run_import(str(IMPORT / "defects.bib"), "--root", str(root), "--format", "json") == 1
    rows = json.loads(capsys.readouterr().out)
    assert all({"code", "severity", "file", "line", "message", "hint"} <= set(row) for row in rows)
    got = {(row["line"], row["code"]) for row in rows if row["code"] in ("TOI811", "TOI812")}
    want = {
        (line, NOT_IMPORTED[status])
        for line, status in expectations(IMPORT / "defects.bib").items()
        if status != "imported"
    }
    assert got == want
    assert {row["severity"] for row in rows if row["code"] == "TOI811"} == {"error"}
    # What was repaired on the way in is a notice of its own code, at its line: the
    # @preamble (line 5) and Smith2020Deep's second title (line 15).
    notices = {row["line"] for row in rows if row["code"] == "TOI813"}
    assert {5, 15} <= notices


def test_github_findings_are_annotations_with_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    assert run_import(str(IMPORT / "defects.bib"), "--root", str(root), "--format", "github") == 1
    lines = capsys.readouterr().out.splitlines()
    matches = [re.match(r"::(\w+) file=.*defects\.bib,line=\d+,title=(TOI\d+)", x) for x in lines]
    assert lines and all(matches)
    assert {m.groups() for m in matches if m} == {
        ("error", "TOI811"),
        ("warning", "TOI812"),
        ("notice", "TOI813"),
    }


def test_text_findings_name_file_line_and_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    run_import(str(IMPORT / "windows-1252.bib"), "--root", str(root), "--format", "text")
    out = capsys.readouterr().out
    assert re.search(r"windows-1252\.bib:\d+: TOI814 warning: ", out), out


def test_json_dry_run_keeps_stdout_one_json_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    argv = ["--root", str(root), "--format", "json", "--dry-run"]
    run_import(str(IMPORT / "defects.bib"), *argv)
    out, err = capsys.readouterr()
    assert {row["code"] for row in json.loads(out)} >= {"TOI811", "TOI812", "TOI813"}
    assert "@article{muller2019uber," in err


def test_unreadable_export_is_TOI100(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    source = tmp_path / "export.bib"
    source.write_bytes(b"@misc{a, title = {\x00}}")
    assert run_import(str(source), "--root", str(root), "--format", "json") == 1
    assert [row["code"] for row in json.loads(capsys.readouterr().out)] == ["TOI100"]


def test_imported_entries_are_canonical_dated_and_untagged(tmp_path: Path) -> None:
    root = project(tmp_path)
    run_import(str(IMPORT / "defects.bib"), "--root", str(root))
    text = (root / "bib" / "imported.bib").read_text(encoding="utf-8")
    assert format_bib_text(text, "imported.bib")[0] == text  # fmt would change nothing
    entries, diags = parse_text(text, "imported.bib")
    assert diags == []
    by_key = {e.key: e for e in entries}
    assert set(by_key) == {
        "Smith2020Deep",
        "jones2019graphs",
        "muller2019uber",
        "olah2020zoomb",  # the bare key is the first (`a`); identity.unique_key
        "steiner2022comment",
        "tagged2024",
        "lovelace1843notes",
    }
    for e in entries:
        assert e.get("added") == TODAY
        assert not {"tois", "stance", "rebuts", "file"} & set(e.fields)
    smith = by_key["Smith2020Deep"]
    assert smith.get("title") == "Deep {Learning} for Cats"  # the first title, LaTeX kept
    assert smith.get("booktitle") == (
        "Proceedings of the Association for Computing Machinery Cat Conference"
    )
    [month] = [f for f in read_source(text).entries[0].fields if f.name == "month"]
    assert [(p.kind, p.text) for p in month.pieces] == [("macro", "aug")]  # still bare
    assert by_key["jones2019graphs"].get("journal") == "jml"
    codes = checker_codes(root)
    assert "TOI121" in codes and codes <= EXPECTED_AFTER_IMPORT


def test_windows_1252_export_is_read_with_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    assert run_import(str(IMPORT / "windows-1252.bib"), "--root", str(root)) == 0
    assert "Windows-1252" in capsys.readouterr().out
    [entry] = parse_text((root / "bib" / "imported.bib").read_text(encoding="utf-8"), "")[0]
    assert entry.key == "cafe2020smart"
    assert entry.get("title") == "\u201cSmart quotes\u201d and na\u00efve \u2013 dashes"


@pytest.mark.parametrize(
    ("data", "note", "imported"),
    [
        ("@misc{a, title = {Caf\xe9 \x81}}".encode("latin-1"), "Latin-1", 1),
        ("@misc{a, title = {Caf\xe9}}".encode("utf-16"), "UTF-16", 1),
        (b"\xef\xbb\xbf@misc{a, title = {BOM}}\r\n", "", 1),
        (b"@misc{a, title = {\x00}}", "NUL", 0),
    ],
    ids=["latin-1", "utf-16", "bom-crlf", "nul-bytes"],
)
def test_odd_encodings(
    data: bytes, note: str, imported: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    source = tmp_path / "export.bib"
    source.write_bytes(data)
    code = run_import(str(source), "--root", str(root))
    out = capsys.readouterr().out
    assert note in out
    target = root / "bib" / "imported.bib"
    assert (code, target.exists()) == ((0, True) if imported else (1, False))


# --- the target file ----------------------------------------------------------------


@pytest.mark.parametrize(
    "existing",
    [
        "% my own notes, no final newline",
        "% notes\n\n@misc{mine2020,\n  title = {Mine},\n}\n",
        "@misc{mine2020, title = {Mine}}  \n\n\n",
        "% CRLF\r\n@misc{mine2020, title = {Mine}}\r\n",
    ],
    ids=["no-final-newline", "canonical", "trailing-blank-lines", "crlf"],
)
def test_every_byte_of_the_target_is_kept(existing: str, tmp_path: Path) -> None:
    root = project(tmp_path, **{"mine.bib": existing})
    target = root / "bib" / "mine.bib"
    before = target.read_bytes()
    run_import(str(IMPORT / "defects.bib"), "--root", str(root), "--into", str(target))
    after = target.read_bytes()
    assert after.startswith(before)
    entries, diags = parse_text(after.decode("utf-8"), "")
    assert [d.code for d in diags] == []
    assert len(entries) == len(parse_text(before.decode(), "")[0]) + 7


def test_dry_run_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    run_import(str(IMPORT / "defects.bib"), "--root", str(root), "--dry-run")
    out, err = capsys.readouterr()
    assert not (root / "bib" / "imported.bib").exists()
    assert "@article{muller2019uber," in out and "dry run" in err


def test_broken_target_is_refused_and_left_alone(tmp_path: Path) -> None:
    broken = "@misc{mine2020,\n  title = {Mine}\n  year = {2020},\n}\n"
    root = project(tmp_path, **{"imported.bib": broken})
    assert run_import(str(IMPORT / "defects.bib"), "--root", str(root)) == 1
    assert (root / "bib" / "imported.bib").read_text() == broken


def test_usage_errors(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert run_import(str(tmp_path / "missing.bib"), "--root", str(root)) == 2
    corpus = root / "bib" / "corpus.bib"
    assert run_import(str(corpus), "--root", str(root), "--into", str(corpus)) == 2


def test_importing_twice_adds_nothing_the_second_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    run_import(str(IMPORT / "defects.bib"), "--root", str(root))
    first = summary(capsys.readouterr().err)
    before = (root / "bib" / "imported.bib").read_bytes()
    run_import(str(IMPORT / "defects.bib"), "--root", str(root))
    second = summary(capsys.readouterr().err)
    assert second == (first[0], 0, first[1] + first[2], first[3])
    assert (root / "bib" / "imported.bib").read_bytes() == before


# --- keys ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"author": r"M{\"u}ller, J{\"o}rg", "title": "The Art", "year": "2020"}, "muller2020art"),
        ({"author": "van der Berg, A", "title": "Grad-CAM: V", "year": "2017"}, "berg2017gradcam"),
        ({"author": "{OpenAI}", "title": "8 Examples", "date": "2023-05-01"}, "openai2023examples"),
        ({"editor": r"Stra{\ss}e, Otto", "title": "On the Road"}, "strasseroad"),
        ({"title": "A"}, "anon"),
    ],
    ids=["latex-accents", "particle-hyphen", "organisation-date", "editor-no-year", "bare"],
)
def test_generated_keys_follow_the_corpus_convention(fields: dict[str, str], key: str) -> None:
    assert make_key(facts_of(fields)) == key


def test_clashing_key_gets_a_letter_suffix() -> None:
    index = Index()
    fields = {"author": "Olah, Chris", "title": "Zoom In", "year": "2020"}
    for key in ("olah2020zoom", "OLAH2020ZOOMB"):  # case-insensitive, like TOI106
        index.add(key, "x.bib:1", facts_of({"title": key}))
    assert choose_key("olah2020zoom", facts_of(fields), index) == "olah2020zoomc"
    assert choose_key("fine:key-1", facts_of(fields), index) == "fine:key-1"
    assert choose_key("not safe", facts_of(fields), index) == "olah2020zoomc"


def test_titles_and_names_in_any_script_are_compared() -> None:
    index = Index()
    first = {"title": "Интерпретируемость", "author": "Иванов, И.", "year": "2020"}
    index.add("iv", "a:1", facts_of(first))
    again = {"title": "{ИНТЕРПРЕТИРУЕМОСТЬ}.", "author": "И. Иванов", "year": "2020"}
    twin = index.twin(facts_of(again))
    assert twin is not None and twin[1].evidence == "title"
    assert index.twin(facts_of({**again, "author": "Петров, П."})) is None


def test_crossref_follows_a_renamed_parent(tmp_path: Path) -> None:
    text = (
        "@incollection{child, title = {Chapter}, crossref = {Parent/Book}}\n"
        "@book{Parent/Book, author = {Doe, Jane}, title = {The Book}, year = 2001}\n"
    )
    result = import_text(text, "x.bib", Index(), TODAY)
    child = parse_text(result.outcomes[0].text, "")[0][0]
    assert result.outcomes[1].new_key == "doe2001book"
    assert child.get("crossref") == "doe2001book"


# --- robustness -----------------------------------------------------------------------

_GARBAGE = st.text(alphabet=st.sampled_from(list('@{}()",=#%\n aZ9é\\')), max_size=200)


@settings(max_examples=300, deadline=None)
@given(_GARBAGE)
def test_no_input_raises_and_counts_always_add_up(text: str) -> None:
    result = import_text(text, "g.bib", Index(), TODAY)
    total = sum(result.count(s) for s in ("imported", "duplicate", "rejected"))
    assert total == len(result.outcomes)
    for outcome in result.imported:
        entries, diags = parse_text(outcome.text, "")
        assert len(entries) == 1 and not [d for d in diags if d.code == "TOI101"]


# --- a real bibliography ----------------------------------------------------------------


def test_biblatex_examples_import_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # biblatex's own test bibliography (see fixtures/import/README.md): 92 entries of
    # every biblatex type, with @string macros, crossrefs, sets and LaTeX everywhere.
    root = project(tmp_path)
    source = tmp_path / "biblatex-examples.bib"
    shutil.copy(IMPORT / "biblatex-examples.bib", source)
    started = time.perf_counter()
    run_import(str(source), "--root", str(root))
    elapsed = time.perf_counter() - started
    read, imported, duplicates, rejected = summary(capsys.readouterr().err)
    assert read == 92 == imported + duplicates + rejected
    assert imported >= 80
    assert elapsed < 10
    text = (root / "bib" / "imported.bib").read_text(encoding="utf-8")
    assert format_bib_text(text, "imported.bib")[0] == text
    assert checker_codes(root) <= EXPECTED_AFTER_IMPORT
    # the second time, everything that went in is recognised
    run_import(str(source), "--root", str(root))
    assert summary(capsys.readouterr().err)[1] == 0


def test_crlf_target_gets_crlf_entries(tmp_path: Path) -> None:
    # One append for add and import (bibappend): the file's own line ending is kept.
    mine = "@misc{mine2020,\r\n  title = {Mine},\r\n  year = {2020},\r\n}\r\n"
    root = project(tmp_path, **{"imported.bib": mine})
    run_import(str(IMPORT / "defects.bib"), "--root", str(root))
    data = (root / "bib" / "imported.bib").read_bytes()
    assert data.startswith(mine.encode()) and len(data) > len(mine)
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_verbose_names_each_imported_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from toi_atlas.cli import main
    from toi_atlas.output import set_verbosity

    source = str(IMPORT / "defects.bib")
    try:
        main(["import", source, "--root", str(project(tmp_path / "a")), "--dry-run"])
        assert "imported `Smith2020Deep`" not in capsys.readouterr().err
        main(["import", source, "--root", str(project(tmp_path / "b")), "--dry-run", "-v"])
        assert "imported `Smith2020Deep` as `Smith2020Deep`" in capsys.readouterr().err
    finally:
        set_verbosity(0)
