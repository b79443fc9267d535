"""DOI: content negotiation (CSL-JSON) at the resolver, falling back to Crossref's API."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from ..client import Client, Failure, NetError
from .record import Name, Record, SourceError, Venue, strip_markup

CROSSREF_API = "https://api.crossref.org/works/"
DOI_RESOLVER = "https://doi.org/"
CSL_JSON = "application/vnd.citationstyles.csl+json"

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


def json_body(body: bytes, source: str, url: str) -> object:
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
        return parse_csl(json_body(got.body, "DOI negotiation", got.url), doi, got.url, "doi.org")
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
    data = json_body(got.body, "Crossref", got.url)
    message = data.get("message") if isinstance(data, dict) else None
    return parse_csl(message, doi, got.url, "Crossref")
