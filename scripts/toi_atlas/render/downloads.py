"""The "Data" page: every export with what it is for, its size and how to load it."""

from __future__ import annotations

from .context import Context

PAGE = "downloads.md"
# file in data/ -> (what it is, what to do with it)
FILES = {
    "all.bib": (
        "The whole corpus as BibTeX, with the ToI Atlas fields (tags, stances, edges, summary).",
        "Fork the map, or analyse it with any BibTeX tool.",
    ),
    "all-clean.bib": (
        "The whole corpus as plain BibTeX, our fields stripped.",
        "Import into Zotero, JabRef or a LaTeX bibliography.",
    ),
    "works.csl.json": (
        "CSL-JSON, the format of citation processors.",
        "Import into Zotero or feed to citeproc-js / citeproc-py / pandoc.",
    ),
    "works.json": (
        "Every work with its tags and typed edges, as JSON.",
        "Scripts and notebooks; the fields are described by works.schema.json.",
    ),
    "works.schema.json": (
        "JSON Schema (draft 2020-12) of works.json.",
        "Validate your own copy, or generate types from it.",
    ),
    "edges.json": (
        "The typed, scoped edges between works (rebuts, supports, extends, replies to).",
        "Graph analysis (networkx, Gephi).",
    ),
    "graph.json": (
        "The argument graph: works (with stance and topics), typed scoped edges and claims.",
        "d3, Cytoscape or your own tools (the graph page reads a leaner copy, graph-view.json).",
    ),
    "graph.graphml": (
        "The same graph as GraphML.",
        "networkx (read_graphml), Gephi, yEd.",
    ),
    "graph.jsonld": (
        "The graph as JSON-LD using CiTO (cito:refutes, cito:supports, cito:extends, "
        "cito:repliesTo), each edge also as a cito:Citation with its topic.",
        "Linked-data tools (rdflib, triple stores); joins the scholarly knowledge graph.",
    ),
    "feed.xml": (
        "Atom feed of the newest additions, by the date each entry was added.",
        "Subscribe in a feed reader.",
    ),
}


def render(ctx: Context, sizes: dict[str, int]) -> str:
    n = len(ctx.corpus.works)
    lines = [
        "---",
        "title: Data",
        "description: The ToI Atlas corpus as BibTeX, CSL-JSON, JSON with a schema, and a feed.",
        "---",
        "",
        "# Data",
        "",
        f"The whole corpus ({n} works) in open formats, regenerated with every build from "
        "the BibTeX files in the repository. Summaries and tags are ours (CC BY 4.0); "
        "bibliographic metadata comes from each work's own record.",
        "",
        "| File | What it is | Use it for | Size |",
        "|---|---|---|---:|",
    ]
    for name, (what, use) in FILES.items():
        kb = max(1, round(sizes.get(name, 0) / 1024))
        lines.append(f"| [{name}](data/{name}) | {what} | {use} | {kb} KB |")
    lines += [
        "",
        "Each work page also offers its own `cite.bib` and a citation in APA and Harvard style.",
        "",
    ]
    return "\n".join(lines)
