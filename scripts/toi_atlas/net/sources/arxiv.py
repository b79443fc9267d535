"""arXiv: the API's Atom feed for one id -> Record."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ...model.corpus import latex_to_unicode
from ...write.bibtext import MATH
from ..client import Client, Failure, NetError
from .record import Record, SourceError, split_name, year_month

ARXIV_API = "https://export.arxiv.org/api/query"
ARXIV_INTERVAL = 3.0  # seconds; https://info.arxiv.org/help/api/tou.html
_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"


def arxiv_title(tex: str) -> str:
    """arXiv titles are TeX source: text becomes Unicode, `$...$` math stays as written."""
    pieces = MATH.split(" ".join(tex.split()))
    out = []
    for i, piece in enumerate(pieces):
        if i % 2 or not piece.strip():
            out.append(piece)
            continue
        lead = " " if piece[0].isspace() else ""
        trail = " " if piece[-1].isspace() else ""
        out.append(lead + latex_to_unicode(piece) + trail)
    return "".join(out).strip()


def parse_arxiv(body: bytes, arxiv_id: str, url: str) -> Record:
    """One entry of an arXiv API Atom feed -> Record."""
    # ElementTree never fetches external entities, and the expat it ships with
    # (>= 2.4) refuses entity-expansion bombs, so parsing a hostile feed is safe.
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise SourceError(f"arXiv answered with malformed XML ({exc})", url=url) from exc
    if root.tag != f"{_ATOM}feed":
        raise SourceError("arXiv answered with something that is not an Atom feed", url=url)
    entry = root.find(f"{_ATOM}entry")
    entry_id = (entry.findtext(f"{_ATOM}id") or "") if entry is not None else ""
    title = (entry.findtext(f"{_ATOM}title") or "").strip() if entry is not None else ""
    if entry is None or "/api/errors" in entry_id or not title or title == "Error":
        raise NetError(Failure.NOT_FOUND, f"arXiv has no paper {arxiv_id}", url=url)
    authors = []
    for node in entry.findall(f"{_ATOM}author"):
        name = split_name(latex_to_unicode(node.findtext(f"{_ATOM}name") or ""))
        if name is not None:
            authors.append(name)
    year, month = year_month(entry.findtext(f"{_ATOM}published"))
    primary = entry.find(f"{_ARXIV}primary_category")
    doi = (entry.findtext(f"{_ARXIV}doi") or "").strip() or None  # checked in vetting.py
    return Record(
        source="arXiv",
        title=arxiv_title(title),
        title_math=True,
        url=f"https://arxiv.org/abs/{arxiv_id}",
        authors=tuple(authors),
        year=year,
        month=month,
        kind="preprint",
        arxiv=arxiv_id,
        primaryclass=primary.get("term") if primary is not None else None,
        doi=doi,
    )


def fetch_arxiv(client: Client, arxiv_id: str, api: str = ARXIV_API) -> Record:
    got = client.fetch(
        api,
        accept="application/atom+xml",
        params={"id_list": arxiv_id, "max_results": "1"},
    )
    return parse_arxiv(got.body, arxiv_id, got.url)
