"""Metadata parsers and the checks on what they return: pure, no network.

Every parser is fed hostile text by hypothesis: whatever arrives, it raises nothing
but `NetError` (or its `SourceError`), and what it returns is either refused by
`vetting.vet` or passes every field's check and reads back as exactly the entry meant.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import TAXONOMY
from toi_atlas.entries import newentry, vetting
from toi_atlas.model import untrusted
from toi_atlas.model.corpus import build_work
from toi_atlas.model.identity import KEY_RE
from toi_atlas.net import client as net
from toi_atlas.net import sources
from toi_atlas.read.taxonomy import Taxonomy, load_taxonomy
from toi_atlas.write.bibtext import entry_to_bibtex


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    """The vocabulary a written entry is checked against (no corpus needed)."""
    tax, diags = load_taxonomy(TAXONOMY)
    assert diags == []
    return tax


# --- identifiers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("2211.00593", "arXiv id", "2211.00593"),
        ("2211.00593v2", "arXiv id", "2211.00593"),
        ("arXiv:2211.00593", "arXiv id", "2211.00593"),
        ("hep-th/9901001", "arXiv id", "hep-th/9901001"),
        ("math.GT/0309136v1", "arXiv id", "math.GT/0309136"),
        ("https://arxiv.org/pdf/2211.00593v2.pdf", "arXiv id", "2211.00593"),
        ("https://arxiv.org/abs/hep-th/9901001", "arXiv id", "hep-th/9901001"),
        ("10.48550/arXiv.2211.00593", "arXiv id", "2211.00593"),
        ("10.1145/3442188.3445922", "DOI", "10.1145/3442188.3445922"),
        ("doi:10.1145/3442188.3445922", "DOI", "10.1145/3442188.3445922"),
        ("https://dx.doi.org/10.1007/s13347-019-00372-9", "DOI", "10.1007/s13347-019-00372-9"),
        ("https://www.lesswrong.com/posts/x/y", "URL", "https://www.lesswrong.com/posts/x/y"),
    ],
)
def test_parse_identifier(text: str, kind: str, value: str) -> None:
    ident = sources.parse_identifier(text)
    assert (ident.kind.value, ident.value) == (kind, value)


@pytest.mark.parametrize("text", ["", "hello", "javascript:alert(1)", "22110.0059", "10.12/x"])
def test_parse_identifier_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        sources.parse_identifier(text)


def test_strip_markup_from_crossref_titles() -> None:
    assert sources.strip_markup("<i>In vivo</i> probing of H<sub>2</sub>O &amp; more") == (
        "In vivo probing of H2O & more"
    )


@pytest.mark.parametrize(
    "text",
    [
        "10.1234/abc},summary={pwned",
        "doi:10.1234/a\\b",
        "https://e.org/a}b",
        "https://e.org/\u202eexe.fdp",
        "https://e.org/\x1b[2J",
    ],
)
def test_identifiers_that_would_break_an_entry_are_refused(text: str) -> None:
    with pytest.raises(ValueError) as err:
        sources.parse_identifier(text)
    assert not untrusted.has_invisible(str(err.value))  # the message shows them escaped


# --- field checks and terminal safety ----------------------------------------------


@pytest.mark.parametrize(
    ("check", "good", "bad"),
    [
        (
            untrusted.is_doi,
            ["10.1145/3442188.3445922", "10.1002/(SICI)1097-4636(199812)43:4<448::AID>3.0.CO;2-D"],
            ["10.1234/abc},summary={pwned", "10.1234/a b", "10.1234/a\u200b", "11.1234/x", ""],
        ),
        (
            untrusted.is_url,
            ["https://e.org/a.pdf", "http://127.0.0.1:8000/p?q=1%7D", "https://例え.jp/ページ"],
            [
                "https://e.org/a.pdf},summary={pwned",
                "javascript:alert(1)",
                "https://e.org/a\\b",
                "https://e.org/\u202e",
                "https://e.org/a b",
                "/relative",
            ],
        ),
        (untrusted.is_arxiv_id, ["2211.00593", "hep-th/9711200"], ["2211.00593v2", "x}"]),
        (
            untrusted.is_primary_class,
            ["stat.ML", "hep-th", "cond-mat.stat-mech"],
            ["stat.ML}, summary={x", "", "cs.AI\n"],
        ),
    ],
)
def test_field_checks(check, good: list[str], bad: list[str]) -> None:
    assert [v for v in good if not check(v)] == []
    assert [v for v in bad if check(v)] == []


@pytest.mark.parametrize(
    ("text", "balanced"),
    [("a {b} c", True), ("", True), ("a { b", False), ("a } b {", False), (r"\{x\}", True)],
)
def test_braces_balanced_counts_escaped_braces_as_bibtex_does(text: str, balanced: bool) -> None:
    assert untrusted.braces_balanced(text) is balanced


def test_clean_text_removes_invisible_characters_and_names_them() -> None:
    text = "A\x1b[31m red\u202e title\u200b with\ttabs\u2028and\x00 more\ufeff"
    assert untrusted.clean_text(text) == (
        "A[31m red title with tabs and more",
        ("\\x1b", "U+202E", "U+200B", "\\x00", "U+FEFF"),
    )


def test_shown_makes_everything_visible_and_cuts_long_values() -> None:
    assert untrusted.shown("a\x1bb\u2066c\u2028") == "`a\\x1bbU+2066cU+2028`"
    long = untrusted.shown("x" * 10_000, limit=20)
    assert long.startswith("`" + "x" * 20 + "…") and "10,000 characters" in long


# --- fuzzing the parsers -----------------------------------------------------------

# Text a hostile server might send: BibTeX and LaTeX specials, controls, terminal
# escapes, bidi overrides, zero-width characters, a lone surrogate and accents.
HOSTILE = st.text(
    alphabet=st.sampled_from(
        [
            *"aZ09 .,:;-/$%&#_^~@=\"'<>()[]",
            *"{}\\",
            *"\x00\x1b\x7f\x85\t\n",
            *"\u200b\u200d\u202a\u202e\u2066\u2069\u2028\ufeff\ufffd\ud800",
            *"éøßÆ😀",
        ]
    ),
    max_size=40,
)
# Values that look like what each field should hold, so fuzzing reaches past the
# first check: an identifier or link with something hostile glued on.
LOOKALIKE = st.one_of(
    HOSTILE,
    st.builds(lambda s: "10.1234/abc" + s, HOSTILE),
    st.builds(lambda s: "https://e.org/a" + s, HOSTILE),
    st.builds(lambda s: "2211.00593" + s, HOSTILE),
    st.sampled_from(["2024/06/07", "2023", "9999-01-01", "March 11, 2022", "0000"]),
)
META_NAMES = [
    "citation_title", "citation_author", "citation_doi", "citation_pdf_url",
    "citation_arxiv_id", "citation_journal_title", "citation_conference_title",
    "citation_publication_date", "citation_volume", "citation_issue", "citation_firstpage",
    "citation_lastpage", "citation_publisher", "dc.title", "dc.creator", "dc.identifier",
    "dc.date", "dc.type", "og:title", "og:site_name", "og:url", "og:type", "author",
]  # fmt: skip
TODAY = dt.date(2026, 12, 1)
PAGE = "https://example.org/page"


def assert_written_exactly_or_refused(record: sources.Record, taxonomy) -> None:
    """The property every parser's output must have, through add's own steps."""
    vetted = vetting.vet(record, TODAY.year)
    for message in (*vetted.warnings, *vetted.refusals):
        assert not untrusted.has_invisible(message), message
    if vetted.refusals:
        return
    r = vetted.record
    assert r.title and untrusted.is_plain(r.title)
    for text in (r.venue, r.publisher, r.volume, r.number, r.pages):
        assert untrusted.is_plain(text)
    for name in r.authors:
        assert name.family and untrusted.is_plain(name.family + name.given)
    assert untrusted.is_url(r.url)
    assert r.doi is None or untrusted.is_doi(r.doi)
    assert r.arxiv is None or untrusted.is_arxiv_id(r.arxiv)
    assert r.primaryclass is None or untrusted.is_primary_class(r.primaryclass)
    assert r.pdf is None or untrusted.is_url(r.pdf)
    assert r.year is None or untrusted.plausible_year(r.year, TODAY.year)
    assert r.month is None or 1 <= r.month <= 12
    key = newentry.unique_key(newentry.key_stem(r), set())
    assert KEY_RE.match(key), key
    raw = newentry.build_entry(r, key, newentry.Tags(), TODAY, "bib/fuzz.bib")
    assert len(raw.persons.get("author", [])) == len(r.authors)  # each name is one person
    build_work(raw, taxonomy)  # what add does next (duplicate check) must not raise
    text = entry_to_bibtex(raw)
    assert newentry.read_back_problem(text, raw) is None, text


def meta_tag(name: str, value: str, escaped: bool) -> str:
    content = quoteattr(value) if escaped else f'"{value}"'
    return f"<meta name={quoteattr(name)} content={content}>"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tags=st.lists(st.tuples(st.sampled_from(META_NAMES), LOOKALIKE, st.booleans()), max_size=12),
    title=HOSTILE,
    canonical=LOOKALIKE,
    tail=HOSTILE,
)
@example(
    tags=[
        ("citation_title", "Fine", True),
        ("citation_doi", "10.1234/abc},summary={pwned},tois={auditing", True),
        ("citation_pdf_url", "https://e.org/a.pdf},summary={pwned", True),
    ],
    title="",
    canonical="",
    tail="",
)
def test_html_parser_output_is_written_exactly_or_refused(
    tags: list[tuple[str, str, bool]], title: str, canonical: str, tail: str, taxonomy
) -> None:
    head = "".join(meta_tag(n, v, e) for n, v, e in tags)
    page = (
        f"<html><head><title>{html.escape(title)}</title>"
        f"<link rel=canonical href={quoteattr(canonical)}>{head}</head>{tail}</html>"
    )
    try:
        record = sources.parse_html(page, PAGE)
    except net.NetError:
        return
    assert_written_exactly_or_refused(record, taxonomy)


def atom(title: str, names: list[str], published: str, doi: str, primary: str) -> bytes:
    authors = "".join(f"<author><name>{xml_escape(n)}</name></author>" for n in names)
    text = (
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">'
        f"<entry><id>http://arxiv.org/abs/2211.00593v1</id><title>{xml_escape(title)}</title>"
        f"{authors}<published>{xml_escape(published)}</published>"
        f"<arxiv:doi>{xml_escape(doi)}</arxiv:doi>"
        f"<arxiv:primary_category term={quoteattr(primary)}/></entry></feed>"
    )
    return text.encode("utf-8", "surrogatepass")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=HOSTILE,
    names=st.lists(HOSTILE, max_size=4),
    published=LOOKALIKE,
    doi=LOOKALIKE,
    primary=st.one_of(HOSTILE, st.builds(lambda s: "stat.ML" + s, HOSTILE)),
)
@example(title="A $\\frac{1$ title", names=["Ann Lee"], published="2023", doi="", primary="x")
def test_arxiv_parser_output_is_written_exactly_or_refused(
    title: str, names: list[str], published: str, doi: str, primary: str, taxonomy
) -> None:
    body = atom(title, names, published, doi, primary)
    try:
        record = sources.parse_arxiv(body, "2211.00593", "https://export.arxiv.org/api/query")
    except net.NetError:
        return
    assert_written_exactly_or_refused(record, taxonomy)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_arxiv_parser_on_any_bytes_raises_only_its_own_error(body: bytes) -> None:
    with contextlib.suppress(net.NetError):
        sources.parse_arxiv(body, "2211.00593", "https://export.arxiv.org/api/query")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | LOOKALIKE,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(HOSTILE, inner, max_size=3),
    max_leaves=8,
)
CSL_KEYS = [
    "title", "subtitle", "type", "container-title", "event", "publisher", "volume", "issue",
    "page", "author", "issued", "published-print", "published-online",
]  # fmt: skip
PERSON = st.dictionaries(st.sampled_from(["family", "given", "literal", "name"]), JSON)
DATE = st.fixed_dictionaries({"date-parts": st.lists(st.lists(JSON, max_size=3), max_size=2)})
CSL_TYPES = st.sampled_from(["journal-article", "paper-conference", "book", "report", "x"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    item=st.fixed_dictionaries(
        {},
        optional={
            **{k: JSON for k in CSL_KEYS},
            "type": CSL_TYPES,
            "author": st.lists(PERSON, max_size=3),
            "issued": DATE,
            "published-print": DATE,
        },
    )
)
@example(item={"title": "On {Things", "type": "journal-article", "container-title": "J"})
@example(item={"title": "T", "author": [{"family": "a,b,c", "given": "x"}]})
@example(item={"title": "T", "author": [{"family": "Tom and Jerry", "given": "x"}]})
def test_csl_parser_output_is_written_exactly_or_refused(item: dict, taxonomy) -> None:
    try:
        record = sources.parse_csl(item, "10.1234/abc", "https://doi.org/10.1234/abc", "doi.org")
    except net.NetError:
        return
    assert_written_exactly_or_refused(record, taxonomy)


@settings(max_examples=200, deadline=None)
@given(JSON)
def test_csl_parser_on_any_json_raises_only_its_own_error(data: object) -> None:
    with contextlib.suppress(net.NetError):
        sources.parse_csl(data, "10.1234/abc", "https://doi.org/10.1234/abc", "Crossref")


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_json_reader_raises_only_its_own_error(body: bytes) -> None:
    with contextlib.suppress(net.NetError):
        sources.doi.json_body(body, "Crossref", "https://api.crossref.org/works/x")


@pytest.mark.parametrize(
    ("links", "url", "ignored"),
    [
        ('<link rel=canonical href="https://e.org/c">', "https://e.org/c", 0),
        (
            '<link rel=canonical href="javascript:alert(1)">'
            '<meta property="og:url" content="https://e.org/og">',
            "https://e.org/og",
            1,
        ),
        ('<link rel=canonical href="https://e.org/a}b">', PAGE, 1),
        ("", PAGE, 0),
    ],
    ids=["canonical", "bad-canonical-then-og", "bad-canonical-only", "none"],
)
def test_page_url_is_the_first_clean_own_link(links: str, url: str, ignored: int) -> None:
    record = sources.parse_html(f"<title>T</title>{links}", PAGE)
    assert record.url == url
    assert len([w for w in record.warnings if "ignored the page's own link" in w]) == ignored
