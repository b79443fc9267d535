"""What counts as "the same" URL, title or name, shared by check, add and import."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toi_atlas.model.identity import norm_arxiv, norm_url
from toi_atlas.model.normalise import ascii_fold, did_you_mean, norm_title


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://www.Example.org/a/", "http://example.org/a"),
        ("https://example.org/a#part", "https://example.org/a"),
        (" https://example.org/a?x=1 ", "https://example.org/a?x=1"),
    ],
)
def test_same_url(a: str, b: str) -> None:
    assert norm_url(a) == norm_url(b)


def test_query_and_path_still_tell_urls_apart() -> None:
    assert norm_url("https://example.org/a?x=1") != norm_url("https://example.org/a?x=2")
    assert norm_url("https://example.org/a") != norm_url("https://example.org/A")


def test_titles_compare_without_case_or_punctuation() -> None:
    assert norm_title("Toward a Theory: of Impact!") == norm_title("toward a theory of impact")


def test_titles_and_names_compare_without_accents_in_any_script() -> None:
    assert norm_title("Rényi entropy") == norm_title("Renyi Entropy") == "renyientropy"
    assert norm_title("Straße") == norm_title("Strasse")
    assert norm_title("Ærø, Łukasz") == "aerolukasz"
    assert norm_title("Θεωρία της επίδρασης") == norm_title("θεωρια της επιδρασης") != ""
    assert norm_title("解释性研究") == "解释性研究"


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
def test_ascii_titles_take_the_short_way_to_the_same_result(text: str) -> None:
    # A trailing "é" sends the title down the general path, which folds it to "e".
    assert norm_title(text) + "e" == norm_title(text + "é")


def test_ascii_fold_spells_unsplittable_letters_out() -> None:
    assert ascii_fold("Straße Øster Łódź") == "strasseosterlodz"


@pytest.mark.parametrize("value", ["arXiv:2301.01234v2", " 2301.01234 ", "ARXIV: 2301.01234v11"])
def test_arxiv_ids_compare_without_prefix_or_version(value: str) -> None:
    assert norm_arxiv(value) == "2301.01234"


def test_ascii_fold_keeps_letters_and_digits() -> None:
    assert ascii_fold("Goldowsky-Dill") == "goldowskydill"
    assert ascii_fold("Rényi 2023") == "renyi2023"


def test_did_you_mean() -> None:
    assert did_you_mean("auditng", ["auditing", "interpretability"]) == "did you mean `auditing`?"
    assert did_you_mean("zzz", ["auditing"]) == ""


def test_one_of_suggests_the_closest_or_lists_all() -> None:
    from toi_atlas.model.normalise import one_of

    assert one_of("critique", ["advocates", "critiques"], "stances") == "did you mean `critiques`?"
    assert one_of("zzz", ["advocates", "critiques"], "stances") == "stances: advocates, critiques"
