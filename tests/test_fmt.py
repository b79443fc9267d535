"""`toi-atlas fmt`: canonical layout, nothing lost, idempotent, broken files untouched."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, entry, make_project
from toi_atlas.commands import fmt
from toi_atlas.entries.bibformat import format_bib_text, meaning
from toi_atlas.read.bibsource import Command, SourceFile, Text, read_source
from toi_atlas.read.load import bib_files, load_file
from toi_atlas.write.bibtext import FIELD_ORDER, canonical_rank, entry_to_bibtex, format_entry


def run_fmt(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    fmt.add_arguments(parser)
    return fmt.run(parser.parse_args(list(argv)))


def formatted(text: str) -> str:
    after, syntax, refusal = format_bib_text(text, "t.bib")
    assert after is not None, (syntax, refusal)
    return after


# --- golden examples: input -> exact output ---------------------------------------

GOLDEN = {
    "messy-entry": (
        "@ARTICLE{Doe2020,\n"
        '    Title="A {GPT} Study   of\n'
        '         Things",\n'
        "  AUTHOR = {Doe, Jane},\n"
        "  year = 2020, journal={J. Things},\n"
        '  Volume = "12"\n'
        "}\n",
        "@article{Doe2020,\n"
        "  author  = {Doe, Jane},\n"
        "  title   = {A {GPT} Study of Things},\n"
        "  journal = {J. Things},\n"
        "  volume  = {12},\n"
        "  year    = {2020},\n"
        "}\n",
    ),
    "macros-comments-and-blocks": (
        "% A header comment.\n"
        "%   kept exactly, trailing spaces too   \n"
        "\n\n"
        '@string{lw = "LessWrong"}\n'
        "@string{ af={AI Alignment Forum} }\n"
        '@preamble{ "\\newcommand{\\noop}[1]{}" }\n'
        "@misc{a2023,\n"
        "  howpublished = lw # { and friends},\n"
        "  month = aug, note = af,\n"
        "  title = {A}}\n"
        "% about b\n"
        "@misc{b2023, title = {B}, publisher = unknownmacro}\n"
        "\n\n\n"
        "@comment{jabref-meta: databaseType:bibtex;}\n",
        "% A header comment.\n"
        "%   kept exactly, trailing spaces too   \n"
        "\n"
        '@string{lw = "LessWrong"}\n'
        "@string{ af={AI Alignment Forum} }\n"
        '@preamble{ "\\newcommand{\\noop}[1]{}" }\n'
        "\n"
        "@misc{a2023,\n"
        "  title        = {A},\n"
        "  month        = aug,\n"
        "  howpublished = lw # { and friends},\n"
        "  note         = af,\n"
        "}\n"
        "\n"
        "% about b\n"
        "@misc{b2023,\n"
        "  title     = {B},\n"
        "  publisher = unknownmacro,\n"
        "}\n"
        "\n"
        "@comment{jabref-meta: databaseType:bibtex;}\n",
    ),
    "unknown-fields-keep-their-order-before-ours": (
        "@misc{c2023, zeta = {z}, kind = {post}, abstract = {abs}, url = {https://x.org},\n"
        '  title = "Quoted {T}itle", alpha = {a}, tois = {auditing}}\n',
        "@misc{c2023,\n"
        "  title    = {Quoted {T}itle},\n"
        "  url      = {https://x.org},\n"
        "  zeta     = {z},\n"
        "  abstract = {abs},\n"
        "  alpha    = {a},\n"
        "  kind     = {post},\n"
        "  tois     = {auditing},\n"
        "}\n",
    ),
    "parentheses-empty-entry-and-spacing": (
        "@misc(p2023, year = 2023, title = {P})\n"
        "\n\n\n"
        "   @misc{empty2023}\n"
        "@misc{s2023, title = {  spaced   out  }, note = {Mr.\\ }, pages = {a } # { b}}",
        "@misc{p2023,\n"
        "  title = {P},\n"
        "  year  = {2023},\n"
        "}\n"
        "\n"
        "@misc{empty2023,\n"
        "}\n"
        "\n"
        "@misc{s2023,\n"
        "  title = {spaced out},\n"
        "  pages = {a } # { b},\n"
        "  note  = {Mr.\\ },\n"
        "}\n",
    ),
    "comment-directly-above-an-entry-stays-attached": (
        "% header\n@misc{x, title={X}}\n\n\n% trailing words\n",
        "% header\n@misc{x,\n  title = {X},\n}\n\n% trailing words\n",
    ),
    "empty-file": ("", ""),
    "blank-file": ("\n \n\t\n", ""),
}


@pytest.mark.parametrize("case", GOLDEN, ids=list(GOLDEN))
def test_golden_layout(case: str) -> None:
    before, expected = GOLDEN[case]
    assert formatted(before) == expected
    assert formatted(expected) == expected  # the golden output is itself canonical


def layout_matches_writer(paths: list[Path]) -> int:
    """One writer: a loaded entry (values expanded) and the same entry as written give
    the same text, unknown fields included (written order, before ours). Returns the
    number of entries compared."""
    total = 0
    for path in paths:
        bib, _ = load_file(path, path.name)
        assert bib is not None
        layout = read_source(bib.text)
        for raw, source in zip(bib.entries, layout.entries, strict=True):
            total += 1
            assert format_entry(source) + "\n" == entry_to_bibtex(raw), raw.key
    return total


def test_layout_is_that_of_entry_to_bibtex_for_every_fixture_entry(fixture_project: Path) -> None:
    # The fixture corpus (synthetic and hand-written works) and the entry of every kind.
    paths = [*bib_files(fixture_project / "bib"), FIXTURES / "kinds" / "kinds.bib"]
    assert layout_matches_writer(paths) > 150


# --- properties over generated files ------------------------------------------------

_TEXT = st.text(alphabet=st.sampled_from(list("abcXYZ019 \t\n\\~-.,:;%#='!?@$^&_é\u00a0")))
_NESTED = st.recursive(
    st.text(alphabet=st.sampled_from(list("aZ9 \n\\%-.")), max_size=6),
    lambda inner: st.lists(
        st.one_of(inner, inner.map(lambda s: "{" + s + "}"), st.just('{"}')), max_size=3
    ).map("".join),
    max_leaves=5,
)
# A quoted value cannot hold a bare `"`; braces may, and both must balance.
_BALANCED = st.lists(st.one_of(_TEXT, _NESTED.map(lambda s: "{" + s + "}")), max_size=3).map(
    "".join
)
_PIECE = st.one_of(
    _BALANCED.map(lambda s: "{" + s + "}"),
    _BALANCED.map(lambda s: '"' + s + '"'),
    st.integers(0, 99999).map(str),
    st.sampled_from(["jan", "aug", "Dec", "lw", "undefinedmacro"]),
)
_HASH = st.sampled_from([" # ", "#", " #\n    "])
_VALUE = st.lists(st.tuples(_HASH, _PIECE), min_size=1, max_size=3).map(
    lambda parts: "".join(h + p for h, p in parts)[len(parts[0][0]) :]
)
_NAME = st.sampled_from([*FIELD_ORDER[:12], "kind", "tois", "summary", "Title", "URL", "zeta"])
_WS = st.sampled_from(["", " ", "\n", "\n  ", "\t", "\n\n"])
_FIELD = st.builds(lambda n, w1, v, w2: f"{n}{w1}={w2}{v}", _NAME, _WS, _VALUE, _WS)


@st.composite
def _entry(draw: st.DrawFn) -> str:
    typ = draw(st.sampled_from(["misc", "Article", "INPROCEEDINGS"]))
    key = draw(st.from_regex(r"[a-z][a-z0-9:_-]{0,10}", fullmatch=True))
    fields = draw(st.lists(_FIELD, max_size=6))
    seps = [draw(st.sampled_from([",", ", ", ",\n  ", " ,\n"])) for _ in fields]
    body = "".join(sep + f for sep, f in zip(seps, fields, strict=True))
    trailing = draw(st.sampled_from(["", ",", ",\n"]))
    return f"@{typ}{{{key}{body}{trailing}}}"


_COMMENT = st.text(
    alphabet=st.sampled_from(list("abc %{}()=,#\\é\t")), min_size=1, max_size=20
).map(lambda s: "% " + s)
_BETWEEN = st.sampled_from(["\n", "\n\n", "\n\n\n", "\n \n", "\n  \n\t\n"])
STRING_BLOCK = "@string{ lw = {Less  Wrong} }"


@st.composite
def bib_files_text(draw: st.DrawFn) -> tuple[str, list[str]]:
    blocks = draw(st.lists(st.one_of(_entry(), _COMMENT), max_size=5))
    comments = [b for b in blocks if b.startswith("%")]
    text = STRING_BLOCK
    for block in blocks:
        text += draw(_BETWEEN) + block
    return text + draw(st.sampled_from(["", "\n", "\n\n"])), comments


def _shape(source: SourceFile) -> list[tuple[str, list[tuple[str, list[tuple[str, str]]]]]]:
    """How each value is written, with the changes fmt may make already applied."""

    def piece(kind: str, text: str) -> tuple[str, str]:
        kind = "braced" if kind in ("quoted", "number") else kind
        return kind, " ".join(re.split(r"[ \t\n]+", text))

    def value(pieces: tuple) -> list[tuple[str, str]]:  # type: ignore[type-arg]
        out = [piece(p.kind, p.text) for p in pieces]
        # only the ends of the whole value may lose spaces
        first, last = out[0], out[-1]
        out[0] = (first[0], first[1].lstrip(" ") if first[0] != "macro" else first[1])
        out[-1] = (out[-1][0], out[-1][1].rstrip(" ") if last[0] != "macro" else out[-1][1])
        return out

    return [
        (
            e.key,
            [
                (f.name.lower(), value(f.pieces))
                for f in sorted(e.fields, key=lambda f: canonical_rank(f.name))
            ],
        )
        for e in source.entries
    ]


def _unescape_control_space(shape: list) -> list:  # type: ignore[type-arg]
    # fmt keeps the space of a trailing control space `\ `; compare without it.
    return [
        (k, [(n, [(kind, t.rstrip(" ")) for kind, t in v]) for n, v in fields])
        for k, fields in shape
    ]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bib_files_text())
def test_fmt_is_idempotent_and_preserves_every_value(generated: tuple[str, list[str]]) -> None:
    text, comments = generated
    out = formatted(text)
    assert formatted(out) == out
    assert meaning(out) == meaning(text)
    before, after = read_source(text), read_source(out)
    assert _unescape_control_space(_shape(after)) == _unescape_control_space(_shape(before))
    assert STRING_BLOCK in out
    for comment in comments:
        assert comment in out.splitlines()


def test_comment_string_and_preamble_blocks_are_kept_byte_for_byte() -> None:
    text = (
        "% weird   spacing {unbalanced\n"
        '@STRING( lw  =  "Less" # {Wrong} )\n'
        "@preamble{ {\\def\\x{y}}   }\n"
        "free text BibTeX ignores\n"
        "@Comment{x = {1}, not an entry}\n" + entry("a2023", title="A")
    )
    out = formatted(text)
    before = [b.text.strip() for b in read_source(text).blocks if isinstance(b, Text | Command)]
    for block in before:
        for line in block.splitlines():
            assert line in out.splitlines()


# --- the command ----------------------------------------------------------------------

MESSY = "@misc{a2023,\n title = {A},  year=2023}\n"
CANONICAL = "@misc{a2023,\n  title = {A},\n  year  = {2023},\n}\n"


def test_check_prints_a_diff_and_exits_1_without_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(tmp_path, {"a.bib": MESSY, "b.bib": CANONICAL.replace("a2023", "b2023")})
    assert run_fmt("--check", "--root", str(root)) == 1
    out = capsys.readouterr().out
    assert "--- a/bib/a.bib" in out and "+++ b/bib/a.bib" in out
    assert "+  year  = {2023}," in out
    assert "b.bib" not in out
    assert (root / "bib" / "a.bib").read_text() == MESSY


def test_fmt_writes_then_check_passes(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"a.bib": MESSY})
    path = root / "bib" / "a.bib"
    path.chmod(0o640)
    assert run_fmt("--root", str(root)) == 0
    assert path.read_text() == CANONICAL
    assert path.stat().st_mode & 0o777 == 0o640  # the atomic write keeps permissions
    assert run_fmt("--check", "--root", str(root)) == 0


def test_explicit_files_and_crlf(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"a.bib": CANONICAL.replace("\n", "\r\n"), "b.bib": MESSY})
    assert run_fmt("--check", "--root", str(root), str(root / "bib" / "a.bib")) == 1
    assert run_fmt("--root", str(root), str(root / "bib" / "a.bib")) == 0
    assert (root / "bib" / "a.bib").read_bytes() == CANONICAL.encode()
    assert (root / "bib" / "b.bib").read_text() == MESSY  # not named, not touched


@pytest.mark.parametrize(
    ("content", "code", "line"),
    [
        (MESSY + "\n@misc{broken,\n  title = {x}\n  year = 2023,\n}\n" + MESSY, "TOI101", 6),
        (MESSY + "@misc{open,\n  title = {never closed\n", "TOI101", 3),
        (MESSY.encode() + "@misc{b, title = {Caf\xe9}}\n".encode("latin-1"), "TOI100", 3),
    ],
    ids=["missing-comma", "unclosed-brace", "latin-1"],
)
def test_broken_file_is_reported_and_left_untouched(
    content: str | bytes,
    code: str,
    line: int,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = make_project(tmp_path, {"broken.bib": content, "good.bib": MESSY})
    before = (root / "bib" / "broken.bib").read_bytes()
    assert run_fmt("--root", str(root)) == 1
    assert f"bib/broken.bib:{line}: {code}" in capsys.readouterr().out
    assert (root / "bib" / "broken.bib").read_bytes() == before
    assert (root / "bib" / "good.bib").read_text() == CANONICAL  # the others still formatted


def test_layout_that_would_change_meaning_is_refused(tmp_path: Path) -> None:
    # `}` is allowed in a key only between parentheses; braces would cut the key short.
    root = make_project(tmp_path, {"p.bib": "@misc(a}b, title = {x})\n"})
    assert run_fmt("--root", str(root)) == 1
    assert (root / "bib" / "p.bib").read_text() == "@misc(a}b, title = {x})\n"


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    assert run_fmt("--root", str(tmp_path), str(tmp_path / "nope.bib")) == 2


def test_json_format_reports_the_syntax_error_and_keeps_stdout_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = MESSY + "@misc{open,\n  title = {never closed\n"
    root = make_project(tmp_path, {"broken.bib": broken, "messy.bib": MESSY})
    assert run_fmt("--check", "--format", "json", "--root", str(root)) == 1
    out, err = capsys.readouterr()
    rows = json.loads(out)
    assert [(r["code"], r["file"], r["line"]) for r in rows] == [("TOI101", "bib/broken.bib", 3)]
    assert "+++ b/bib/messy.bib" in err  # the diff, beside the json
