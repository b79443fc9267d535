"""A small static SVG of one topic's debate: who argues for, who critiques, who replies.

Generated here rather than drawn by Mermaid: Material loads Mermaid from a CDN at
page load, and a static SVG needs no script, builds identically under Zensical and
prints. Two columns: the works argued for on the left, the critiques on the right with
each reply right under the critique it answers. Lines are the typed edges; they run in
a wide gap between the columns (or loop outside a column between works of one column),
never across a box, and each box spreads its line ends along its side.

The page carries two drawings of the same debate, switched by a CSS media query: a wide
one for desktops and a narrow one that is legible at 375 px without scrolling sideways.
Hovering or focusing a work brings its own lines forward (CSS only, no script).

Links use `xlink:href`: Zensical rewrites a relative `href` in raw HTML as if it were
relative to the Markdown file, MkDocs leaves it alone, and no one relative URL is right
for both; both leave `xlink:href` alone, and browsers follow it like `href`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from ..model.corpus import Work
from ..model.debate import Debate
from ..wording import counted
from .labels import distinct_labels, wrap

MAX_PER_COLUMN = 25  # works argued for; likewise critiques, and replies
# edge type -> (CSS class suffix, legend text); styles differ in dash pattern, not only colour
EDGE_STYLE = {
    "rebuts": ("rebuts", "rebuts"),
    "supports": ("supports", "supports"),
    "extends": ("extends", "extends"),
    "repliesto": ("repliesto", "replies to"),
}
LEFT, RIGHT = 0, 1
PORT = 6.0  # least room per line end along a box side, so arrowheads do not pile up
ORDER_SWEEPS = 4


@dataclass(frozen=True)
class Geometry:
    """One drawing's measures, in px of the drawing (1 px on screen at full width)."""

    name: str
    width: float
    margin: float  # outside the columns, where lines between works of one column loop
    box_w: float
    indent: float  # a reply sits this far in, under the critique it answers
    font: float
    line_h: float
    pad: float  # inside a box, around its text
    vgap: float  # between boxes of a column
    max_lines: int
    legend_per_row: int

    @property
    def col_x(self) -> tuple[float, float]:
        return (self.margin, self.width - self.margin - self.box_w)

    @property
    def gap(self) -> float:
        return self.width - 2 * self.margin - 2 * self.box_w


# Wide: Material's content column is about 690 px from 720 px viewports up.
WIDE = Geometry("wide", 690, 44, 206, 18, 13, 16, 7, 10, 2, 4)
NARROW = Geometry("narrow", 343, 16, 120, 10, 12, 14.5, 6, 8, 3, 2)
GEOMETRIES = (WIDE, NARROW)


@dataclass(frozen=True)
class Node:
    work: Work
    n: int  # the work's number in CSS class names, the same in both drawings
    col: int
    reply: bool


@dataclass
class Box:
    x: float
    y: float
    w: float
    h: float
    lines: list[str]


@dataclass(frozen=True)
class Link:
    source: str
    target: str
    type: str


def _columns(debate: Debate) -> tuple[list[Work], list[list[tuple[Work, bool]]]]:
    """Works argued for, and groups of a critique followed by its replies. Evidence is
    left to the page's Evidence list, or the diagram drowns in sources that all point
    at one essay."""
    left: list[Work] = []
    groups: list[list[tuple[Work, bool]]] = []
    seen: set[str] = set()

    def fresh(work: Work) -> bool:
        if work.key in seen:
            return False
        seen.add(work.key)
        return True

    for w in [*debate.case_for, *(t for c in debate.critiques for t in c.targets)]:
        if len(left) < MAX_PER_COLUMN and fresh(w):
            left.append(w)
    replies = 0
    for crit in debate.critiques[:MAX_PER_COLUMN]:
        if not fresh(crit.work):
            continue
        group = [(crit.work, False)]
        for reply, _ in crit.replies:
            if replies < MAX_PER_COLUMN and fresh(reply):
                group.append((reply, True))
                replies += 1
        groups.append(group)
    return left, groups


def _barycentre(keys: list[str], other: dict[str, float], links: dict[str, list[str]]) -> float:
    near = [other[k2] for k in keys for k2 in links[k] if k2 in other]
    return sum(near) / len(near) if near else -1.0


def _order(
    left: list[Work], groups: list[list[tuple[Work, bool]]], edges: list[Link]
) -> tuple[list[Work], list[list[tuple[Work, bool]]]]:
    """Fewer crossings: a few barycentre sweeps (Sugiyama's heuristic). Each side is
    sorted by the mean position of its neighbours on the other side; a work with none
    keeps its place. Groups move as one, so replies stay under their critique."""
    links: dict[str, list[str]] = defaultdict(list)
    for e in edges:
        links[e.source].append(e.target)
        links[e.target].append(e.source)

    def positions(keys: list[list[str]]) -> dict[str, float]:
        flat = [k for ks in keys for k in ks]
        return {k: i / max(1, len(flat) - 1) for i, k in enumerate(flat)}

    def sort(items: list, keys: list[list[str]], other: dict[str, float]) -> list:
        here = positions(keys)
        scored = []
        for i, (item, ks) in enumerate(zip(items, keys, strict=True)):
            b = _barycentre(ks, other, links)
            scored.append((b if b >= 0 else here[ks[0]], i, item))
        return [item for _, _, item in sorted(scored, key=lambda t: (t[0], t[1]))]

    for _ in range(ORDER_SWEEPS):
        right_pos = positions([[w.key for w, _ in g] for g in groups])
        left = sort(left, [[w.key] for w in left], right_pos)
        left_pos = positions([[w.key] for w in left])
        groups = sort(groups, [[w.key for w, _ in g] for g in groups], left_pos)
    return left, groups


def _side(node: Node, other: Node) -> int:
    """Which side of `node` a line to `other` leaves from: towards the other column, or
    outwards when both are in one column (the loop stays clear of the gap's lines)."""
    if node.col != other.col:
        return RIGHT if node.col == LEFT else LEFT
    return node.col


def _layout(
    geo: Geometry, nodes: list[Node], edges: list[Link], labels: dict[str, str], top: float
) -> dict[str, Box]:
    by_key = {n.work.key: n for n in nodes}
    ends: dict[tuple[str, int], int] = defaultdict(int)
    for e in edges:
        s, t = by_key[e.source], by_key[e.target]
        ends[(e.source, _side(s, t))] += 1
        ends[(e.target, _side(t, s))] += 1
    boxes: dict[str, Box] = {}
    heights = [0.0, 0.0]
    for node in nodes:
        w = geo.box_w - (geo.indent if node.reply else 0)
        lines = wrap(labels[node.work.key], w - 2 * geo.pad, geo.font, geo.max_lines)
        busiest = max(ends[(node.work.key, LEFT)], ends[(node.work.key, RIGHT)])
        h = max(len(lines) * geo.line_h + 2 * geo.pad - 2, busiest * PORT + 4)
        x = geo.col_x[node.col] + (geo.indent if node.reply else 0)
        boxes[node.work.key] = Box(x, heights[node.col], w, h, lines)
        heights[node.col] += h + geo.vgap
    # The shorter column is centred on the taller one: lines run flatter.
    tallest = max(heights)
    for key, box in boxes.items():
        box.y += top + (tallest - heights[by_key[key].col]) / 2
    return boxes


def _ports(
    nodes: list[Node], edges: list[Link], boxes: dict[str, Box]
) -> dict[tuple[int, str], float]:
    """Where each line ends on its box side: spread out, ordered by the height of the
    other end, so lines leaving one box do not cross each other there."""
    by_key = {n.work.key: n for n in nodes}
    sides: dict[tuple[str, int], list[tuple[float, int, str]]] = defaultdict(list)
    for i, e in enumerate(edges):
        s, t = by_key[e.source], by_key[e.target]
        sb, tb = boxes[e.source], boxes[e.target]
        sides[(e.source, _side(s, t))].append((tb.y + tb.h / 2, i, "s"))
        sides[(e.target, _side(t, s))].append((sb.y + sb.h / 2, i, "t"))
    out: dict[tuple[int, str], float] = {}
    for (key, _), ends in sides.items():
        box = boxes[key]
        for j, (_, i, end) in enumerate(sorted(ends)):
            out[(i, end)] = box.y + box.h * (j + 1) / (len(ends) + 1)
    return out


def _path(geo: Geometry, s: Node, t: Node, sb: Box, tb: Box, y1: float, y2: float) -> str:
    if s.col != t.col:  # across the gap: both control points in it, so no box is crossed
        x1 = sb.x + sb.w if s.col == LEFT else sb.x
        x2 = tb.x + tb.w if t.col == LEFT else tb.x
        mid = (x1 + x2) / 2
        return f"M{x1:.1f},{y1:.1f} C{mid:.1f},{y1:.1f} {mid:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
    # one column: a loop in the outer margin
    out = -1 if s.col == LEFT else 1
    x1 = sb.x if s.col == LEFT else sb.x + sb.w
    x2 = tb.x if t.col == LEFT else tb.x + tb.w
    edge = geo.col_x[s.col] if s.col == LEFT else geo.col_x[s.col] + geo.box_w
    bulge = min(geo.margin - 3, 8 + abs(y2 - y1) * 0.12)
    cx = edge + out * bulge * 4 / 3  # a cubic reaches 3/4 of its control points' offset
    return f"M{x1:.1f},{y1:.1f} C{cx:.1f},{y1:.1f} {cx:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"


def _node_title(work: Work, label: str, stance: str) -> str:
    parts = [label, work.title or work.key]
    return " — ".join(p for p in parts if p) + (f" ({stance})" if stance != "none" else "")


def _headers(geo: Geometry, left: int, crits: int, replies: int) -> list[list[str]]:
    right = f"Critiques ({crits}) and replies ({replies})" if replies else f"Critiques ({crits})"
    return [wrap(text, geo.box_w, geo.font, 2, bold=True) for text in (f"For ({left})", right)]


def _svg(
    geo: Geometry,
    debate: Debate,
    title: str,
    works_href: str,
    nodes: list[Node],
    edges: list[Link],
    labels: dict[str, str],
    style: str,
) -> str:
    n_left = sum(1 for n in nodes if n.col == LEFT)
    n_replies = sum(1 for n in nodes if n.reply)
    headers = _headers(geo, n_left, len(nodes) - n_left - n_replies, n_replies)
    top = max(len(h) for h in headers) * geo.line_h + 12
    boxes = _layout(geo, nodes, edges, labels, top)
    ports = _ports(nodes, edges, boxes)
    by_key = {n.work.key: n for n in nodes}
    bottom = max(b.y + b.h for b in boxes.values())
    legend_rows = -(-len(EDGE_STYLE) // geo.legend_per_row)
    height = bottom + 24 + legend_rows * 20
    ids = f"toi-dg-{geo.name}"
    parts = [
        f'<svg class="toi-diagram" data-layout="{geo.name}" width="{geo.width:g}" '
        f'height="{height:.0f}" viewBox="0 0 {geo.width:g} {height:.0f}" '
        f'font-size="{geo.font:g}" role="group" aria-labelledby="{ids}-t {ids}-d" '
        'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">',
        f'<title id="{ids}-t">The debate on {escape(title)}</title>',
        f'<desc id="{ids}-d">{counted(n_left, "work")} for, '
        f"{counted(len(nodes) - n_left - n_replies, 'critique')}, "
        f"{counted(n_replies, 'reply', 'replies')} and {counted(len(edges), 'typed link')} "
        "between them; "
        "the same works are listed in the sections of this page.</desc>",
        style,
        "<defs>",
        *(
            f'<marker id="{ids}-a-{cls}" viewBox="0 0 10 10" refX="10" refY="5" '
            'markerWidth="6" markerHeight="6" orient="auto-start-reverse">'
            f'<path d="M0,0 L10,5 L0,10 z" class="toi-dg-head toi-dg-{cls}"/></marker>'
            for cls, _ in EDGE_STYLE.values()
        ),
        "</defs>",
    ]
    for col, lines in enumerate(headers):
        x = geo.col_x[col] + geo.box_w / 2
        spans = "".join(
            f'<tspan x="{x:g}" dy="{0 if i == 0 else geo.line_h:g}">{escape(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        parts.append(f'<text class="toi-dg-col" y="{geo.line_h:g}">{spans}</text>')
    for i, e in enumerate(edges):
        s, t = by_key[e.source], by_key[e.target]
        d = _path(geo, s, t, boxes[e.source], boxes[e.target], ports[(i, "s")], ports[(i, "t")])
        cls, verb = EDGE_STYLE[e.type]
        parts.append(
            f'<path class="toi-dg-edge toi-dg-{cls} toi-dg-e{s.n} toi-dg-e{t.n}" d="{d}" '
            f'marker-end="url(#{ids}-a-{cls})"><title>{escape(labels[e.source])} {verb} '
            f"{escape(labels[e.target])}</title></path>"
        )
    for node in nodes:
        box, w = boxes[node.work.key], node.work
        stance = w.stance_on(debate.topic) or "none"
        text_y = box.y + box.h / 2 - (len(box.lines) - 1) * geo.line_h / 2 + geo.font * 0.35
        spans = "".join(
            f'<tspan x="{box.x + geo.pad:g}" dy="{0 if i == 0 else geo.line_h:g}">'
            f"{escape(line)}</tspan>"
            for i, line in enumerate(box.lines)
        )
        parts.append(
            f'<a class="toi-dg-n toi-dg-n{node.n}" '
            f'xlink:href="{escape(works_href + w.slug, quote=True)}/">'
            f"<title>{escape(_node_title(w, labels[w.key], stance))}</title>"
            f'<rect class="toi-dg-node toi-dg-{escape(stance, quote=True)}" x="{box.x:g}" '
            f'y="{box.y:.1f}" rx="5" width="{box.w:g}" height="{box.h:.1f}"/>'
            f'<text class="toi-dg-label" y="{text_y:.1f}">{spans}</text></a>'
        )
    step = (geo.width - 2 * geo.margin) / geo.legend_per_row
    for i, (cls, verb) in enumerate(EDGE_STYLE.values()):
        lx = geo.margin + (i % geo.legend_per_row) * step
        ly = bottom + 24 + (i // geo.legend_per_row) * 20
        parts.append(
            f'<path class="toi-dg-key toi-dg-{cls}" d="M{lx:g},{ly:.1f} L{lx + 34:g},{ly:.1f}" '
            f'marker-end="url(#{ids}-a-{cls})"/>'
            f'<text class="toi-dg-legend" x="{lx + 42:g}" y="{ly + 4:.1f}">{verb}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _highlight_style(nodes: Sequence[Node]) -> str:
    """Hovering or focusing a work (a link) brings its own lines forward; the others
    fade (the fading rule is in graph.css). One rule per work, by number."""
    rules = "".join(
        f".toi-diagram:has(.toi-dg-n{n.n}:hover,.toi-dg-n{n.n}:focus-visible) "
        f".toi-dg-e{n.n}{{opacity:1;stroke-width:2.6}}"
        for n in nodes
    )
    return f"<style>{rules}</style>"


def render_svg(debate: Debate, title: str, works_href: str) -> str:
    """Both drawings, or "" when the topic has no edges to draw. `works_href` ends in '/'."""
    left, groups = _columns(debate)
    placed = {w.key for w in left} | {w.key for g in groups for w, _ in g}
    edges = list(
        dict.fromkeys(
            Link(e.source, e.target, e.type)
            for e in debate.edges
            if e.source in placed
            and e.target in placed
            and e.type in EDGE_STYLE
            and e.source != e.target
        )
    )
    if not edges:
        return ""
    left, groups = _order(left, groups, edges)
    works = [*left, *(w for g in groups for w, _ in g)]
    number = {w.key: i for i, w in enumerate(sorted(works, key=lambda w: w.key))}
    nodes = [Node(w, number[w.key], LEFT, False) for w in left]
    nodes += [Node(w, number[w.key], RIGHT, reply) for g in groups for w, reply in g]
    labels = distinct_labels(works)
    style = _highlight_style(nodes)
    return "".join(
        _svg(geo, debate, title, works_href, nodes, edges, labels, style if i == 0 else "")
        for i, geo in enumerate(GEOMETRIES)
    )
