"""The claims page: the argument topic by topic, each claim once, with its anchor.

Each topic is a section: its thesis and the claims under it, then the topic's other
claims; a claim shown under another topic is pointed to, not repeated, so
`#claim-<id>` stays unique and keeps working. A small script (loaded by this page
only) filters by status; without it the page shows everything.
"""

from __future__ import annotations

from collections import Counter

from ..model.claimtree import Status
from ..wording import counted
from .argument import CLAIMS_PAGE, STATUS_TEXT, claim_href, legend, render_steps, topic_sections
from .context import Context
from .markdown import md_escape, topic_link

PAGE = CLAIMS_PAGE
SCRIPT = "../javascripts/claims.js"  # from docs/atlas/claims.md


def _intro(ctx: Context) -> list[str]:
    counts = Counter(ctx.tree.status(c) for c in ctx.tree.claims)
    parts = [f"{counts[s]} {STATUS_TEXT[s][0].lower()}" for s in Status]
    n = len(ctx.tree.claims)
    return [
        f"The debate at the level of single statements: {counted(n, 'claim')} in our own words, "
        "topic by topic. Each topic opens with its thesis, what its advocates say it "
        "achieves; every other claim sits under the claim it answers, with the works "
        "that **make** it and, in our reading, the works that give **evidence** for or "
        f"against it. Of the {counted(n, 'claim')}, " + ", ".join(parts) + "."
        # The filter script's URL comes from this link, which MkDocs and Zensical both
        # resolve for the page's folder (Zensical rewrites a raw `src`, MkDocs does not).
        f"[The filter's script]({SCRIPT}){{ #toi-claims-script hidden }}",
        "",
        legend(),
        "{: .toi-argument-legend }",
        "",
        # Filled by the script; hidden (and so absent for readers) without it.
        '<div id="toi-claims-filter" class="toi-claims-filter" hidden></div>',
        "",
        "<script>(function () { var a = document.getElementById('toi-claims-script'); "
        "if (!a) return; var s = document.createElement('script'); s.src = a.href; "
        "document.body.appendChild(s); })();</script>",
        "",
    ]


def render(ctx: Context) -> dict[str, str]:
    lines = [
        "---",
        "title: Claims",
        "description: The claims of the interpretability debate, topic by topic, with the "
        "works that make, support or dispute each.",
        "---",
        "",
        "# Claims",
        "",
        *_intro(ctx),
    ]
    sections = topic_sections(ctx)
    shown = {s.claim.id for _, steps, _ in sections for s in steps if not s.repeat}
    for term, steps, elsewhere in sections:
        if term is None:
            lines += ["## Claims on no known topic", ""]
        else:
            lines += [
                f"## {md_escape(term.name)}",
                "",
                f"The debate page: {topic_link(term, PAGE)}.",
            ]
            lines += ["{: .toi-claims-topic }", ""]
        lines += render_steps(
            steps, ctx, PAGE, level=3, topic=term.id if term else None, shown=shown
        )
        if elsewhere:
            links = [f"[{md_escape(c.label)}]({claim_href(c, PAGE, shown)})" for c in elsewhere]
            lines += ["Also on this topic, under another: " + ", ".join(links) + ".", ""]
    return {PAGE: "\n".join(lines) + "\n"}
