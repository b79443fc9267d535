"""Candidates: works the services name, merged into one per work, minus the known ones.

Three services can name the same work (and one can name it twice); `identity` decides
what is the same work, so a DOI, an arXiv id or a title with a shared author merges
them, and works already in the corpus or rejected by a curator are left out by the
same rule that keeps duplicates out of bib/.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields

from ..model.corpus import Work
from ..model.identity import Facts, Index, facts_of_work, norm_arxiv, norm_doi
from ..net.sources import Name, Record, Venue
from ..read.discovery import Rejected

_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)


@dataclass
class Candidate:
    """One work as the services describe it, in plain Unicode, and its ties to the atlas."""

    title: str
    abstract: str = ""
    authors: tuple[Name, ...] = ()
    year: int | None = None
    month: int | None = None
    doi: str | None = None  # bare, lower case; never an arXiv DOI (that is `arxiv`)
    arxiv: str | None = None  # without version
    url: str = ""  # the service's landing page, when neither identifier gives one
    venue: str = ""
    venue_kind: Venue = Venue.NONE
    primaryclass: str | None = None
    title_math: bool = False  # an arXiv title: `$...$` is TeX
    sources: set[str] = field(default_factory=set)
    cites: set[str] = field(default_factory=set)  # atlas keys this work cites
    cited_by: set[str] = field(default_factory=set)  # atlas keys that cite this work
    searches: set[str] = field(default_factory=set)  # topics whose arXiv search found it

    def __post_init__(self) -> None:
        doi = norm_doi(self.doi) if self.doi else None
        in_doi = _ARXIV_DOI.match(doi) if doi else None
        if in_doi:  # DataCite's DOI for an arXiv preprint is its arXiv id
            self.arxiv = self.arxiv or in_doi.group(1)
            doi = None
        self.doi = doi
        self.arxiv = norm_arxiv(self.arxiv) if self.arxiv else None

    @property
    def ties(self) -> set[str]:
        return self.cites | self.cited_by

    def facts(self) -> Facts:
        names = tuple(
            "{" + n.family + "}" if n.literal else f"{n.family}, {n.given}" for n in self.authors
        )
        return Facts(
            title=self.title,
            names=names,
            year=self.year,
            doi=self.doi,
            arxiv=self.arxiv,
            url=self.link,
            venue=self.venue,
        )

    @property
    def link(self) -> str:
        if self.arxiv:
            return f"https://arxiv.org/abs/{self.arxiv}"
        if self.doi:
            return f"https://doi.org/{self.doi}"
        return self.url

    def merge(self, other: Candidate) -> None:
        """Fill what this one lacks from `other`; ties and sources add up."""
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if isinstance(mine, set):
                mine |= theirs
            elif not mine and theirs:
                setattr(self, f.name, theirs)
        if len(other.abstract) > len(self.abstract):
            self.abstract = other.abstract

    def record(self) -> Record:
        """What `add` writes from: the arXiv preprint if it has an id, else the DOI's venue."""
        source = ", ".join(sorted(self.sources)) or "discovery"
        if self.arxiv:
            venue, kind, entry_kind = "", Venue.NONE, "preprint"
        else:
            typed = self.venue_kind in (Venue.JOURNAL, Venue.CONFERENCE) and self.venue
            venue = self.venue
            kind = self.venue_kind if typed else Venue.SITE if venue else Venue.NONE
            entry_kind = "paper" if typed else "webpage"
        return Record(
            source=source,
            title=self.title,
            url=self.link,
            authors=self.authors,
            year=self.year,
            month=self.month,
            venue=venue,
            venue_kind=kind,
            kind=entry_kind,
            doi=self.doi,
            arxiv=self.arxiv,
            primaryclass=self.primaryclass if self.arxiv else None,
            title_math=self.title_math,
        )


class Pool:
    """The candidates of one run: each work once, none already in the corpus or rejected."""

    def __init__(self, works: list[Work], rejected: list[Rejected]) -> None:
        self.known: Index[str] = Index()
        for work in works:
            self.known.add(facts_of_work(work), f"in the corpus as `{work.key}`")
        for item in rejected:
            self.known.add(item.facts, f"rejected as `{item.key}`")
        self._index: Index[Candidate] = Index()
        self.items: list[Candidate] = []
        self.left_out: dict[str, int] = {}  # why -> how many times a service named it

    def add(self, candidate: Candidate) -> None:
        if not candidate.title or not candidate.link:
            self._leave_out("no title or no link")
            return
        facts = candidate.facts()
        known = self.known.find(facts)
        if known is not None:
            self._leave_out("already in the corpus" if "corpus" in known[0] else "rejected")
            return
        twin = self._index.find(facts)
        if twin is None:
            self.items.append(candidate)
            self._index.add(facts, candidate)
            return
        merged = twin[0]
        merged.merge(candidate)
        self._index.add(merged.facts(), merged)  # filed under what it gained too

    def _leave_out(self, why: str) -> None:
        self.left_out[why] = self.left_out.get(why, 0) + 1
