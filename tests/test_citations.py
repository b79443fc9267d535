"""'Cite as': the memoised, parallel path gives citeproc-py's own text, escaped."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON

from conftest import FIXTURES, make_project
from toi_atlas.model.csl import csl_item
from toi_atlas.pipeline import Paths, load_and_check
from toi_atlas.render import citations, cslmemo
from toi_atlas.render.citations import (
    OTHERS,
    STYLES,
    CitationCache,
    format_item,
    format_many,
    to_html,
)


@pytest.fixture(autouse=True)
def fresh_styles():
    """Parse the styles again after a test that parsed them the plain way (torn down
    after its monkeypatch is undone)."""
    yield
    citations.clear_memos()


@pytest.fixture(scope="module")
def items(fixture_corpus) -> list[dict[str, Any]]:
    """Every work of the fixture corpus (never bib/) as CSL-JSON."""
    return [csl_item(w) for w in fixture_corpus.works.values()]


def test_memoised_style_queries_change_nothing(items, monkeypatch: pytest.MonkeyPatch) -> None:
    memoised = [format_item(s, i) for i in items for s in STYLES.values()]
    for cls, name in citations.STYLE_QUERIES:
        method = cls.__dict__[name]
        monkeypatch.setattr(cls, name, method.unmemoised)
    monkeypatch.setattr(citations, "Item", CitationItem)  # looks its reference up each time
    monkeypatch.setattr(citations, "memo_style", lambda n: CitationStylesStyle(n, validate=False))
    citations.clear_memos()
    plain = [format_item(s, i) for i in items for s in STYLES.values()]
    assert memoised == plain
    assert any("Ravensworth, É. (2022" in to_html(text) for text in plain)  # conftest.HUB


def test_clear_memos_forgets_styles_and_answers(items) -> None:
    before = [format_item(s, i) for i in items[:3] for s in STYLES.values()]
    answers = [cls.__dict__[name].answers for cls, name in citations.STYLE_QUERIES]
    assert all(answers) and citations._style.cache_info().currsize > 0
    citations.clear_memos()
    assert not any(answers) and citations._style.cache_info().currsize == 0
    assert not cslmemo.MEMO
    assert citations._truncated_style.cache_info().currsize == 0
    assert [format_item(s, i) for i in items[:3] for s in STYLES.values()] == before


def test_many_items_are_formatted_on_all_cores_alike(items, monkeypatch) -> None:
    jobs = [(s, i) for i in items[:40] for s in STYLES.values()]
    serial = format_many(jobs)
    monkeypatch.setattr(citations, "PARALLEL_FROM", 2)
    monkeypatch.setattr(citations.os, "cpu_count", lambda: 2)
    assert format_many(jobs) == serial
    assert len(serial) == 80 and all(serial)


def test_hostile_title_is_escaped() -> None:
    item = {"id": "x", "type": "article", "title": '<img src=x onerror="alert(1)">'}
    item["author"] = [{"family": "O'Neil & Co", "given": "A."}]
    text = to_html(format_item("apa", item))
    assert "<img" not in text and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in text
    assert "O&#x27;Neil &amp; Co" in text
    assert "<i>&lt;img" in text  # APA italicises this title: only our own <i> is markup


def test_memo_formats_only_what_changed(tmp_path: Path, items, monkeypatch) -> None:
    path = tmp_path / "citations.json"
    memo = CitationCache(path)
    first = memo.cite_all(items[:3])
    assert [set(cite) for cite in first] == [set(STYLES)] * 3
    memo.save()
    again = CitationCache(path)
    calls: list[str] = []
    fake = (("x", False),)
    monkeypatch.setattr(citations, "format_item", lambda s, i: calls.append(s) or fake)
    changed = dict(items[0], title="A different title")
    cited = again.cite_all([changed, items[1]])
    assert cited[1] == first[1]  # from the file, not recomputed
    assert cited[0] == {label: "x" for label in STYLES}
    assert sorted(calls) == sorted(STYLES.values())  # the changed item, once per style
    again.save()
    saved = json.loads(path.read_text())
    assert len(saved["entries"]) == 2 * len(STYLES)  # only what the last build used is kept


def _starred(parts: tuple[tuple[str, bool], ...]) -> str:
    return "".join(f"*{text}*" if italic else text for text, italic in parts)


# The site's "Cite as" (citeproc-py) for one fixture entry per kind; *...* is italic.
# test_csl_client.py holds what citeproc-js makes of the same entries.
SITE_APA = {
    "olah2020zoom": "Olah, C., Cammarata, N., & Schubert, L. (2020). Zoom In: An Introduction "
    "to Circuits. *Distill*, *5*(3). https://doi.org/10.23915/distill.00024.001",
    "makelov2023subspace": "Makelov, A., Lange, G., & Nanda, N. (2023). Is This the Subspace "
    "You Are Looking for?. *International Conference on Learning Representations (ICLR 2024)*."
    " https://arxiv.org/abs/2311.17030",
    "cunningham2023sparse": "Cunningham, H., Ewart, A., et al. (2023). *Sparse Autoencoders "
    "Find Highly Interpretable Features in Language Models* (arXiv:2309.08600). arXiv. "
    "https://arxiv.org/abs/2309.08600",
    "nanda2022longlist": "Nanda, N. (2022, March). A Longlist of Theories of Impact for "
    "Interpretability. *LessWrong*. https://www.lesswrong.com/posts/uK6sQCNMw8WKzJeCQ/a-longlist",
    "christiano2021eliciting": "Christiano, P., Cotra, A., & Xu, M. (2021). *Eliciting Latent "
    "Knowledge: How to Tell if Your Eyes Deceive You* (ARC-2021-1). Alignment Research Center. "
    "https://example.org/elk",
    "russell2019human": "Russell, S. (2019). *Human Compatible: Artificial Intelligence and "
    "the Problem of Control*. Viking. https://example.org/human-compatible",
    "shlegeris2023current": "Shlegeris, B. (2023). *The Current Alignment Plan, and How We "
    "Might Improve It* [Talk]. EA Global: Bay Area 2023. "
    "https://www.youtube.com/watch?v=YTlrPeikoyw",
    "cais2023statement": "Center for AI Safety. (2023, May). *Statement on AI Risk*. Center "
    "for AI Safety. https://www.safe.ai/statement-on-ai-risk",
    "olah2023tweet": "Olah, C. (2023). *Interpretability is a bet on understanding* [Online "
    "post]. X. https://x.com/ch402/status/1",
}
SITE_HARVARD = {
    "cunningham2023sparse": "Cunningham, H., Ewart, A., *et al.* (2023) “Sparse Autoencoders "
    "Find Highly Interpretable Features in Language Models”. arXiv. Available at: "
    "https://arxiv.org/abs/2309.08600.",
    "nanda2022longlist": "Nanda, N. (2022) “A Longlist of Theories of Impact for "
    "Interpretability”, *LessWrong*, March. Available at: "
    "https://www.lesswrong.com/posts/uK6sQCNMw8WKzJeCQ/a-longlist.",
    "russell2019human": "Russell, S. (2019) *Human Compatible: Artificial Intelligence and the "
    "Problem of Control*. New York: Viking. Available at: https://example.org/human-compatible.",
}


@pytest.fixture(scope="module")
def kinds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    bib = (FIXTURES / "kinds" / "kinds.bib").read_text(encoding="utf-8")
    root = make_project(tmp_path_factory.mktemp("kinds"), {"kinds.bib": bib})
    corpus = load_and_check(Paths(root)).corpus
    assert corpus is not None
    return {key: csl_item(work) for key, work in corpus.works.items()}


def test_every_kind_cites_as_the_style_examples_on_the_site(kinds) -> None:
    apa = {key: _starred(format_item(STYLES["APA"], kinds[key])) for key in SITE_APA}
    assert apa == SITE_APA
    harvard = {key: _starred(format_item(STYLES["Harvard"], kinds[key])) for key in SITE_HARVARD}
    assert harvard == SITE_HARVARD


def test_truncated_list_gets_the_styles_own_et_al(kinds) -> None:
    # `and others` after two names: both styles stop there with their own "et al.",
    # never "& others" and never two names that look like the whole list.
    for style in STYLES.values():
        text = _starred(format_item(style, kinds["cunningham2023sparse"]))
        assert text.startswith("Cunningham, H., Ewart, A., ")
        assert "et al." in text and "others" not in text
    # A list with one name and `and others` keeps that one name.
    one = dict(kinds["nanda2022longlist"], author=[{"family": "Nanda", "given": "N."}, OTHERS])
    assert _starred(format_item(STYLES["APA"], one)).startswith("Nanda, N. et al. (2022")
    # The untruncated style is untouched for every other entry.
    assert "et al." not in _starred(format_item(STYLES["APA"], kinds["olah2020zoom"]))


def test_marked_text_is_citeproc_pys_plain_text(items, kinds) -> None:
    # Italics are marked in the text while citeproc-py formats; without the marks the
    # text must be exactly what its own plain formatter gives.
    for item in [*items[:40], *kinds.values()]:
        for style in STYLES.values():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                source = CiteProcJSON([citations._for_citeproc_py(item)])
                bib = CitationStylesBibliography(
                    citations._style_for(style, item), source, formatter.plain
                )
                bib.register(Citation([CitationItem(item["id"])]))
                plain = " ".join(str(bib.bibliography()[0]).split())
            assert "".join(text for text, _ in format_item(style, item)) == plain
