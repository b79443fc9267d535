"""Claims: the debate at the level of single statements, from bib/claims.yaml.

Each claim is one sentence in our own words, with the topics it bears on and the
works that make it, give evidence for it, or dispute it. Claims appear on the claims
page (one anchor each), on their topics' debate pages and on the pages of the works
involved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostic, Span
from .model import Corpus
from .yamlnodes import get, strings, text, top_level_list

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ROLES = ("made_by", "supported_by", "disputed_by")
ROLE_LABELS = {"made_by": "made by", "supported_by": "supported by", "disputed_by": "disputed by"}


@dataclass(frozen=True)
class Claim:
    id: str
    text: str
    topics: tuple[str, ...]
    made_by: tuple[str, ...]
    supported_by: tuple[str, ...]
    disputed_by: tuple[str, ...]
    line: int

    def role_keys(self, role: str) -> tuple[str, ...]:
        value: tuple[str, ...] = getattr(self, role)
        return value

    @property
    def anchor(self) -> str:
        return f"claim-{self.id}"


def load_claims(path: Path, display: str) -> tuple[list[Claim], list[Diagnostic]]:
    if not path.is_file():
        return [], []
    diags: list[Diagnostic] = []

    def bad(line: int, message: str, code: str = "TOI701", hint: str = "") -> None:
        diags.append(Diagnostic(code, Span(display, line), message, hint or _SHAPE))

    nodes, problem = top_level_list(path, "claims", "claims")
    if problem:
        bad(*problem)
        return [], diags
    claims: list[Claim] = []
    seen: set[str] = set()
    for node in nodes:
        line = node.start_mark.line + 1
        ident, statement = text(get(node, "id")), text(get(node, "text"))
        if not ID_RE.match(ident) or not statement:
            bad(line, "a claim needs an `id` (lower-case words and dashes) and a `text`")
            continue
        if ident in seen:
            bad(line, f"claim `{ident}` is declared twice", "TOI705", "ids must be unique")
            continue
        seen.add(ident)
        lists = {name: strings(get(node, name)) for name in ("topics", *ROLES)}
        claims.append(Claim(ident, statement, line=line, **lists))
    return claims, diags


def check_claims(claims: list[Claim], corpus: Corpus, display: str) -> list[Diagnostic]:
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
    return out


_SHAPE = "each claim: id, text, topics [...], made_by [...], supported_by [...], disputed_by [...]"
