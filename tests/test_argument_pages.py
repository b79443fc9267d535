"""The argument on the pages, from the small corpus in fixtures/argument/.

Debate pages open with the thesis and nest each answer under the claim it answers;
the claims page groups claims by topic with one anchor each. The Markdown is also
run through Python-Markdown with the site's extensions, so the table of contents and
the escaping are checked on real HTML.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import markdown
import pytest

from conftest import FIXTURES, make_argument_project, work_html
from toi_atlas.pipeline import Paths, build

ARGUMENT = FIXTURES / "argument"
HEADING = re.compile(r"^(#{1,6}) (.+?)(?: \{ #(claim-[a-z0-9-]+) \})?$", re.M)
BLOCK = re.compile(r'<div class="toi-claim ([^"]*)" data-claim="([^"]+)" data-status="(\w+)"')


@pytest.fixture(scope="module")
def atlas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_argument_project(tmp_path_factory.mktemp("argument"))
    result = build(Paths(root))
    assert result.diagnostics == [] and result.stats is not None
    return root / "docs" / "atlas"


def headings(page: str) -> list[tuple[int, str, str | None]]:
    return [(len(h), text, anchor or None) for h, text, anchor in HEADING.findall(page)]


def statuses(page: str) -> dict[str, str]:
    return {cid: st for cls, cid, st in BLOCK.findall(page) if "toi-claim--repeat" not in cls}


def to_html(page: str) -> tuple[str, list[dict]]:
    body = page.split("---", 2)[2]  # front matter off
    md = markdown.Markdown(extensions=["toc", "attr_list", "md_in_html", "tables"])
    html = md.convert(body)
    return html, md.toc_tokens  # type: ignore[attr-defined]


def flat(tokens: list[dict]) -> list[dict]:
    return [t for tok in tokens for t in (tok, *flat(tok["children"]))]


def test_debate_page_opens_with_the_thesis_and_nests_each_answer(atlas: Path) -> None:
    page = (atlas / "toi" / "auditing.md").read_text(encoding="utf-8")
    heads = headings(page)
    # the first section of the page is the thesis, by its gist
    assert heads[1] == (2, "Audits can find what a model hides", "claim-auditing-thesis")
    tree = [(level, anchor) for level, _, anchor in heads if anchor]
    assert tree == [
        (2, "claim-auditing-thesis"),
        (3, "claim-audits-found-backdoors"),  # supports come first
        (4, "claim-probe-results"),
        (3, "claim-hidden-goal-dormant"),
        (4, "claim-probes-catch-dormant"),  # the reply, under the objection it answers
        (3, "claim-audits-cost"),
        (3, "claim-dual-use"),  # on this topic, but answers the microscope-ai thesis
        (4, "claim-safety-needs-it-first"),
    ]
    titles = [text for _, text, _ in heads]
    assert titles.index("Other claims on this topic (2)") < titles.index("The case for (2)")
    assert page.index("claim-audits-cost") < page.index("## The case for")  # works below
    # a claim with two parents is shown once, then pointed to
    assert page.count("{ #claim-probe-results }") == 1
    assert page.count('data-claim="probe-results"') == 2
    assert "(#claim-probe-results) also supports this claim" in page
    # the objection says what it answers; a claim answering another page's thesis links there
    assert "Objection to [Audits can find what a model hides](#claim-auditing-thesis)" in page
    assert "[We can learn from a model without deploying it](../claims.md#claim-microscope-" in page


def test_status_is_a_word_beside_each_claim(atlas: Path) -> None:
    page = (atlas / "toi" / "auditing.md").read_text(encoding="utf-8")
    assert statuses(page) == {
        "auditing-thesis": "contested",  # audits-cost has no reply
        "audits-found-backdoors": "unanswered",
        "probe-results": "unanswered",
        "hidden-goal-dormant": "contested",  # its reply stands unanswered
        "probes-catch-dormant": "unanswered",
        "audits-cost": "unanswered",
        "dual-use": "contested",
        "safety-needs-it-first": "unanswered",
    }
    body, _ = to_html(page)
    thesis = body.split('id="claim-auditing-thesis"')[1].split("</div>")[0]
    assert re.search(
        r'<span class="toi-status toi-status--contested"[^>]*>Contested</span>', thesis
    )
    micro = (atlas / "toi" / "microscope-ai.md").read_text(encoding="utf-8")
    assert statuses(micro)["microscope-thesis"] == "answered"  # its one objection has a reply


def test_works_behind_a_claim_and_its_full_text_on_demand(atlas: Path) -> None:
    body, _ = to_html((atlas / "toi" / "auditing.md").read_text(encoding="utf-8"))
    block = body.split('id="claim-hidden-goal-dormant"')[1].split("</div>")[0]
    meta, details = block.split("<details", 1)
    assert 'made by <a href="../../works/crit2021/">Roe 2021</a>' in meta
    assert "toi-stance--critiques" in meta  # the maker's stance on this topic
    assert "need not represent a goal" not in meta  # the full sentence is folded away
    assert "A model need not represent a goal it is not pursuing" in details
    assert "Evidence against it (our reading" in details
    assert '<a href="../../works/reply2022/">Doe 2022</a>' in details


def test_table_of_contents_lists_gists_never_full_sentences(atlas: Path) -> None:
    claims = {c["id"]: c for c in _claims_yaml()}
    texts = [c["text"] for c in claims.values()]
    for page in ("toi/auditing.md", "toi/microscope-ai.md", "claims.md"):
        _, toc = to_html((atlas / page).read_text(encoding="utf-8"))
        entries = {t["id"]: html.unescape(t["name"]) for t in flat(toc)}
        gists = {k.removeprefix("claim-"): v for k, v in entries.items() if k[:6] == "claim-"}
        assert gists and all(name == claims[cid]["gist"] for cid, name in gists.items()), page
        assert not any(text in name for text in texts for name in entries.values())


def test_untrusted_claim_text_stays_text(atlas: Path) -> None:
    page, _ = to_html((atlas / "toi" / "auditing.md").read_text(encoding="utf-8"))
    assert "<script>" not in page and "<badly>" not in page and "<em>" not in page
    assert "onclick=" not in page and not re.search(r'href="\s*javascript:', page)
    heading = re.search(r'<h3 id="claim-audits-cost">(.*?)</h3>', page)
    assert heading and html.unescape(heading.group(1)) == "Audits cost *too* much & scale <badly>"
    assert "&#60;script&#62;alert&#40;1&#41;&#60;/script&#62;" in page  # shown, not run


def test_agenda_page_groups_its_claims_without_a_thesis(atlas: Path) -> None:
    page = (atlas / "agenda" / "cognitive-emulation.md").read_text(encoding="utf-8")
    tree = [(level, anchor) for level, _, anchor in headings(page) if anchor]
    assert tree == [(3, "claim-emulation-is-safer"), (4, "claim-emulation-too-slow")]
    assert "## Claims on this topic (2)" in page
    assert "**Thesis**" not in page


def test_claims_page_groups_by_topic_with_one_anchor_per_claim(atlas: Path) -> None:
    page = (atlas / "claims.md").read_text(encoding="utf-8")
    ids = [m["id"] for m in _claims_yaml()]
    for cid in ids:
        assert page.count(f"{{ #claim-{cid} }}") == 1, cid
    heads = headings(page)
    sections = [text for level, text, _ in heads if level == 2]
    assert sections == ["Auditing", "Microscope AI", "Enumerative safety", "Cognitive emulation"]
    # a thesis opens its topic's section, and its answers follow under it
    order = [(level, anchor) for level, _, anchor in heads if level == 2 or anchor]
    micro = order.index((2, None), order.index((4, "claim-audits-cost")))
    assert order[micro + 1 : micro + 4] == [
        (3, "claim-microscope-thesis"),
        (4, "claim-dual-use"),  # under the thesis it answers, not under auditing
        (5, "claim-safety-needs-it-first"),
    ]
    assert "Also on this topic, under another: [What we learn helps capabilities too]" in page
    assert "[The filter's script](../javascripts/claims.js){ #toi-claims-script hidden }" in page
    assert "s.src = a.href" in page  # loaded from that link, only here
    assert '<div id="toi-claims-filter" class="toi-claims-filter" hidden></div>' in page
    assert "12 claims" in page and "4 contested" in page


def test_claims_script_is_loaded_by_the_claims_page_only(atlas: Path) -> None:
    others = [p for p in atlas.rglob("*.md") if p.name != "claims.md"]
    assert others and not any("claims.js" in p.read_text(encoding="utf-8") for p in others)
    config = (Path(__file__).parents[1] / "mkdocs.yml").read_text(encoding="utf-8")
    assert "claims.js" not in config and "stylesheets/debate.css" in config


def test_work_page_lists_its_claims_by_gist_with_status(atlas: Path) -> None:
    page = work_html(atlas.parents[1], "reply2022")
    link = '<a href="../../claims/#claim-probes-catch-dormant">'
    makes, disputes = page.index(">Makes (5)<"), page.index(">Disputes (1)<")
    assert makes < page.index(f"<li>{link}Simple probes flag dormant goals anyway</a>") < disputes
    assert disputes < page.index(">A hidden goal need not show while dormant</a>")
    assert "toi-status--unanswered" in page
    assert "Linear probes trained" not in page  # the gist, not the sentence


def _claims_yaml() -> list[dict]:
    import yaml

    data = yaml.safe_load((ARGUMENT / "claims.yaml").read_text(encoding="utf-8"))
    return [{**c, "text": " ".join(c["text"].split())} for c in data["claims"]]
