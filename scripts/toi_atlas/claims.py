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

from .diagnostics import Diagnostic, Span
from .model import Corpus
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


def check_claims(claims: list[Claim], corpus: Corpus, display: str) -> list[Diagnostic]:
    """Each claim on its own: its works, its topics, who makes it, its gist."""
    out: list[Diagnostic] = []
    tax = corpus.taxonomy
    for claim in claims:
        span = Span(display, claim.line)
        for role in ROLES:
            for key in claim.role_keys(role):
                if key not in corpus.works:
                    out.append(
                        Diagnostic(
                            "TOI702",
                            span,
                            f"claim `{claim.id}` lists `{key}` in `{role}`, which is not in bib/",
                            "fix the key or add the work first",
                        )
                    )
        for topic in claim.topics:
            if tax.topic(topic) is None:
                out.append(
                    Diagnostic(
                        "TOI703",
                        span,
                        f"claim `{claim.id}` names unknown topic `{topic}`",
                        "use a theory of impact, end story or agenda id from taxonomy.yaml",
                    )
                )
        if not claim.made_by:
            out.append(
                Diagnostic(
                    "TOI704",
                    span,
                    f"nobody makes claim `{claim.id}`",
                    "list the works that assert it in `made_by`",
                )
            )
    return out + check_gists(claims, display)


def gist_key(gist: str) -> str:
    """Two gists that differ only in case, spacing or a final full stop read the same."""
    return " ".join(gist.lower().rstrip(".").split())


def check_gists(claims: list[Claim], display: str) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    first: dict[str, str] = {}
    for claim in claims:
        span = Span(display, claim.line_of("gist"))
        if not claim.gist:
            out.append(
                Diagnostic(
                    "TOI712",
                    span,
                    f"claim `{claim.id}` has no `gist`",
                    f"add `gist:` with a label of at most {GIST_WORDS} words in our own words",
                )
            )
            continue
        words = len(claim.gist.split())
        if words > GIST_WORDS:
            out.append(
                Diagnostic(
                    "TOI713",
                    span,
                    f"the gist of claim `{claim.id}` has {words} words",
                    f"keep it to {GIST_WORDS} words at most: the full sentence goes in `text`",
                )
            )
        key = gist_key(claim.gist)
        if key in first:
            out.append(
                Diagnostic(
                    "TOI714",
                    span,
                    f"claim `{claim.id}` has the same gist as claim `{first[key]}`",
                    "gists label claims in tables of contents and maps: make them tell "
                    "the claims apart, or merge the two claims",
                )
            )
        else:
            first[key] = claim.id
    return out


_SHAPE = (
    "each claim: id, gist, text, topics [...], made_by [...], and optionally thesis, "
    "objects_to [...], supports [...], supported_by [...], disputed_by [...]"
)
