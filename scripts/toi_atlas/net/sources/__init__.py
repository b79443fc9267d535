"""A work's own metadata record, by identifier: one module per source.

- arxiv.py: the arXiv API (Atom XML), for arXiv ids and arxiv.org URLs;
- doi.py: DOI content negotiation (CSL-JSON), falling back to the Crossref REST API;
- webpage.py: the page's own meta tags, for any other URL.

Each parser is a pure function of the response body, so tests feed it recorded
answers; record.py holds what they share. `resolve` picks the source.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from ..client import Client, host_of
from .arxiv import ARXIV_API, ARXIV_INTERVAL, arxiv_title, fetch_arxiv, parse_arxiv
from .doi import CROSSREF_API, DOI_RESOLVER, fetch_doi, parse_csl
from .identifier import Identifier, IdKind, parse_identifier
from .record import Name, Record, SourceError, Venue, split_name, strip_markup
from .webpage import fetch_page, parse_html

__all__ = [
    "Endpoints",
    "IdKind",
    "Identifier",
    "Name",
    "Record",
    "SourceError",
    "Venue",
    "arxiv_title",
    "parse_arxiv",
    "parse_csl",
    "parse_html",
    "parse_identifier",
    "resolve",
    "split_name",
    "strip_markup",
]


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
