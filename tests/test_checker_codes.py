"""Every checker code, triggered by a small fixture, at its exact file:line.

Each folder in fixtures/cases/ is a bib/ folder; the first line of each file says
what the checker must report for that file (`% expect TOI104 line 15, ...` in BibTeX,
`# expect ...` in YAML, `expect nothing` for a file that must stay clean). A folder
with its own taxonomy.yaml uses it instead of the real one. The comparison is exact:
a fixture that produced an extra finding would fail too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import FIXTURES, TAXONOMY, entry, make_project
from toi_atlas.diagnostics import CODES
from toi_atlas.pipeline import Paths, build, load_and_check

CASES = sorted(p for p in (FIXTURES / "cases").iterdir() if p.is_dir())
EXPECT = re.compile(r"(TOI\d{3}) line (\d+)")


def case_files(case: Path) -> list[Path]:
    return sorted([*case.glob("*.bib"), *case.glob("*.yaml")])


def expected(case: Path) -> list[tuple[str, int, str]]:
    out = []
    for path in case_files(case):
        header = path.read_text(encoding="utf-8").splitlines()[0]
        assert header[:8] in ("% expect", "# expect"), f"{path} lacks its expectation line"
        out += [(f"bib/{path.name}", int(line), code) for code, line in EXPECT.findall(header)]
    return sorted(out)


def found(root: Path) -> list[tuple[str, int, str]]:
    diags = load_and_check(Paths(root)).diagnostics
    return sorted((d.span.file, d.span.line, d.code) for d in diags)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fixture_reports_exactly_its_codes(case: Path, tmp_path: Path) -> None:
    files = {p.name: p.read_text(encoding="utf-8") for p in case_files(case)}
    taxonomy = files.pop("taxonomy.yaml", None)
    root = make_project(tmp_path, files, taxonomy=taxonomy)
    want = expected(case)
    assert want, "a fixture must expect at least one finding"
    assert found(root) == want


def test_every_code_is_exercised() -> None:
    # Codes with their own tests below or in test_generate.py (not data-driven).
    elsewhere = {"TOI001", "TOI002", "TOI100", "TOI501", "TOI901", "TOI902"}
    elsewhere |= {"TOI607", "TOI903", "TOI904"}  # page links and the shell: test_shell.py
    elsewhere |= {"TOI601", "TOI602", "TOI603", "TOI604"}  # reading lists, below
    elsewhere |= {"TOI701", "TOI702", "TOI703", "TOI704", "TOI705"}  # claims, below
    elsewhere |= {"TOI821", "TOI822", "TOI823", "TOI824"}  # test_links.py
    elsewhere |= {"TOI811", "TOI812", "TOI813", "TOI814"}  # test_import.py
    by_fixture = {code for case in CASES for _, _, code in expected(case)}
    assert set(CODES) - by_fixture - elsewhere == set()


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (entry("a2023").encode() + "@misc{b, title = {Caf\xe9}}\n".encode("latin-1"), 11),
        ("@misc{x, title={y}}".encode("utf-16"), 1),
        (b"\n\n@misc{x,\n title = {a\x00b}}\n", 4),
    ],
    ids=["latin-1", "utf-16", "nul-byte"],
)
def test_non_utf8_file_is_refused_with_line(data: bytes, line: int, tmp_path: Path) -> None:
    root = make_project(tmp_path, {"bad.bib": data, "good.bib": entry("good2023")})
    assert found(root) == [("bib/bad.bib", line, "TOI100")]


def test_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    text = entry("crlf2023").replace("\n", "\r\n")
    root = make_project(tmp_path, {"w.bib": b"\xef\xbb\xbf" + text.encode()})
    result = load_and_check(Paths(root))
    assert result.diagnostics == []
    assert result.corpus is not None
    assert result.corpus.works["crlf2023"].raw.line_of("url") == 5


@pytest.mark.parametrize(
    ("taxonomy", "code", "line"),
    [
        ("stances: [unclosed\n", "TOI001", 2),
        ("stances:\n  - id: a\n    name: A\n    description: d\ntois: 5\n", "TOI001", 5),
        ("stances: []\ntois: !!python/name:os.system\n", "TOI001", 2),
        ("stances: []\nversion: 1\ntois:\n  - id: !!int abc\n", "TOI001", 4),
        ("stances: []\nadded: !!timestamp nope\n", "TOI001", 2),
        ("stances: []\nversion:\n  major: !!int abc\nadded: !!int def\n", "TOI001", 3),
        (
            "stances:\n  - {id: x, name: X, description: d}\n"
            "tois:\n  - {id: x, name: Y, description: d}\n",
            "TOI002",
            4,
        ),
    ],
    ids=[
        "yaml-syntax",
        "wrong-shape",
        "unsafe-tag",
        "bad-int",
        "bad-timestamp",
        "first-bad-value",
        "duplicate-id",
    ],
)
def test_broken_taxonomy(taxonomy: str, code: str, line: int, tmp_path: Path) -> None:
    root = make_project(tmp_path, {"w.bib": entry("w2023")}, taxonomy=taxonomy)
    diags = load_and_check(Paths(root)).diagnostics
    assert ("bib/taxonomy.yaml", line, code) in [(d.span.file, d.span.line, d.code) for d in diags]
    assert build(Paths(root)).stats is None  # nothing generated from a broken vocabulary


def test_did_you_mean_suggestion(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"w.bib": entry("w2023", tois="auditng, microscop-ai")})
    hints = {d.hint for d in load_and_check(Paths(root)).diagnostics}
    assert "did you mean `auditing`?" in hints
    assert "did you mean `microscope-ai`?" in hints


def test_tag_in_the_wrong_field_says_where_it_belongs(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"w.bib": entry("w2023", tois="enumerative-safety")})
    [diag] = load_and_check(Paths(root)).diagnostics
    assert diag.code == "TOI201"
    assert "endstories" in diag.hint


def test_one_sided_topic_only_with_balance(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "w.bib": entry("w2023", tois="auditing:advocates, microscope-ai")
            + entry("v2023", tois="microscope-ai:advocates")
        },
    )
    assert load_and_check(Paths(root)).diagnostics == []
    diags = load_and_check(Paths(root), balance=True).diagnostics
    by_line = {d.span.line: d.message for d in diags if d.code == "TOI501"}
    tax_lines = TAXONOMY.read_text(encoding="utf-8").splitlines()
    auditing = tax_lines.index("  - id: auditing") + 1
    microscope = tax_lines.index("  - id: microscope-ai") + 1
    assert by_line[auditing] == "no work critiques `auditing`"
    assert microscope not in by_line  # advocated by v2023, critiqued by w2023
    assert all(d.span.file == "bib/taxonomy.yaml" for d in diags)


READING = """lists:
  - id: start
    title: Start here
    reviewed: 2026-12-03
    items:
      - key: w2023
        note: First.
      - key: nosuchwork
        note: Missing.
      - key: v2023
        note: No reading time.
  - title: no id
"""


def test_reading_list_codes(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "w.bib": entry("w2023", readingtime="12") + entry("v2023"),
            "readinglists.yaml": READING,
        },
    )
    page = root / "docs" / "reading"
    page.mkdir(parents=True)
    found_codes = sorted((d.span.line, d.code) for d in load_and_check(Paths(root)).diagnostics)
    assert found_codes == [(2, "TOI604"), (8, "TOI602"), (10, "TOI603"), (12, "TOI601")]
    (page / "start.md").write_text('# Start\n\n--8<-- "atlas/reading/start.md.txt"\n')
    assert "TOI604" not in {d.code for d in load_and_check(Paths(root)).diagnostics}


def test_reading_list_yaml_error_has_a_line(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"w.bib": entry("w2023"), "readinglists.yaml": "lists: [\n"})
    [diag] = load_and_check(Paths(root)).diagnostics
    assert (diag.code, diag.span.file, diag.span.line) == ("TOI601", "bib/readinglists.yaml", 2)


CLAIMS = """claims:
  - id: good
    text: A claim someone makes.
    topics: [auditing]
    made_by: [w2023]
  - id: bad-key
    text: Names a missing work.
    topics: [auditing]
    made_by: [w2023]
    disputed_by: [nosuchwork]
  - id: bad-topic
    text: Names a missing topic.
    topics: [auditng]
    made_by: [w2023]
  - id: orphan
    text: Nobody makes this.
    topics: [auditing]
  - id: good
    text: Same id twice.
    made_by: [w2023]
  - text: no id at all
"""


def test_claims_codes(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"w.bib": entry("w2023"), "claims.yaml": CLAIMS})
    diags = load_and_check(Paths(root)).diagnostics
    # The argument's own codes (gists, theses, relations) have their fixtures in cases/.
    found_codes = sorted((d.span.line, d.code) for d in diags if d.code <= "TOI705")
    assert found_codes == [
        (6, "TOI702"),
        (11, "TOI703"),
        (15, "TOI704"),
        (18, "TOI705"),
        (21, "TOI701"),
    ]
