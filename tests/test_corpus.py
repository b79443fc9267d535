"""The corpus in bib/ is a product too: it must pass the checker with nothing to report."""

from __future__ import annotations

from conftest import ROOT
from toi_atlas.diagnostics import format_text
from toi_atlas.pipeline import Paths, load_and_check
from toi_atlas.render.markdown import md_escape


def test_real_corpus_is_clean_and_balanced() -> None:
    result = load_and_check(Paths(ROOT), balance=True)
    assert [format_text(d) for d in result.diagnostics] == []
    assert result.corpus is not None
    assert len(result.corpus.works) == result.entries_read


def test_every_work_has_a_short_summary_and_a_date() -> None:
    corpus = load_and_check(Paths(ROOT)).corpus
    assert corpus is not None
    for work in corpus.works.values():
        assert 40 <= len(work.summary) <= 800, work.key
        assert work.added is not None, work.key


def test_every_theory_of_impact_and_end_story_opens_with_its_thesis(real_generated) -> None:
    corpus = load_and_check(Paths(ROOT))
    assert corpus.corpus is not None
    tax = corpus.corpus.taxonomy
    theses = {c.thesis: c for c in corpus.claims if c.thesis}
    topics = [*tax.tois.values(), *tax.endstories.values()]
    assert set(theses) == {t.id for t in topics}
    for term in topics:
        page = (real_generated / term.kind / f"{term.id}.md").read_text(encoding="utf-8")
        first_section = page[page.index("\n## ") :].split("\n", 2)[1]
        thesis = theses[term.id]
        assert first_section == f"## {md_escape(thesis.gist)} {{ #{thesis.anchor} }}"
