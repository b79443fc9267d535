"""Golden files: representative generated output of a small fixture corpus, byte for byte.

The corpus is tests/fixtures/golden/ (its own taxonomy, works with edges both ways,
claims, a reading list). Each file below is built from it and compared with its copy
in tests/golden/. After an intended change of the output, refresh them with
`make golden` (`pytest tests/test_golden.py --update-golden`) and review the diff.

Work pages are built with every group folded (FOLD_AT and OPEN_TOTAL lowered), so the
few works of the corpus show each part of a page: edges both ways, folded groups,
claims, "cite as" and the BibTeX block. Their HTML was made by Python-Markdown from
Markdown until the generator wrote it directly; tests/fixtures/markdown-reference/
keeps what Python-Markdown made of them (with mkdocs.yml's extensions), and the pages
must stay DOM-equivalent to it. An intended change of the work page changes that
reference too: make it by hand, and review it as carefully as the golden file.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import markdown
import pytest

from conftest import FIXTURES, work_fragment
from htmldom import dom
from toi_atlas.pipeline import Paths, build
from toi_atlas.read.site import load_site
from toi_atlas.render import pages
from toi_atlas.render.workhtml import extensions, split_front_matter

GOLDEN = Path(__file__).resolve().parent / "golden"
REFERENCE = FIXTURES / "markdown-reference"
WORK_PAGES = ("works/crit2021.html",)  # under tests/golden: a work page's body
# Paths under docs/atlas/: one of each kind of generated page and data file.
FILES = (
    "toi/auditing.md",  # a debate page: the argument, the case for, critiques, replies
    "endstory/enumerative-safety.md",  # an end story's topic page
    "toi/index.md",  # a topic index with counts by stance
    "claims.md",  # the claims page
    "reading/first-steps.md.txt",  # a reading list
    "data/works.json",
    "data/browse.json",
    "data/debate.argdown",  # the Argdown export
    "data/graph-view.json",  # the graph export the graph page draws
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("golden") / "project"
    shutil.copytree(FIXTURES / "golden", root)
    result = build(Paths(root))
    assert [d.code for d in result.diagnostics] == []
    assert result.stats is not None
    return root / "docs" / "atlas"


@pytest.mark.parametrize("name", FILES)
def test_generated_file_matches_its_golden_copy(
    name: str, generated: Path, request: pytest.FixtureRequest
) -> None:
    built = (generated / name).read_bytes()
    golden = GOLDEN / name
    if request.config.getoption("--update-golden"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(built)
    assert golden.is_file(), f"no golden copy of {name}: run `make golden`"
    assert built == golden.read_bytes(), f"{name} differs from tests/golden/{name}"


@pytest.fixture(scope="module")
def folded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture corpus built with every group of more than one line folded."""
    root = tmp_path_factory.mktemp("folded") / "project"
    shutil.copytree(FIXTURES / "golden", root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pages, "FOLD_AT", 1)
        patch.setattr(pages, "OPEN_TOTAL", 1)
        result = build(Paths(root))
    assert [d.code for d in result.diagnostics] == []
    return root


@pytest.mark.parametrize("name", WORK_PAGES)
def test_work_page_matches_its_golden_copy(
    name: str, folded: Path, request: pytest.FixtureRequest
) -> None:
    body = work_fragment(folded, Path(name).stem)["body"]
    assert body.count('<details class="toi-group">') >= 2  # folded edges and claims
    golden = GOLDEN / name
    if request.config.getoption("--update-golden"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(body, encoding="utf-8")
    assert golden.is_file(), f"no golden copy of {name}: run `make golden`"
    assert body == golden.read_text(encoding="utf-8"), f"{name} differs from tests/golden/{name}"


@pytest.mark.parametrize("slug", sorted(p.stem for p in REFERENCE.glob("*.json")))
def test_work_page_is_the_html_python_markdown_made(slug: str, folded: Path) -> None:
    made = work_fragment(folded, slug)
    reference = json.loads((REFERENCE / f"{slug}.json").read_text(encoding="utf-8"))
    assert dom(made["body"]) == dom(reference["body"])
    assert {k: v for k, v in made.items() if k != "body"} == {
        k: v for k, v in reference.items() if k != "body"
    }


# Listing pages whose lists of works the generator writes as raw HTML for MkDocs to
# pass through (render.htmllists): REFERENCE/pages/ keeps what Python-Markdown made of
# them when they were Markdown lists, and the pages must stay DOM-equivalent to it.
LISTING_PAGES = ("toi/auditing.md", "endstory/enumerative-safety.md", "works/index.md")


@pytest.mark.parametrize("name", LISTING_PAGES)
def test_listing_page_is_the_html_python_markdown_made(name: str, generated: Path) -> None:
    site = load_site(Path(__file__).resolve().parents[1] / "mkdocs.yml")
    names, settings = extensions({"markdown_extensions": list(site.markdown_extensions)})
    _, body = split_front_matter((generated / name).read_text(encoding="utf-8"))
    made = markdown.Markdown(extensions=names, extension_configs=settings).convert(body)
    reference = REFERENCE / "pages" / name.replace(".md", ".html")
    assert "<ul>" in made
    assert dom(made) == dom(reference.read_text(encoding="utf-8"))


def test_every_golden_file_is_compared() -> None:
    """A golden file nobody compares any more would only mislead."""
    stored = {p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file()}
    assert stored == {*FILES, *WORK_PAGES}
