"""Checks of the argument as a whole: relations, theses, and whether answers come after.

One function per rule, each `(tree, corpus, display) -> findings`; the claims one by
one are checked in `claims.py`. Every finding points at the line of the offending
list item or key in bib/claims.yaml, or at the topic's line in bib/taxonomy.yaml.
"""

from __future__ import annotations

from collections.abc import Callable

from ..diagnostics import Diagnostic, Span
from ..model.claimtree import ClaimTree, Refusal, build_tree
from ..model.corpus import Corpus
from ..read.claims import Claim
from ..read.taxonomy import SECTION_WORD

THESIS_SECTIONS = ("tois", "endstories")  # agendas are alternatives, argued without a thesis

_REFUSALS = {
    Refusal.UNKNOWN: (
        "TOI706",
        "`{source}` {verb} `{target}`, which is not a claim",
        "use the id of a claim in this file",
    ),
    Refusal.SELF: (
        "TOI707",
        "`{source}` {verb} itself",
        "a claim cannot answer or back itself; remove the item",
    ),
    Refusal.CYCLE: (
        "TOI707",
        "`{source}` {verb} `{target}`, which already answers or backs `{source}` "
        "through other claims: the relations go round in a circle",
        "relations run from an answer to what it answers; remove one of the circle",
    ),
    Refusal.NO_SHARED_TOPIC: (
        "TOI708",
        "`{source}` {verb} `{target}`, but the two claims share no topic",
        "add the topic the two claims argue about to the `topics` of one of them, "
        "or relate the claim to one on its own topic",
    ),
}
_VERBS = {"objects_to": "objects to", "supports": "supports"}


def check_tree(claims: list[Claim], corpus: Corpus, display: str) -> list[Diagnostic]:
    if not claims:  # no claims file, or an empty one: there is no argument to check
        return []
    tree = build_tree(claims)
    checks: list[Callable[[ClaimTree, Corpus, str], list[Diagnostic]]] = [
        refused_relations,
        malformed_theses,
        missing_theses,
        unreached_theses,
        answers_before_claims,
    ]
    return [d for check in checks for d in check(tree, corpus, display)]


def refused_relations(tree: ClaimTree, corpus: Corpus, display: str) -> list[Diagnostic]:
    out = []
    for refused in tree.refused:
        rel = refused.relation
        code, message, hint = _REFUSALS[refused.reason]
        text = message.format(source=rel.source, target=rel.target, verb=_VERBS[rel.kind])
        out.append(Diagnostic(code, Span(display, rel.line), text, hint))
    return out


def malformed_theses(tree: ClaimTree, corpus: Corpus, display: str) -> list[Diagnostic]:
    tax = corpus.taxonomy
    out = []
    for claim in tree.claims.values():
        if not claim.thesis:
            continue
        span = Span(display, claim.line_of("thesis"))
        term = tax.topic(claim.thesis)
        problem = ""
        if term is None or term.section not in THESIS_SECTIONS:
            problem = f"`{claim.thesis}` is not a theory of impact or end story"
        elif claim.thesis not in claim.topics:
            problem = f"its `topics` do not include `{claim.thesis}`"
        elif claim.objects_to:
            span = Span(display, claim.line_of(f"objects_to:{claim.objects_to[0]}"))
            problem = "a thesis objects to nothing: it is the root of its topic's argument"
        if problem:
            out.append(
                Diagnostic(
                    "TOI711",
                    span,
                    f"claim `{claim.id}` is the thesis of `{claim.thesis}`, but {problem}",
                    "a thesis names a theory of impact or end story it is about, "
                    "and has no `objects_to`",
                )
            )
        first = tree.theses[claim.thesis]
        if first != claim.id:
            out.append(
                Diagnostic(
                    "TOI710",
                    span,
                    f"`{claim.thesis}` already has a thesis, claim `{first}`",
                    "one thesis per topic: make this claim support or object to it instead",
                )
            )
    return out


def missing_theses(tree: ClaimTree, corpus: Corpus, display: str) -> list[Diagnostic]:
    tax = corpus.taxonomy
    return [
        Diagnostic(
            "TOI709",
            Span(tax.path, term.line),
            f"{SECTION_WORD[section]} `{term.id}` has no thesis in {display}",
            f"add a claim with `thesis: {term.id}`: what its advocates say it achieves",
        )
        for section in THESIS_SECTIONS
        for term in tax.section(section).values()
        if term.id not in tree.theses
    ]


def unreached_theses(tree: ClaimTree, corpus: Corpus, display: str) -> list[Diagnostic]:
    tax = corpus.taxonomy
    out = []
    for claim in tree.claims.values():
        sections = {t.section for t in map(tax.topic, claim.topics) if t is not None}
        # A claim only about agendas has no thesis to reach.
        if not sections & set(THESIS_SECTIONS) or tree.theses_reached(claim.id):
            continue
        out.append(
            Diagnostic(
                "TOI715",
                Span(display, claim.line),
                f"claim `{claim.id}` does not lead to any thesis",
                "give it `objects_to` or `supports` a claim of its topic's argument, "
                "so readers find it under the thesis it bears on",
            )
        )
    return out


def answers_before_claims(tree: ClaimTree, corpus: Corpus, display: str) -> list[Diagnostic]:
    out = []
    for rel in tree.relations:
        if rel.kind != "objects_to":
            continue
        answer, answered = tree.claims[rel.source], tree.claims[rel.target]
        years = [y for y in (_year(k, corpus) for k in answered.made_by) if y is not None]
        if not years:
            continue
        first = min(years)
        early = [
            key
            for key in answer.made_by
            if key not in answered.made_by and (_year(key, corpus) or first) < first
        ]
        if early:
            out.append(
                Diagnostic(
                    "TOI716",
                    Span(display, rel.line),
                    f"`{rel.source}` objects to `{rel.target}`, first made in {first}, but "
                    + ", ".join(f"`{k}` ({_year(k, corpus)})" for k in early)
                    + " came out before it",
                    "a work cannot answer what did not exist yet: check the relation's "
                    "direction, or whether the earlier work belongs in `made_by`",
                )
            )
    return out


def _year(key: str, corpus: Corpus) -> int | None:
    work = corpus.works.get(key)
    return work.year if work else None
