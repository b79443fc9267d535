"""The BibTeX block of a work page: `workhtml.bibtex_html` colours an entry in the
writer's layout without Pygments, and must give exactly what Pygments gives (as
`pymdownx.highlight` runs it with mkdocs.yml's default settings); any other text goes
to Pygments itself."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymdownx.highlight import Highlight

from conftest import FIXTURES
from toi_atlas.model.corpus import custom_field_names
from toi_atlas.read.bibsource import Piece, SourceEntry, SourceField, braces_balanced
from toi_atlas.read.load import bib_files, load_file
from toi_atlas.read.site import load_site
from toi_atlas.read.taxonomy import load_taxonomy
from toi_atlas.render.workhtml import bibtex_html, highlight
from toi_atlas.write.bibtext import entry_to_bibtex, format_entry

SITE = load_site(Path(__file__).parents[1] / "mkdocs.yml")


def pygments(code: str) -> str:
    return str(Highlight(None).highlight(code, "bibtex"))


def test_every_fixture_entry_is_coloured_as_pygments_colours_it() -> None:
    """Both BibTeX texts a build writes of each entry: the page's (our fields stripped)
    and all.bib's."""
    root = FIXTURES / "golden"
    taxonomy, _ = load_taxonomy(root / "bib" / "taxonomy.yaml", "taxonomy.yaml")
    strip = custom_field_names(taxonomy)
    codes = []
    for path in bib_files(root / "bib"):
        bib, _ = load_file(path, path.name)
        assert bib is not None
        for raw in bib.entries:
            codes += [entry_to_bibtex(raw, strip=strip), entry_to_bibtex(raw)]
    assert len(codes) >= 8
    for code in codes:
        assert bibtex_html(code.rstrip("\n")) == pygments(code.rstrip("\n"))


# Values a contributor (or a fetched record) may write: markup, quotes, TeX, Unicode
# line and paragraph separators, which Pygments does not take for line ends.
HOSTILE = st.text(
    alphabet=st.sampled_from(list("aZ09 ,=#@%&<>\"'\\$~^_{}()\u00e9\u2028\u0085\u00a0\u200f")),
    max_size=40,
)
BALANCED = HOSTILE.filter(braces_balanced)
FIELD_NAMES = st.from_regex(r"[a-z_][a-z0-9_-]{0,12}", fullmatch=True)
MONTHS = st.sampled_from(["jan", "feb", "dec"])


@st.composite
def canonical_entries(draw: st.DrawFn) -> str:
    """An entry as write.bibtext writes it: braced values and month macros."""
    fields = []
    for name in draw(st.lists(FIELD_NAMES, max_size=6, unique=True)):
        if draw(st.booleans()):
            piece = Piece("macro", draw(MONTHS), "December")
        else:
            value = draw(BALANCED)
            piece = Piece("braced", value, value)
        fields.append(SourceField(name, (piece,), 1))
    entry_type = draw(st.sampled_from(["misc", "article", "inproceedings", "online", "book"]))
    key = draw(st.from_regex(r"[A-Za-z0-9:_.{(+-]{1,20}", fullmatch=True))
    return format_entry(SourceEntry(entry_type, key, tuple(fields), 1))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(canonical_entries())
def test_an_entry_in_the_writers_layout_is_coloured_without_pygments(code: str) -> None:
    assert bibtex_html(code) == pygments(code)


@st.composite
def other_entries(draw: st.DrawFn) -> str:
    """Entries in a layout the fast path must hand to Pygments, or colour the same:
    quoted values, `#` concatenations, unbalanced braces, other commands and names."""
    fields = []
    for _ in range(draw(st.integers(0, 4))):
        name = draw(st.from_regex(r"[a-zA-Z_.:+-][a-zA-Z0-9_.:+-]{0,8}", fullmatch=True))
        kinds = st.sampled_from(["braced", "quoted", "number", "macro"])
        pieces = []
        for kind in draw(st.lists(kinds, min_size=1, max_size=3)):
            text = draw(HOSTILE if kind in ("braced", "quoted") else MONTHS)
            pieces.append(Piece(kind, "42" if kind == "number" else text, text))
        fields.append(SourceField(name, tuple(pieces), 1))
    entry_type = draw(st.sampled_from(["misc", "comment", "commentary", "string", "preamble"]))
    key = draw(
        st.from_regex(r"[^\s,}\r\x02\x03]{1,12}", fullmatch=True)
    )  # highlight drops \x02, \x03
    return format_entry(SourceEntry(entry_type, key, tuple(fields), 1))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(other_entries())
def test_any_entry_is_coloured_as_pygments_colours_it(code: str) -> None:
    assert highlight(code, "bibtex", SITE) == pygments(code)


def test_text_outside_the_layout_goes_to_pygments() -> None:
    for code in (
        '@misc{k,\n  title = "quoted",\n}',  # a quoted value
        "@misc{k,\n  title = {a} # {b},\n}",  # a concatenation
        "@misc{k,\n  title = {a}{b},\n}",  # two groups: the first closes early
        "@comment{k,\n}",  # another command to Pygments' lexer
        "@misc{k,\n  title = {a},",  # not closed
        "@misc{k,\r  title = {a},\n}",  # a CR, which Pygments reads as a line end
    ):
        assert bibtex_html(code) is None
        assert highlight(code, "bibtex", SITE) == pygments(code)
