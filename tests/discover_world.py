"""A small scholarly world served by pytest-httpserver in the three services' documented
formats, around the fixture corpus in fixtures/discover/.

- OpenAlex: `GET /oa/works?filter=...&cursor=...` -> `{"meta": {..., "next_cursor"},
  "results": [work, ...]}`, works with `id`, `doi`, `display_name`,
  `publication_year`, `publication_date`, `authorships[].author.display_name`,
  `abstract_inverted_index`, `referenced_works`, `primary_location`, `locations`
  (https://docs.openalex.org/api-entities/works/work-object); two results a page so
  cursor paging is exercised.
- Semantic Scholar: `GET /s2/paper/{id}/citations` -> `{"offset", "next", "data":
  [{"citingPaper": paper}]}` (`/references`: `citedPaper`), one item a page.
- arXiv: `GET /arxiv/query?search_query=...` -> an Atom feed.

The new work `HELD_OUT` (this year) cites four atlas works, the essay among them;
`NOISE` are older works that each cite only the peripheral 2016 saliency paper.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from werkzeug import Request, Response

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "discover"
THIS_YEAR = dt.date.today().year

# Atlas works as OpenAlex knows them: OpenAlex id, DOI, and what they cite.
ATLAS = {
    "W1": ("10.48550/arxiv.2401.00001", ["W2", "W5", "W6", "W900"]),  # essay2024
    "W2": ("10.48550/arxiv.2201.00002", ["W900"]),  # longlist2022
    "W3": ("10.5555/reply.2024", ["W1"]),  # reply2024
    "W4": ("10.5555/saliency.2016", []),  # saliency2016
    "W5": ("10.48550/arxiv.2309.00003", ["W2"]),  # sae2023
    "W6": ("10.48550/arxiv.2310.00004", ["W2"]),  # deception2023
}
HELD_OUT_ARXIV = "2612.01234"
HELD_OUT_TITLE = "Auditing Language Models for Deception with Sparse Autoencoders"
HELD_OUT_ABSTRACT = (
    "We revisit theories of impact for interpretability: sparse autoencoder features "
    "and linear probes let an auditor detect deception in language models."
)


def abstract_index(text: str) -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for i, word in enumerate(text.split()):
        index.setdefault(word, []).append(i)
    return index


def oa_work(
    ident: str,
    title: str,
    year: int,
    refs: list[str],
    *,
    doi: str | None = None,
    arxiv: str | None = None,
    author: str = "Alex Author",
    abstract: str = "",
    venue: tuple[str, str] = ("arXiv", "repository"),
) -> dict[str, Any]:
    landing = f"https://arxiv.org/abs/{arxiv}" if arxiv else f"https://doi.org/{doi}"
    return {
        "id": f"https://openalex.org/{ident}",
        "doi": f"https://doi.org/{doi}" if doi else None,
        "display_name": title,
        "title": title,
        "publication_year": year,
        "publication_date": f"{year}-03-01",
        "type": "article",
        "authorships": [{"author": {"id": "https://openalex.org/A1", "display_name": author}}],
        "abstract_inverted_index": abstract_index(abstract) if abstract else None,
        "referenced_works": [f"https://openalex.org/{r}" for r in refs],
        "primary_location": {
            "landing_page_url": landing,
            "source": {"display_name": venue[0], "type": venue[1]},
        },
        "locations": [{"landing_page_url": landing}],
    }


def _atlas_work(ident: str) -> dict[str, Any]:
    doi, refs = ATLAS[ident]
    arxiv = doi.removeprefix("10.48550/arxiv.") if "48550" in doi else None
    return oa_work(ident, f"Atlas work {ident}", 2023, refs, doi=doi, arxiv=arxiv)


HELD_OUT = oa_work(
    "W100",
    HELD_OUT_TITLE,
    THIS_YEAR,
    ["W1", "W2", "W5", "W6"],
    doi=f"10.48550/arXiv.{HELD_OUT_ARXIV}",
    arxiv=HELD_OUT_ARXIV,
    author="Ada Lovelace",
    abstract=HELD_OUT_ABSTRACT,
)
NOISE = [
    oa_work(
        f"W10{i}",
        f"Fast Pixel Attribution for Convolutional Networks, Part {i}",
        2017 + i % 3,
        ["W4"],
        doi=f"10.5555/noise.{i}",
        author=f"Noel Noise{i}",
        abstract="Pixel attribution heatmaps for convolutional image networks computed faster.",
        venue=("Vision Letters", "journal"),
    )
    for i in range(1, 6)
]
CLASSIC = oa_work(  # cited by the essay and the longlist: a reference, not a citation
    "W900",
    "Zoom In: An Introduction to Circuits",
    2020,
    [],
    doi="10.5555/zoom.2020",
    author="Chris Olah",
    abstract="Circuits in vision models as a microscope on what networks learn.",
    venue=("Distill", "journal"),
)
CITING = [HELD_OUT, *NOISE]
EVERYTHING = {w["id"].rsplit("/", 1)[-1]: w for w in [*CITING, CLASSIC]} | {
    i: _atlas_work(i) for i in ATLAS
}


def _ids(values: str) -> list[str]:
    return [v.rsplit("/", 1)[-1] for v in values.split("|")]


def openalex(request: Request) -> Response:
    """`/works` with the doi:, cites: and openalex_id: filters and cursor paging."""
    name, _, values = request.args.get("filter", "").partition(":")
    if name == "doi":
        wanted = {v.lower() for v in values.split("|")}
        found = [_atlas_work(i) for i, (doi, _) in ATLAS.items() if doi in wanted]
    elif name == "cites":
        cited = {f"https://openalex.org/{i}" for i in _ids(values)}
        found = [w for w in CITING if cited & set(w["referenced_works"])]
    elif name == "openalex_id":
        found = [EVERYTHING[i] for i in _ids(values) if i in EVERYTHING]
    else:
        return Response(json.dumps({"error": "bad filter"}), status=400)
    cursor = request.args.get("cursor", "*")
    start = 0 if cursor == "*" else int(cursor)
    page = found[start : start + 2]
    following = str(start + 2) if start + 2 < len(found) else None
    body = {
        "meta": {"count": len(found), "per_page": 2, "next_cursor": following},
        "results": page,
        "group_by": [],
    }
    return Response(json.dumps(body), content_type="application/json")


def _words(index: dict[str, list[int]] | None) -> str:
    at = {p: w for w, ps in (index or {}).items() for p in ps}
    return " ".join(at[i] for i in sorted(at))


def s2_paper(work: dict[str, Any]) -> dict[str, Any]:
    """An OpenAlex work of this world as Semantic Scholar describes it."""
    doi = (work["doi"] or "").removeprefix("https://doi.org/")
    ids: dict[str, Any] = {"DOI": doi} if doi and "48550" not in doi else {}
    landing = work["primary_location"]["landing_page_url"]
    if "arxiv.org/abs/" in landing:
        ids["ArXiv"] = landing.rsplit("/", 1)[-1]
    return {
        "paperId": "s2" + work["id"].rsplit("/", 1)[-1],
        "externalIds": ids,
        "title": work["display_name"],
        "abstract": _words(work["abstract_inverted_index"]) or None,
        "year": work["publication_year"],
        "publicationDate": work["publication_date"],
        "authors": [
            {"authorId": "1", "name": a["author"]["display_name"]} for a in work["authorships"]
        ],
        "venue": work["primary_location"]["source"]["display_name"],
        "url": "https://www.semanticscholar.org/paper/" + work["id"].rsplit("/", 1)[-1],
    }


S2_ARXIV = {"2401.00001": "W1", "2201.00002": "W2", "2309.00003": "W5", "2310.00004": "W6"}
S2_DOI = {"10.5555/reply.2024": "W3", "10.5555/saliency.2016": "W4"}


def semantic_scholar(request: Request) -> Response:
    """`/paper/{ARXIV:x | DOI:y}/citations|references`, one item a page (offset, next)."""
    parts = request.path.split("/paper/", 1)[1].rsplit("/", 1)
    paper, direction = parts[0], parts[1]
    kind, _, value = paper.partition(":")
    ident = (S2_ARXIV if kind == "ARXIV" else S2_DOI).get(value)
    if ident is None:
        return Response(json.dumps({"error": "Paper not found"}), status=404)
    me = f"https://openalex.org/{ident}"
    if direction == "citations":
        rows = [{"citingPaper": s2_paper(w)} for w in CITING if me in w["referenced_works"]]
    else:
        refs = EVERYTHING[ident]["referenced_works"]
        rows = [{"citedPaper": s2_paper(EVERYTHING[r.rsplit("/", 1)[-1]])} for r in refs]
    offset = int(request.args.get("offset", "0"))
    body: dict[str, Any] = {"offset": offset, "data": rows[offset : offset + 1]}
    if offset + 1 < len(rows):
        body["next"] = offset + 1
    return Response(json.dumps(body), content_type="application/json")


def atom_entry(arxiv: str, title: str, abstract: str, year: int, author: str) -> str:
    return f"""  <entry>
    <id>http://arxiv.org/abs/{arxiv}v1</id>
    <updated>{year}-03-02T00:00:00Z</updated>
    <published>{year}-03-01T00:00:00Z</published>
    <title>{title}</title>
    <summary>{abstract}</summary>
    <author><name>{author}</name></author>
    <link href="http://arxiv.org/abs/{arxiv}v1" rel="alternate" type="text/html"/>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
"""


def atom_feed(entries: list[str]) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="http://arxiv.org/api/query" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: search_query=all</title>
  <id>http://arxiv.org/api/cHxbiOdZaP56ODnBPIenZhzg5f8</id>
  <updated>{THIS_YEAR}-03-02T00:00:00-05:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{len(entries)}</opensearch:totalResults>
  <opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0</opensearch:startIndex>
  <opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{len(entries)}</opensearch:itemsPerPage>
{"".join(entries)}</feed>
"""


def arxiv(request: Request) -> Response:
    """Every search finds the held-out work again and one unrelated preprint."""
    entries = [
        atom_entry(HELD_OUT_ARXIV, HELD_OUT_TITLE, HELD_OUT_ABSTRACT, THIS_YEAR, "Ada Lovelace"),
        atom_entry(
            "2612.05555",
            "Protein Folding with Diffusion Models",
            "A diffusion model predicts protein structures.",
            THIS_YEAR,
            "Pat Protein",
        ),
    ]
    return Response(atom_feed(entries), content_type="application/atom+xml")


def serve(httpserver: Any) -> dict[str, str]:
    """Route the three services on `httpserver`; the environment that points us there."""
    import re

    httpserver.expect_request("/oa/works").respond_with_handler(openalex)
    httpserver.expect_request(re.compile(r"^/s2/paper/.+")).respond_with_handler(semantic_scholar)
    httpserver.expect_request("/arxiv/query").respond_with_handler(arxiv)
    return {
        "TOI_ATLAS_OPENALEX_API": httpserver.url_for("/oa"),
        "TOI_ATLAS_S2_API": httpserver.url_for("/s2"),
        "TOI_ATLAS_ARXIV_API": httpserver.url_for("/arxiv/query"),
        "TOI_ATLAS_OPENALEX_INTERVAL": "0",
        "TOI_ATLAS_S2_INTERVAL": "0",
        "TOI_ATLAS_ARXIV_INTERVAL": "0",
        "TOI_ATLAS_MAILTO": "curators@example.org",
        "TOI_ATLAS_RETRIES": "0",
    }
