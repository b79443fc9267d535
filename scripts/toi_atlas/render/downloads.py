"""The "Data" page: every export with what it is for, its size and how to load it."""

from __future__ import annotations

from ..wording import counted
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
        "CSL-JSON, the format of citation processors. Our summary is under "
        "`custom.toi-atlas-summary`, never `abstract`: it is our words, not the work's "
        "abstract. A list of authors the source cuts short ends in the name `others` "
        "(pandoc prints it as *et al.*).",
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
        "The argument graph: works (with stance and topics), typed scoped edges and claims; "
        "under `argument`, the theses, each claim's gist and status, and the relations "
        "between claims (objects_to, supports).",
        "d3, Cytoscape or your own tools (the graph page reads a leaner copy, graph-view.json).",
    ),
    "graph.graphml": (
        "The same graph as GraphML, claims included as nodes `claim:<id>` (`kind` = claim) "
        "with objects_to, supports, made_by, supported_by and disputed_by edges.",
        "networkx (read_graphml), Gephi, yEd.",
    ),
    "graph.jsonld": (
        "The graph as JSON-LD using CiTO (cito:refutes, cito:supports, cito:extends, "
        "cito:repliesTo), each edge also as a cito:Citation with its topic; claims as "
        "schema:Claim, with the works that make them as schema:appearance.",
        "Linked-data tools (rdflib, triple stores); joins the scholarly knowledge graph.",
    ),
    "debate.argdown": (
        "The argument claim by claim in Argdown: each topic's thesis with its objections "
        "and supports nested under the claim they answer (see below).",
        "Argdown's editor, VS Code extension or command line: argument maps, HTML, "
        "GraphML and JSON.",
    ),
    "feed.xml": (
        "Atom feed of the newest additions, by the date each entry was added.",
        "Subscribe in a feed reader.",
    ),
}


ARGDOWN_NOTE = [
    "## The argument in Argdown",
    "",
    "[debate.argdown](data/debate.argdown) is written in "
    '<a href="https://argdown.org/syntax/" rel="noopener">Argdown</a>, a plain-text '
    "syntax for argument maps. Each topic is a heading (`# Auditing`); its thesis is a "
    "statement `[Gist]: full text`, and every claim that answers it is indented one step "
    "under the claim it answers, after `<-` for an objection (it attacks that claim) or "
    "`<+` for a supporting argument. A claim that answers two claims is written out "
    "once and referred to by its title, `[Gist]`, the second time. Each statement ends "
    "with its data in braces: our claim id (its anchor on the [claims page](claims.md)), "
    "its status (unanswered, contested or answered), its topics and the bib keys of the "
    "works that make it (`made_by`) and, in our reading, give evidence for "
    "(`supported_by`) or against it (`disputed_by`). Characters that mean something in "
    "Argdown are escaped with a backslash. When the export was written, Argdown's own "
    "parser (`@argdown/core` 2.0.1) read it with no error and found every claim and "
    "relation; our tests read each build's file back with a small parser of their own.",
    "",
]


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
        f"The whole corpus ({counted(n, 'work')}) in open formats, regenerated with every "
        "build from "
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
        *ARGDOWN_NOTE,
    ]
    return "\n".join(lines)
