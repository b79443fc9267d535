"""The vocabulary says which stances and edge types play which part in a debate."""

from __future__ import annotations

from pathlib import Path

from conftest import FIXTURES, TAXONOMY, entry, make_project
from toi_atlas.model.debate import build_debate
from toi_atlas.pipeline import Paths, load_and_check
from toi_atlas.read.taxonomy import load_taxonomy


def test_the_real_vocabulary_names_every_part() -> None:
    tax, diags = load_taxonomy(TAXONOMY)
    assert diags == []
    assert (tax.stance_with_role("for"), tax.stance_with_role("against")) == (
        "advocates",
        "critiques",
    )
    assert tax.edges_with_role("objection", "reply") == ("rebuts", "repliesto")


def _taxonomy(tmp_path: Path, old: str, new: str) -> Path:
    text = (FIXTURES / "argument" / "taxonomy.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "taxonomy.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_an_unknown_role_is_reported_at_its_line(tmp_path: Path) -> None:
    path = _taxonomy(tmp_path, "role: for,", "role: pro,")
    _tax, diags = load_taxonomy(path)
    assert [(d.code, d.span.line) for d in diags] == [("TOI001", 5)]


def test_two_stances_cannot_both_be_the_case_for(tmp_path: Path) -> None:
    path = _taxonomy(tmp_path, "role: against,", "role: for,")
    _tax, diags = load_taxonomy(path)
    assert [(d.code, d.span.line) for d in diags] == [("TOI001", 6)]


def test_the_debate_follows_the_roles_not_the_ids(tmp_path: Path) -> None:
    """Renaming the stances and the rebuttal edge in the vocabulary (and the corpus)
    gives the same debate: no id is wired into the code."""
    text = TAXONOMY.read_text(encoding="utf-8")
    renamed = text.replace("id: advocates", "id: pro").replace("id: critiques", "id: con")
    renamed = renamed.replace("  - id: rebuts\n", "  - id: refutes\n")
    bib = entry("a2020", stance="pro") + entry("b2021", stance="con", refutes="a2020@auditing")
    bib += entry("c2022", stance="pro", repliesto="b2021@auditing")
    root = make_project(tmp_path, {"w.bib": bib}, taxonomy=renamed)
    corpus = load_and_check(Paths(root)).corpus
    assert corpus is not None
    debate = build_debate("auditing", corpus)
    assert [w.key for w in debate.case_for] == ["a2020", "c2022"]
    [critique] = debate.critiques
    assert critique.work.key == "b2021" and [t.key for t in critique.targets] == ["a2020"]
    assert [(w.key, kind) for w, kind in critique.replies] == [("c2022", "repliesto")]
