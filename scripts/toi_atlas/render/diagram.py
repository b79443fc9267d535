"""A small static SVG of one topic's debate: who argues for, who critiques, who replies.

Generated here rather than drawn by Mermaid: Material loads Mermaid from a CDN at
page load, and a static SVG needs no script, builds identically under Zensical and
prints. Columns are the sides of the debate; lines are the typed edges.
"""

from __future__ import annotations

from html import escape

from ..debate import Debate
from ..model import Work

COL_X = (10, 250, 490)
COLUMNS = ("For", "Critiques", "Replies")
NODE_W, NODE_H, ROW = 220, 26, 34
TOP = 40
MAX_PER_COLUMN = 25
# edge type -> (CSS class suffix, legend text); styles differ in dash pattern, not only colour
EDGE_STYLE = {
    "rebuts": ("rebuts", "rebuts"),
    "supports": ("supports", "supports"),
    "extends": ("extends", "extends"),
    "repliesto": ("repliesto", "replies to"),
}


def _columns(debate: Debate) -> list[list[Work]]:
    """The works that argue: evidence is left to the page's Evidence list, or the
    critiques column drowns in sources that all point at one essay."""
    cols: list[list[Work]] = [[], [], []]
    seen: set[str] = set()

    def put(col: int, work: Work) -> None:
        if work.key not in seen and len(cols[col]) < MAX_PER_COLUMN:
            seen.add(work.key)
            cols[col].append(work)

    for w in debate.case_for:
        put(0, w)
    for crit in debate.critiques:  # what the critiques rebut belongs on the "for" side
        for target in crit.targets:
            put(0, target)
    for crit in debate.critiques:
        put(1, crit.work)
    for crit in debate.critiques:
        for reply, _ in crit.replies:
            put(2, reply)
    return cols


def render_svg(debate: Debate, title: str, works_href: str) -> str:
    """The diagram, or "" when the topic has no edges to draw. `works_href` ends in '/'."""
    cols = _columns(debate)
    pos = {w.key: (ci, ri) for ci, col in enumerate(cols) for ri, w in enumerate(col)}
    edges = [
        e for e in debate.edges if e.source in pos and e.target in pos and e.type in EDGE_STYLE
    ]
    if not edges:
        return ""
    rows = max(len(c) for c in cols)
    height = TOP + rows * ROW + 50
    parts = [
        f'<svg class="toi-diagram" viewBox="0 0 720 {height}" role="group" '
        f'aria-labelledby="toi-dg-t toi-dg-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="toi-dg-t">The debate on {escape(title)}</title>',
        f'<desc id="toi-dg-d">{len(cols[0])} works for, {len(cols[1])} critiques, '
        f"{len(cols[2])} replies and {len(edges)} typed links between them; "
        "the same works are listed in the sections of this page.</desc>",
        '<defs><marker id="toi-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'class="toi-dg-head"/></marker></defs>',
    ]
    for ci, name in enumerate(COLUMNS):
        parts.append(f'<text class="toi-dg-col" x="{COL_X[ci] + NODE_W / 2}" y="22">{name}</text>')
    for e in edges:
        (sc, sr), (tc, tr) = pos[e.source], pos[e.target]
        y1, y2 = TOP + sr * ROW + NODE_H / 2, TOP + tr * ROW + NODE_H / 2
        if sc == tc:  # same column: loop out to the right edge of the boxes
            x1 = x2 = COL_X[sc] + NODE_W
            mid = x1 + 14
            path = f"M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}"
        else:
            x1 = COL_X[sc] + (NODE_W if sc < tc else 0)
            x2 = COL_X[tc] + (0 if sc < tc else NODE_W)
            path = f"M{x1},{y1} C{(x1 + x2) / 2},{y1} {(x1 + x2) / 2},{y2} {x2},{y2}"
        cls, label = EDGE_STYLE[e.type]
        parts.append(
            f'<path class="toi-dg-edge toi-dg-{cls}" d="{path}" marker-end="url(#toi-arrow)">'
            f"<title>{escape(e.source)} {label} {escape(e.target)}</title></path>"
        )
    for ci, col in enumerate(cols):
        for ri, w in enumerate(col):
            x, y = COL_X[ci], TOP + ri * ROW
            stance = escape(w.stance_on(debate.topic) or "none", quote=True)
            label = w.credit or w.key
            parts.append(
                f'<a href="{escape(works_href + w.slug, quote=True)}/">'
                f"<title>{escape(w.title or w.key)}</title>"
                f'<rect class="toi-dg-node toi-dg-{stance}" x="{x}" y="{y}" rx="5" '
                f'width="{NODE_W}" height="{NODE_H}"/>'
                f'<text class="toi-dg-label" x="{x + 8}" y="{y + 17}">'
                f"{escape(label[:34])}</text></a>"
            )
    ly = TOP + rows * ROW + 22
    for i, (cls, label) in enumerate(EDGE_STYLE.values()):
        lx = 10 + i * 175
        parts.append(
            f'<path class="toi-dg-edge toi-dg-{cls}" d="M{lx},{ly} L{lx + 40},{ly}"/>'
            f'<text class="toi-dg-legend" x="{lx + 48}" y="{ly + 4}">{label}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
