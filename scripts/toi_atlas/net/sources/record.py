"""A work's metadata as a source gave it: one normalised `Record`, plain Unicode.

A `Record` holds no LaTeX and no HTML; turning it into BibTeX is `newentry.py`'s
job. Shared by every source: names split by BibTeX's own rules, dates read from
the forms sources use, markup stripped, and `SourceError` for an answer we cannot
use. The answer is untrusted: parsers keep identifiers and links as the source
sent them (vetting.py checks each against its field's form), raise only
`NetError` (or its `SourceError`) whatever the input, and note in
`Record.warnings` what they noticed on the way.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from html.parser import HTMLParser

from pybtex.database import Person
from pybtex.exceptions import PybtexError

from ..client import Failure, NetError


class SourceError(NetError):
    """The source answered, but with nothing we can use."""

    def __init__(self, message: str, *, url: str):
        super().__init__(Failure.BAD_CONTENT, message, url=url)


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


def year_month(text: str | None) -> tuple[int | None, int | None]:
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
