"""Claims, each on its own: its works, its topics, who makes it, its gist (TOI702-704,
TOI712-714). The argument as a whole is checked in treecheck.py."""

from __future__ import annotations

from ..diagnostics import Diagnostic, Span
from ..model.corpus import Corpus
from ..read.claims import GIST_WORDS, ROLES, Claim, gist_key


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
