"""The fast LaTeX-to-Unicode path gives exactly what pylatexenc gives on whole values."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from toi_atlas.model.corpus import _latex_tokens, latex_to_unicode, latex_to_unicode_slow

ACCENTS = "`'^\"~=."
LETTER_ACCENTS = "uvHckrdbt"
NAMED = ("ss", "o", "O", "ae", "AE", "oe", "OE", "l", "L", "aa", "AA", "i", "j")
letters = st.sampled_from("aeiouAEIOUcCnNsSzZgy")

token = st.one_of(
    st.text(alphabet="abcXYZ ,.:;!?()<>/@*+=|0123456789", min_size=1, max_size=8),
    st.builds(lambda a, c: f"\\{a}{c}", st.sampled_from(ACCENTS), letters),
    st.builds(lambda a, c: f"\\{a}{{{c}}}", st.sampled_from(ACCENTS), letters),
    st.builds(lambda a: f"\\{a}{{\\i}}", st.sampled_from(ACCENTS)),
    st.builds(lambda a, c: f"\\{a}{{{c}}}", st.sampled_from(LETTER_ACCENTS), letters),
    st.builds(lambda a, c: f"\\{a} {c}", st.sampled_from(LETTER_ACCENTS), letters),
    st.builds(
        lambda n, end: f"\\{n}{end}", st.sampled_from(NAMED), st.sampled_from(["", "{}", " "])
    ),
    st.sampled_from(
        ["\\&", "\\%", "%", "\\$", "\\#", "\\_", "--", "---", "``", "''", "~", "-", "'"]
    ),
)
value = st.recursive(
    st.lists(token, max_size=6).map("".join),
    lambda inner: st.lists(inner.map(lambda t: "{" + t + "}") | inner, max_size=4).map("".join),
    max_leaves=12,
)


@settings(max_examples=500, deadline=None)
@given(value)
def test_fast_path_matches_pylatexenc(text: str) -> None:
    assert latex_to_unicode(text) == latex_to_unicode_slow(text)


def test_common_names_take_the_fast_path() -> None:
    for text in ('G{\\"o}del', "Erd\\H{o}s", "\\v{S}imon", "Stra\\ss e", "Nanda~--~Olah"):
        assert _latex_tokens(text) is not None, text
    assert latex_to_unicode("Erd\\H{o}s and \\v{S}imon --- {\\O}stergaard") == (
        "Erdős and Šimon — Østergaard"
    )


def test_other_latex_goes_to_pylatexenc_whole() -> None:
    for text in ("$x^2$ bounds", "\\emph{Deep} nets", "\\textit{a} -- b", "50\\% of {\\'e}% c"):
        assert _latex_tokens(text) is None or "%" not in text.replace("\\%", ""), text
        assert latex_to_unicode(text) == latex_to_unicode_slow(text)
    assert latex_to_unicode("\\emph{Deep} nets") == "Deep nets"


def test_percent_is_a_percent_sign_not_a_comment() -> None:
    # LaTeX reads `%` as a comment; in a BibTeX field it is text, with or without `\`.
    assert latex_to_unicode("Only 3% of the features -- see the appendix") == (
        "Only 3% of the features – see the appendix"
    )
    assert latex_to_unicode('Pruning 90% of heads in {Schr\\"odinger} nets') == (
        "Pruning 90% of heads in Schrödinger nets"
    )
    assert latex_to_unicode("5\\%--6% of \\emph{all}") == "5%–6% of all"
    for text in ("a 3% b -- c", "\\'e 4%", "x\\\\% y -- z"):
        assert latex_to_unicode(text) == latex_to_unicode_slow(text)
        assert "%" in latex_to_unicode(text)
