"""Any other URL: the page's `citation_*` (Highwire), Dublin Core and Open Graph meta tags."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from html.parser import HTMLParser
from urllib.parse import urljoin

from ...model.untrusted import is_url, shown
from ..client import Client
from .record import Name, Record, SourceError, Venue, split_name, strip_markup, year_month


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
    year, month = year_month(
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
    # Identifiers and links are kept as sent; vetting.py drops, with a warning, what is
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
    """`link` resolved against the page; as written if it cannot be (vetting.py says why)."""
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
