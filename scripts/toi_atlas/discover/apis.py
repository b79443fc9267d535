"""The three services, in their documented formats: what to ask and how to read it.

- OpenAlex (https://docs.openalex.org): `/works?filter=doi:A|B` finds the atlas's works
  (arXiv preprints by their DataCite DOI 10.48550/arXiv.ID), `filter=cites:W1|W2` the
  works citing them and `filter=openalex_id:Wa|Wb` those they cite (their
  `referenced_works`); lists page with `cursor=*` and `meta.next_cursor`. The contact
  address goes in `mailto`, which puts us in the polite pool.
- Semantic Scholar graph API (https://api.semanticscholar.org/api-docs/graph):
  `/paper/{DOI:x | ARXIV:y}/citations` and `/references`, paged by `offset` and `next`.
- arXiv API (https://info.arxiv.org/help/api/user-manual.html): `search_query`
  searches, newest first, as an Atom feed.

Answers are untrusted: a parser raises only `SourceError` (a NetError) for an answer
of the wrong shape, skips an item it cannot read and keeps only plain text.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from ..model.corpus import Work, latex_to_unicode
from ..net.client import host_of
from ..net.sources import ARXIV_API, SourceError, Venue, arxiv_title, split_name, strip_markup
from .candidates import Candidate
from .fetch import Fetcher

OPENALEX_API = "https://api.openalex.org"
S2_API = "https://api.semanticscholar.org/graph/v1"
BATCH = 50  # ids per OpenAlex OR-filter (it allows 100; shorter URLs are kinder)
S2_FIELDS = "title,abstract,year,publicationDate,externalIds,authors,venue,url"
_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_ARXIV_ABS = re.compile(r"arxiv\.org/abs/([^?#\s]+?)(?:v\d+)?$", re.IGNORECASE)
_DATE = re.compile(r"^(\d{4})-(\d{2})")


@dataclass(frozen=True)
class Services:
    """Base URLs, the seconds between two calls to each, and our contact address."""

    openalex: str = OPENALEX_API
    s2: str = S2_API
    arxiv: str = ARXIV_API
    openalex_interval: float = 0.1  # OpenAlex allows 10 requests a second
    s2_interval: float = 1.0  # Semantic Scholar's rate for callers without a key
    arxiv_interval: float = 3.0  # arXiv's terms of use
    mailto: str = ""  # OpenAlex's polite pool; also in the User-Agent (net.user_agent)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Services:
        """TOI_ATLAS_OPENALEX_API, _S2_API, _ARXIV_API, _*_INTERVAL, TOI_ATLAS_MAILTO."""
        env = os.environ if environ is None else environ
        base = cls()
        intervals = {}
        for name in ("openalex", "s2", "arxiv"):
            var = f"TOI_ATLAS_{name.upper()}_INTERVAL"
            raw = env.get(var, "").strip()
            if raw:
                try:
                    intervals[f"{name}_interval"] = float(raw)
                except ValueError as exc:
                    raise ValueError(f"{var}={raw!r} is not a number") from exc
        return cls(
            openalex=(env.get("TOI_ATLAS_OPENALEX_API") or base.openalex).rstrip("/"),
            s2=(env.get("TOI_ATLAS_S2_API") or base.s2).rstrip("/"),
            arxiv=env.get("TOI_ATLAS_ARXIV_API") or base.arxiv,
            mailto=env.get("TOI_ATLAS_MAILTO", "").strip(),
            **intervals,
        )

    def intervals(self) -> dict[str, float]:
        return {
            host_of(self.openalex): self.openalex_interval,
            host_of(self.s2): self.s2_interval,
            host_of(self.arxiv): self.arxiv_interval,
        }


# --- reading JSON ------------------------------------------------------------------


def _json_object(body: bytes, url: str, service: str, needs: str) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SourceError(f"{service} answered with malformed JSON ({exc})", url=url) from exc
    if not isinstance(data, dict) or not isinstance(data.get(needs), list):
        raise SourceError(f"{service} answered without a `{needs}` list", url=url)
    return data


def _str(value: object) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _month(date: object) -> int | None:
    m = _DATE.match(_str(date))
    return int(m.group(2)) if m and 1 <= int(m.group(2)) <= 12 else None


def _names(values: Iterable[object]) -> tuple:
    found = (split_name(strip_markup(_str(v))) for v in values)
    return tuple(n for n in found if n is not None)


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dicts(value: object) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


# --- OpenAlex ----------------------------------------------------------------------


def openalex_id(value: object) -> str:
    """`https://openalex.org/W123` -> `W123`; "" for anything else."""
    text = _str(value).rsplit("/", 1)[-1]
    return text if re.fullmatch(r"W\d+", text) else ""


def inverted_abstract(index: object) -> str:
    """OpenAlex ships abstracts as {word: [positions]}; put the words back in order."""
    if not isinstance(index, dict):
        return ""
    at: dict[int, str] = {}
    for word, positions in index.items():
        for pos in positions if isinstance(positions, list) else ():
            if isinstance(pos, int) and 0 <= pos < 10_000:
                at[pos] = str(word)
    return " ".join(at[i] for i in sorted(at))


def _openalex_arxiv(work: dict[str, Any]) -> str | None:
    for loc in _dicts(work.get("locations")):
        m = _ARXIV_ABS.search(_str(loc.get("landing_page_url")))
        if m:
            return m.group(1)
    return None


def openalex_candidate(work: dict[str, Any]) -> Candidate:
    primary = _dict(work.get("primary_location"))
    source = _dict(primary.get("source"))
    kinds = {"journal": Venue.JOURNAL, "conference": Venue.CONFERENCE}
    authors = (a.get("author") for a in _dicts(work.get("authorships")))
    return Candidate(
        title=strip_markup(_str(work.get("display_name") or work.get("title"))),
        abstract=inverted_abstract(work.get("abstract_inverted_index")),
        authors=_names(a.get("display_name") for a in authors if isinstance(a, dict)),
        year=_int(work.get("publication_year")),
        month=_month(work.get("publication_date")),
        doi=_str(work.get("doi")) or None,
        arxiv=_openalex_arxiv(work),
        url=_str(primary.get("landing_page_url")) or _str(work.get("id")),
        venue=strip_markup(_str(source.get("display_name"))),
        venue_kind=kinds.get(_str(source.get("type")), Venue.SITE),
        sources={"OpenAlex"},
    )


def _openalex_page(body: bytes, url: str) -> dict[str, Any]:
    return _json_object(body, url, "OpenAlex", "results")


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _openalex_list(
    fetcher: Fetcher, services: Services, what: str, filter_: str, max_pages: int
) -> Iterator[dict[str, Any]]:
    """Every work of a filtered list, page by page with cursors, up to `max_pages`."""
    cursor = "*"
    for page in range(1, max_pages + 1):
        params = {"filter": filter_, "per-page": "200", "cursor": cursor}
        if services.mailto:
            params["mailto"] = services.mailto
        label = what if page == 1 else f"{what}, page {page}"
        data = fetcher.get("OpenAlex", label, f"{services.openalex}/works", params, _openalex_page)
        if data is None:
            return
        yield from _dicts(data.get("results"))
        meta = _dict(data.get("meta"))
        cursor = _str(meta.get("next_cursor"))
        if not cursor or not data.get("results"):
            return


def atlas_dois(works: Iterable[Work]) -> dict[str, str]:
    """DOI (lower case) -> key, arXiv preprints by their DataCite DOI."""
    out = {}
    for work in works:
        if work.doi:
            out[work.doi.strip().lower()] = work.key
        if work.arxiv:
            out[f"10.48550/arxiv.{work.arxiv.strip().lower()}"] = work.key
    return out


def from_openalex(
    fetcher: Fetcher, services: Services, works: list[Work], max_pages: int
) -> Iterator[Candidate]:
    dois = atlas_dois(works)
    atlas: dict[str, str] = {}  # OpenAlex id -> key
    refs: dict[str, set[str]] = {}  # OpenAlex id of a cited work -> atlas keys citing it
    for chunk in _chunks(sorted(dois), BATCH):
        what = f"the atlas's works by DOI ({len(chunk)})"
        for work in _openalex_list(fetcher, services, what, "doi:" + "|".join(chunk), max_pages):
            key = dois.get(_str(work.get("doi")).lower().removeprefix("https://doi.org/"))
            ident = openalex_id(work.get("id"))
            if key and ident:
                atlas[ident] = key
                for ref in work.get("referenced_works") or ():
                    if openalex_id(ref):
                        refs.setdefault(openalex_id(ref), set()).add(key)
    for chunk in _chunks(sorted(atlas), BATCH):
        what = f"works citing {len(chunk)} atlas works"
        for work in _openalex_list(fetcher, services, what, "cites:" + "|".join(chunk), max_pages):
            candidate = openalex_candidate(work)
            cited = (openalex_id(r) for r in work.get("referenced_works") or ())
            candidate.cites = {atlas[r] for r in cited if r in atlas}
            yield candidate
    cited_ids = sorted(set(refs) - set(atlas))
    for chunk in _chunks(cited_ids, BATCH):
        what = f"{len(chunk)} works the atlas cites"
        filter_ = "openalex_id:" + "|".join(chunk)
        for work in _openalex_list(fetcher, services, what, filter_, max_pages):
            candidate = openalex_candidate(work)
            candidate.cited_by = set(refs.get(openalex_id(work.get("id")), ()))
            yield candidate


# --- Semantic Scholar --------------------------------------------------------------


def s2_candidate(paper: dict[str, Any]) -> Candidate:
    ids = _dict(paper.get("externalIds"))
    authors = (a.get("name") for a in _dicts(paper.get("authors")))
    return Candidate(
        title=_str(paper.get("title")),
        abstract=_str(paper.get("abstract")),
        authors=_names(authors),
        year=_int(paper.get("year")),
        month=_month(paper.get("publicationDate")),
        doi=_str(ids.get("DOI")) or None,
        arxiv=_str(ids.get("ArXiv")) or None,
        url=_str(paper.get("url")),
        venue=_str(paper.get("venue")),
        venue_kind=Venue.SITE,  # S2's `venue` does not say journal or conference
        sources={"Semantic Scholar"},
    )


def _s2_page(body: bytes, url: str) -> dict[str, Any]:
    return _json_object(body, url, "Semantic Scholar", "data")


def s2_paper_id(work: Work) -> str | None:
    """`ARXIV:2211.00593` or `DOI:10.1/x`: arXiv first, as S2 knows every arXiv paper."""
    if work.arxiv:
        return f"ARXIV:{work.arxiv.strip()}"
    return f"DOI:{work.doi.strip()}" if work.doi else None


def from_s2(
    fetcher: Fetcher, services: Services, works: list[Work], max_pages: int
) -> Iterator[Candidate]:
    for work in works:
        paper = s2_paper_id(work)
        if paper is None:
            continue
        for direction, side in (("citations", "citingPaper"), ("references", "citedPaper")):
            url = f"{services.s2}/paper/{quote(paper, safe=':/')}/{direction}"
            offset = 0
            for page in range(1, max_pages + 1):
                params = {"fields": S2_FIELDS, "offset": str(offset), "limit": "100"}
                what = f"{direction} of `{work.key}`" + (f", page {page}" if page > 1 else "")
                data = fetcher.get("Semantic Scholar", what, url, params, _s2_page)
                if data is None:
                    break
                for row in _dicts(data.get("data")):
                    if isinstance(row.get(side), dict):
                        candidate = s2_candidate(row[side])
                        ties = candidate.cites if side == "citingPaper" else candidate.cited_by
                        ties.add(work.key)
                        yield candidate
                following = _int(data.get("next"))
                if following is None or following <= offset or not data.get("data"):
                    break
                offset = following


# --- arXiv searches ----------------------------------------------------------------


def parse_arxiv_feed(body: bytes, url: str) -> list[Candidate]:
    """Every entry of an arXiv API Atom feed (an error feed raises SourceError)."""
    try:
        root = ET.fromstring(body)  # expat >= 2.4 refuses entity bombs; no external fetches
    except ET.ParseError as exc:
        raise SourceError(f"arXiv answered with malformed XML ({exc})", url=url) from exc
    if root.tag != f"{_ATOM}feed":
        raise SourceError("arXiv answered with something that is not an Atom feed", url=url)
    out = []
    for entry in root.findall(f"{_ATOM}entry"):
        ident = entry.findtext(f"{_ATOM}id") or ""
        if "/api/errors" in ident:
            why = " ".join((entry.findtext(f"{_ATOM}summary") or "").split())
            raise SourceError(f"arXiv refused the search: {why}", url=url)
        m = _ARXIV_ABS.search(ident.strip())
        title = " ".join((entry.findtext(f"{_ATOM}title") or "").split())
        if not m or not title:
            continue
        published = entry.findtext(f"{_ATOM}published") or ""
        year = _DATE.match(published)
        primary = entry.find(f"{_ARXIV}primary_category")
        authors = (n.findtext(f"{_ATOM}name") or "" for n in entry.findall(f"{_ATOM}author"))
        out.append(
            Candidate(
                title=arxiv_title(title),
                title_math=True,
                abstract=latex_to_unicode(
                    " ".join((entry.findtext(f"{_ATOM}summary") or "").split())
                ),
                authors=_names(latex_to_unicode(a) for a in authors),
                year=int(year.group(1)) if year else None,
                month=_month(published),
                doi=(entry.findtext(f"{_ARXIV}doi") or "").strip() or None,
                arxiv=m.group(1),
                primaryclass=primary.get("term") if primary is not None else None,
                sources={"arXiv"},
            )
        )
    return out


def from_arxiv(
    fetcher: Fetcher, services: Services, searches: Mapping[str, tuple[str, ...]], per_query: int
) -> Iterator[Candidate]:
    """The newest `per_query` results of each curator's query, marked with its topic."""
    for topic, queries in sorted(searches.items()):
        for query in queries:
            params = {
                "search_query": query,
                "start": "0",
                "max_results": str(per_query),
                "sortBy": "submittedDate",
                "sortOrder": "descending",
            }
            found = fetcher.get(
                "arXiv",
                f"search for `{topic}`: {query}",
                services.arxiv,
                params,
                parse_arxiv_feed,
                accept="application/atom+xml",
            )
            for candidate in found or ():
                candidate.searches.add(topic)
                yield candidate
