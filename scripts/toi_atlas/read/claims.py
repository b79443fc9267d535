"""Claims: the debate at the level of single statements, from bib/claims.yaml.

Each claim is a short `gist` and a full `text` in our own words, with the topics it
bears on, the works that make it, give evidence for it or dispute it, and its place
in the argument: the `thesis` of a topic, or a claim that `objects_to` or `supports`
other claims. `claimtree.py` turns the claims into the argument's tree; this module
only reads the file and checks each claim on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..diagnostics import Diagnostic, Span
from .yamlnodes import get, identified_items, line_of, string_items, text

ROLES = ("made_by", "supported_by", "disputed_by")
ROLE_LABELS = {"made_by": "made by", "supported_by": "supported by", "disputed_by": "disputed by"}
RELATIONS = ("objects_to", "supports")
GIST_WORDS = 12


@dataclass(frozen=True)
class Claim:
    id: str
    text: str
    topics: tuple[str, ...]
    made_by: tuple[str, ...]
    supported_by: tuple[str, ...]
    disputed_by: tuple[str, ...]
    line: int
    gist: str = ""
    thesis: str | None = None  # the topic this claim is the thesis of
    objects_to: tuple[str, ...] = ()
    supports: tuple[str, ...] = ()
    # "gist", "thesis" and "objects_to:<id>" / "supports:<id>" -> line, for findings.
    lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def role_keys(self, role: str) -> tuple[str, ...]:
        value: tuple[str, ...] = getattr(self, role)
        return value

    def line_of(self, key: str) -> int:
        """The line of a key or list item, else the claim's own line."""
        return self.lines.get(key, self.line)

    @property
    def anchor(self) -> str:
        return f"claim-{self.id}"

    @property
    def label(self) -> str:
        """The gist; a claim without one (an error the checker reports) shows its id."""
        return self.gist or self.id


def load_claims(path: Path, display: str) -> tuple[list[Claim], list[Diagnostic]]:
    diags: list[Diagnostic] = []

    def bad(line: int, message: str, code: str = "TOI701", hint: str = _SHAPE) -> None:
        diags.append(Diagnostic(code, Span(display, line), message, hint))

    def repeated(line: int, message: str) -> None:
        bad(line, message, "TOI705", "ids must be unique")

    items = identified_items(path, "claims", "claim", "text", bad, repeated)
    claims = [_claim(node, ident, statement, line) for node, ident, statement, line in items]
    return claims, diags


def _claim(node: yaml.Node, ident: str, statement: str, line: int) -> Claim:
    lines: dict[str, int] = {}
    for key in ("gist", "thesis"):
        found = get(node, key)
        if found is not None:
            lines[key] = line_of(found)
    lists: dict[str, tuple[str, ...]] = {}
    for name in ("topics", *ROLES, *RELATIONS):
        items = string_items(get(node, name))
        lists[name] = tuple(dict.fromkeys(v for v, _ in items))
        for item, item_line in items:
            lines.setdefault(f"{name}:{item}", item_line)
    return Claim(
        ident,
        statement,
        line=line,
        gist=text(get(node, "gist")),
        thesis=text(get(node, "thesis")) or None,
        lines=lines,
        **lists,
    )


def gist_key(gist: str) -> str:
    """Two gists that differ only in case, spacing or a final full stop read the same."""
    return " ".join(gist.lower().rstrip(".").split())


_SHAPE = (
    "each claim: id, gist, text, topics [...], made_by [...], and optionally thesis, "
    "objects_to [...], supports [...], supported_by [...], disputed_by [...]"
)
