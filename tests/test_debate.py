"""Debate sections computed from small fixture corpora."""

from __future__ import annotations

from pathlib import Path

from conftest import entry, make_project
from toi_atlas.model.debate import build_debate
from toi_atlas.pipeline import Paths, build, load_and_check

CORPUS = (
    entry("adv2020", tois="auditing:advocates, microscope-ai:advocates")
    + entry("crit2021", tois="auditing:critiques", rebuts="adv2020@auditing")
    + entry("reply2022", tois="auditing:advocates", rebuts="crit2021@auditing")
    + entry("lonely2022", tois="auditing:critiques")
    + entry("evid2019", tois="auditing:evidence", supports="crit2021@auditing")
    # about another topic: must not leak into auditing's debate
    + entry(
        "other2023", tois="microscope-ai:critiques, auditing:mixed", rebuts="adv2020@microscope-ai"
    )
    + entry("answer2024", tois="microscope-ai:advocates", repliesto="lonely2022@microscope-ai")
)


def _corpus(tmp_path: Path):
    result = load_and_check(Paths(make_project(tmp_path, {"d.bib": CORPUS})))
    assert [d.code for d in result.diagnostics] == []
    assert result.corpus is not None
    return result.corpus


def test_sections_for_a_topic(tmp_path: Path) -> None:
    debate = build_debate("auditing", _corpus(tmp_path))
    assert [w.key for w in debate.case_for] == ["adv2020", "reply2022"]  # same year: by key
    crits = {c.work.key: c for c in debate.critiques}
    assert set(crits) == {"crit2021", "lonely2022"}
    assert [t.key for t in crits["crit2021"].targets] == ["adv2020"]
    assert [(w.key, t) for w, t in crits["crit2021"].replies] == [("reply2022", "rebuts")]
    # the reply to lonely2022 is scoped to microscope-ai, so here it stays unanswered
    assert [c.work.key for c in debate.unanswered] == ["lonely2022"]
    assert [(s.key, d.key) for s, d in debate.evidence["against"]] == [("evid2019", "crit2021")]
    assert debate.evidence["for"] == []
    assert [(w.key, s) for w, s in debate.others] == [("other2023", "mixed")]
    assert all(e.scope in ("auditing", None) for e in debate.edges)


def test_edge_scoped_elsewhere_does_not_leak(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    micro = build_debate("microscope-ai", corpus)
    assert {c.work.key for c in micro.critiques} == {"other2023"}
    assert [t.key for t in micro.critiques[0].targets] == ["adv2020"]
    assert "crit2021" not in {c.work.key for c in micro.critiques}


def test_topic_page_shows_the_sections(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"d.bib": CORPUS})
    assert build(Paths(root)).stats is not None
    page = (root / "docs" / "atlas" / "toi" / "auditing.md").read_text()
    order = ["## The case for (2)", "## Critiques (2)", "## Still unanswered (1)", "## Evidence"]
    assert [page.index(h) for h in order] == sorted(page.index(h) for h in order)
    # The reply is nested under the critique it answers (the list is raw HTML).
    crit = page.split('<li><a href="../../works/crit2021/">')[1].split("\n<li><a ")[0]
    assert '<ul>\n<li>↳ rebutted by <a href="../../works/reply2022/">' in crit
    unanswered = page.split("## Still unanswered (1)")[1].split("## Evidence")[0]
    assert "lonely2022" in unanswered and "crit2021" not in unanswered
    assert '<svg class="toi-diagram"' in page
    assert 'href="../../works/crit2021/"' in page  # diagram nodes link to work pages


def test_long_sections_are_capped_with_a_link_to_the_rest(tmp_path: Path) -> None:
    from toi_atlas.render.topics import LIST_LIMIT

    many = "".join(entry(f"w{i:04d}", tois="auditing:advocates") for i in range(LIST_LIMIT + 7))
    root = make_project(tmp_path, {"many.bib": many})
    assert build(Paths(root)).stats is not None
    page = (root / "docs" / "atlas" / "toi" / "auditing.md").read_text()
    case_for = page.split(f"## The case for ({LIST_LIMIT + 7})")[1].split("## Critiques")[0]
    assert case_for.count("\n<li>") == LIST_LIMIT
    assert f"… and 7 more: [see all {LIST_LIMIT + 7} in the browse view]" in case_for
    assert "(../browse.md?toi=auditing&stance=advocates)" in case_for
