"""The claims page (one anchor per claim) and the claim lines shown on other pages."""

from __future__ import annotations

from ..claims import ROLE_LABELS, ROLES, Claim
from ..model import Corpus
from .context import Context
from .markdown import md_escape, rel, topic_link, work_link

PAGE = "claims.md"


def _roles(claim: Claim, corpus: Corpus, page: str) -> str:
    bits = []
    for role in ROLES:
        works = [corpus.works[k] for k in claim.role_keys(role) if k in corpus.works]
        if works:
            bits.append(f"{ROLE_LABELS[role]} " + ", ".join(work_link(w, page) for w in works))
    return "; ".join(bits)


def claim_line(claim: Claim, corpus: Corpus, page: str) -> str:
    """A list item: the claim linked to its anchor, then who makes, supports, disputes it."""
    link = f"{rel(page, PAGE)}#{claim.anchor}"
    roles = _roles(claim, corpus, page)
    return f"- [{md_escape(claim.text)}]({link})" + (f"  \n  {roles}" if roles else "")


def render(ctx: Context) -> dict[str, str]:
    corpus, tax = ctx.corpus, ctx.corpus.taxonomy
    lines = [
        "---",
        "title: Claims",
        "description: The claims of the interpretability debate, with the works that make, "
        "support or dispute each.",
        "---",
        "",
        "# Claims",
        "",
        f"The debate at the level of single statements: {len(ctx.claims)} claims, each in one "
        "sentence of our own, with the works that **make** it, that give **evidence** for "
        "it and that **dispute** it. Every claim has its own link (the ¶ beside it).",
        "",
    ]
    for claim in ctx.claims:
        topics = [t for t in (tax.topic(x) for x in claim.topics) if t is not None]
        lines += [f"### {md_escape(claim.text)} {{ #{claim.anchor} }}", ""]
        if topics:
            lines += ["On " + ", ".join(topic_link(t, PAGE) for t in topics) + ".", ""]
        for role in ROLES:
            works = [corpus.works[k] for k in claim.role_keys(role) if k in corpus.works]
            if works:
                label = ROLE_LABELS[role].capitalize()
                lines += [f"{label}: " + ", ".join(work_link(w, PAGE) for w in works) + ".", ""]
    return {PAGE: "\n".join(lines) + "\n"}
