"""A work's own metadata record -> one normalised `Record`.

Sources, by identifier: the arXiv API (Atom XML) for arXiv ids and arxiv.org URLs;
DOI content negotiation (CSL-JSON), falling back to the Crossref REST API, for DOIs;
and the page's own `citation_*` (Highwire), Dublin Core and Open Graph meta tags for
any other URL. A `Record` holds plain Unicode (no LaTeX, no HTML); turning it into
BibTeX text is `add.py`'s job. Parsers are pure functions of the response body so
tests can feed them recorded answers.

The answer is untrusted: parsers keep identifiers and links as the source sent them
(add.py checks each against its field's form and says what it drops), raise only
`NetError` (or its `SourceError`) whatever the input, and note in `Record.warnings`
what they noticed on the way, such as bytes that were not valid UTF-8.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit

from pybtex.database import Person
from pybtex.exceptions import PybtexError

from .bibtext import MATH
from .identity import arxiv_from_url
from .model import latex_to_unicode
from .net import Client, Failure, NetError, host_of
from .untrusted import is_arxiv_id, is_doi, is_url, shown

ARXIV_API = "https://export.arxiv.org/api/query"
CROSSREF_API = "https://api.crossref.org/works/"
DOI_RESOLVER = "https://doi.org/"
ARXIV_INTERVAL = 3.0  # seconds; https://info.arxiv.org/help/api/tou.html

CSL_JSON = "application/vnd.citationstyles.csl+json"
_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_ARXIV_ID = re.compile(
    r"^(?:arxiv:)?(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$", re.IGNORECASE
)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
_ARXIV_HOSTS = frozenset({"arxiv.org", "www.arxiv.org", "export.arxiv.org"})
_DOI_HOSTS = frozenset({"doi.org", "dx.doi.org", "www.doi.org"})


class SourceError(NetError):
    """The source answered, but with nothing we can use."""

    def __init__(self, message: str, *, url: str):
        super().__init__(Failure.BAD_CONTENT, message, url=url)


# --- identifiers -------------------------------------------------------------------


class IdKind(StrEnum):
    ARXIV = "arXiv id"
    DOI = "DOI"
    URL = "URL"


@dataclass(frozen=True)
class Identifier:
    kind: IdKind
    value: str  # arXiv id without version, bare DOI, or the URL as given


def parse_identifier(text: str) -> Identifier:
    """Classify what the user typed; ValueError (a usage error) if it is none of them."""
    text = text.strip()
    m = _ARXIV_ID.match(text)
    if m:
        return _arxiv_identifier(m.group(1), text)
    doi = text
    if re.match(r"^doi:", doi, re.IGNORECASE):
        doi = doi[4:].strip()
    if is_url(text):
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
        if host in _ARXIV_HOSTS:
            found = arxiv_from_url(text)
            if found:
                return _arxiv_identifier(found, text)
        if host in _DOI_HOSTS:
            doi = unquote(parts.path.lstrip("/"))
        else:
            return Identifier(IdKind.URL, text)
    if is_doi(doi):
        m = _ARXIV_DOI.match(doi)
        if m and _ARXIV_ID.match(m.group(1)):
            return _arxiv_identifier(m.group(1), text)
        return Identifier(IdKind.DOI, doi)
    raise ValueError(
        f"{shown(text)} is not an arXiv id (2211.00593, hep-th/9901001), "
        "a DOI (10.NNNN/suffix) or an http(s) URL"
    )


def _arxiv_identifier(found: str, text: str) -> Identifier:
    bare = re.sub(r"v\d+$", "", found)
    if not is_arxiv_id(bare):
        raise ValueError(f"{shown(text)} does not contain a valid arXiv id")
    return Identifier(IdKind.ARXIV, bare)


# --- the normalised record ---------------------------------------------------------


class Venue(StrEnum):
    JOURNAL = "journal"  # -> @article, journal
    CONFERENCE = "conference"  # -> @inproceedings, booktitle
    CHAPTER = "chapter"  # -> @incollection, booktitle
    BOOK = "book"  # -> @book, publisher
    SITE = "site"  # -> @misc, howpublished
    NONE = "none"


@dataclass(frozen=True)
class Name:
    family: str
    given: str = ""
    literal: bool = False  # an organisation or a handle: never split into parts


@dataclass(frozen=True)
class Record:
    source: str  # which service answered, for messages
    title: str  # plain Unicode; with `title_math`, `$...$` spans are TeX math
    url: str
    authors: tuple[Name, ...] = ()
    year: int | None = None
    month: int | None = None
    venue: str = ""
    venue_kind: Venue = Venue.NONE
    kind: str = "webpage"  # a taxonomy kind id
    publisher: str = ""
    volume: str = ""
    number: str = ""
    pages: str = ""
    doi: str | None = None
    arxiv: str | None = None
    primaryclass: str | None = None
    pdf: str | None = None
    title_math: bool = False
    warnings: tuple[str, ...] = ()  # what the source step noticed, for the person adding


def split_name(text: str) -> Name | None:
    """`First Last` or `Last, First` (any script) -> Name, via BibTeX's own rules."""
    text = " ".join(text.split()).strip(" ,;")
    if not text:
        return None
    try:
        person = Person(text)
    except PybtexError:
        return Name(text, literal=True)
    family = " ".join([*person.prelast_names, *person.last_names])
    given = " ".join([*person.first_names, *person.middle_names])
    if person.lineage_names:
        family = f"{family} {' '.join(person.lineage_names)}"
    return Name(family, given) if family else Name(text, literal=True)


def _year_month(text: str | None) -> tuple[int | None, int | None]:
    """Year and month from ISO dates, `2022/03/11`, `March 11, 2022` or a bare year."""
    if not text:
        return None, None
    text = text.strip()
    m = re.match(r"^(\d{4})(?:[-/.](\d{1,2}))?", text)
    if m:
        month = int(m.group(2)) if m.group(2) else None
        return int(m.group(1)), month if month and 1 <= month <= 12 else None
    for fmt in ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%B %Y", "%b %Y"):
        try:
            when = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        return when.year, when.month
    m = re.search(r"\b(1[89]\d\d|20\d\d)\b", text)
    return (int(m.group(1)), None) if m else (None, None)


# --- arXiv -------------------------------------------------------------------------


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
    year, month = _year_month(entry.findtext(f"{_ATOM}published"))
    primary = entry.find(f"{_ARXIV}primary_category")
    doi = (entry.findtext(f"{_ARXIV}doi") or "").strip() or None  # checked in add.py
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


# --- DOI: CSL-JSON and Crossref ----------------------------------------------------

# CSL and Crossref type names -> our venue kind and taxonomy kind.
_TYPES: dict[str, tuple[Venue, str]] = {
    "article-journal": (Venue.JOURNAL, "paper"),
    "journal-article": (Venue.JOURNAL, "paper"),
    "paper-conference": (Venue.CONFERENCE, "paper"),
    "proceedings-article": (Venue.CONFERENCE, "paper"),
    "chapter": (Venue.CHAPTER, "paper"),
    "book-chapter": (Venue.CHAPTER, "paper"),
    "book": (Venue.BOOK, "book"),
    "monograph": (Venue.BOOK, "book"),
    "edited-book": (Venue.BOOK, "book"),
    "report": (Venue.SITE, "report"),
    "dissertation": (Venue.SITE, "report"),
    "thesis": (Venue.SITE, "report"),
    "posted-content": (Venue.SITE, "preprint"),
    "article": (Venue.SITE, "preprint"),  # CSL's name for preprints (DataCite, arXiv DOIs)
    "manuscript": (Venue.SITE, "preprint"),
}


class _TextOnly(HTMLParser):
    """Crossref titles may carry JATS/HTML markup (`<i>`, `<sub>`); keep the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def strip_markup(text: str) -> str:
    parser = _TextOnly()
    parser.feed(text)
    parser.close()
    return " ".join("".join(parser.parts).split())


def _first(value: object) -> str:
    """CSL gives strings, Crossref gives lists of strings: the first non-empty one."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), "")
    return strip_markup(value) if isinstance(value, str) else ""


def _csl_date(data: Mapping[str, Any]) -> tuple[int | None, int | None]:
    # A journal article is cited by its issue's year; `issued` is the earliest of print
    # and online, often the year before (Krishnan, online 2019, in the 2020 volume).
    for name in ("published-print", "issued", "published-online", "published", "created"):
        value = data.get(name)
        parts = value.get("date-parts") if isinstance(value, dict) else None
        head = parts[0] if isinstance(parts, list) and parts else None
        if not isinstance(head, list) or not head:
            continue
        year = _as_int(head[0])  # CSL allows "2021" as well as 2021
        month = _as_int(head[1]) if len(head) > 1 else None
        if year:
            return year, month if month and 1 <= month <= 12 else None
    return None, None


def _as_int(value: object) -> int | None:
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and re.fullmatch(r"[0-9]{1,4}", value) else None


def _csl_names(people: object) -> tuple[Name, ...]:
    out = []
    for p in people if isinstance(people, list) else []:
        if not isinstance(p, dict):
            continue
        family, given = str(p.get("family") or "").strip(), str(p.get("given") or "").strip()
        literal = str(p.get("literal") or p.get("name") or "").strip()
        if family:
            out.append(Name(family, given))
        elif literal:
            out.append(Name(literal, literal=True))
    return tuple(out)


def parse_csl(data: object, doi: str, url: str, source: str) -> Record:
    """A CSL-JSON item or a Crossref `message` (nearly the same keys) -> Record."""
    if not isinstance(data, dict):
        raise SourceError(f"{source} answered with JSON of an unexpected shape", url=url)
    title = _first(data.get("title"))
    subtitle = _first(data.get("subtitle"))
    if subtitle and subtitle.casefold() not in title.casefold():
        title = f"{title}: {subtitle}"
    if not title:
        raise SourceError(f"{source} has no title for {doi}", url=url)
    venue_kind, kind = _TYPES.get(str(data.get("type") or ""), (Venue.SITE, "webpage"))
    venue = _first(data.get("container-title"))
    event = data.get("event")
    if not venue and venue_kind is Venue.CONFERENCE and isinstance(event, dict):
        venue = _first(event.get("name"))
    publisher = _first(data.get("publisher"))
    if venue_kind in (Venue.JOURNAL, Venue.CONFERENCE, Venue.CHAPTER) and not venue:
        venue_kind = Venue.SITE  # @article without a journal fails the checker; say where instead
    if venue_kind is Venue.SITE and not venue:
        venue = publisher
    year, month = _csl_date(data)
    return Record(
        source=source,
        title=title,
        url=f"https://doi.org/{doi}",
        authors=_csl_names(data.get("author")),
        year=year,
        month=month,
        venue=venue,
        venue_kind=venue_kind,
        kind=kind,
        publisher=publisher if venue_kind is Venue.BOOK else "",
        volume=_first(data.get("volume")),
        number=_first(data.get("issue")),
        pages=re.sub(r"\s*[-–—]+\s*", "--", _first(data.get("page"))),
        doi=doi,
    )


def _json(body: bytes, source: str, url: str) -> object:
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(f"{source} answered with malformed JSON ({exc})", url=url) from exc


def fetch_doi(
    client: Client, doi: str, resolver: str = DOI_RESOLVER, crossref: str = CROSSREF_API
) -> Record:
    """Content negotiation at the DOI resolver (every registration agency), else Crossref.

    A 404 from the resolver is final: the DOI does not exist. Offline is final too.
    Anything else (no CSL support, HTML instead of JSON, a server error) falls back
    to Crossref's REST API, which covers most DOIs of papers.
    """
    path = quote(doi, safe="/")
    try:
        try:
            got = client.fetch(resolver.rstrip("/") + "/" + path, accept=CSL_JSON)
        except NetError as exc:
            if exc.failure is Failure.NOT_FOUND:
                raise NetError(
                    Failure.NOT_FOUND,
                    f"the DOI resolver does not know {doi}",
                    url=exc.url,
                    status=404,
                ) from exc
            raise
        if "json" not in got.media_type:
            raise SourceError(
                f"the DOI resolver sent {got.media_type or 'no type'}, not JSON", url=got.url
            )
        return parse_csl(_json(got.body, "DOI negotiation", got.url), doi, got.url, "doi.org")
    except NetError as exc:
        if exc.failure in (Failure.NOT_FOUND, Failure.OFFLINE):
            raise
        first = exc
    try:
        got = client.fetch(crossref.rstrip("/") + "/" + path, accept="application/json")
    except NetError as exc:
        if exc.failure is Failure.NOT_FOUND:
            raise NetError(
                Failure.BAD_CONTENT,
                f"{first}; and Crossref does not know {doi}",
                url=exc.url,
            ) from exc
        raise
    data = _json(got.body, "Crossref", got.url)
    message = data.get("message") if isinstance(data, dict) else None
    return parse_csl(message, doi, got.url, "Crossref")


# --- web pages: Highwire, Dublin Core, Open Graph ----------------------------------


class _MetaTags(HTMLParser):
    """Every <meta name|property content>, the first <title> and the canonical link."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, list[str]] = defaultdict(list)
        self.title: list[str] = []
        self.canonical: str | None = None
        self._title_state = 0  # 0 before, 1 inside, 2 after the first <title>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            content = " ".join(a.get("content", "").split())
            if not content:
                return
            for attr in ("name", "property"):
                key = _meta_key(a.get(attr, ""))
                if key:
                    self.meta[key].append(content)
        elif tag == "link" and "canonical" in a.get("rel", "").lower().split():
            self.canonical = a.get("href") or None
        elif tag == "title" and self._title_state == 0:
            self._title_state = 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._title_state == 1:
            self._title_state = 2

    def handle_data(self, data: str) -> None:
        if self._title_state == 1:
            self.title.append(data)


def _meta_key(name: str) -> str:
    """`DC.Title`, `dc.title`, `DCTERMS.title` -> `dc.title`; others lower-cased."""
    key = name.strip().lower()
    return "dc." + key[len("dcterms.") :] if key.startswith("dcterms.") else key


def _pick(meta: Mapping[str, list[str]], *names: str) -> str:
    for name in names:
        for value in meta.get(name, []):
            if value.strip():
                return value.strip()
    return ""


def _people(meta: Mapping[str, list[str]], *names: str) -> tuple[Name, ...]:
    """Authors from the first tag name that has any; profile URLs are not names."""
    for name in names:
        values = [v for v in meta.get(name, []) if not re.match(r"^https?://", v)]
        found = [n for v in values for n in [split_name(v)] if n is not None]
        if found:
            return tuple(found)
    return ()


def _doi_in(text: str) -> str | None:
    m = re.search(r"(10\.\d{4,9}/\S+)", text)
    return m.group(1).rstrip(".") if m else None


def parse_html(html: str, page_url: str) -> Record:
    """Meta tags -> Record; Highwire beats Dublin Core beats Open Graph beats <title>."""
    tags = _MetaTags()
    tags.feed(html)
    tags.close()
    meta = tags.meta
    site = _pick(meta, "og:site_name", "citation_publisher", "dc.publisher")
    title = _pick(meta, "citation_title", "dc.title", "og:title", "twitter:title")
    title = _strip_site(title or " ".join("".join(tags.title).split()), site)
    if not title:
        raise SourceError("the page has no title in its meta tags or <title>", url=page_url)
    journal = _pick(meta, "citation_journal_title")
    conference = _pick(meta, "citation_conference_title")
    if journal:
        venue, venue_kind, kind = journal, Venue.JOURNAL, "paper"
    elif conference:
        venue, venue_kind, kind = conference, Venue.CONFERENCE, "paper"
    else:
        venue, venue_kind, kind = site, Venue.SITE, _page_kind(meta)
    year, month = _year_month(
        _pick(
            meta,
            "citation_publication_date",
            "citation_date",
            "citation_online_date",
            "dc.date.issued",
            "dc.issued",
            "dc.date",
            "dc.created",
            "article:published_time",
            "og:published_time",
        )
    )
    # Identifiers and links are kept as sent; add.py drops, with a warning, what is
    # not of its field's form (a `citation_doi` can carry `},summary={...`).
    doi = _doi_in(_pick(meta, "citation_doi")) or next(
        (d for v in meta.get("dc.identifier", []) for d in [_doi_in(v)] if d), None
    )
    arxiv = _pick(meta, "citation_arxiv_id") or None
    url, warnings = _page_url([tags.canonical, _pick(meta, "og:url")], page_url)
    pdf = _absolute(_pick(meta, "citation_pdf_url"), page_url)
    return Record(
        source="web page",
        title=strip_markup(title),
        url=url,
        authors=_people(meta, "citation_author", "dc.creator", "author", "article:author"),
        year=year,
        month=month,
        venue=venue,
        venue_kind=venue_kind,
        kind=kind,
        volume=_pick(meta, "citation_volume"),
        number=_pick(meta, "citation_issue"),
        pages="--".join(
            p for p in (_pick(meta, "citation_firstpage"), _pick(meta, "citation_lastpage")) if p
        ),
        doi=doi,
        arxiv=re.sub(r"v\d+$", "", arxiv) if arxiv else None,
        pdf=pdf,
        warnings=warnings,
    )


def _page_kind(meta: Mapping[str, list[str]]) -> str:
    dc_type = _pick(meta, "dc.type").lower()
    if "thesis" in dc_type or "report" in dc_type:
        return "report"
    return "post" if _pick(meta, "og:type").lower() == "article" else "webpage"


def _strip_site(title: str, site: str) -> str:
    """`Post title | LessWrong` -> `Post title` when the suffix is the site's name."""
    if site:
        for sep in (" | ", " — ", " – ", " - ", " · "):
            if title.endswith(sep + site):
                return title[: -len(sep + site)].strip()
    return title


def _absolute(link: str | None, base: str) -> str | None:
    """`link` resolved against the page; as written if it cannot be (add.py says why)."""
    if not link:
        return None
    try:
        return urljoin(base, link.strip())
    except ValueError:  # `http://[` and the like
        return link


def _page_url(links: list[str | None], page_url: str) -> tuple[str, tuple[str, ...]]:
    """The first of the page's own links (canonical, og:url) that is a clean http(s)
    URL, else the URL fetched; and a warning for each link passed over."""
    ignored: list[str] = []
    for link in (_absolute(link, page_url) for link in links):
        if link is not None and is_url(link):
            return link, tuple(ignored)
        if link is not None:
            ignored.append(f"ignored the page's own link {shown(link)}: not an http(s) URL")
    return page_url, tuple(ignored)


def fetch_page(client: Client, url: str) -> Record:
    got = client.fetch(url, accept="text/html,application/xhtml+xml;q=0.9,*/*;q=0.1")
    if got.media_type not in ("text/html", "application/xhtml+xml", ""):
        raise SourceError(
            f"{url} is {got.media_type}, not a web page; give its landing page, DOI or arXiv id",
            url=url,
        )
    if not got.body.strip():
        raise SourceError(f"{url} answered with an empty page", url=url)
    text, problem = got.decode()
    record = parse_html(text, got.url)
    if problem:
        record = replace(record, warnings=(f"{got.url}: {problem}", *record.warnings))
    return record


# --- one entry point ---------------------------------------------------------------


@dataclass(frozen=True)
class Endpoints:
    """Base URLs, injectable so tests point them at a local server."""

    arxiv_api: str = ARXIV_API
    crossref_api: str = CROSSREF_API
    doi_resolver: str = DOI_RESOLVER
    arxiv_interval: float = ARXIV_INTERVAL

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Endpoints:
        env = os.environ if environ is None else environ
        interval = env.get("TOI_ATLAS_ARXIV_INTERVAL", "").strip()
        return cls(
            arxiv_api=env.get("TOI_ATLAS_ARXIV_API") or ARXIV_API,
            crossref_api=env.get("TOI_ATLAS_CROSSREF_API") or CROSSREF_API,
            doi_resolver=env.get("TOI_ATLAS_DOI_RESOLVER") or DOI_RESOLVER,
            arxiv_interval=float(interval) if interval else ARXIV_INTERVAL,
        )

    def intervals(self) -> dict[str, float]:
        return {host_of(self.arxiv_api): self.arxiv_interval}


def resolve(ident: Identifier, client: Client, endpoints: Endpoints) -> Record:
    if ident.kind is IdKind.ARXIV:
        return fetch_arxiv(client, ident.value, endpoints.arxiv_api)
    if ident.kind is IdKind.DOI:
        return fetch_doi(client, ident.value, endpoints.doi_resolver, endpoints.crossref_api)
    return fetch_page(client, ident.value)
