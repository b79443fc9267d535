"""Golden files: representative generated output of a small fixture corpus, byte for byte.

The corpus is tests/fixtures/golden/ (its own taxonomy, works with edges both ways,
claims, a reading list). Each file below is built from it and compared with its copy
in tests/golden/. After an intended change of the output, refresh them with
`make golden` (`pytest tests/test_golden.py --update-golden`) and review the diff.
Work pages have no golden file here yet: their production is being reworked.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES
from toi_atlas.pipeline import Paths, build

GOLDEN = Path(__file__).resolve().parent / "golden"
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


def test_every_golden_file_is_compared() -> None:
    """A golden file nobody compares any more would only mislead."""
    stored = {p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file()}
    assert stored == set(FILES)
