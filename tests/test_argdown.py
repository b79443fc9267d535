"""The Argdown export, read back with a small parser of the syntax it uses.

Statements `[Title]: text {data}`, one per line; children indented under their parent
with `<-` (attacks the parent) or `<+` (supports it); `[Title]` alone refers to a
statement defined elsewhere; `# Heading` groups; `//` comments; `===` front matter.
The full file was also read once with Argdown's own parser (see the Data page).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from conftest import make_argument_project
from toi_atlas.model.claimtree import build_tree
from toi_atlas.pipeline import Paths, build, load_and_check

LINE = re.compile(
    r"^(?P<indent> *)(?:(?P<sign><-|<\+) )?\[(?P<title>[^\]]+)\]"
    r"(?:: (?P<text>.*) (?P<data>\{[^{}]*\}))?$"
)
SIGNS = {"objects_to": "<-", "supports": "<+"}


@dataclass
class Parsed:
    headings: list[str] = field(default_factory=list)
    statements: dict[str, tuple[str, dict]] = field(default_factory=dict)  # title -> text, data
    relations: list[tuple[str, str, str]] = field(default_factory=list)  # child, sign, parent
    raw_texts: list[str] = field(default_factory=list)


def parse(source: str) -> Parsed:
    out = Parsed()
    lines = source.split("\n")
    assert lines[0] == "===" and "===" in lines[1:]
    body = lines[lines.index("===", 1) + 1 :]
    stack: list[tuple[int, str]] = []  # (indent, title) of the open parents
    for line in body:
        if not line or line.startswith("//"):
            stack = [] if not line else stack  # an empty line ends a tree
            continue
        if line.startswith("# "):
            out.headings.append(line[2:])
            continue
        m = LINE.match(line)
        assert m, f"not a statement line: {line!r}"
        indent, title = len(m["indent"]), m["title"]
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if m["sign"]:
            assert stack, f"relation without a parent: {line!r}"
            assert indent > stack[-1][0]
            out.relations.append((title, m["sign"], stack[-1][1]))
        else:
            assert indent == 0 and not stack, (
                f"statement without a relation inside a tree: {line!r}"
            )
        if m["text"] is not None:
            assert title not in out.statements, f"defined twice: {title}"
            text = re.sub(r"\\(.)", r"\1", m["text"])
            out.statements[title] = (text, yaml.safe_load(m["data"]))
            out.raw_texts.append(m["text"])
        stack.append((indent, title))
    return out


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_argument_project(tmp_path_factory.mktemp("argdown"))
    assert build(Paths(root)).stats is not None
    return root


def test_every_claim_is_one_statement_with_its_data(project: Path) -> None:
    parsed = parse((project / "docs/atlas/data/debate.argdown").read_text(encoding="utf-8"))
    result = load_and_check(Paths(project))
    tree = build_tree(result.claims)
    by_id = {data["id"]: (title, text, data) for title, (text, data) in parsed.statements.items()}
    assert set(by_id) == set(tree.claims)
    for cid, claim in tree.claims.items():
        title, text, data = by_id[cid]
        assert (title, text) == (claim.gist, claim.text)
        assert data["status"] == tree.status(cid).value
        assert data["made_by"] == list(claim.made_by)
        assert data.get("thesis") == claim.thesis
    assert by_id["hidden-goal-dormant"][2]["disputed_by"] == ["reply2022"]
    assert parsed.headings == [
        "Auditing",
        "Microscope AI",
        "Enumerative safety",
        "Cognitive emulation",
    ]


def test_nesting_and_signs_are_the_relations(project: Path) -> None:
    parsed = parse((project / "docs/atlas/data/debate.argdown").read_text(encoding="utf-8"))
    tree = build_tree(load_and_check(Paths(project)).claims)
    ids = {title: data["id"] for title, (_, data) in parsed.statements.items()}
    found = sorted((ids[c], sign, ids[p]) for c, sign, p in parsed.relations)
    assert found == sorted((r.source, SIGNS[r.kind], r.target) for r in tree.relations)
    # the reply sits under the objection it answers, which sits under the thesis
    assert (
        "Simple probes flag dormant goals anyway",
        "<-",
        "A hidden goal need not show while dormant",
    ) in parsed.relations
    assert (
        "A hidden goal need not show while dormant",
        "<-",
        "Audits can find what a model hides",
    ) in parsed.relations


def test_argdown_syntax_in_claims_is_escaped(project: Path) -> None:
    parsed = parse((project / "docs/atlas/data/debate.argdown").read_text(encoding="utf-8"))
    for raw in parsed.raw_texts:
        assert not re.search(r"(?<!\\)[\[\]<>{}@#*_/]", raw), raw
    [cost] = [t for t, (_, d) in parsed.statements.items() if d["id"] == "audits-cost"]
    assert cost == "Audits cost *too* much & scale <badly>"  # titles need no escaping
    text = parsed.statements[cost][0]
    assert "<script>alert(1)</script>" in text and "[x](javascript:alert(2))" in text
