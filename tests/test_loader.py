"""The loader: pybtex tokenising, LaTeX to Unicode, lines, and a lossless round trip."""

from __future__ import annotations

from pathlib import Path

from pybtex.database import parse_string

from conftest import entry, make_project
from toi_atlas.model.corpus import latex_to_unicode
from toi_atlas.pipeline import Paths, load_and_check
from toi_atlas.read.load import parse_text
from toi_atlas.write.bibtext import entry_to_bibtex

LATEX_ENTRY = r"""@string{lw = "LessWrong"}
@misc{latex2023,
  author = {M{\"u}ller, J{\"o}rg and Segerie, Charbel-Rapha{\"e}l and {\'E}mile Z{\'o}la},
  title = {Locating {GPT} Facts in Caf{\'e}s {\"u}ber Pages -- a Na\"{i}ve \& {\ss}mall Study},
  year = 2023,
  month = aug,
  howpublished = lw # { and friends},
  url = {https://example.org/latex},
  tois = {auditing},
  stance = {critiques},
  summary = {Shows that {\`a} la carte edits work 50\% of the time.},
  added = {2026-11-25},
}
"""


def _work(tmp_path: Path, text: str, key: str):
    result = load_and_check(Paths(make_project(tmp_path, {"w.bib": text})))
    assert result.diagnostics == []
    assert result.corpus is not None
    return result.corpus.works[key]


def test_latex_becomes_unicode(tmp_path: Path) -> None:
    work = _work(tmp_path, LATEX_ENTRY, "latex2023")
    assert work.title == "Locating GPT Facts in Cafés über Pages – a Naïve & ßmall Study"
    assert work.authors == ("Jörg Müller", "Charbel-Raphaël Segerie", "Émile Zóla")
    assert work.surname == "Müller et al."
    assert work.venue == "LessWrong and friends"  # @string macro and # concatenation
    assert work.month == 8 and work.year == 2023
    assert work.summary == "Shows that à la carte edits work 50% of the time."


def test_plain_values_skip_the_latex_parser_but_lose_case_braces() -> None:
    assert latex_to_unicode("{Grad-CAM}: Visual   Explanations") == "Grad-CAM: Visual Explanations"
    assert latex_to_unicode("Caf\u0065\u0301") == "Café"  # NFC-normalised


def test_field_lines_are_recorded() -> None:
    entries, diags = parse_text(LATEX_ENTRY, "w.bib")
    assert diags == []
    [raw] = entries
    assert raw.span.line == 2
    assert raw.line_of("title") == 4
    assert raw.line_of("added") == 12


def test_canonical_bibtex_round_trips_through_pybtex(tmp_path: Path) -> None:
    work = _work(tmp_path, LATEX_ENTRY, "latex2023")
    text = entry_to_bibtex(work.raw)
    back = parse_string(text, "bibtex").entries["latex2023"]
    for name, field in work.raw.fields.items():
        if name in ("author",):
            continue
        assert " ".join(back.fields[name].split()) == " ".join(field.value.split()), name
    assert [str(p) for p in back.persons["author"]] == [str(p) for p in work.raw.persons["author"]]
    # and our loader reads its own output back identically
    again, diags = parse_text(text, "again.bib")
    assert diags == []
    assert {n: f.value for n, f in again[0].fields.items()} == {
        n: " ".join(f.value.split()) for n, f in work.raw.fields.items()
    }


def test_quoted_values_and_case_insensitive_fields(tmp_path: Path) -> None:
    text = entry("q2023").replace("title = {A Valid Work about q2023}", 'TITLE = "Quoted {T}itle"')
    assert _work(tmp_path, text, "q2023").title == "Quoted Title"


def test_macro_in_an_entry_that_breaks_later_is_still_reported() -> None:
    # The reader resumes after a broken entry; what it read before the break is checked.
    text = "@misc{a,\n  note = nosuchmacro,\n  title = {open\n\n@misc{b, title = {B}}\n"
    entries, diags = parse_text(text, "x.bib")
    assert sorted((d.code, d.span.line) for d in diags) == [("TOI101", 1), ("TOI104", 2)]
    assert [e.key for e in entries] == ["b"]


def test_macro_is_reported_once_when_the_next_command_breaks() -> None:
    text = "@string{lw = nosuchmacro}\n@misc{x\n"
    _, diags = parse_text(text, "x.bib")
    assert sorted((d.code, d.span.line) for d in diags) == [("TOI101", 2), ("TOI104", 1)]


def test_entry_without_key_is_TOI101_and_the_next_entry_loads() -> None:
    text = "@article{,\n  title = {No key},\n}\n\n@misc{b, title = {B}}\n"
    entries, diags = parse_text(text, "x.bib")
    assert [(d.code, d.span.line) for d in diags] == [("TOI101", 1)]
    assert [e.key for e in entries] == ["b"]
