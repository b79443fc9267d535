"""The argument as Markdown: each claim under the claim it answers, gist first.

Shared by the debate pages and the claims page. A claim is one flat block (a `div`
that Markdown fills, so MkDocs and Zensical check its links): a heading whose text
is the gist (the table of contents lists gists only) and whose id is the claim's
anchor, one line with its place in the argument, its status in words and the works
that make it, then the full sentence and the evidence folded in a `details`. Depth
is a class, not nesting, so deep trees never nest HTML. Everything from bib/ goes
through `md_escape`.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..model.claimtree import ClaimTree, Relation, Status, Step
from ..model.corpus import Work
from ..read.claims import Claim
from ..read.taxonomy import Term
from .context import Context
from .markdown import md_escape, rel, stance_label, topic_link, work_url

CLAIMS_PAGE = "claims.md"
MAX_DEPTH_CLASS = 5  # deeper claims keep the indent of depth 5, so phones keep their width

STATUS_TEXT = {
    Status.UNANSWERED: ("Unanswered", "no objection to it in the corpus yet"),
    Status.CONTESTED: ("Contested", "an objection to it has no reply yet"),
    Status.ANSWERED: ("Answered", "every objection to it has a reply"),
}
SIGNS = {"objects_to": "−", "supports": "+"}
ROLE_WORDS = {"objects_to": "Objection to", "supports": "Supports"}
EVIDENCE = {"supported_by": "Evidence for it", "disputed_by": "Evidence against it"}


def status_badge(status: Status) -> str:
    label, meaning = STATUS_TEXT[status]
    return (
        f'<span class="toi-status toi-status--{status.value}" '
        f'title="{label}: {meaning}">{label}</span>'
    )


def legend() -> str:
    """One paragraph that says what the signs and status words mean."""
    parts = [f"{status_badge(s)} {meaning}" for s, (_, meaning) in STATUS_TEXT.items()]
    return (
        "Each claim sits under the claim it answers: **−** an objection, **+** a supporting "
        "argument. " + "; ".join(parts) + "."
    )


def walks(tree: ClaimTree, roots: Iterable[str], seen: set[str]) -> list[Step]:
    """Every step of the walks from `roots`, sharing `seen` so each claim is shown once."""
    return [step for root in roots for step in tree.walk(root, seen)]


def render_steps(
    steps: list[Step], ctx: Context, page: str, *, level: int, topic: str | None, shown: set[str]
) -> list[str]:
    """Markdown for the steps; `level` is the heading level of depth 0 and `shown` holds
    the ids that have their full block on this page (links to others go to the claims page)."""
    lines: list[str] = []
    for step in steps:
        if step.repeat:
            lines += _repeat(step, ctx.tree, page, shown)
        else:
            lines += _block(step, ctx, page, level, topic, shown)
    return lines


def claim_href(claim: Claim, page: str, shown: set[str]) -> str:
    if claim.id in shown:
        return f"#{claim.anchor}"
    return f"{rel(page, CLAIMS_PAGE)}#{claim.anchor}"


def _open(step: Step, status: Status, extra: str = "") -> str:
    depth = min(step.depth, MAX_DEPTH_CLASS)
    kind = f" toi-claim--{step.relation.kind.replace('_', '-')}" if step.relation else ""
    return (
        f'<div class="toi-claim toi-depth-{depth}{kind}{extra}" '
        f'data-claim="{step.claim.id}" data-status="{status.value}" markdown>'
    )


def _block(
    step: Step, ctx: Context, page: str, level: int, topic: str | None, shown: set[str]
) -> list[str]:
    claim, tree = step.claim, ctx.tree
    status = tree.status(claim.id)
    hashes = "#" * min(6, level + step.depth)
    meta = [*_roles(claim, tree, page, shown), status_badge(status)]
    makers = _works(claim.made_by, ctx, page, topic or _first_topic(claim))
    if makers:
        meta.append("made by " + ", ".join(makers))
    return [
        _open(step, status),
        "",
        f"{hashes} {md_escape(claim.label)} {{ #{claim.anchor} }}",
        "",
        " · ".join(meta),
        "{: .toi-claim-meta }",
        "",
        *_details(claim, ctx, page, topic),
        "</div>",
        "",
    ]


def _repeat(step: Step, tree: ClaimTree, page: str, shown: set[str]) -> list[str]:
    claim, relation = step.claim, step.relation
    status = tree.status(claim.id)
    link = f"[{md_escape(claim.label)}]({claim_href(claim, page, shown)})"
    if relation is None:  # a root already shown, e.g. a thesis that supports another
        text = f"{link}, shown in full on its own"
    else:
        verb = "objects to" if relation.kind == "objects_to" else "supports"
        sign = f'<span class="toi-sign" aria-hidden="true">{SIGNS[relation.kind]}</span>'
        text = f"{sign} {link} also {verb} this claim"
    return [
        _open(step, status, " toi-claim--repeat"),
        "",
        f"{text} · {status_badge(status)}",
        "{: .toi-claim-meta }",
        "",
        "</div>",
        "",
    ]


def _roles(claim: Claim, tree: ClaimTree, page: str, shown: set[str]) -> list[str]:
    """Where the claim sits: thesis, and what it objects to or supports."""
    roles = []
    if tree.is_thesis(claim.id):
        roles.append("**Thesis**")
    by_kind: dict[str, list[Relation]] = {}
    for relation in tree.parents(claim.id):
        by_kind.setdefault(relation.kind, []).append(relation)
    for kind, relations in by_kind.items():
        targets = [tree.claims[r.target] for r in relations]
        links = ", ".join(f"[{md_escape(t.label)}]({claim_href(t, page, shown)})" for t in targets)
        sign = f'<span class="toi-sign" aria-hidden="true">{SIGNS[kind]}</span>'
        roles.append(f"{sign} {ROLE_WORDS[kind]} {links}")
    return roles


def _first_topic(claim: Claim) -> str | None:
    return claim.topics[0] if claim.topics else None


def _stance(work: Work, topic: str | None) -> str | None:
    return (work.stance_on(topic) if topic else None) or work.default_stance


def _works(keys: tuple[str, ...], ctx: Context, page: str, topic: str | None) -> list[str]:
    """Works as `Surname Year` links, each with its stance on the topic in words."""
    out = []
    tax = ctx.corpus.taxonomy
    for key in keys:
        work = ctx.corpus.works.get(key)
        if work is None:
            continue
        name = md_escape(work.credit or work.title or work.key)
        link = f"[{name}]({work_url(work, page)})"
        badge = stance_label(tax, _stance(work, topic))
        out.append(f"{link} {badge}".strip())
    return out


def _details(claim: Claim, ctx: Context, page: str, topic: str | None) -> list[str]:
    tax = ctx.corpus.taxonomy
    body = [md_escape(claim.text), ""]
    for role, label in EVIDENCE.items():
        works = _works(claim.role_keys(role), ctx, page, topic or _first_topic(claim))
        if works:
            body += [f"{label} (our reading of these works): " + ", ".join(works), ""]
    terms = [t for t in map(tax.topic, claim.topics) if t is not None]
    if terms:
        body += ["On " + ", ".join(topic_link(t, page) for t in terms) + ".", ""]
    evidence = claim.supported_by or claim.disputed_by
    summary = "The full claim and the evidence" if evidence else "The full claim"
    return [
        '<details class="toi-claim-more" markdown>',
        f"<summary>{summary}</summary>",
        "",
        *body,
        "</details>",
        "",
    ]


def _topics(ctx: Context) -> list[Term]:
    tax = ctx.corpus.taxonomy
    return [t for section in ("tois", "endstories", "agendas") for t in tax.ordered(section)]


def topic_sections(ctx: Context) -> list[tuple[Term | None, list[Step], list[Claim]]]:
    """The whole argument by topic, each claim once: (topic, steps of its section, its
    claims shown under another topic); the claims page and the Argdown export use it.

    Every thesis's tree first, so a claim sits under the thesis it answers; only then
    each topic's other claims, under the first topic they name."""
    tree = ctx.tree
    seen: set[str] = set()
    terms = _topics(ctx)
    trees: dict[str, list[Step]] = {}
    for term in terms:
        thesis = tree.thesis(term.id) if term.kind != "agenda" else None
        trees[term.id] = walks(tree, [thesis.id] if thesis else [], seen)
    out: list[tuple[Term | None, list[Step], list[Claim]]] = []
    for term in terms:
        rest = [c for c in tree.on_topic(term.id) if c.id not in seen]
        steps = trees[term.id] + walks(tree, [c.id for c in tree.roots(rest)], seen)
        here = {s.claim.id for s in steps}
        elsewhere = [c for c in tree.on_topic(term.id) if c.id not in here]
        if steps or elsewhere:
            out.append((term, steps, elsewhere))
    # Nothing lost: a claim on no known topic (the checker refuses those) still gets a home.
    left = [c for c in tree.claims.values() if c.id not in seen]
    if left:
        out.append((None, walks(tree, [c.id for c in tree.roots(left)], seen), []))
    return out
