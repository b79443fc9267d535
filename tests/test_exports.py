"""The corpus as data: every export reads back in an independent tool with nothing lost."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import bibtexparser
import jsonschema
import pytest
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter as csl_formatter
from citeproc.source.json import CiteProcJSON
from pybtex.database import parse_string

from conftest import HUB, cite_sources, entry, make_argument_project, make_project
from toi_atlas.model.claimtree import build_tree
from toi_atlas.pipeline import Paths, build, load_and_check
from toi_atlas.read.load import RawEntry
from toi_atlas.read.site import Site
from toi_atlas.render.exports import feed
from toi_atlas.write.bibtext import entry_to_bibtex

CUSTOM = {"tois", "endstories", "agendas", "stance", "summary", "added", "rebuts", "kind"}


@pytest.fixture(scope="module")
def generated(fixture_site: Path) -> Path:
    """docs/atlas/ of the fixture corpus (never bib/)."""
    return fixture_site / "docs" / "atlas"


@pytest.fixture(scope="module")
def corpus(fixture_corpus):
    return fixture_corpus


def _flat(value: str) -> str:
    return " ".join(value.split())


@pytest.mark.parametrize("name", ["all.bib", "all-clean.bib"])
def test_bib_exports_read_back_in_pybtex_and_bibtexparser(
    name: str, generated: Path, corpus
) -> None:
    text = (generated / "data" / name).read_text(encoding="utf-8")
    clean = name == "all-clean.bib"
    py = parse_string(text, "bibtex")
    assert list(py.entries) == list(corpus.works)
    lib = bibtexparser.parse_string(text)
    assert lib.failed_blocks == []
    assert [e.key for e in lib.entries] == list(corpus.works)
    for parsed in lib.entries:
        raw = corpus.works[parsed.key].raw
        fields = {f.key.lower(): f.value for f in parsed.fields}
        expected = {
            n: f.value for n, f in raw.fields.items() if not (clean and n in _custom(corpus))
        }
        assert set(fields) == set(expected), parsed.key
        for n, value in expected.items():
            got = fields[n]
            if n == "month":  # written as the bare macro, bibtexparser keeps it as is
                assert got.lower()[:3] == _flat(value).lower()[:3]
                continue
            assert _flat(got) == _flat(value), (parsed.key, n)  # it drops the outer braces
        assert not (clean and CUSTOM & set(fields)), parsed.key


def test_each_work_is_written_without_our_fields_once_per_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its page's BibTeX block, its cite file and its all-clean.bib entry share one text."""
    from toi_atlas.render import context

    made: list[str] = []

    def counted(raw: RawEntry, strip: frozenset[str] = frozenset()) -> str:
        made.append(raw.key)
        return entry_to_bibtex(raw, strip=strip)

    monkeypatch.setattr(context, "entry_to_bibtex", counted)
    root = make_project(tmp_path, {"a.bib": entry("doe2023") + entry("roe2024")})
    result = build(Paths(root))
    assert [d.code for d in result.diagnostics] == []
    assert sorted(made) == ["doe2023", "roe2024"]
    clean = (root / "docs" / "atlas" / "data" / "all-clean.bib").read_text(encoding="utf-8")
    for key in made:
        cite = (cite_sources(root) / f"{key}.bib").read_text(encoding="utf-8")
        assert cite.startswith("@misc{") and f"\n{cite}" in clean


def _custom(corpus) -> set[str]:
    from toi_atlas.model.corpus import custom_field_names

    return set(custom_field_names(corpus.taxonomy))


def test_works_json_matches_its_schema(generated: Path, corpus) -> None:
    data = json.loads((generated / "data" / "works.json").read_text(encoding="utf-8"))
    schema = json.loads((generated / "data" / "works.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(data, schema)
    assert {w["key"] for w in data["works"]} == set(corpus.works)
    edges = sum(len(w["edges"]) for w in data["works"])
    assert edges == sum(len(w.edges) for w in corpus.works.values())
    broken = dict(data)
    broken["works"] = [{**data["works"][0], "year": "2023"}]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_csl_json_renders_in_citeproc(generated: Path, corpus) -> None:
    items = json.loads((generated / "data" / "works.csl.json").read_text(encoding="utf-8"))
    assert [i["id"] for i in items] == list(corpus.works)
    source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bib = CitationStylesBibliography(style, source, csl_formatter.plain)
    for item in items:
        bib.register(Citation([CitationItem(item["id"])]))
    rendered = [str(x) for x in bib.bibliography()]
    assert len(rendered) == len(items)
    assert any(r.startswith("Ravensworth, É. (2022) “Against Most Theories") for r in rendered)


def test_feed_lists_newest_additions_first(generated: Path, corpus) -> None:
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring((generated / "data" / "feed.xml").read_bytes())
    entries = root.findall("a:entry", ns)
    dated = [w for w in corpus.works.values() if w.added]
    assert len(entries) == min(50, len(dated))
    stamps = [e.findtext("a:updated", namespaces=ns) for e in entries]
    assert stamps == sorted(stamps, reverse=True)
    newest = max(w.added for w in dated)
    assert stamps[0].startswith(newest)
    first_id = entries[0].findtext("a:id", namespaces=ns)
    assert re.search(r"/atlas/works/[^/]+/$", first_id)
    assert root.findtext("a:updated", namespaces=ns).startswith(newest)


def test_browse_data_is_compact_and_complete(generated: Path, corpus) -> None:
    raw = (generated / "data" / "browse.json").read_text(encoding="utf-8")
    data = json.loads(raw)
    assert len(data["works"]) == len(corpus.works)
    full_summaries = [w.summary for w in corpus.works.values() if len(w.summary) > 300]
    assert not any(s in raw for s in full_summaries)  # one-line summaries only
    endstories = [v for v, _ in data["facets"]["endstory"]]
    for row in data["works"]:
        work = corpus.works[row["k"]]
        tagged = {t.topic for t in work.tags if t.field == "endstories"}
        assert {endstories[i] for i in row["f"].get("endstory", [])} == tagged


def test_graph_exports_read_back(generated: Path, corpus) -> None:
    import networkx as nx
    import rdflib

    data = json.loads((generated / "data" / "graph.json").read_text(encoding="utf-8"))
    assert {n["id"] for n in data["nodes"]} == set(corpus.works)
    total = sum(1 for w in corpus.works.values() for e in w.edges if e.target in corpus.works)
    assert len(data["edges"]) == total
    # (claims in the exports: test_claims_and_their_relations_in_the_graph_exports)

    g = nx.read_graphml(generated / "data" / "graph.graphml")
    works = {n for n, d in g.nodes(data=True) if d["kind"] == "work"}
    assert g.is_directed() and works == set(corpus.works)
    assert sum(1 for u, v in g.edges() if u in works and v in works) == total
    assert g.nodes[HUB]["stance"] == "critiques"
    assert g.nodes["halloran2023reply"]["stance"] == "advocates"
    rebuts = [d for _, _, d in g.edges(data=True) if d["type"] == "rebuts"]
    assert rebuts and any(d.get("scope") == "auditing" for d in rebuts)

    rdf = rdflib.Graph()
    rdf.parse(generated / "data" / "graph.jsonld", format="json-ld")
    cito = rdflib.Namespace("http://purl.org/spar/cito/")
    refutes = list(rdf.subject_objects(cito.refutes))
    assert any(
        str(s).endswith("/works/halloran2023reply/") and str(o).endswith(f"/{HUB}/")
        for s, o in refutes
    )
    citations = set(rdf.subjects(rdflib.RDF.type, cito.Citation))
    assert len(citations) == total
    dcterms = rdflib.Namespace("http://purl.org/dc/terms/")
    scoped = [c for c in citations if (c, dcterms.subject, None) in rdf]
    assert scoped


def test_feed_survives_a_title_of_control_characters_only(tmp_path: Path) -> None:
    # The checker refuses such a title (TOI123); the feed must not crash even so.
    root = make_project(tmp_path, {"w.bib": entry("ctrl2023", title="\x1b", author="\x1b")})
    corpus = load_and_check(Paths(root)).corpus
    assert corpus is not None
    atom = ET.fromstring(feed(corpus, Site()))
    [item] = atom.findall("{http://www.w3.org/2005/Atom}entry")
    assert item.findtext("{http://www.w3.org/2005/Atom}title") == "ctrl2023"


def test_claims_and_their_relations_in_the_graph_exports(tmp_path: Path) -> None:
    import networkx as nx
    import rdflib

    root = make_argument_project(tmp_path)
    result = build(Paths(root))
    assert result.stats is not None
    tree = build_tree(result.claims)
    data_dir = root / "docs" / "atlas" / "data"
    objections = {(r.source, r.target) for r in tree.relations if r.kind == "objects_to"}
    supports = {(r.source, r.target) for r in tree.relations if r.kind == "supports"}

    argument = json.loads((data_dir / "graph.json").read_text(encoding="utf-8"))["argument"]
    assert argument["theses"] == {
        "auditing": "auditing-thesis",
        "microscope-ai": "microscope-thesis",
        "enumerative-safety": "enumeration-thesis",
    }
    claims = {c["id"]: c for c in argument["claims"]}
    assert set(claims) == set(tree.claims)
    assert claims["auditing-thesis"]["status"] == "contested"
    assert claims["microscope-thesis"]["status"] == "answered"
    assert claims["hidden-goal-dormant"]["disputed_by"] == ["reply2022"]
    pairs = {(r["source"], r["target"], r["type"]) for r in argument["relations"]}
    assert pairs == {(s, t, "objects_to") for s, t in objections} | {
        (s, t, "supports") for s, t in supports
    }

    g = nx.read_graphml(data_dir / "graph.graphml")
    kinds = {n: d["kind"] for n, d in g.nodes(data=True)}
    assert {n for n, k in kinds.items() if k == "claim"} == {f"claim:{c}" for c in tree.claims}
    assert g.nodes["claim:audits-cost"]["gist"] == "Audits cost *too* much & scale <badly>"
    typed = {(u, v, d["type"]) for u, v, d in g.edges(data=True)}
    assert {(f"claim:{s}", f"claim:{t}", "objects_to") for s, t in objections} <= typed
    assert ("claim:probes-catch-dormant", "reply2022", "made_by") in typed
    assert ("claim:auditing-thesis", "evid2019", "supported_by") in typed

    rdf = rdflib.Graph()
    rdf.parse(data_dir / "graph.jsonld", format="json-ld")
    schema = rdflib.Namespace("https://schema.org/")
    toi = rdflib.Namespace(Site().page_url("data-model/#"))
    claim_nodes = set(rdf.subjects(rdflib.RDF.type, schema.Claim))
    assert len(claim_nodes) == len(tree.claims)

    def cid(node: object) -> str:
        return str(node).rsplit("#claim-", 1)[1]

    assert {(cid(s), cid(o)) for s, o in rdf.subject_objects(toi.objectsTo)} == objections
    assert {(cid(s), cid(o)) for s, o in rdf.subject_objects(toi.supports)} == supports
    makers = {(cid(s), str(o)) for s, o in rdf.subject_objects(schema.appearance)}
    assert ("probes-catch-dormant", Site().page_url("atlas/works/reply2022/")) in makers
    thesis_of = {cid(s): str(o) for s, o in rdf.subject_objects(toi.thesisOf)}
    assert thesis_of["auditing-thesis"].endswith("/atlas/toi/auditing/")
    status = {cid(s): str(o) for s, o in rdf.subject_objects(toi.status)}
    assert status["microscope-thesis"] == "answered"
