"""The whole argument graph: the graph page, graph.json, GraphML and JSON-LD (CiTO).

Node positions are computed here (years left to right, stances in bands) so the page
needs no layout pass in the browser and stays usable with thousands of works.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from html import escape
from typing import Any

from ..claims import ROLES
from ..model import Corpus, Work
from ..site import Site
from .context import Context
from .exports import dumps
from .markdown import xml_safe

PAGE = "graph.md"
CYTOSCAPE = "cytoscape-3.35.0.min.js"  # vendored in docs/javascripts/vendor/ with its licence
CITO = "http://purl.org/spar/cito/"
CELL_W, CELL_H, STEP = 220.0, 60.0, 26.0


def main_stance(work: Work) -> str:
    """The stance a work takes most often (its default stance on ties)."""
    counts = Counter(t.stance for t in work.tags if t.stance)
    if not counts:
        return work.default_stance or "none"
    best = max(counts.values())
    tied = sorted(s for s, c in counts.items() if c == best)
    return work.default_stance if work.default_stance in tied else tied[0]


def positions(corpus: Corpus) -> dict[str, tuple[float, float]]:
    """Years as columns, stances as bands; works of one (year, stance) fill a small grid."""
    stances = [*corpus.taxonomy.stances, "none"]
    years = sorted({w.year or 0 for w in corpus.works.values()})
    cells: dict[tuple[int, str], list[Work]] = defaultdict(list)
    for w in sorted(corpus.works.values(), key=lambda w: w.key):
        cells[(w.year or 0, main_stance(w))].append(w)
    per_row = max(1, int(CELL_W // STEP))
    band_h = max([CELL_H, *(STEP * (len(ws) // per_row + 1) for ws in cells.values())])
    out: dict[str, tuple[float, float]] = {}
    for (year, stance), works in cells.items():
        x0 = years.index(year) * (CELL_W + 40)
        y0 = stances.index(stance if stance in stances else "none") * (band_h + 60)
        for i, w in enumerate(works):
            out[w.key] = (x0 + (i % per_row) * STEP, y0 + (i // per_row) * STEP)
    return out


def graph_data(ctx: Context) -> dict[str, Any]:
    corpus = ctx.corpus
    pos = positions(corpus)
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


def render_page(ctx: Context) -> str:
    tax = ctx.corpus.taxonomy
    edge_boxes = "".join(
        f'<span class="toi-option"><input type="checkbox" id="toi-g-{t.id}" value="{t.id}" '
        f'checked><label for="toi-g-{t.id}">{escape(t.name)}</label></span> '
        for t in tax.edgetypes.values()
    )
    options = "".join(f'<option value="{t.id}">{escape(t.name)}</option>' for t in tax.all_topics())
    legend = " ".join(
        f'<span class="toi-stance toi-stance--{s.id}">'
        f"{escape(s.symbol or '')} {escape(s.name)}</span>"
        for s in tax.stances.values()
    )
    n, m = len(ctx.corpus.works), sum(len(w.edges) for w in ctx.corpus.works.values())
    return "\n".join(
        [
            "---",
            "title: The argument graph",
            "description: Every work in ToI Atlas and the typed links between them.",
            "hide:",
            "  - toc",
            "---",
            "",
            "# The argument graph",
            "",
            f"All {n} works and {m} typed links. Years run left to right and each band holds "
            "the works of one main stance (colour and shape both show it). Drag to pan, "
            "scroll to zoom, click a work to open its page. The same graph as data: "
            "[graph.json](data/graph.json){ #toi-graph-data }, "
            "[GraphML](data/graph.graphml), [JSON-LD with CiTO](data/graph.jsonld). "
            f"Drawn with [Cytoscape.js](../javascripts/vendor/{CYTOSCAPE}){{ #toi-cytoscape }} "
            "(MIT licence), served from this site. "
            "[All works](works/index.md){ #toi-graph-works }",
            "",
            '<noscript><p class="toi-nojs">The graph needs JavaScript; '
            "the topic pages show the same links as lists.</p></noscript>",
            "",
            '<div class="toi-graph-controls" markdown="0">'
            f"<fieldset><legend>Links shown</legend>{edge_boxes}</fieldset>"
            '<label for="toi-g-topic">Topic</label> <select id="toi-g-topic">'
            f'<option value="">All topics</option>{options}</select> '
            f'<span class="toi-graph-legend" aria-hidden="true">{legend}</span>'
            '<p id="toi-g-status" role="status" aria-live="polite"></p></div>',
            "",
            '<div id="toi-graph" class="toi-graph" role="application" '
            'aria-label="Argument graph; the same links are listed on each topic page"></div>',
            "",
        ]
    )


def render(ctx: Context) -> dict[str, str]:
    data = {**graph_data(ctx), **argument_data(ctx)}
    return {
        PAGE: render_page(ctx),
        "data/graph.json": json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n",
        "data/graph.graphml": graphml(data),
        "data/graph.jsonld": dumps(jsonld(ctx, ctx.site)),
    }
