"""The whole argument graph: the graph page, graph.json, GraphML and JSON-LD (CiTO).

Node positions are computed here (years left to right, stances in bands) so the page
needs no layout pass in the browser and stays usable with thousands of works.
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from dataclasses import dataclass
from html import escape
from typing import Any

from ..model.corpus import Corpus, Work, main_stance
from ..read.claims import ROLES
from ..read.site import Site
from ..wording import counted
from .context import Context
from .exports import dumps
from .labels import distinct_labels, short_label
from .markdown import xml_safe

PAGE = "graph.md"
# What the page draws (graph.json minus claims, plus labels and the hover card's text),
# and the summaries, fetched once the graph is drawn: a third of the bytes, not needed
# for the first picture.
VIEW, TEXT = "data/graph-view.json", "data/graph-text.json"
CITO = "http://purl.org/spar/cito/"
# Layout, in px at zoom 1: a year is one or more sub-columns of SUB_W, a stance band
# rows of ROW_H. Labels (at most LABEL_W at LABEL_SIZE px) are wider than a sub-column:
# the page shows those that do not overlap, and every one from zoom (LABEL_W + 20) /
# SUB_W, which graph.js's largest zoom (3.4) exceeds.
SUB_W, ROW_H, YEAR_GAP, BAND_PAD = 60.0, 20.0, 16.0, 16.0
LABEL_W, LABEL_SIZE = 170.0, 12.0
ASPECT = 1.35  # width / height the layout aims at: about the graph box on a desktop


def degrees(corpus: Corpus) -> Counter[str]:
    """Typed links per work, both ways: the most connected works get labels first."""
    deg: Counter[str] = Counter()
    for w in corpus.works.values():
        for e in w.edges:
            if e.target in corpus.works:
                deg[w.key] += 1
                deg[e.target] += 1
    return deg


@dataclass(frozen=True)
class Layout:
    pos: dict[str, tuple[float, float]]
    years: list[tuple[int, float, float]]  # year (0: undated), x from, x to
    bands: list[tuple[str, float, float]]  # stance, y from, y to
    width: float
    height: float


def _stance_of(work: Work, stances: list[str]) -> str:
    s = main_stance(work)
    return s if s in stances else "none"


def layout(corpus: Corpus) -> Layout:
    """Years as columns, main stances as bands. A (year, stance) cell is a small grid,
    most connected works first; busy years get more sub-columns. The row limit is chosen
    so the whole drawing is about ASPECT times as wide as it is high."""
    if not corpus.works:
        return Layout({}, [], [], 0.0, 0.0)
    known = [*corpus.taxonomy.stances, "none"]
    deg = degrees(corpus)
    cells: dict[tuple[int, str], list[Work]] = defaultdict(list)
    for w in sorted(corpus.works.values(), key=lambda w: (-deg[w.key], w.key)):
        cells[(w.year or 0, _stance_of(w, known))].append(w)
    years = sorted({y for y, _ in cells})
    stances = [s for s in known if any(st == s for _, st in cells)]

    def shape(rows: int) -> tuple[dict[int, int], dict[str, int], float, float]:
        cols = {y: max(1, -(-max(len(cells[(y, s)]) for s in stances) // rows)) for y in years}
        band_rows = {
            s: max(1, *(-(-len(cells[(y, s)]) // cols[y]) for y in years)) for s in stances
        }
        width = sum(cols.values()) * SUB_W + (len(years) - 1) * YEAR_GAP
        height = sum(r * ROW_H + BAND_PAD for r in band_rows.values())
        return cols, band_rows, width, height

    most = max((len(ws) for ws in cells.values()), default=1)
    cols, band_rows, width, height = min(
        (shape(r) for r in range(1, most + 1)),
        key=lambda sh: abs(math.log(sh[2] / sh[3] / ASPECT)),
    )
    x_of: dict[int, float] = {}
    year_spans: list[tuple[int, float, float]] = []
    x = 0.0
    for y in years:
        x_of[y] = x
        year_spans.append((y, x, x + cols[y] * SUB_W))
        x += cols[y] * SUB_W + YEAR_GAP
    pos: dict[str, tuple[float, float]] = {}
    band_spans: list[tuple[str, float, float]] = []
    top = 0.0
    for s in stances:
        band_spans.append((s, top, top + band_rows[s] * ROW_H + BAND_PAD))
        for y in years:
            for i, w in enumerate(cells[(y, s)]):
                row, col = divmod(i, cols[y])
                pos[w.key] = (
                    x_of[y] + col * SUB_W + 10,
                    top + BAND_PAD / 2 + (row + 0.5) * ROW_H,
                )
        top = band_spans[-1][2]
    return Layout(pos, year_spans, band_spans, width, height)


def positions(corpus: Corpus) -> dict[str, tuple[float, float]]:
    return layout(corpus).pos


def graph_data(ctx: Context, lay: Layout | None = None) -> dict[str, Any]:
    """`lay`: the corpus's layout, when the caller has made it already."""
    corpus = ctx.corpus
    pos = (lay or layout(corpus)).pos
    nodes = [
        {
            "id": w.key,
            "slug": w.slug,
            "label": w.credit or w.key,
            "title": w.title,
            "year": w.year,
            "stance": main_stance(w),
            "topics": sorted({t.topic for t in w.tags}),
            "x": pos[w.key][0],
            "y": pos[w.key][1],
        }
        for w in corpus.sorted_works()
    ]
    edges = [
        {"source": e.source, "target": e.target, "type": e.type, "scope": e.scope}
        for w in corpus.sorted_works()
        for e in w.edges
        if e.target in corpus.works
    ]
    claims = [
        {
            "id": c.id,
            "text": c.text,
            "topics": list(c.topics),
            "made_by": list(c.made_by),
            "supported_by": list(c.supported_by),
            "disputed_by": list(c.disputed_by),
        }
        for c in ctx.claims
    ]
    return {"version": 1, "nodes": nodes, "edges": edges, "claims": claims}


def graphml(data: dict[str, Any]) -> str:
    ns = "http://graphml.graphdrawing.org/xmlns"
    ET.register_namespace("", ns)
    root = ET.Element(f"{{{ns}}}graphml")
    keys = {
        "title": ("node", "string"),
        "year": ("node", "int"),
        "stance": ("node", "string"),
        "type": ("edge", "string"),
        "scope": ("edge", "string"),
        "kind": ("node", "string"),  # work or claim
        "gist": ("node", "string"),
        "status": ("node", "string"),
    }
    for name, (domain, kind) in keys.items():
        ET.SubElement(
            root, f"{{{ns}}}key", {"id": name, "for": domain, "attr.name": name, "attr.type": kind}
        )
    graph = ET.SubElement(root, f"{{{ns}}}graph", {"id": "toi-atlas", "edgedefault": "directed"})
    for node in data["nodes"]:
        el = ET.SubElement(graph, f"{{{ns}}}node", {"id": node["id"]})
        for name in ("title", "year", "stance"):
            if node[name] is not None:
                ET.SubElement(el, f"{{{ns}}}data", {"key": name}).text = xml_safe(str(node[name]))
        ET.SubElement(el, f"{{{ns}}}data", {"key": "kind"}).text = "work"
    for i, edge in enumerate(data["edges"]):
        el = ET.SubElement(
            graph,
            f"{{{ns}}}edge",
            {"id": f"e{i}", "source": edge["source"], "target": edge["target"]},
        )
        ET.SubElement(el, f"{{{ns}}}data", {"key": "type"}).text = edge["type"]
        if edge["scope"]:
            ET.SubElement(el, f"{{{ns}}}data", {"key": "scope"}).text = edge["scope"]
    _graphml_claims(graph, data.get("argument"), ns)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _graphml_claims(graph: ET.Element, argument: dict[str, Any] | None, ns: str) -> None:
    """Claims as nodes `claim:<id>`; their relations, and the works in each role, as edges."""
    if not argument:
        return
    for claim in argument["claims"]:
        el = ET.SubElement(graph, f"{{{ns}}}node", {"id": f"claim:{claim['id']}"})
        for name, value in (
            ("kind", "claim"),
            ("gist", claim["gist"]),
            ("status", claim["status"]),
        ):
            ET.SubElement(el, f"{{{ns}}}data", {"key": name}).text = xml_safe(value)
    edges = [
        (f"claim:{r['source']}", f"claim:{r['target']}", r["type"]) for r in argument["relations"]
    ]
    edges += [
        (f"claim:{claim['id']}", key, role)
        for claim in argument["claims"]
        for role in ROLES
        for key in claim[role]
    ]
    for i, (source, target, kind) in enumerate(edges):
        el = ET.SubElement(
            graph, f"{{{ns}}}edge", {"id": f"c{i}", "source": source, "target": target}
        )
        ET.SubElement(el, f"{{{ns}}}data", {"key": "type"}).text = kind


def argument_data(ctx: Context) -> dict[str, Any]:
    """The claims as an argument: theses, each claim with its status, and the relations."""
    tree = ctx.tree
    claims = [
        {
            "id": c.id,
            "gist": c.gist,
            "text": c.text,
            "page": f"claims/#{c.anchor}",
            "thesis": c.thesis if tree.thesis(c.thesis or "") == c else None,
            "status": tree.status(c.id).value,
            "topics": list(c.topics),
            **{role: [k for k in c.role_keys(role) if k in ctx.corpus.works] for role in ROLES},
        }
        for c in tree.claims.values()
    ]
    relations = [{"source": r.source, "target": r.target, "type": r.kind} for r in tree.relations]
    return {"argument": {"theses": dict(tree.theses), "claims": claims, "relations": relations}}


def jsonld_claims(ctx: Context, site: Site) -> list[dict[str, Any]]:
    """Claims as schema:Claim nodes: gist as name, the works that make it as appearances,
    our reading (evidence for or against), status and relations as toi: terms."""
    tree, corpus, tax = ctx.tree, ctx.corpus, ctx.corpus.taxonomy

    def ref(path: str) -> dict[str, str]:
        return {"@id": site.page_url(path)}

    def works(keys: tuple[str, ...]) -> list[dict[str, str]]:
        return [ref(f"atlas/works/{corpus.works[k].slug}/") for k in keys if k in corpus.works]

    out: list[dict[str, Any]] = []
    for claim in tree.claims.values():
        node: dict[str, Any] = {
            "@id": site.page_url(f"atlas/claims/#{claim.anchor}"),
            "@type": "schema:Claim",
            "schema:name": claim.gist,
            "schema:text": claim.text,
            "schema:appearance": works(claim.made_by),
            "toi:status": tree.status(claim.id).value,
        }
        terms = [t for t in map(tax.topic, claim.topics) if t is not None]
        if terms:
            node["dcterms:subject"] = [ref(f"atlas/{t.kind}/{t.id}/") for t in terms]
        thesis = tax.topic(claim.thesis or "")
        if thesis is not None and tree.thesis(thesis.id) == claim:
            node["toi:thesisOf"] = ref(f"atlas/{thesis.kind}/{thesis.id}/")
        for role, term in (("supported_by", "toi:supportedBy"), ("disputed_by", "toi:disputedBy")):
            if claim.role_keys(role):
                node[term] = works(claim.role_keys(role))
        for kind, term in (("objects_to", "toi:objectsTo"), ("supports", "toi:supports")):
            targets = [r.target for r in tree.parents(claim.id) if r.kind == kind]
            if targets:
                node[term] = [ref(f"atlas/claims/#claim-{t}") for t in targets]
        out.append(node)
    return out


def jsonld(ctx: Context, site: Site) -> dict[str, Any]:
    """Works as linked data; each typed edge both as a CiTO property and as a cito:Citation
    carrying its topic, since a bare property cannot say what the disagreement is about."""
    corpus, tax = ctx.corpus, ctx.corpus.taxonomy

    def uri(work: Work) -> str:
        return site.page_url(f"atlas/works/{work.slug}/")

    graph: list[dict[str, Any]] = []
    for w in corpus.sorted_works():
        node: dict[str, Any] = {"@id": uri(w), "@type": "fabio:Work", "dcterms:title": w.title}
        if w.authors:
            node["dcterms:creator"] = list(w.authors)
        if w.year:
            node["dcterms:date"] = str(w.year)
        if w.url:
            node["schema:url"] = {"@id": w.url}
        if w.doi:
            node["prism:doi"] = w.doi
        by_prop: dict[str, list[dict[str, str]]] = defaultdict(list)
        for e in w.edges:
            term = tax.edgetypes.get(e.type)
            if e.target in corpus.works and term is not None and term.cito:
                ref = {"@id": uri(corpus.works[e.target])}
                if ref not in by_prop[f"cito:{term.cito}"]:
                    by_prop[f"cito:{term.cito}"].append(ref)
        node.update(by_prop)
        graph.append(node)
        for i, e in enumerate(w.edges):
            term = tax.edgetypes.get(e.type)
            if e.target not in corpus.works or term is None or not term.cito:
                continue
            citation: dict[str, Any] = {
                "@id": f"{uri(w)}#citation-{i + 1}",
                "@type": "cito:Citation",
                "cito:hasCitingEntity": {"@id": uri(w)},
                "cito:hasCitedEntity": {"@id": uri(corpus.works[e.target])},
                "cito:hasCitationCharacterisation": {"@id": f"cito:{term.cito}"},
            }
            scope = tax.topic(e.scope) if e.scope else None
            if scope is not None:
                citation["dcterms:subject"] = {
                    "@id": site.page_url(f"atlas/{scope.kind}/{scope.id}/"),
                    "rdfs:label": scope.name,
                }
            graph.append(citation)
    graph += jsonld_claims(ctx, site)
    return {
        "@context": {
            "toi": site.page_url("data-model/#"),  # our terms, defined on the Data model page
            "cito": CITO,
            "dcterms": "http://purl.org/dc/terms/",
            "fabio": "http://purl.org/spar/fabio/",
            "prism": "http://prismstandard.org/namespaces/basic/2.0/",
            "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
            "schema": "https://schema.org/",
        },
        "@graph": graph,
    }


def view_data(ctx: Context, lay: Layout | None = None) -> dict[str, Any]:
    """What the graph page draws, and nothing else: positions, labels and the text of
    the hover card and panel. Compact, since a slow connection waits for all of it:
    link types and topics are numbers into their lists, edges are [source, target,
    type, scope or -1] with node numbers, and a slug is given only where it is not the
    key."""
    corpus, tax = ctx.corpus, ctx.corpus.taxonomy
    lay = lay or layout(corpus)
    works = corpus.sorted_works()
    index = {w.key: i for i, w in enumerate(works)}
    names = distinct_labels(works)
    topics = [t.id for t in tax.all_topics()]
    topic_no = {t: i for i, t in enumerate(topics)}
    types = list(tax.edgetypes)
    type_no = {t: i for i, t in enumerate(types)}
    nodes = []
    for w in works:
        x, y = lay.pos[w.key]
        node: dict[str, Any] = {
            "id": w.key,
            "label": names[w.key],
            "title": w.title,
            "authors": w.author_line,
            "year": w.year,
            "stance": _stance_of(w, [*tax.stances, "none"]),
            "topics": sorted({topic_no[t.topic] for t in w.tags if t.topic in topic_no}),
            "x": round(x, 1),
            "y": round(y, 1),
        }
        if w.slug != w.key:
            node["slug"] = w.slug
        short = short_label(names[w.key], LABEL_W, LABEL_SIZE)
        if short != names[w.key]:
            node["short"] = short
        nodes.append(node)
    edges = [
        [index[w.key], index[e.target], type_no[e.type], topic_no.get(e.scope or "", -1)]
        for w in works
        for e in w.edges
        if e.target in corpus.works and e.type in type_no
    ]
    return {
        "version": 1,
        "size": [round(lay.width, 1), round(lay.height, 1)],
        "years": [[y, x0, x1] for y, x0, x1 in lay.years],
        "bands": [[s, y0, y1] for s, y0, y1 in lay.bands],
        "stances": {s.id: [s.name, s.symbol or ""] for s in tax.stances.values()}
        | {"none": ["No stance", ""]},
        "edgetypes": [[t.id, t.name, t.inverse or t.name] for t in tax.edgetypes.values()],
        "topics": [[t.id, t.name] for t in tax.all_topics()],
        "nodes": nodes,
        "edges": edges,
    }


def text_data(ctx: Context) -> dict[str, Any]:
    """The summaries, in the order of the nodes of graph-view.json."""
    return {"version": 1, "summaries": [w.summary for w in ctx.corpus.sorted_works()]}


def render_page(ctx: Context) -> str:
    tax = ctx.corpus.taxonomy
    edge_boxes = "".join(
        f'<span class="toi-option"><input type="checkbox" id="toi-g-{t.id}" value="{t.id}" '
        f'checked><label for="toi-g-{t.id}">{escape(t.name)}</label></span> '
        for t in tax.edgetypes.values()
    )
    options = "".join(f'<option value="{t.id}">{escape(t.name)}</option>' for t in tax.all_topics())
    n, m = len(ctx.corpus.works), sum(len(w.edges) for w in ctx.corpus.works.values())
    return "\n".join(
        [
            "---",
            "title: The argument graph",
            "description: Every work in ToI Atlas and the typed links between them.",
            "hide:",
            "  - navigation",
            "  - toc",
            "---",
            "",
            "# The argument graph",
            "",
            f"All {counted(n, 'work')} and {counted(m, 'typed link')}. "
            "Years run left to right (marked along the "
            "top) and each band holds the works of one main stance (named on the left; "
            "colour and shape both show it). Point at a work or move to it with the arrow "
            "keys to read its summary; click it to light up what it answers and what answers "
            "it; the panel lists the same links. Drag to move the graph; zoom with the "
            "buttons, Ctrl + scroll or two fingers. "
            "The same graph as data: [graph.json](data/graph.json){ #toi-graph-data }, "
            "[GraphML](data/graph.graphml), [JSON-LD with CiTO](data/graph.jsonld). "
            "[All works](works/index.md){ #toi-graph-works }. "
            "Drawn by our own small script, [graph.js](../javascripts/graph.js)"
            "{ #toi-graph-script }, from positions computed when the site is built.",
            "",
            '<noscript><p class="toi-nojs">The graph needs JavaScript; '
            "the topic pages show the same links as lists.</p></noscript>",
            "",
            '<div class="toi-graph-controls" markdown="0">'
            f"<fieldset><legend>Links shown</legend>{edge_boxes}</fieldset>"
            '<span class="toi-field-inline"><label for="toi-g-topic">Topic</label> '
            '<select id="toi-g-topic">'
            f'<option value="">All topics</option>{options}</select></span>'
            '<p id="toi-g-status" role="status" aria-live="polite"></p></div>',
            "",
            '<div class="toi-graph-layout" markdown="0">'
            '<div class="toi-graph-stage">'
            '<div id="toi-graph" class="toi-graph"></div>'
            '<div class="toi-graph-zoom" role="group" aria-label="Zoom">'
            '<button type="button" data-zoom="in" aria-label="Zoom in">+</button>'
            '<button type="button" data-zoom="out" aria-label="Zoom out">−</button>'
            '<button type="button" data-zoom="fit" aria-label="Show the whole graph">⤢</button>'
            "</div>"
            '<p class="toi-graph-hint" id="toi-g-hint" aria-hidden="true"></p>'
            '<div id="toi-g-card" class="toi-graph-card" hidden></div>'
            "</div>"
            '<aside id="toi-g-panel" class="toi-graph-panel" aria-labelledby="toi-g-panel-h">'
            '<h2 id="toi-g-panel-h">Follow the links</h2>'
            '<label for="toi-g-work">Work</label> '
            '<select id="toi-g-work"><option value="">Choose a work…</option></select>'
            '<div id="toi-g-detail" aria-live="polite"><p>Choose a work here or click one in '
            "the graph: this panel lists what it answers and what answers it, with links to "
            "their pages.</p></div>"
            "</aside>"
            "</div>",
            "",
            # Only this page loads the graph script. This loader asks for it and for the
            # data at once, in parallel, as soon as the parser gets here. The URLs come
            # from the Markdown links above, which MkDocs and Zensical both resolve (each
            # rewrites relative URLs in raw HTML differently).
            "<script>(function () {"
            " var data = document.getElementById('toi-graph-data').href"
            ".replace(/[^/]*$/, 'graph-view.json');"
            " var p = fetch(data).then(function (r) {"
            " if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); });"
            " p.catch(function () {});"  # graph.js reports a failure; no unhandled rejection
            " window.toiGraphData = p;"
            " var s = document.createElement('script');"
            " s.src = document.getElementById('toi-graph-script').href;"
            " document.body.appendChild(s); })();</script>",
            "",
        ]
    )


def render(ctx: Context) -> dict[str, str]:
    lay = layout(ctx.corpus)  # one layout for both graph files
    data = {**graph_data(ctx, lay), **argument_data(ctx)}
    return {
        PAGE: render_page(ctx),
        "data/graph.json": json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n",
        VIEW: json.dumps(view_data(ctx, lay), ensure_ascii=False, separators=(",", ":")) + "\n",
        TEXT: json.dumps(text_data(ctx), ensure_ascii=False, separators=(",", ":")) + "\n",
        "data/graph.graphml": graphml(data),
        "data/graph.jsonld": dumps(jsonld(ctx, ctx.site)),
    }
