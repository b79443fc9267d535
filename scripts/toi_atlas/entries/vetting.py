"""Vetting a fetched record: every field checked for its form before it becomes BibTeX.

The record comes from a server we do not control: invisible characters are
removed, a bad optional value (a pdf link, a DOI found in a page, a page range) is
dropped with a warning, and a bad essential one (title, authors, url, the journal
or proceedings an entry type needs) refuses the record.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from pybtex.bibtex.utils import split_name_list
from pybtex.database import Person
from pybtex.exceptions import PybtexError

from ..model.untrusted import (
    braces_balanced,
    clean_text,
    is_arxiv_id,
    is_doi,
    is_primary_class,
    is_url,
    plausible_year,
    shown,
)
from ..net.sources import (
    Name,
    Record,
    Venue,
)
from .newentry import ENTRY_TYPE, bibtex_name

# Volume, issue and pages are short tokens (`33`, `3`, `e1234--e1240`); longer is junk.
MAX_DETAIL = 40


@dataclass(frozen=True)
class Vetted:
    """A record whose every field passed its check, what was dropped, what refuses it."""

    record: Record
    warnings: tuple[str, ...] = ()
    refusals: tuple[str, ...] = ()


class _Vetting:
    """Collects the warnings and refusals of one record's fields."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.warnings: list[str] = []
        self.refusals: list[str] = []

    def text(self, field: str, value: str, *, essential: bool, limit: int = 0) -> str:
        """Invisible characters removed; "" (dropped) or refused if not a BibTeX value."""
        clean, removed = clean_text(value)
        if removed:
            self.warnings.append(
                f"removed invisible or control characters ({', '.join(removed)}) from the {field}"
            )
        problem = ""
        if not braces_balanced(clean):
            problem = "has unbalanced braces"
        elif limit and len(clean) > limit:
            problem = f"is longer than {limit} characters"
        if not problem:
            return clean
        if essential:
            self.refusals.append(f"the {field} {shown(clean)} ({self.source}) {problem}")
        else:
            self.warnings.append(
                f"dropped the {field} {shown(clean)}: it {problem}; the entry is written without it"
            )
        return ""

    def ident(self, field: str, value: str | None, ok: bool, form: str) -> str | None:
        """An identifier or link as sent, or None (dropped, with a warning) if not `form`."""
        if value is None or ok:
            return value
        self.warnings.append(
            f"dropped the {field} {shown(value)}: not {form}; the entry is written without it"
        )
        return None

    def name(self, name: Name) -> Name | None:
        refused = len(self.refusals)
        family = self.text("author", name.family, essential=True)
        given = self.text("author", name.given, essential=True)
        if family:
            return self._one_person(Name(family, given, name.literal))
        if len(self.refusals) == refused:  # nothing left of it, rather than refused
            self.warnings.append(
                f"dropped the author {shown(name.family + ' ' + name.given)}: no name is left"
            )
        return None

    def _one_person(self, name: Name) -> Name:
        """`name`, or the same text as one literal name if BibTeX would read it otherwise.

        `Tom and Jerry` would be two people and `a, b, c, d` too many commas.
        """
        written = bibtex_name(name)
        try:
            one = len(split_name_list(written)) == 1 and bool(Person(written))
        except PybtexError:
            one = False
        if one or name.literal:
            return name
        text = f"{name.given} {name.family}".strip()
        self.warnings.append(
            f"wrote the author {shown(text)} as one name in braces: as it came, BibTeX "
            "would not read it as one person"
        )
        return Name(text, literal=True)


def vet(record: Record, this_year: int) -> Vetted:
    """Check every field of a fetched record for its form before it becomes BibTeX.

    Text loses invisible characters (with a warning) and must have balanced braces;
    identifiers, links and dates must be of their field's exact form. Optional values
    that fail are dropped with a warning; title, authors, venue and url refuse the add.
    """
    v = _Vetting(record.source)
    title = v.text("title", record.title, essential=True)
    if not title and not v.refusals:
        v.refusals.append(f"the source ({record.source}) gave no usable title")
    authors = tuple(n for n in (v.name(a) for a in record.authors) if n is not None)
    venue_field = ENTRY_TYPE[record.venue_kind][1]
    # A journal, proceedings or publisher makes the entry type; a site name is extra.
    typed = record.venue_kind not in (Venue.SITE, Venue.NONE)
    if not is_url(record.url):
        v.refusals.append(f"the url {shown(record.url)} ({record.source}) is not an http(s) URL")
    arxiv = v.ident("arXiv id", record.arxiv, is_arxiv_id(record.arxiv or ""), "an arXiv id")
    primary = record.primaryclass if arxiv else None
    year, month = record.year, record.month
    if year is not None and not plausible_year(year, this_year):
        v.warnings.append(f"dropped the year {year}: not a plausible year; add `year` by hand")
        year, month = None, None
    if month is not None and not 1 <= month <= 12:
        v.warnings.append(f"dropped the month {month}: not a month")
        month = None
    vetted = replace(
        record,
        title=title,
        authors=authors,
        venue=v.text(venue_field, record.venue, essential=typed),
        publisher=v.text("publisher", record.publisher, essential=typed),
        volume=v.text("volume", record.volume, essential=False, limit=MAX_DETAIL),
        number=v.text("number", record.number, essential=False, limit=MAX_DETAIL),
        pages=v.text("pages", record.pages, essential=False, limit=MAX_DETAIL),
        year=year,
        month=month,
        doi=v.ident("DOI", record.doi, is_doi(record.doi or ""), "a DOI (10.NNNN/suffix)"),
        arxiv=arxiv,
        primaryclass=v.ident(
            "arXiv category", primary, is_primary_class(primary or ""), "an arXiv category"
        ),
        pdf=v.ident("pdf link", record.pdf, is_url(record.pdf or ""), "an http(s) URL"),
        warnings=(),
    )
    return Vetted(vetted, (*record.warnings, *v.warnings), tuple(v.refusals))
