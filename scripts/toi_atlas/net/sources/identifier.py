"""What the person adding a work typed: an arXiv id, a DOI or a URL."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import unquote, urlsplit

from ...model.identity import arxiv_from_url
from ...model.untrusted import is_arxiv_id, is_doi, is_url, shown

_ARXIV_ID = re.compile(
    r"^(?:arxiv:)?(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$", re.IGNORECASE
)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
_ARXIV_HOSTS = frozenset({"arxiv.org", "www.arxiv.org", "export.arxiv.org"})
_DOI_HOSTS = frozenset({"doi.org", "dx.doi.org", "www.doi.org"})


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
